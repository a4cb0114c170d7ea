"""A duplicate group whose kept copy vanishes from the legacy site: the copy still there takes its place — pushed
on the next push, its old URL leading to its own new page, the vanished copy's old URL to it (trial r12, item 2:
the live copy was set to 410 "duplicate of … (vanished)", its text on neither the portal nor any redirect)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import PushRecord, UrlMapRow
from consolidate.ledger import site_ledger
from consolidate.samplefleet import FleetServer, build_fleet
from crawlers.crawler import SiteCrawler
from tests.conftest import make_workspace, push_sites

SITE = "fgw"


@pytest.fixture
def server() -> Iterator[FleetServer]:
    """A private small fleet this test may change."""
    with FleetServer(build_fleet(articles_per_site=12)) as running:
        yield running


def _records(ws: pipeline.Workspace) -> dict[str, PushRecord]:
    """The site's article push records by legacy URL."""
    with ws.store.session() as session:
        return {r.source_url: r for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article"))}


def _url_map(ws: pipeline.Workspace, url: str) -> tuple[str, str | None]:
    """(status, new URL) of a legacy URL's URL-map row."""
    with ws.store.session() as session:
        row = session.scalar(select(UrlMapRow).where(UrlMapRow.site_id == SITE, UrlMapRow.old_url == url))
        return row.status, row.new_url


def _remove(server: FleetServer, url: str) -> None:
    """Take an article off the sample site (its page answers 404, no list shows it)."""
    site = server.fleet.site(SITE)
    article = next(a for a in site.articles if url.endswith(a.path))
    site.articles.remove(article)
    for listed in site.by_column.values():
        if article in listed:
            listed.remove(article)
    site._routes, site._cache = None, None


def test_the_live_copy_of_a_duplicate_takes_the_vanished_kept_copys_place(server: FleetServer,
                                                                           tmp_path: Path) -> None:
    """Kept copy deleted on the old site: a plain push publishes the live copy (the vanished one stays until
    --sync); push --sync takes the vanished one off and points its old URL at the live copy's new page."""
    ws = make_workspace(tmp_path, server.urls)
    pipeline.crawl(ws, [SITE])
    pipeline.map_site(ws, SITE)
    push_sites(ws, [SITE], allow_untriaged=True)
    duplicates = {url: r.reason.removeprefix("duplicate of ") for url, r in _records(ws).items()
                  if (r.reason or "").startswith("duplicate of ")}
    assert duplicates, "the sample site has a duplicate pair"
    live, kept = next(iter(duplicates.items()))
    assert _records(ws)[kept].status == "pushed"
    _remove(server, kept)
    site = ws.site(SITE)
    summary = asyncio.run(SiteCrawler(ws.store, site, ws.config.crawl_settings(site), ws.dir,
                                      incremental=True).run())
    assert summary.articles_vanished == 1

    push_sites(ws, [SITE], allow_untriaged=True)  # plain push: the live copy is published, nothing taken off
    records = _records(ws)
    assert records[live].status == "pushed" and records[live].target_url
    assert records[kept].status == "pushed", records[kept].reason
    assert _url_map(ws, live) == ("301", records[live].target_url)

    push_sites(ws, [SITE], allow_untriaged=True, sync=True)
    records = _records(ws)
    assert records[live].status == "pushed"
    assert records[kept].status == "skipped" and records[kept].reason.startswith("vanished")
    assert _url_map(ws, live) == ("301", records[live].target_url)
    assert _url_map(ws, kept) == ("301", records[live].target_url)
    entry = next(e for e in site_ledger(ws, SITE) if e.url == kept)
    assert (entry.disposition, entry.new_url) == ("vanished", records[live].target_url)
