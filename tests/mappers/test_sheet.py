"""The office round trip: export the sheet, a clerk edits and signs it, import records it and push obeys it;
a damaged sheet names each bad row and cell and changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord
from consolidate.mapping import export_sheet, import_sheet
from mappers.sheet import SheetError
from tests.mappers.sheet_helpers import sheet_rows


def _state(ws: pipeline.Workspace, site_id: str) -> dict[str, tuple]:
    with ws.store.session() as session:
        return {m.column_path: (m.decision, m.target, m.decided_by, m.decided_at) for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == site_id))}


def test_sheet_layout(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Chinese headers, frozen header row, dropdowns for decision and target, target list on a hidden sheet."""
    path = tmp_path / "mapping.xlsx"
    export_sheet(crawled, "fgw", path)
    book, sheet, headers, paths = sheet_rows(path)
    assert {"栏目路径", "决定", "目标栏目", "审核人", "审核日期", "意见"} <= set(headers)
    assert sheet.freeze_panes == "B2"
    lists = book["lists"]
    assert lists.sheet_state == "hidden"
    assert "fgw-gzdt" in [c.value for c in lists["B"]]
    formulas = " ".join(v.formula1 for v in sheet.data_validations.dataValidation)
    assert "迁移" in formulas and "lists!$A$2" in formulas
    assert sheet.cell(row=paths["新闻中心 > 工作动态"], column=headers["目标栏目"]).value.startswith("fgw-gzdt ")
    english = tmp_path / "en.xlsx"
    export_sheet(crawled, "fgw", english, lang="en")
    assert "Decision" in {c.value for c in load_workbook(english).worksheets[0][1]}


def test_unchanged_round_trip_is_a_no_op(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Export then import without edits changes nothing, decided_at included (xlsx and csv)."""
    for name in ("mapping.xlsx", "mapping.csv"):
        path = tmp_path / name
        export_sheet(crawled, "fgw", path)
        before = _state(crawled, "fgw")
        assert import_sheet(crawled, "fgw", path) == []
        assert _state(crawled, "fgw") == before


def _sign_drop(sheet, headers: dict[str, int], paths: dict[str, int], path: str) -> int:
    """王明 signs 不迁移 on a column's row today; the row number."""
    row = paths[path]
    sheet.cell(row=row, column=headers["决定"]).value = "不迁移"
    sheet.cell(row=row, column=headers["审核人"]).value = "王明"
    sheet.cell(row=row, column=headers["审核日期"]).value = dt.date.today().isoformat()
    return row


def test_signed_edits_are_recorded_and_pushed(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """The clerk drops 政策解读, merges 办事指南 into 通知公告 and signs: push skips and re-routes accordingly,
    and the office decision survives a re-run of map."""
    path = tmp_path / "mapping.xlsx"
    export_sheet(crawled, "fgw", path)
    book, sheet, headers, paths = sheet_rows(path)
    row = _sign_drop(sheet, headers, paths, "信息公开 > 政策解读")  # signed today: after the crawl
    sheet.cell(row=row, column=headers["意见"]).value = "解读并入政策文件页面"
    row = paths["办事服务 > 办事指南"]
    sheet.cell(row=row, column=headers["决定"]).value = "合并"
    sheet.cell(row=row, column=headers["合并到"]).value = "信息公开 > 通知公告"
    sheet.cell(row=row, column=headers["审核人"]).value = "王明"
    sheet.cell(row=row, column=headers["审核日期"]).value = dt.date.today().isoformat()
    book.save(path)
    changes = import_sheet(crawled, "fgw", path)
    assert sorted(c.path for c in changes) == ["信息公开 > 政策解读", "办事服务 > 办事指南"]
    state = _state(crawled, "fgw")
    assert state["信息公开 > 政策解读"][:3] == ("drop", None, "王明")
    assert state["办事服务 > 办事指南"][:3] == ("merge", "fgw-tzgg", "王明")
    pipeline.map_site(crawled, "fgw")
    assert _state(crawled, "fgw") == state
    exporter = pipeline.open_exporter(crawled)
    try:
        summary = pipeline.push_site(crawled, "fgw", exporter)
    finally:
        exporter.close()
    with crawled.store.session() as session:
        dropped = [a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == "fgw"))
                   if a.column_path in (["信息公开", "政策解读"], ["新闻中心", "图片新闻"])]
    assert summary.skipped["column dropped"] == len(dropped) == 13 + 8
    with crawled.store.session() as session:
        reasons = {r.reason for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == "fgw", PushRecord.status == "skipped"))}
    assert "column dropped: 信息公开 > 政策解读" in reasons
    again = tmp_path / "again.xlsx"
    export_sheet(crawled, "fgw", again)
    assert import_sheet(crawled, "fgw", again) == []  # signed rows re-import as they are


def _damage(path: Path, edit) -> None:
    book, sheet, headers, paths = sheet_rows(path)
    edit(sheet, headers, paths)
    book.save(path)


def test_damaged_sheets_name_row_and_cell_and_change_nothing(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Wrong target, bad decision, unknown and duplicate rows, unsigned change: every error named, no change."""
    path = tmp_path / "mapping.xlsx"
    export_sheet(crawled, "fgw", path)
    before = _state(crawled, "fgw")

    def edit(sheet, headers, paths):
        work = paths["新闻中心 > 工作动态"]
        sheet.cell(row=work, column=headers["目标栏目"]).value = "no-such-column"
        sheet.cell(row=work, column=headers["审核人"]).value = "王明"
        notices = paths["信息公开 > 通知公告"]
        sheet.cell(row=notices, column=headers["决定"]).value = "keep"
        guide = paths["办事服务 > 办事指南"]
        sheet.cell(row=guide, column=headers["决定"]).value = "不迁移"
        extra = sheet.max_row + 3
        sheet.cell(row=extra, column=headers["栏目路径"]).value = "新闻中心 > 领导活动"
        sheet.cell(row=extra + 1, column=headers["栏目路径"]).value = "信息公开 > 政策文件"

    _damage(path, edit)
    with pytest.raises(SheetError) as caught:
        import_sheet(crawled, "fgw", path)
    text = "\n".join(caught.value.errors)
    _book, _sheet, headers, paths = sheet_rows(path)
    work, notices, guide = paths["新闻中心 > 工作动态"], paths["信息公开 > 通知公告"], paths["办事服务 > 办事指南"]
    decision_letter = "FGHIJKLM"[headers["决定"] - 6]
    assert f"mapping.xlsx 第 {notices} 行，决定 ({decision_letter}) 列：无法识别的决定“keep”" in text  # zh sheet
    assert f"第 {work} 行，目标栏目" in text and "未知的目标栏目“no-such-column”" in text
    assert f"第 {guide} 行，审核人" in text and "没有人签名" in text
    assert "“新闻中心 > 领导活动”不是本网站的栏目" in text
    assert "“信息公开 > 政策文件”重复" in text
    assert caught.value.message.startswith(f"表格中有 {len(caught.value.errors)} 处问题，未导入任何内容")
    assert "重新导入" in (caught.value.hint or "")
    assert _state(crawled, "fgw") == before


def test_reordered_columns_extra_empty_rows_and_missing_header(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Header order and language do not matter, blank rows are ignored; a missing required header is an error."""
    source = tmp_path / "mapping.csv"
    export_sheet(crawled, "fgw", source, lang="en")
    with source.open(encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    reordered = [list(reversed(r)) for r in table] + [[""] * len(table[0])] * 3
    header = reordered[0]
    drop_row = next(i for i, r in enumerate(reordered) if "信息公开 > 人事信息" in r)
    assert drop_row  # rule-decided rows stay as exported
    target_col, decision_col, signer_col, date_col = (header.index(h) for h in ("Target column", "Decision",
                                                                                "Signed by", "Signed on"))
    row = next(i for i, r in enumerate(reordered) if "办事服务 > 办事指南" in r)
    reordered[row][decision_col], reordered[row][signer_col], reordered[row][target_col] = "迁移", "李华", "fgw-tzgg"
    reordered[row][date_col] = dt.date.today().isoformat()
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(reordered)
    assert [c.path for c in import_sheet(crawled, "fgw", edited)] == ["办事服务 > 办事指南"]
    assert _state(crawled, "fgw")["办事服务 > 办事指南"][:3] == ("migrate", "fgw-tzgg", "李华")
    missing = tmp_path / "missing.csv"
    with missing.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([[c for i, c in enumerate(r) if i != decision_col] for r in reordered])
    with pytest.raises(SheetError, match=r"row 1: missing column Decision \(决定\)"):  # en headers: English
        import_sheet(crawled, "fgw", missing)


def test_rule_decided_rows_cannot_be_overridden(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Changing a column that migrations.yaml decides is an error that points at the rule."""
    path = tmp_path / "mapping.xlsx"
    export_sheet(crawled, "fgw", path)

    def edit(sheet, headers, paths):
        row = paths["信息公开 > 人事信息"]
        sheet.cell(row=row, column=headers["决定"]).value = "迁移"
        sheet.cell(row=row, column=headers["目标栏目"]).value = "fgw-gzdt"
        sheet.cell(row=row, column=headers["审核人"]).value = "王明"

    _damage(path, edit)
    with pytest.raises(SheetError, match="由 migrations.yaml 中的配置规则决定"):
        import_sheet(crawled, "fgw", path)


def test_cli_import_error_exits_2(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """The CLI prints the row-precise errors on one error line and exits 2."""
    path = tmp_path / "mapping.xlsx"
    config, db = str(crawled.loaded.path), crawled.store.url
    runner = CliRunner()
    assert runner.invoke(app, ["map", "fgw", "--export", str(path), "-c", config, "--db", db]).exit_code == 0
    _damage(path, lambda sheet, headers, paths: setattr(
        sheet.cell(row=paths["信息公开 > 通知公告"], column=headers["决定"]), "value", "keep"))
    result = runner.invoke(app, ["map", "fgw", "--import", str(path), "-c", config, "--db", db])
    assert result.exit_code == 2
    assert "无法识别的决定“keep”" in result.output and "Traceback" not in result.output


def test_the_sheet_guides_the_office(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Rule rows are grey, locked and say 由配置规则决定; undecided rows are yellow and editable; every reason in
    the zh sheet is Chinese; a how-to sheet follows; dates are validated between the crawl and today."""
    path = tmp_path / "mapping.xlsx"
    export_sheet(crawled, "fgw", path)
    book, sheet, headers, paths = sheet_rows(path)
    assert sheet.protection.sheet
    rule_row = paths["信息公开 > 人事信息"]  # drop rule in migrations.yaml
    reason = sheet.cell(row=rule_row, column=headers["理由"])
    assert reason.value.startswith("由配置规则决定") and reason.fill.fgColor.rgb.endswith("D9D9D9")
    assert sheet.cell(row=rule_row, column=headers["决定"]).protection.locked
    auto_row = paths["新闻中心 > 工作动态"]
    assert not sheet.cell(row=auto_row, column=headers["决定"]).protection.locked
    for number in range(2, sheet.max_row + 1):
        text = sheet.cell(row=number, column=headers["理由"]).value or ""
        assert not re.search(r"[A-Za-z]{4,}", text.replace("migrations.yaml", "").replace("target.column", "")
                             .replace("subsite", "")), text
    assert book.sheetnames[1] == "填写说明" and "待定" in book["填写说明"]["A1"].value
    dates = [v for v in sheet.data_validations.dataValidation if v.type == "date"]
    assert dates and dates[0].formula2 == "TODAY()"


def test_a_grey_row_signed_as_it_stands_is_accepted(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """A clerk who signs every row, rule rows included, without changing them imports nothing and no error."""
    path = tmp_path / "mapping.xlsx"
    export_sheet(crawled, "fgw", path)
    book, sheet, headers, paths = sheet_rows(path)
    for row in paths.values():
        sheet.cell(row=row, column=headers["审核人"]).value = sheet.cell(row=row, column=headers["审核人"]).value or ""
    rule_row = paths["信息公开 > 人事信息"]
    sheet.cell(row=rule_row, column=headers["审核人"]).value = "王明"
    sheet.cell(row=rule_row, column=headers["审核日期"]).value = dt.date.today().isoformat()
    book.save(path)
    assert import_sheet(crawled, "fgw", path) == []


def test_sign_off_dates_in_the_future_or_before_the_crawl_are_refused(crawled: pipeline.Workspace,
                                                                     tmp_path: Path) -> None:
    """审核日期 tomorrow, or before the crawl, is named with its row and what to write."""
    for day, words in ((dt.date.today() + dt.timedelta(days=1), "晚于今天"),
                       (dt.date(2001, 1, 1), "早于网站采集日期")):
        path = tmp_path / f"{day}.xlsx"
        export_sheet(crawled, "fgw", path)
        book, sheet, headers, paths = sheet_rows(path)
        row = paths["信息公开 > 政策解读"]
        sheet.cell(row=row, column=headers["决定"]).value = "不迁移"
        sheet.cell(row=row, column=headers["审核人"]).value = "王明"
        sheet.cell(row=row, column=headers["审核日期"]).value = day.isoformat()
        book.save(path)
        with pytest.raises(SheetError, match=f"第 {row} 行，审核日期.*{words}.*请填写签名当天的日期"):
            import_sheet(crawled, "fgw", path)


def test_a_sheet_older_than_a_signed_decision_says_export_again(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An unedited sheet exported before the office signed a row elsewhere: the row is named with the decision
    the store holds and what to do, not as an unsigned change that 'needs a decision'; nothing is imported."""
    old = tmp_path / "old.xlsx"
    export_sheet(crawled, "fgw", old)
    signed = tmp_path / "signed.xlsx"
    export_sheet(crawled, "fgw", signed)
    book, sheet, headers, paths = sheet_rows(signed)
    _sign_drop(sheet, headers, paths, "信息公开 > 政策解读")
    book.save(signed)
    assert [c.path for c in import_sheet(crawled, "fgw", signed)] == ["信息公开 > 政策解读"]
    before = _state(crawled, "fgw")
    with pytest.raises(SheetError) as caught:
        import_sheet(crawled, "fgw", old)
    text = "\n".join(caught.value.errors)
    assert "“信息公开 > 政策解读”已由王明签署决定（不迁移）" in text and "请重新导出" in text
    assert "没有人签名" not in text and "签名的行要填写决定" not in text
    assert _state(crawled, "fgw") == before
