"""What a new-user trial on the real restored sites (../shared/samples) found in the office's sheets: a row that
changes a signed decision without a signature of its own is refused as unsigned (the mapping sheet leaves the cells
empty since round 10, the triage sheet since round 11); a drop signed on a heading whose sub-columns hold the
articles never carries over to another site's column of articles; merged cells are named once as the cause."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate import triage as stage
from consolidate.cli import app
from consolidate.core.store import ColumnMapping, SiteRow, TriageFinding
from consolidate.mapping import export_sheet, import_sheet, map_site, stored_decisions
from mappers.sheet import SheetError
from tests.conftest import crawl_real_sites

OTHERS = ["hncic", "lgedu"]  # the set the fleet-offer and office-trial tests crawl (one crawl a session)
GALLERY = "图库"  # hncic: 20 articles


@pytest.fixture(scope="module")
def others(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """hncic and lgedu crawled and mapped as `map` decides."""
    ws = crawl_real_sites(tmp_path_factory.mktemp("sheettrial"), OTHERS)
    for site_id in OTHERS:
        map_site(ws, site_id)
    return ws


def _edit(path: Path, column_path: str, **cells: str) -> None:
    """Set cells (by Chinese header) of one column's row of an exported sheet."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    row = next(r for r in range(2, sheet.max_row + 1)
               if sheet.cell(row=r, column=headers["栏目路径"]).value == column_path)
    for header, value in cells.items():
        sheet.cell(row=row, column=headers[header]).value = value
    book.save(path)


def _recorded_on(ws: pipeline.Workspace, site_id: str, column_path: str, day: dt.date) -> None:
    """Move the day a column's decision was recorded (as if signed that day), and the crawl a week before it."""
    with ws.store.session() as session:
        session.execute(update(SiteRow).where(SiteRow.id == site_id)
                        .values(crawled_at=dt.datetime.combine(day - dt.timedelta(days=7), dt.time(9))))
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == site_id,
                                                     ColumnMapping.column_path == column_path)
                        .values(decided_at=dt.datetime.combine(day, dt.time(9))))
        session.commit()


def test_a_changed_row_under_the_exported_signature_is_refused(others: pipeline.Workspace, tmp_path: Path) -> None:
    """赵六 signs 图库 迁移 bmdt; the sheet exported next shows 赵六 and the day under 原签署 (round 10: no longer
    pre-filled as 审核人/审核日期); changing 图库 to 不迁移 there without signing is refused as unsigned (20 articles
    not silently dropped), in one message naming the signed decision; signed anew (another name, or the same name:
    his correction) it is recorded."""
    today = dt.date.today().isoformat()
    first = tmp_path / "h0.xlsx"
    export_sheet(others, "hncic", first)
    _edit(first, GALLERY, 决定="迁移", 目标栏目="bmdt", 审核人="赵六", 审核日期=today)
    import_sheet(others, "hncic", first)
    assert stored_decisions(others, "hncic")[GALLERY].decided_by == "赵六"
    again = tmp_path / "h1.xlsx"
    export_sheet(others, "hncic", again)
    _edit(again, GALLERY, 决定="不迁移", 目标栏目="")
    with pytest.raises(SheetError) as refused:
        import_sheet(others, "hncic", again)
    assert len(refused.value.errors) == 1, refused.value.errors
    assert "已由赵六签署决定（迁移 → bmdt）" in refused.value.errors[0] and "请在该行签名" in refused.value.errors[0]
    kept = stored_decisions(others, "hncic")[GALLERY]
    assert (kept.decision, kept.target) == ("migrate", "bmdt")
    _recorded_on(others, "hncic", GALLERY, dt.date.today() - dt.timedelta(days=2))
    _edit(again, GALLERY, 审核日期=(dt.date.today() - dt.timedelta(days=3)).isoformat(), 审核人="钱七")
    with pytest.raises(SheetError) as older:  # another signer, but before the decision it changes: an old sheet
        import_sheet(others, "hncic", again)
    assert "早于该行所改变的决定的记录日期（赵六" in older.value.errors[0]
    _edit(again, GALLERY, 审核日期=today, 审核人="赵六")  # the same signer, after his decision: his correction
    assert [(c.signer, c.corrects) for c in import_sheet(others, "hncic", again)] == [("赵六", True)]
    assert stored_decisions(others, "hncic")[GALLERY].decision == "drop"


def test_a_changed_triage_decision_under_the_exported_signature_is_refused(others: pipeline.Workspace,
                                                                           tmp_path: Path) -> None:
    """The triage sheet shows the signer and day under 原签署 (since round 11; no longer pre-filled as 审核人/审核日期):
    a row whose 处理决定 changes there without a signature is refused naming the signed decision."""
    stage.triage_site(others, "lgedu")
    findings = stage.stored_findings(others, "lgedu")
    finding = next((f for f in findings if "publish" in stage_allowed(f.category)), None)
    if finding is None:
        pytest.skip("lgedu has no finding to decide")
    day = dt.date.today() - dt.timedelta(days=1)
    stage.record_decisions(others, [stage.Decision("lgedu", finding.key, "withhold", "原文已撤", "赵六", day)])
    sheet = tmp_path / "triage-lgedu.xlsx"
    stage.export_sheet(others, ["lgedu"], sheet)
    book = load_workbook(sheet)
    rows = book.worksheets[0]
    headers = {cell.value: cell.column for cell in rows[1]}
    row = next(r for r in range(2, rows.max_row + 1) if rows.cell(row=r, column=headers["编号"]).value == finding.key)
    assert rows.cell(row=row, column=headers["审核人"]).value is None
    assert rows.cell(row=row, column=headers["原签署"]).value == f"赵六 {day.isoformat()}"
    rows.cell(row=row, column=headers["处理决定"]).value = "原样发布"
    book.save(sheet)
    with pytest.raises(SheetError) as refused:
        stage.import_sheet(others, sheet)
    assert any("已由赵六签署决定（不发布）" in e for e in refused.value.errors), refused.value.errors
    with others.store.session() as session:
        assert session.get(TriageFinding, finding.id).decision == "withhold"
    rows.cell(row=row, column=headers["审核人"]).value = "钱七"
    rows.cell(row=row, column=headers["审核日期"]).value = dt.date.today().isoformat()
    book.save(sheet)
    result = CliRunner().invoke(app, ["triage", "--import", str(sheet), "-c", str(others.loaded.path),
                                      "--db", others.store.url])  # as the hints write it: no site named
    assert result.exit_code == 0 and "签署人：钱七" in result.output, result.output


def stage_allowed(category: str) -> tuple[str, ...]:
    """The decisions a finding of a category may take."""
    from mappers.triage_sheet import ALLOWED
    return ALLOWED[category]


def test_a_drop_signed_on_a_heading_never_reopens_a_column_of_articles(tmp_path: Path) -> None:
    """The trial: the office drops zjgztb's 昆山市分中心 > 新闻动态 (no article of its own: its sub-columns hold
    them); lgedu's 新闻报道 > 新闻动态 (10 articles) keeps its automatic decision, the drop only noted; nothing waits."""
    from tests.mappers.test_fleet_offer_reasons import _sign

    ws = crawl_real_sites(tmp_path, ["lgedu", "zjgztb"])
    heading = "昆山市分中心 > 新闻动态"
    zjgztb = {c.path: c for c, _ in map_site(ws, "zjgztb")}
    assert zjgztb[heading].article_count == 0 and any(p.startswith(heading + " > ") and c.article_count
                                                      for p, c in zjgztb.items())
    news = "新闻报道 > 新闻动态"
    column, auto = next((c, d) for c, d in map_site(ws, "lgedu") if c.path == news)
    assert column.article_count > 0 and auto.decision == "migrate"
    signed = import_sheet(ws, "zjgztb", _sign(ws, "zjgztb", [heading], tmp_path))
    assert signed.waiting == []
    after = next(d for c, d in map_site(ws, "lgedu") if c.path == news)
    assert (after.decision, after.target) == (auto.decision, auto.target) and "zjgztb" in after.reason


def test_own_articles_of_a_heading_are_its_count_less_its_sub_columns() -> None:
    """The crawl counts the articles below a column (its sub-columns' too); its own are what its children lack."""
    from mappers.columns import own_articles

    below = {"昆山": 16, "昆山 > 新闻动态": 16, "昆山 > 新闻动态 > 通知公告": 10, "昆山 > 新闻动态 > 工作动态": 6,
             "新闻": 12, "新闻 > 图片": 2}
    assert own_articles(below) == {"昆山": 0, "昆山 > 新闻动态": 0, "昆山 > 新闻动态 > 通知公告": 10,
                                   "昆山 > 新闻动态 > 工作动态": 6, "新闻": 10, "新闻 > 图片": 2}


def test_status_json_says_not_mapped_as_its_text_does(tmp_path: Path) -> None:
    """A crawled site nobody has mapped: the text says 'not mapped yet' and --json's unmapped is null, not 0."""
    ws = crawl_real_sites(tmp_path, ["lgedu", "zjgztb"])
    args = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    text = CliRunner().invoke(app, ["status", *args], env={"COLUMNS": "100"})
    assert text.exit_code == 0 and "not mapped yet" in text.output, text.output
    result = CliRunner().invoke(app, ["status", "--json", *args])
    assert result.exit_code == 0, result.output
    sites = {s["id"]: s for s in json.loads(result.output)["sites"]}
    assert sites["zjgztb"]["columns"] > 0 and sites["zjgztb"]["mapping"]["unmapped"] is None
    map_site(ws, "zjgztb")
    mapped = json.loads(CliRunner().invoke(app, ["status", "--json", *args]).output)["sites"]
    assert isinstance(next(s for s in mapped if s["id"] == "zjgztb")["mapping"]["unmapped"], int)


def test_merged_cells_are_named_once_as_the_cause(others: pipeline.Workspace, tmp_path: Path) -> None:
    """The trial merged 决定 over rows 19–58 (F19:F58): one message naming 合并单元格 and the range, not one per
    row; nothing imported."""
    sheet = tmp_path / "s_merged.xlsx"
    export_sheet(others, "hncic", sheet)
    before = {p: (d.decision, d.target) for p, d in stored_decisions(others, "hncic").items()}
    book = load_workbook(sheet)
    rows = book.worksheets[0]
    assert rows.max_row >= 58 and rows.cell(row=1, column=6).value == "决定"
    rows["F19"] = "不迁移"
    rows.merge_cells("F19:F58")
    book.save(sheet)
    with pytest.raises(SheetError) as refused:
        import_sheet(others, "hncic", sheet)
    assert len(refused.value.errors) == 1, refused.value.errors
    assert "合并单元格（F19:F58）" in refused.value.errors[0]
    assert {p: (d.decision, d.target) for p, d in stored_decisions(others, "hncic").items()} == before
