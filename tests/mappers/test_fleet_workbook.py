"""map --all: one workbook for the fleet (a summary, then a sheet per site), imported all or nothing; a signed
decision is offered to like columns of the other sites."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.mapping import export_fleet_sheet, import_fleet_sheet, learned_decisions, stored_decisions
from mappers.columns import learned_key
from mappers.sheet import SheetError


def _site_rows(sheet) -> tuple[dict[str, int], dict[str, int]]:
    headers = {cell.value: cell.column for cell in sheet[1]}
    paths = {sheet.cell(row=r, column=headers["栏目路径"]).value: r for r in range(2, sheet.max_row + 1)}
    return headers, paths


def test_fleet_workbook_round_trip(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Summary first, one sheet per site; a signed change on one site's sheet is recorded, and then offered."""
    path = tmp_path / "fleet.xlsx"
    written = export_fleet_sheet(crawled, path)
    book = load_workbook(path)
    assert book.sheetnames[:1] == ["汇总"] and {"fgw", "jyj", "sfj"} <= set(book.sheetnames)
    summary = {row[0]: row for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert set(summary) == {"fgw", "jyj", "sfj"} and sum(r[2] for r in summary.values()) == written
    assert import_fleet_sheet(crawled, path) == {"fgw": [], "jyj": [], "sfj": []}
    sheet = book["fgw"]
    headers, paths = _site_rows(sheet)
    row = paths["信息公开 > 政策解读"]
    sheet.cell(row=row, column=headers["决定"]).value = "不迁移"
    sheet.cell(row=row, column=headers["审核人"]).value = "王明"
    sheet.cell(row=row, column=headers["审核日期"]).value = dt.date.today().isoformat()
    book.save(path)
    changes = import_fleet_sheet(crawled, path)
    assert [c.path for c in changes["fgw"]] == ["信息公开 > 政策解读"] and changes["jyj"] == []
    assert stored_decisions(crawled, "fgw")["信息公开 > 政策解读"].decision == "drop"
    offered = learned_decisions(crawled, "jyj")[learned_key("政策解读", "interpretation")]
    assert (offered.decision, offered.site, offered.signer) == ("drop", "fgw", "王明")


def test_a_bad_row_on_one_site_imports_nothing_anywhere(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An unsigned change on sfj's sheet stops the whole import, naming the sheet, row and what to do."""
    path = tmp_path / "fleet.xlsx"
    export_fleet_sheet(crawled, path)
    book = load_workbook(path)
    headers, paths = _site_rows(book["sfj"])
    book["sfj"].cell(row=paths["公示公告"], column=headers["决定"]).value = "不迁移"
    book.save(path)
    before = {s: stored_decisions(crawled, s) for s in ("fgw", "jyj", "sfj")}
    with pytest.raises(SheetError, match=r"\[sfj\] 第 \d+ 行，审核人.*请在这里写上您的姓名"):
        import_fleet_sheet(crawled, path)
    assert {s: stored_decisions(crawled, s) for s in ("fgw", "jyj", "sfj")} == before


def test_cli_map_all(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """`map --all --export` writes the fleet workbook; a site id with --all, or a workbook named .csv, is a usage
    error (exit 2)."""
    config = str(crawled.loaded.path)
    result = CliRunner().invoke(app, ["map", "--all", "-c", config, "--export", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "f.xlsx").exists()
    wrong = CliRunner().invoke(app, ["map", "fgw", "--all", "-c", config])
    assert wrong.exit_code == 2 and "not both" in wrong.output
    csv = CliRunner().invoke(app, ["map", "--all", "-c", config, "--export", str(tmp_path / "f.csv")])
    assert csv.exit_code == 2 and "must be .xlsx" in csv.output  # a usage error, not a failure (round-11 trial)
    assert not (tmp_path / "f.csv").exists()


def test_portal_columns_the_mapping_would_leave_empty_or_stale(crawled: pipeline.Workspace) -> None:
    """A sub-site column nothing maps into is flagged 空白栏目; one fed only by idle columns 栏目不更新."""
    from consolidate.mapping import map_site, portal_findings
    from mappers.audit import VETO_EMPTY, VETO_STALE

    decided = {s.id: map_site(crawled, s.id, dt.date(2026, 11, 1)) for s in crawled.config.sites}
    findings = portal_findings(crawled.config, decided, dt.date(2026, 11, 1))
    empty = {f["column"] for f in findings if f["rule"] == VETO_EMPTY}
    assert "jyj-zcwj" not in empty and "fgw-gzdt" not in empty
    for site_id, pairs in decided.items():  # every flagged-empty column really receives nothing
        assert not any(d.target in empty and d.decision in ("migrate", "merge") and c.article_count
                       for c, d in pairs), site_id
    stale = {f["column"] for f in portal_findings(crawled.config, decided, dt.date(2030, 1, 1))
             if f["rule"] == VETO_STALE}
    assert "fgw-gzdt" in stale  # in 2030 every news source is idle
    assert all("栏目不更新" in f["message"] for f in findings if f["rule"] == VETO_STALE)


def test_a_fleet_workbook_imported_for_one_site_says_use_all(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """`map SITE --import fleet.xlsx` names the workbook for what it is and how to import it, not its headers."""
    path = tmp_path / "fleet.xlsx"
    export_fleet_sheet(crawled, path)
    result = CliRunner().invoke(app, ["map", "fgw", "-c", str(crawled.loaded.path), "--import", str(path)])
    assert result.exit_code == 2, result.output
    assert "整个网站群的工作簿" in result.output and "map --all --import" in result.output  # a zh workbook
    assert "表头缺少" not in result.output
