"""The sign-off sheet's import speaks the sheet's language (read from its header row): errors and the summary of
what was recorded alike, for a site's sheet and for the fleet workbook; `map --all --import` prints counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.mapping import export_fleet_sheet, export_sheet, import_sheet
from mappers.sheet import HEADERS, SheetError, header_language, import_summary


def test_header_language_counts_the_headers_of_each_language() -> None:
    """Chinese headers → zh, English → en; a mixed row goes by the majority; unknown text → en."""
    assert header_language([zh for _, zh, _en, _ in HEADERS]) == "zh"
    assert header_language([en for _, _zh, en, _ in HEADERS]) == "en"
    assert header_language(["栏目路径", "决定", "目标栏目", "Signed by"]) == "zh"
    assert header_language(["Column path", "Decision", "审核人"]) == "en"
    assert header_language(["站点", "网站名称"]) == "zh"  # a fleet workbook's summary sheet
    assert header_language(["foo", None, 3]) == "en"


def _edit(path: Path, row_path: str, values: dict[str, str]) -> None:
    """Set cells (by header key) on the row of a legacy column, whatever the header language."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    texts = {text: k for k, zh, en, _ in HEADERS for text in (zh, en)}
    headers = {texts[c.value]: c.column for c in sheet[1] if c.value in texts}
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(row=r, column=headers["path"]).value == row_path)
    for name, value in values.items():
        sheet.cell(row=row, column=headers[name]).value = value
    book.save(path)


def test_an_english_sheet_gets_english_errors_and_summary(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An en sheet: row errors, the headline and the hint in English; the recorded changes told in English."""
    path = tmp_path / "en.xlsx"
    export_sheet(crawled, "fgw", path, lang="en")
    _edit(path, "信息公开 > 政策解读", {"decision": "keep", "signer": "王明"})
    with pytest.raises(SheetError) as caught:
        import_sheet(crawled, "fgw", path)
    assert caught.value.message.startswith("1 problem(s) in the sheet; nothing was imported")
    assert "row " in caught.value.message and "column Decision" in caught.value.message
    assert "unknown decision 'keep'" in caught.value.message and "第" not in caught.value.message
    assert caught.value.hint == "fix the cells named above and import the whole sheet again"
    _edit(path, "信息公开 > 政策解读", {"decision": "drop", "signed_on": dt.date.today().isoformat()})
    changes = import_sheet(crawled, "fgw", path)
    assert [c.path for c in changes] == ["信息公开 > 政策解读"]
    assert import_summary("en.xlsx", changes) == "en.xlsx: recorded 1 signed decision(s) (drop 1; signed by 王明 1)"
    assert import_summary("en.xlsx", import_sheet(crawled, "fgw", path)) == "en.xlsx: no changes"


def test_a_chinese_sheet_gets_chinese_errors_and_summary(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """A zh sheet: errors, headline and hint in Chinese (第 N 行), like the summary of what was recorded."""
    path = tmp_path / "zh.xlsx"
    export_sheet(crawled, "fgw", path)
    _edit(path, "信息公开 > 政策解读", {"decision": "不迁移"})
    with pytest.raises(SheetError) as caught:
        import_sheet(crawled, "fgw", path)
    assert caught.value.message.startswith("表格中有 1 处问题，未导入任何内容")
    assert "zh.xlsx 第" in caught.value.message and "没有人签名" in caught.value.message
    assert "nobody" not in caught.value.message and "重新导入" in (caught.value.hint or "")
    _edit(path, "信息公开 > 政策解读", {"signer": "王明", "signed_on": dt.date.today().isoformat()})
    changes = import_sheet(crawled, "fgw", path)
    assert import_summary("zh.xlsx", changes) == "zh.xlsx：已记录 1 行签署决定（不迁移 1；签署人：王明 1 行）"
    assert import_summary("zh.xlsx", import_sheet(crawled, "fgw", path)) == "zh.xlsx：无改动"


def test_cli_fleet_import_prints_counts_not_the_table(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """`map --all --import` prints what it recorded, per site, in the workbook's language (not the fleet table);
    a workbook with no site's sheet in it is an error (exit 2), not a silent no-op."""
    config, db = str(crawled.loaded.path), crawled.store.url
    for lang, recorded, unchanged in (("en", "recorded 1 signed decision(s)", "no changes"),
                                      ("zh", "已记录 1 行签署决定", "无改动")):
        path = tmp_path / f"fleet-{lang}.xlsx"
        export_fleet_sheet(crawled, path, lang)
        book = load_workbook(path)
        sheet = book["fgw"]
        headers = {c.value: c.column for c in sheet[1]}
        col = {key: headers[zh if lang == "zh" else en] for key, zh, en, _ in HEADERS}
        row = next(r for r in range(2, sheet.max_row + 1)
                   if sheet.cell(row=r, column=col["path"]).value == "信息公开 > 政策解读")
        sheet.cell(row=row, column=col["decision"]).value = "迁移" if lang == "zh" else "migrate"
        sheet.cell(row=row, column=col["target"]).value = "fgw-zcwj"
        sheet.cell(row=row, column=col["signer"]).value = f"王明{lang}"
        sheet.cell(row=row, column=col["signed_on"]).value = dt.date.today().isoformat()
        book.save(path)
        result = CliRunner().invoke(app, ["map", "--all", "--import", str(path), "-c", config, "--db", db])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        assert recorded in lines[0] and f"王明{lang}" in lines[0], result.output
        sites = {line.split()[0].split("：")[0].rstrip(":"): line for line in lines[1:]}
        assert list(sites) == [s.id for s in crawled.config.sites], result.output
        assert all(unchanged in line for site, line in sites.items() if site != "fgw")
        assert unchanged not in sites["fgw"] and "column decisions of the fleet" not in result.output
    single = tmp_path / "one.xlsx"
    export_sheet(crawled, "fgw", single)
    wrong = CliRunner().invoke(app, ["map", "--all", "--import", str(single), "-c", config, "--db", db])
    assert wrong.exit_code == 2 and "no sheet of it is named after a site" in wrong.output
    assert "map SITE --import" in wrong.output


def test_cli_export_message_names_the_headers_of_the_sheet(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """`map SITE --export --lang en` tells the office to fill in the English headers; zh names the Chinese."""
    config, db = str(crawled.loaded.path), crawled.store.url
    for lang, named, foreign in (("en", "Decision/Target column", "决定"), ("zh", "决定/目标栏目", "Decision")):
        result = CliRunner().invoke(app, ["map", "fgw", "--export", str(tmp_path / f"{lang}.xlsx"), "--lang", lang,
                                          "-c", config, "--db", db], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert named in result.output and foreign not in result.output and "个栏目" not in result.output
