"""The office's reports: html, xlsx, md and json agree with `status --json`; HTML renders in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate import report as report_module
from consolidate.cli import app
from consolidate.report import fleet_report
from consolidate.report_formats import display_width, render_html, render_xlsx
from consolidate.verify import verify_site
from tests.services.chromium import Chromium
from tests.workspace_cli import output_of as _cli

AS_OF = "2026-12-20"
# Fleet-table columns after id, name, disposition, stage — in the order every format shows them.
FLEET_NUMBERS = ("fetched", "errors", "articles", "columns", "unmapped", "pushed", "skipped", "failed",
                 "unresolved", "unaccounted")


def _numbers(site: dict[str, Any]) -> list[int]:
    """A site's fleet-table numbers from status/report JSON."""
    rec = site["reconciliation"]
    return [site["crawl"]["fetched"], site["crawl"]["errors"], site["articles"], site["columns"],
            site["mapping"]["unmapped"], site["push"]["in_target"], site["push"]["skipped"], site["push"]["failed"],
            rec["unresolved"], rec["unaccounted"]]


@pytest.fixture(scope="module")
def pushed(crawled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """A private copy of the crawled fleet, pushed once to the static preview (shared by this module)."""
    target = tmp_path_factory.mktemp("pushed") / "ws"
    shutil.copytree(crawled_template, target)
    ws = pipeline.Workspace.open(target / "migrations.yaml", db_url=f"sqlite:///{target / '.consolidate' / 'state.db'}")
    exporter = pipeline.open_exporter(ws)
    try:
        for site in ws.config.sites:
            pipeline.push_site(ws, site.id, exporter)
        for site in ws.config.sites:
            verify_site(ws, site.id, exporter)
    finally:
        exporter.close()
    return ws



@pytest.fixture(scope="module")
def status(pushed: pipeline.Workspace) -> dict[str, Any]:
    """`status --json` of the pushed fleet."""
    return json.loads(_cli(pushed, "status", "--json", "--as-of", AS_OF))


@pytest.fixture(scope="module")
def written(pushed: pipeline.Workspace, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report written once in each format by the CLI."""
    out = tmp_path_factory.mktemp("reports")
    files = {fmt: out / f"report.{fmt}" for fmt in ("json", "md", "html", "xlsx")}
    for fmt, path in files.items():
        _cli(pushed, "report", "--format", fmt, "-o", str(path), "--as-of", AS_OF)
    return files


def test_status_has_pushed_fleet(status: dict[str, Any]) -> None:
    """The fixture really is pushed and reconciled, so the comparisons below compare real numbers."""
    assert status["reconciled"]
    assert all(s["stage"] == "pushed" and s["push"]["in_target"] > 0 for s in status["sites"])
    assert status["retention"]["violation"] is False
    assert all(s["checklist"]["steps"][0]["status"] == "done" for s in status["sites"])


def test_json_report_agrees_with_status(status: dict[str, Any], written: dict[str, Path]) -> None:
    """Every per-site number and total in the JSON report equals status --json."""
    report = json.loads(written["json"].read_text(encoding="utf-8"))
    assert report["totals"] == status["totals"]
    for ours, theirs in zip(report["sites"], status["sites"], strict=True):
        for key in ("crawl", "articles", "columns", "mapping", "push", "redirects", "reconciliation", "stage",
                    "next_step", "next_due", "behind"):
            assert ours[key] == theirs[key], key
        assert ours["decisions"] and ours["inventory"]["site_code"]


def test_markdown_fleet_table_agrees_with_status(status: dict[str, Any], written: dict[str, Path]) -> None:
    """The Markdown fleet table shows status --json's numbers, and the totals line adds up."""
    text = written["md"].read_text(encoding="utf-8")
    for site in status["sites"]:
        row = next(line for line in text.splitlines() if line.startswith(f"| {site['id']} | {site['name']} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert [int(c) for c in cells[4:14]] == _numbers(site)
    totals = status["totals"]
    assert f"{totals['articles']} = 已迁移 {totals['pushed']} + 跳过 {totals['skipped']} + 失败 {totals['failed']}" in text


def test_html_fleet_table_agrees_with_status(status: dict[str, Any], written: dict[str, Path]) -> None:
    """The HTML fleet table and total cards show status --json's numbers; the page has no scripts."""
    html = written["html"].read_text(encoding="utf-8")
    tree = LexborHTMLParser(html)
    assert not tree.css("script")
    for site in status["sites"]:
        cells = [td.text(strip=True) for td in tree.css_first(f'table.fleet tr[data-site="{site["id"]}"]').css("td")]
        assert [int(c) for c in cells[4:14]] == _numbers(site)
    for key in ("articles", "pushed", "skipped", "failed", "fetched", "errors"):
        assert tree.css_first(f'[data-total="{key}"]').text(strip=True) == str(status["totals"][key])


def test_xlsx_agrees_with_json(status: dict[str, Any], written: dict[str, Path]) -> None:
    """Read back with openpyxl: fleet and reconciliation sheets carry the JSON numbers as numbers."""
    book = load_workbook(written["xlsx"])
    fleet = book["站点总览"]
    rows = {row[0]: row for row in fleet.iter_rows(min_row=2, values_only=True)}
    recon = {row[0]: row for row in book["数量核对"].iter_rows(min_row=2, values_only=True)}
    for site in status["sites"]:
        assert list(rows[site["id"]][4:14]) == _numbers(site)
        rec = site["reconciliation"]
        assert list(recon[site["id"]][2:8]) == [rec["crawled"], rec["pushed"], rec["skipped"], rec["failed"],
                                                rec["unresolved"], rec["unaccounted"]]
    reasons = list(book["跳过与失败原因"].iter_rows(min_row=2, values_only=True))
    for site in status["sites"]:
        assert sum(n for sid, outcome, _r, n in reasons if sid == site["id"] and outcome == "跳过") == \
            site["push"]["skipped"]
    mapping = book["栏目映射决定"]
    assert mapping.max_row - 1 == sum(sum(s["mapping"].values()) for s in status["sites"])


def test_xlsx_sheets_have_frozen_filtered_fitting_headers(written: dict[str, Path]) -> None:
    """One sheet per section; each has a frozen header row, an auto filter and columns wide enough for CJK."""
    book = load_workbook(written["xlsx"])
    assert {"概要", "站点总览", "网站清单", "抓取情况", "审计发现", "栏目映射决定", "迁移结果", "跳转覆盖",
            "关停检查清单", "数量核对"} <= set(book.sheetnames)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref, sheet.title
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= display_width(cell.value), (sheet.title, cell.value)
    names = book["网站清单"]
    name_width = names.column_dimensions["B"].width
    assert name_width >= max(display_width(c.value) for c in names["B"])
    assert display_width("临江市教育局") == 12


def test_html_report_renders_in_chromium(chromium: Chromium, status: dict[str, Any], written: dict[str, Path]
                                         ) -> None:
    """Headless Chromium shows the fixture's numbers in the tables and the SVG charts, with no JS errors."""
    rendered = chromium.render(written["html"])
    assert rendered.js_errors == []
    assert rendered.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = LexborHTMLParser(rendered.dom)
    charts = dom.css("svg.chart")
    assert len(charts) == 2
    stage_values = [t.text() for t in charts[0].css("text.value")]
    assert stage_values == ["0", "0", "0", str(len(status["sites"]))]
    assert "已推送" in charts[0].text()
    article_values = [t.text() for t in charts[1].css("text.value")]
    assert article_values == [str(s["articles"]) for s in status["sites"]]
    for site in status["sites"]:
        row = dom.css_first(f'table.fleet tr[data-site="{site["id"]}"]')
        assert [int(td.text(strip=True)) for td in row.css("td")[4:14]] == _numbers(site)
        assert site["name"] in charts[1].text()
    body = dom.body.text() if dom.body else ""
    assert re.search(rf"文章 {status['totals']['articles']} = 已迁移 {status['totals']['pushed']}", body)


def test_chromium_reports_script_errors(chromium: Chromium, tmp_path: Path) -> None:
    """The fixture's error detection works: a broken script is reported."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>notDefinedAnywhere();</script>", encoding="utf-8")
    assert any("notDefinedAnywhere" in e for e in chromium.render(page).js_errors)


def test_english_labels(pushed: pipeline.Workspace, tmp_path: Path) -> None:
    """--lang en switches headings and values to English."""
    out = tmp_path / "en.html"
    _cli(pushed, "report", "-o", str(out), "--lang", "en", "--as-of", AS_OF)
    tree = LexborHTMLParser(out.read_text(encoding="utf-8"))
    headers = [th.text() for th in tree.css("table.fleet th")]
    assert headers[:7] == ["Id", "Site name", "Disposition", "Stage", "Fetched", "Errors", "Articles"]
    assert "Shutdown checklist" in tree.body.text()


def test_audit_findings_included_and_a_failing_audit_does_not_sink_the_report(
        pushed: pipeline.Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings of the audit stage appear in every format; when the audit fails the report still renders."""
    def broken(ws: pipeline.Workspace, site_id: str) -> list[dict[str, str]]:
        raise RuntimeError("archive unreadable")

    monkeypatch.setattr(report_module, "site_findings", broken)
    report = fleet_report(pushed, ["fgw"], details=True)
    assert report["sites"][0]["audit"] == {"available": False, "note": "audit failed: RuntimeError: archive "
                                                                       "unreadable", "findings": []}
    assert "审计发现" in render_html(report)
    monkeypatch.setattr(report_module, "site_findings", lambda ws, site_id: [
        {"rule": "empty_columns", "severity": "veto", "message": f"{site_id}: 空白栏目 6 个"}])
    report = fleet_report(pushed, ["fgw"], details=True)
    assert report["sites"][0]["audit"]["findings"][0]["rule"] == "empty_columns"
    assert "fgw: 空白栏目 6 个" in render_html(report)
    book = load_workbook(filename=_save(render_xlsx(report), pushed.dir / "audit.xlsx"))
    assert ["fgw", "empty_columns", "否决", "fgw: 空白栏目 6 个"] in [list(r) for r in
                                                                book["审计发现"].iter_rows(min_row=2, values_only=True)]


def _save(data: bytes, path: Path) -> Path:
    """Write bytes and return the path."""
    path.write_bytes(data)
    return path


def test_bad_report_options_are_one_line_errors(pushed: pipeline.Workspace) -> None:
    """Unknown format or language, or XLSX without a file: a clear error and a non-zero exit."""
    runner = CliRunner()
    base = ["-c", str(pushed.loaded.path), "--db", pushed.store.url]
    for args, words in ((["report", "--format", "pdf"], "unknown report format"),
                        (["report", "--lang", "fr"], "unknown report language"),
                        (["report", "--format", "xlsx"], "needs a file")):
        result = runner.invoke(app, [*args, *base])
        assert result.exit_code != 0
        assert words in result.output and "Traceback" not in result.output


def test_status_numbers_equal_the_store_counted_independently(status: dict[str, Any],
                                                              pushed: pipeline.Workspace) -> None:
    """status --json against plain SQL counts of the store: articles, fetched URLs, pushed and skipped."""
    from sqlalchemy import func, select

    from consolidate.core.store import ArticleRow, PushRecord, Resource

    with pushed.store.session() as session:
        for site in status["sites"]:
            sid = site["id"]
            articles = session.scalar(select(func.count()).select_from(ArticleRow).where(ArticleRow.site_id == sid))
            fetched = session.scalar(select(func.count()).select_from(Resource).where(  # HTML pages only
                Resource.site_id == sid, Resource.status == "fetched", Resource.kind.notin_(("attachment", "image"))))
            by_status = dict(session.execute(select(PushRecord.status, func.count()).where(
                PushRecord.site_id == sid, PushRecord.kind == "article").group_by(PushRecord.status)).all())
            assert site["articles"] == articles
            assert site["crawl"]["fetched"] == fetched
            assert site["push"]["in_target"] == by_status.get("pushed", 0) + by_status.get("updated", 0)
            # a push skip waiting on a decision (column not mapped, held for review) is unresolved, never 跳过
            assert site["push"]["skipped"] + site["push"]["unresolved"] == by_status.get("skipped", 0)
            assert site["verification"]["verify"] == {"ok": site["push"]["in_target"]}
