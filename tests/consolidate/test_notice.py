"""The 关停公示 notice page and the "this site has moved" page: content, dates, no scripts; only crawled sites get
one, and it promises only what the site's URL map holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import record_step
from consolidate.cli import app
from consolidate.core.errors import ConsolidateError
from consolidate.core.workspace import Workspace
from consolidate.notice import link_promise, render_notice
from consolidate.redirects import count_redirects, load_redirects
from tests.conftest import push_sites
from tests.consolidate.test_checklist import write_config
from tests.consolidate.test_crawl_errors import SMALL_SITE  # noqa: F401 - served by conftest's small_site

D = dt.date.fromisoformat
CrawledConfig = Callable[[list[str]], Workspace]
PROMISE = "原网址将自动跳转至新网站"  # the zh promise that old links redirect


@pytest.fixture
def crawled_config(small_site: str, tmp_path: Path) -> CrawledConfig:
    """write_config's sites with s0 pointed at a small legacy site on 127.0.0.1 and crawled (the others not)."""
    def make(dispositions: list[str]) -> Workspace:
        ws = write_config(tmp_path, dispositions, extra="    crawl: {rate_per_host: 500}\n")
        ws.loaded.path.write_text(ws.loaded.path.read_text(encoding="utf-8").replace("http://127.0.0.1:9/s0/",
                                                                                      small_site), encoding="utf-8")
        ws = Workspace.open(ws.loaded.path, ws.store.url)
        pipeline.crawl(ws, ["s0"])
        return ws
    return make


def _parse(html: str) -> LexborHTMLParser:
    """Parse a page and check the rules every notice follows: UTF-8, no scripts, no external resources."""
    tree = LexborHTMLParser(html)
    assert not tree.css("script") and "javascript:" not in html.lower()
    assert tree.css_first("meta[charset]").attributes["charset"].lower() == "utf-8"
    assert not tree.css("link[rel=stylesheet]") and not tree.css("img")
    return tree


def test_notice_names_department_site_code_new_site_and_dates(crawled_config: CrawledConfig) -> None:
    """Dates from the programme's notice_start: end = start + 30 days, shutdown the day after; contact shown."""
    ws = crawled_config(["migrate"])
    tree = _parse(render_notice(ws, "s0"))
    text = tree.body.text()
    for expected in ("测试市s0局", "测试市s0局网站", "9900000000", "https://www.example.gov.cn/dept/", "2024-12-23",
                     "2025-01-22", "2025-01-23", "张三", "010-12345678", "不少于30天", "关停整合公告"):
        assert expected in text, expected
    assert "https://www.example.gov.cn/dept/" in [a.attributes["href"] for a in tree.css("a")]
    assert "2025年1月23日" in text


def test_recorded_notice_date_wins_and_period_is_never_short(crawled_config: CrawledConfig) -> None:
    """A recorded notice_posted date is the start; an end before the notice period is over is refused."""
    ws = crawled_config(["close"])
    record_step(ws, "s0", "shutdown_applied", D("2024-11-04"))
    record_step(ws, "s0", "notice_posted", D("2024-11-05"))
    text = _parse(render_notice(ws, "s0")).body.text()
    assert "2024-11-05" in text and "2024-12-05" in text
    with pytest.raises(ConsolidateError, match="before the 30-day notice period is over"):
        render_notice(ws, "s0", end=D("2024-12-02"))
    longer = _parse(render_notice(ws, "s0", end=D("2025-01-02"), shutdown=D("2025-01-07"))).body.text()
    assert "2025-01-02" in longer and "2025-01-07" in longer


def test_notice_needs_a_start_date(crawled_config: CrawledConfig) -> None:
    """Without any notice date known the CLI says which option to give, in one line, non-zero exit."""
    ws = crawled_config(["migrate"])
    ws.loaded.path.write_text(ws.loaded.path.read_text(encoding="utf-8").replace("    notice_start: 2024-12-23\n",
                                                                                  ""), encoding="utf-8")
    result = CliRunner().invoke(app, ["notice", "s0", "-c", str(ws.loaded.path), "--db", ws.store.url])
    assert result.exit_code != 0
    assert "no notice start date" in result.output and "--start" in result.output
    assert "Traceback" not in result.output


def test_cli_writes_notice_file(crawled_config: CrawledConfig, tmp_path: Path) -> None:
    """`consolidate notice SITE -o FILE.html --start` writes the page as UTF-8."""
    ws = crawled_config(["migrate"])
    out = tmp_path / "notice.html"
    result = CliRunner().invoke(app, ["notice", "s0", "-o", str(out), "--start", "2024-12-03", "-c",
                                      str(ws.loaded.path), "--db", ws.store.url])
    assert result.exit_code == 0, result.output
    text = _parse(out.read_text(encoding="utf-8")).body.text()
    assert "2024-12-03" in text and "2025-01-02" in text


def test_moved_page_names_department_new_site_and_archive(crawled_config: CrawledConfig) -> None:
    """The 410 "moved" variant names the organiser, links the new site and the archive."""
    ws = crawled_config(["migrate"])
    tree = _parse(render_notice(ws, "s0", kind="moved", archive_url="https://www.example.gov.cn/archive/s0/"))
    text = tree.body.text()
    assert "本网站已整合迁移" in text and "测试市s0局" in text and "市测试局" in text
    hrefs = [a.attributes["href"] for a in tree.css("a")]
    assert "https://www.example.gov.cn/dept/" in hrefs and "https://www.example.gov.cn/archive/s0/" in hrefs
    without = _parse(render_notice(ws, "s0", kind="moved")).body.text()
    assert "测试市人民政府办公室归档保存" in without
    with pytest.raises(ConsolidateError, match="unknown notice kind"):
        render_notice(ws, "s0", kind="poster")


def test_merged_site_points_at_its_portal_column(crawled_config: CrawledConfig) -> None:
    """A site merged into portal columns names that column of the portal."""
    ws = crawled_config(["merge"])
    ws.loaded.path.write_text(ws.loaded.path.read_text(encoding="utf-8").replace("target: {subsite: dept}",
                                                                                  "target: {column: bmdt}"),
                              encoding="utf-8")
    ws = Workspace.open(ws.loaded.path, ws.store.url)
    text = _parse(render_notice(ws, "s0", start=D("2024-12-03"))).body.text()
    assert "测试市人民政府门户网站 · 部门动态" in text and "https://www.example.gov.cn/" in text


def _notice_cli(ws: Workspace, *args: str) -> object:
    """Run `consolidate notice` on the workspace."""
    return CliRunner().invoke(app, ["notice", *args, "--start", "2024-12-03", "-c", str(ws.loaded.path), "--db",
                                    ws.store.url])


def test_all_skips_sites_without_a_crawl_and_fails_only_when_none_is_written(crawled_config: CrawledConfig,
                                                                             tmp_path: Path) -> None:
    """`notice --all` writes the crawled site's page and skips a never-crawled and a retained site with one line
    each saying what to run first (exit 0); with no page written at all it exits 1. A named never-crawled site is
    refused the same way."""
    ws = crawled_config(["migrate", "migrate", "retain"])
    out = tmp_path / "notices"
    result = _notice_cli(ws, "--all", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["s0.html"]
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 2
    assert "s1" in skipped[0] and "has not been crawled yet" in skipped[0] and "consolidate crawl s1" in skipped[0]
    assert "s2" in skipped[1] and "retained" in skipped[1]
    named = _notice_cli(ws, "s1")
    assert named.exit_code == 1 and "consolidate crawl s1" in named.output and "Traceback" not in named.output
    none = write_config(tmp_path / "none", ["migrate", "close"])
    nothing = _notice_cli(none, "--all", "-o", str(tmp_path / "empty"))
    assert nothing.exit_code == 1 and "no notice page written: all 2 sites were skipped" in nothing.output
    assert nothing.output.count("skipped s") == 2 and "Traceback" not in nothing.output


def _edit_map(ws: Workspace, site_id: str, edit: Callable[[list[str]], list[str]], tmp_path: Path) -> None:
    """Export the site's URL map as CSV, edit its lines, and `redirects --import` it."""
    sheet = tmp_path / f"{site_id}.csv"
    args = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    assert CliRunner().invoke(app, ["redirects", site_id, "-o", str(sheet), *args]).exit_code == 0
    sheet.write_text("\n".join(edit(sheet.read_text(encoding="utf-8").splitlines())) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["redirects", site_id, "--import", str(sheet), *args])
    assert result.exit_code == 0, result.output


def _one_unresolved(lines: list[str]) -> list[str]:
    """The map's CSV lines with its last 301 made unresolved."""
    last = max(i for i, line in enumerate(lines) if ",301," in line)
    old_url = lines[last].split(",", 1)[0]
    return [*lines[:last], f"{old_url},,unresolved,", *lines[last + 1:]]


def _all_redirected(portal: str) -> Callable[[list[str]], list[str]]:
    """An edit making every 410 and unresolved row of the map's CSV a 301 to the portal."""
    def edit(lines: list[str]) -> list[str]:
        return [line.replace(",,410,", f",{portal},301,", 1).replace(",,unresolved,", f",{portal},301,", 1)
                for line in lines]
    return edit


def test_notice_promises_only_what_the_url_map_holds(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """No map yet, or a URL unresolved: no redirect is promised (zh and en say they are being arranged) and the CLI
    says why; every URL decided, some archived: migrated content redirects, the other pages are no longer available; every
    URL redirected: the full promise. No note once every URL is decided."""
    site = "fgw"
    before = _notice_cli(crawled, site)
    assert before.exit_code == 0, before.output
    assert PROMISE not in before.stdout and "跳转正在安排中" in before.stdout
    assert "Redirects for old links are still being arranged" in before.stdout
    assert "note: fgw: no URL map yet" in before.output
    push_sites(crawled, [site], allow_untriaged=True)
    counts = count_redirects(load_redirects(crawled, site))
    assert counts.moved and counts.gone and not counts.unresolved
    decided = _notice_cli(crawled, site)
    assert link_promise(crawled, site)[0] == "decided"
    assert "其原网址将自动跳转至新网站的对应页面；其余原网址的页面不再提供" in decided.stdout
    assert "the other old pages will no longer be available" in decided.stdout
    assert "note:" not in decided.output
    _edit_map(crawled, site, _one_unresolved, tmp_path)
    pending = _notice_cli(crawled, site)
    assert PROMISE not in pending.stdout and "跳转正在安排中" in pending.stdout
    assert ", 1 unresolved — the notice promises no redirects" in pending.output
    assert "redirects fgw -o FILE.csv" in pending.output
    _edit_map(crawled, site, _all_redirected(crawled.config.portal.base_url), tmp_path)
    assert link_promise(crawled, site)[0] == "all"
    full = _notice_cli(crawled, site)
    assert PROMISE + "的对应页面" in full.stdout and "Old links will redirect to the matching pages" in full.stdout
    assert "note:" not in full.output
