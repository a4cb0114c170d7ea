"""What a new-user trial on the real restored sites (../shared/samples) read in the office's outputs: every table of
the report adds up (undecided shown as such), the site register carries the filings the crawl read on the pages
(saying so), status counts the columns `map` decides, the entries that link nowhere add up between the lines that
count them, a page that is only a video's file name is held, counts of one read in the singular, and `redirects -o
DIR` removes the older file of a site it now refuses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.checklist import listed_nowhere, nowhere_pages, site_checklist
from consolidate.core.store import ColumnMapping, EventRow, PushRecord
from consolidate.mapping import import_sheet, map_site
from consolidate.report import fleet_report
from consolidate.report_formats import condition_text, site_sections
from tests.conftest import crawl_real_sites, push_sites
from tests.mappers.test_fleet_offer_reasons import _sign
from tests.workspace_cli import output_of

PAIR = ["jspn", "pmodlh"]  # the set the ledger and picture-page tests crawl (one crawl a session)
OTHERS = ["hncic", "lgedu"]  # the set the fleet-offer test crawls
VIDEO_COLUMN = "新闻报道 > 电视报道"  # lgedu: 10 pages whose body is a <video> player, read as its file name
PLURAL_OF_ONE = re.compile(r"\b1 (?:articles|columns|entries|problems|files|findings|URLs|pages)\b")


def cli(ws: pipeline.Workspace, *args: str, code: int = 0) -> str:
    """A command's output at 100 columns, its exit code asserted."""
    return output_of(ws, *args, width=100, code=code)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """jspn and pmodlh crawled, mapped as `map` decides, pushed to the static preview (undecided columns stay
    unresolved)."""
    ws = crawl_real_sites(tmp_path_factory.mktemp("trialpair"), PAIR)
    for site_id in PAIR:
        map_site(ws, site_id)
    push_sites(ws, PAIR, allow_untriaged=True)
    return ws


@pytest.fixture(scope="module")
def others(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """hncic and lgedu crawled and mapped as `map` decides."""
    ws = crawl_real_sites(tmp_path_factory.mktemp("trialothers"), OTHERS)
    for site_id in OTHERS:
        map_site(ws, site_id)
    return ws


def test_every_row_of_the_push_table_adds_up_with_its_undecided(pair: pipeline.Workspace) -> None:
    """迁移结果: crawled articles = 已迁移 + 跳过 + 失败 + 未定 on every row, in both languages, as 数量核对 says."""
    report = fleet_report(pair, PAIR)
    for lang, words in (("zh", ("抓取文章", "已迁移", "跳过", "失败", "未定")),
                        ("en", ("Crawled", "Pushed", "Skipped", "Failed", "Unresolved"))):
        table = next(s for s in site_sections(report, lang) if s.key == "push")
        at = [table.headers.index(w) for w in words]
        for row in table.rows:
            crawled, *parts = (row[i] for i in at)
            assert crawled == sum(parts), (lang, table.headers, row)
    undecided = {row[0]: row[table.headers.index("Unresolved")] for row in table.rows}
    assert all(n > 0 for n in undecided.values()), undecided  # the undecided columns hold articles: shown as such
    check = next(s for s in site_sections(report, "en") if s.key == "reconciliation")
    assert {row[0]: row[check.headers.index("Unresolved")] for row in check.rows} == undecided


def test_status_counts_the_columns_map_decides(pair: pipeline.Workspace) -> None:
    """pmodlh has articles in no column: `map` decides them as a row of its own (32 rows); status says the same
    number and what the extra row is; --json's columns is the same."""
    rows = [json.loads(line) for line in cli(pair, "map", "pmodlh", "--json").splitlines() if line.strip()]
    no_column = [r for r in rows if not r["column"]]
    assert no_column and no_column[0]["articles"] > 0
    status = json.loads(cli(pair, "status", "--json"))
    figures = next(s for s in status["sites"] if s["id"] == "pmodlh")
    assert figures["columns"] == len(rows)
    assert figures["mapping"]["no_column_articles"] == no_column[0]["articles"]
    said = " ".join(cli(pair, "status").split())
    assert f"{len(rows)} columns incl. (no column) of {no_column[0]['articles']} articles" in said, said
    assert f"{len([r for r in rows if r['decision'] == 'unmapped'])} unmapped" in said


def test_redirects_to_a_folder_remove_the_older_file_of_a_site_now_refused(pair: pipeline.Workspace,
                                                                           tmp_path: Path) -> None:
    """Written once with --unresolved home, then refused (URLs still undecided): the folder keeps no older .conf
    of a refused site (an `include *.conf` would serve its old redirects), and the output says it removed it."""
    out = tmp_path / "redirects"
    cli(pair, "redirects", "--all", "-f", "nginx", "-o", str(out), "--unresolved", "home")
    assert {f"{s}.conf" for s in PAIR} <= {p.name for p in out.iterdir()}
    said = " ".join(cli(pair, "redirects", "--all", "-f", "nginx", "-o", str(out), code=1).split())
    assert not {f"{s}.conf" for s in PAIR} & {p.name for p in out.iterdir()}
    for site_id in PAIR:
        assert f"removed the older {out / site_id}.conf: {site_id} is refused now" in said, said


def _register(ws: pipeline.Workspace) -> dict[str, dict[str, object]]:
    """The Chinese report's 网站清单 rows by site id."""
    table = next(s for s in site_sections(fleet_report(ws, OTHERS, details=True), "zh") if s.key == "inventory")
    return {row[0]: dict(zip(table.headers, row, strict=True)) for row in table.rows}


def test_the_register_shows_the_filings_the_crawl_read_and_says_so(others: pipeline.Workspace) -> None:
    """网站清单: lgedu's pages show its 主办单位, 网站标识码, ICP and 公安 filings, hncic's its 主办单位, ICP and 公安
    filings (no 网站标识码: left empty, never guessed); the config (serve-samples') names none, so each is the
    crawl's, said in 来源说明. A config that names another 主办单位 keeps its own, the pages' named beside it."""
    rows = _register(others)
    assert rows["lgedu"]["网站标识码"] == "4104000017"
    assert rows["lgedu"]["ICP备案号"] == "陕ICP备08003687号-1"
    assert rows["lgedu"]["公安机关备案号"].startswith("豫公网安备") and rows["lgedu"]["公安机关备案号"].endswith("号")
    assert rows["lgedu"]["主办单位"]
    assert rows["lgedu"]["来源说明"] == "主办单位、网站标识码、ICP备案号、公安机关备案号：抓取时在旧站页面（页脚）读到"
    assert rows["hncic"]["网站标识码"] is None and rows["hncic"]["ICP备案号"] == "京ICP备20024077号-1"
    assert rows["hncic"]["主办单位"] == "住房和城乡建设部住宅产业化促进中心"
    assert "主办单位、ICP备案号、公安机关备案号：抓取时在旧站页面（页脚）读到" in rows["hncic"]["来源说明"]
    assert "页面所署主办单位" not in rows["hncic"]["来源说明"]
    report = fleet_report(others, OTHERS, details=True)
    english = next(s for s in site_sections(report, "en") if s.key == "inventory")
    assert any("read on the legacy site's pages (footer) by the crawl" in str(cell) for cell in english.rows[0])
    named = others.loaded.path.parent / "named-organiser.yaml"
    text = others.loaded.path.read_text(encoding="utf-8")
    at = text.index("  - id: hncic")
    named.write_text(text[:at] + text[at:].replace('organiser: ""', "organiser: 海南省住房和城乡建设厅", 1),
                     encoding="utf-8")
    rows = _register(pipeline.Workspace.open(named, db_url=others.store.url))
    assert rows["hncic"]["主办单位"] == "海南省住房和城乡建设厅"
    assert "页面所署主办单位：住房和城乡建设部住宅产业化促进中心" in rows["hncic"]["来源说明"]


def test_entries_that_link_nowhere_add_up_between_crawl_and_checklist(others: pipeline.Workspace) -> None:
    """hncic: the crawl counts the entries of its list pages (283) and of its home page, served at `/` and
    `/index.html`, 32 more, once. The checklist's lines add up to both, and say where the others are."""
    with others.store.session() as session:
        said = session.scalars(select(EventRow.message).where(EventRow.site_id == "hncic",
                                                              EventRow.code == "items_without_address")).all()
    on_lists = sum(int(m.split(" ", 1)[0]) for m in said if "of this list" in m)  # the crawl's own count
    pages = nowhere_pages(others, "hncic")
    assert pages["list"] == on_lists and pages["home"] == 32
    assert [int(m.split(" ", 1)[0]) for m in said if "of this page" in m] == [32]
    assert listed_nowhere(others, "hncic") == on_lists + 32
    steps = {s["step"]: s for s in site_checklist(others, "hncic")["steps"]}
    lines = [c for c in steps["content_migrated"]["conditions"] if "link nowhere" in c]
    counted = [int(re.search(r"\((\d+) entr", c).group(1)) if "columns undecided" in c else int(c.split(" ", 1)[0])
               for c in lines]
    assert sum(counted) == on_lists + 32, lines
    (outside,) = [c for c in lines if "list entries link nowhere" in c]
    assert "32 on the home page or other pages that are not lists" in outside
    assert "首页等非列表页 32 条" in condition_text(outside, "zh")


def test_a_page_that_is_only_a_video_file_name_is_held(others: pipeline.Workspace) -> None:
    """lgedu's 电视报道 pages show a video player; the crawl does not carry video, so their body would be the file
    name alone (…报道.mp4). Migrated by the office, they are held for review (empty body), never published."""
    with others.store.session() as session:
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == "lgedu",
                                                    ColumnMapping.column_path == VIDEO_COLUMN)
                        .values(decision="migrate", target="bmdt", decided_by="office"))
    summary = push_sites(others, ["lgedu"], allow_untriaged=True)[0]
    with others.store.session() as session:
        records = session.execute(select(PushRecord.source_url, PushRecord.status, PushRecord.reason).where(
            PushRecord.site_id == "lgedu", PushRecord.kind == "article",
            PushRecord.source_url.like("%/contents/18288/%"))).all()
    assert len(records) == 10 and {status for _u, status, _r in records} == {"skipped"}, records
    assert all(reason.startswith("empty body: held for review (only a file name left (") and ".mp4" in reason
               for _u, _s, reason in records), records
    assert summary.unresolved.get("empty body", 0) >= 10, summary


def test_a_count_of_one_reads_in_the_singular(others: pipeline.Workspace, tmp_path: Path) -> None:
    """The checklist, messages, status and map reasons of the real sites never say '1 articles'; a like column's
    signed drop is named 'decided drop', never 'drop → -'."""
    assert not PLURAL_OF_ONE.search(" ".join(cli(others, "status").split()))
    for site_id in OTHERS:
        texts = [*(c for s in site_checklist(others, site_id)["steps"] for c in s["conditions"]),
                 cli(others, "messages", site_id, "--stage", "map"),
                 *(d.reason for _c, d in map_site(others, site_id))]
        assert not [t for t in texts if PLURAL_OF_ONE.search(t)], [t for t in texts if PLURAL_OF_ONE.search(t)][:3]
    import_sheet(others, "lgedu", _sign(others, "lgedu", ["政策解读"], tmp_path))
    after = {c.path: d for c, d in map_site(others, "hncic")}["政策法规 > 政策解读"]
    assert "lgedu" in after.reason and "decided drop (" in after.reason and "→ -" not in after.reason
    assert "→ -" not in after.reason_zh and "“不迁移”：" in after.reason_zh
