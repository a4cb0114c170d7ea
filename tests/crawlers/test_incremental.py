"""Incremental re-crawls: an unchanged site costs only 304s; a changed one yields new/changed/vanished marks."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.records_io import article_records
from consolidate.samplefleet import FleetServer, build_fleet
from crawlers.crawler import SiteCrawler
from crawlers.incremental import changes
from tests.conftest import make_workspace

SITE = "fgw"


@pytest.fixture
def server() -> Iterator[FleetServer]:
    """A private small fleet this test may change."""
    with FleetServer(build_fleet(articles_per_site=12)) as running:
        yield running


def incremental(ws: pipeline.Workspace) -> object:
    """One incremental crawl of SITE."""
    site = ws.site(SITE)
    return asyncio.run(SiteCrawler(ws.store, site, ws.config.crawl_settings(site), ws.dir, incremental=True).run())


def crawled(server: FleetServer, tmp_path: Path) -> pipeline.Workspace:
    """A workspace with SITE crawled once."""
    ws = make_workspace(tmp_path, server.urls)
    pipeline.crawl(ws, [SITE])
    return ws


def test_unchanged_site_transfers_no_bodies_and_marks_nothing(server: FleetServer, tmp_path: Path) -> None:
    """Every re-checked page answers 304; no article is fetched again; nothing is marked."""
    ws = crawled(server, tmp_path)
    before = article_records(ws, SITE)
    start = len(server.request_log)
    summary = incremental(ws)
    requests = [t for s, _, t in server.request_log[start:] if s == SITE and t != "/robots.txt"]
    assert summary.not_modified == len(requests) > 0
    assert summary.bytes == 0
    assert (summary.articles_new, summary.articles_changed, summary.articles_vanished) == (0, 0, 0)
    assert changes(ws.store, SITE) == []
    assert article_records(ws, SITE) == before
    assert not any("/t20" in t for t in requests), "an unchanged list must not lead to article requests"


def test_changed_site_marks_new_changed_and_vanished(server: FleetServer, tmp_path: Path) -> None:
    """A retitled, a removed and an added article are found by list diffing and marked as such."""
    ws = crawled(server, tmp_path)
    site = server.fleet.site(SITE)
    column = max(site.by_column, key=lambda key: len(site.by_column[key]))
    listed = site.by_column[column]
    retitled, removed = listed[0], listed[1]
    retitled.title += "（修订稿）"
    site.articles.remove(removed)
    listed.remove(removed)
    folder = retitled.path.rsplit("/", 2)[0] + "/"
    added = dataclasses.replace(retitled, key=retitled.key + ":new", path=folder + "202610/t20261030_999991.html",
                                title="关于新增事项的通知", part_paths=[], attachments=[], images=[], number=999991)
    listed.insert(0, added)
    site.articles.append(added)
    site._routes, site._cache = None, None
    base = server.urls[SITE].rstrip("/")
    summary = incremental(ws)
    marks = {c["url"]: c["change"] for c in changes(ws.store, SITE)}
    assert marks == {base + added.path: "new", base + retitled.path: "changed", base + removed.path: "vanished"}
    assert (summary.articles_new, summary.articles_changed, summary.articles_vanished) == (1, 1, 1)
    titles = {r["url"]: r["title"] for r in article_records(ws, SITE)}
    assert titles[base + retitled.path].endswith("（修订稿）")
    assert titles[base + added.path] == "关于新增事项的通知"


def edited_in_place(server: FleetServer) -> str:
    """Give one listed article of SITE another body, its title, date and list entry untouched; its URL."""
    site = server.fleet.site(SITE)
    column = max(site.by_column, key=lambda key: len(site.by_column[key]))
    edited, other = site.by_column[column][0], site.by_column[column][1]
    edited.body_key = other.body_key
    site._routes, site._cache = None, None
    return server.urls[SITE].rstrip("/") + edited.path


def test_list_diffing_alone_misses_an_article_edited_in_place(server: FleetServer, tmp_path: Path) -> None:
    """The documented limit: no list changed, so the edited article is not asked for again."""
    ws = crawled(server, tmp_path)
    url = edited_in_place(server)
    summary = incremental(ws)
    assert changes(ws.store, SITE) == []
    assert (summary.articles_changed, summary.articles_rechecked) == (0, 0)
    assert url in {r["url"] for r in article_records(ws, SITE)}


def test_recheck_all_finds_an_article_edited_in_place(server: FleetServer, tmp_path: Path) -> None:
    """Re-requesting every stored article conditionally: the edited one is re-extracted and marked changed, the
    others answer 304 without a body."""
    ws = crawled(server, tmp_path)
    before = {r["url"]: r["body_text"] for r in article_records(ws, SITE)}
    url = edited_in_place(server)
    summaries = pipeline.crawl_fleet(ws, [SITE], recheck="all")
    summary = summaries[0]
    assert summary.incremental
    assert summary.articles_rechecked == len(before)
    assert {c["url"]: c["change"] for c in changes(ws.store, SITE)} == {url: "changed"}
    assert summary.articles_changed == 1
    after = {r["url"]: r["body_text"] for r in article_records(ws, SITE)}
    assert after[url] != before[url]
    assert {u: t for u, t in after.items() if u != url} == {u: t for u, t in before.items() if u != url}


def test_recheck_n_takes_the_longest_unchecked_first(server: FleetServer, tmp_path: Path) -> None:
    """Two runs of --recheck N cover 2N different articles: each run starts where the last one stopped."""
    ws = crawled(server, tmp_path)
    first = pipeline.crawl_fleet(ws, [SITE], recheck=3)[0]
    start = len(server.request_log)
    second = pipeline.crawl_fleet(ws, [SITE], recheck=3)[0]
    assert first.articles_rechecked == second.articles_rechecked == 3
    asked = [t for s, _, t in server.request_log[start:] if s == SITE and "/t20" in t]
    earlier = [t for s, _, t in server.request_log[:start] if s == SITE and "/t20" in t]
    assert len(set(asked)) == 3
    assert not set(asked) & set(earlier[-3:]), "the second run must not ask again for the articles just re-checked"


def test_recheck_takes_a_number_or_all_and_says_so_on_a_bad_value(tmp_path: Path) -> None:
    """A bad --recheck is one line with a hint and exit 2, before anything is opened."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    result = CliRunner().invoke(app, ["crawl", "fgw", "--recheck", "some", "-c", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "--recheck takes a positive number of articles or 'all'" in result.output
    assert "Traceback" not in result.output


def test_re_crawls_do_not_repeat_messages(server: FleetServer, tmp_path: Path) -> None:
    """A page re-fetched by an incremental run records its warnings again; `messages` lists each once (with the
    last time it was seen), and the per-stage counts agree."""
    from consolidate.core.store import EventRow
    from consolidate.messages import message_counts

    ws = crawled(server, tmp_path)
    with ws.store.session() as session:
        session.add_all(EventRow(site_id=SITE, stage="crawl", level="warning", code="test_repeat",
                                 message="the same finding", url=server.urls[SITE]) for _ in range(3))
    listed = [m for m in pipeline.site_messages(ws, SITE, "crawl") if m["code"] == "test_repeat"]
    assert len(listed) == 1 and listed[0]["at"]
    every = pipeline.site_messages(ws, SITE, "crawl")
    assert message_counts(ws, SITE)["crawl"] == len(every)
    from consolidate.figures import site_figures

    before = site_figures(ws, SITE)
    with ws.store.session() as session:
        session.add_all(EventRow(site_id=SITE, stage="crawl", level="error", code="fetch_error",
                                 message="HTTP 500", url=server.urls[SITE] + "x.html") for _ in range(3))
        session.add_all(EventRow(site_id=SITE, stage="crawl", level="warning", code="spam_link",
                                 message="hidden spam link removed: http://spam.example/", url=server.urls[SITE])
                        for _ in range(2))
    after = site_figures(ws, SITE)
    assert after.errors_total == before.errors_total + 1  # the report counts what messages lists
    assert after.spam_links_removed == before.spam_links_removed + 1
    assert sum(e["message"] == "HTTP 500" for e in after.errors) == 1
