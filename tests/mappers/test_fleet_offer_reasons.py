"""A signed decision offered to like columns of other sites: it never sends a decided column back to review (it is
noted in its reason, which says why a drop of an EMPTY column does not apply to one of articles); an undecided like
column is offered it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ColumnRow
from consolidate.mapping import export_sheet, import_sheet, map_site, stored_decisions
from tests.conftest import crawl_real_sites


def _sign(ws: pipeline.Workspace, site_id: str, paths: list[str], tmp_path: Path, lang: str = "zh") -> Path:
    """Export a site's sheet and sign `drop` for these columns, as the office would."""
    path = tmp_path / f"{site_id}-signed.xlsx"
    export_sheet(ws, site_id, path, lang)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = {cell.value: cell.column for cell in sheet[1]}
    names = ("栏目路径", "决定", "审核人", "审核日期") if lang == "zh" else \
        ("Column path", "Decision", "Signed by", "Signed on")
    rows = {sheet.cell(row=r, column=headers[names[0]]).value: r for r in range(2, sheet.max_row + 1)}
    for column_path in paths:
        row = rows[column_path]
        sheet.cell(row=row, column=headers[names[1]]).value = "不迁移" if lang == "zh" else "drop"
        sheet.cell(row=row, column=headers[names[2]]).value = "王晓明"
        sheet.cell(row=row, column=headers[names[3]]).value = dt.date.today().isoformat()
    book.save(path)
    return path


def _add_empty_column(ws: pipeline.Workspace, site_id: str, name: str) -> None:
    """A column the crawl found with a list page and nothing in it (空白栏目)."""
    with ws.store.session() as session:
        session.add(ColumnRow(site_id=site_id, path=name, name=name, url=f"http://127.0.0.1/{site_id}/empty/",
                              listed_items=0, article_count=0))


def test_a_drop_of_an_empty_column_keeps_a_full_like_column_decided(crawled: pipeline.Workspace,
                                                                     tmp_path: Path) -> None:
    """jyj's empty 政策解读 is dropped: fgw's 政策解读, which holds articles, stays migrated, the note in its reason;
    the import says nothing waits elsewhere."""
    before = {c.path: d for c, d in map_site(crawled, "fgw")}["信息公开 > 政策解读"]
    assert (before.decision, before.target) == ("migrate", "fgw-zcjd")
    _add_empty_column(crawled, "jyj", "政策解读")
    map_site(crawled, "jyj")
    changes = import_sheet(crawled, "jyj", _sign(crawled, "jyj", ["政策解读"], tmp_path))
    assert [c.path for c in changes] == ["政策解读"] and changes.waiting == []
    after = {c.path: d for c, d in map_site(crawled, "fgw")}["信息公开 > 政策解读"]
    assert (after.decision, after.target, after.decided_by) == ("migrate", "fgw-zcjd", "consolidate")
    assert "jyj" in after.reason and "no article" in after.reason and "本栏目有文章" in after.reason_zh


def test_a_drop_of_a_column_with_articles_elsewhere_is_only_noted(crawled: pipeline.Workspace,
                                                                   tmp_path: Path) -> None:
    """fgw's 通知公告 (with articles) is dropped: jyj's 通知公告 keeps its decision, the signature noted in its reason;
    the import sends nothing back and says so in neither language (one site's sheet changes only that site)."""
    jyj = {c.path: (c, d) for c, d in map_site(crawled, "jyj")}
    column, decision = jyj["通知公告"]
    assert decision.decision == "migrate" and column.article_count > 0
    path = _sign(crawled, "fgw", ["信息公开 > 通知公告"], tmp_path)
    result = CliRunner().invoke(app, ["map", "fgw", "-c", str(crawled.loaded.path), "--import", str(path)])
    assert result.exit_code == 0, result.output
    assert "待您决定" not in result.output and "jyj" not in result.output
    after = {c.path: d for c, d in map_site(crawled, "jyj")}["通知公告"]
    assert (after.decision, after.target) == (decision.decision, decision.target) and "fgw" in after.reason
    assert stored_decisions(crawled, "fgw")["信息公开 > 通知公告"].decision == "drop"


def test_an_english_import_sends_nothing_back_either(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An English sheet: nothing of jyj waits, and the summary says only what fgw's sheet recorded."""
    map_site(crawled, "jyj")
    changes = import_sheet(crawled, "fgw", _sign(crawled, "fgw", ["信息公开 > 通知公告"], tmp_path, "en"))
    assert changes.waiting == []
    text = " ".join(pipeline.import_summary("fgw.xlsx", changes).split())
    assert "recorded 1 signed decision(s)" in text and "wait for you" not in text


def test_real_samples_signing_empty_columns_leaves_full_ones_decided(tmp_path: Path) -> None:
    """The trial on the real samples: the office drops lgedu's empty 政策解读 and hncic's empty 勘察设计 > 新闻报道;
    hncic's 政策解读 (10 articles) and lgedu's 新闻报道 heading keep their automatic decisions; nothing waits."""
    ws = crawl_real_sites(tmp_path, ["hncic", "lgedu"])
    hncic = {c.path: (c, d) for c, d in map_site(ws, "hncic")}
    lgedu = {c.path: (c, d) for c, d in map_site(ws, "lgedu")}
    full, auto = hncic["政策法规 > 政策解读"]
    assert full.article_count > 0 and auto.decision == "migrate"
    assert lgedu["新闻报道"][1].decision != "unmapped"
    assert lgedu["政策解读"][0].article_count == 0 and hncic["勘察设计 > 新闻报道"][0].article_count == 0
    signed = import_sheet(ws, "lgedu", _sign(ws, "lgedu", ["政策解读"], tmp_path))
    signed_too = import_sheet(ws, "hncic", _sign(ws, "hncic", ["勘察设计 > 新闻报道"], tmp_path))
    assert signed.waiting == [] and signed_too.waiting == []
    after = {c.path: d for c, d in map_site(ws, "hncic")}["政策法规 > 政策解读"]
    assert (after.decision, after.target) == (auto.decision, auto.target) and "lgedu" in after.reason
    heading = {c.path: d for c, d in map_site(ws, "lgedu")}["新闻报道"]
    assert (heading.decision, heading.target) == (lgedu["新闻报道"][1].decision, lgedu["新闻报道"][1].target)


def test_a_decision_signed_on_a_column_with_no_article_is_a_note_where_content_decides() -> None:
    """Signed on an empty column (drop, or a target chosen by its name alone): a like column with articles keeps its
    automatic decision, the signed one noted (as it does when signed on a column with articles); an empty like column
    is offered it, still undecided."""
    from consolidate.core.config import parse_config
    from consolidate.demo import example_config_text
    from mappers.columns import Learned, LegacyColumn, decide, learned_key

    config = parse_config(example_config_text())
    full = LegacyColumn("公示公告", "公示公告", article_count=6)
    auto = decide(config, config.site("sfj"), [full])[0]
    assert (auto.decision, auto.target) == ("migrate", "tzgg")
    key = learned_key("公示公告", "notice")
    for signed in (Learned("drop", None, "jspn", "公示公告", "王明", held=0),
                   Learned("migrate", "bmdt", "jspn", "公示公告", "王明", held=0)):
        kept = decide(config, config.site("sfj"), [full], learned={key: signed})[0]
        assert (kept.decision, kept.target) == ("migrate", "tzgg") and "jspn" in kept.reason, signed
        assert "本栏目有文章" in kept.reason_zh
        also_kept = decide(config, config.site("sfj"), [full], learned={key: Learned(
            signed.decision, signed.target, "jspn", "公示公告", "王明", held=9)})[0]
        assert (also_kept.decision, also_kept.target) == ("migrate", "tzgg"), signed
    empty = LegacyColumn("公示公告", "公示公告", flags=["empty"])
    still = decide(config, config.site("sfj"), [empty], learned={key: Learned("drop", None, "jspn", "公示公告",
                                                                             "王明", held=0)})[0]
    assert (still.decision, still.suggested) == ("unmapped", "drop")
