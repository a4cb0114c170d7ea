"""Fleet mode: many sites crawled at once in one process, each polite, all under one global cap."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

import crawlers.crawler as crawler_module
from consolidate.core.store import ArticleRow, Resource, Store
from consolidate.samplefleet import Fleet, FleetServer
from crawlers.crawler import crawl_sites
from crawlers.fetch import shared_context
from tests.crawlers.crawl_helpers import fast_settings, local_site, open_store, resources_by_path
from tests.services.faulty_server import GRID_PAGES, FaultyServer, Gauge


def test_fleet_crawl_shares_one_global_cap_and_keeps_per_host_limits(tmp_path: Path) -> None:
    """Three sites with 2 slots each under a global cap of 3: ≤ 2 per server, ≤ 3 in all, every page fetched."""
    gauge = Gauge()
    servers = [FaultyServer(gauge=gauge, home_links=["/grid/index.html"]).start() for _ in range(3)]
    try:
        store = open_store(tmp_path)
        settings = fast_settings(concurrency=3, concurrency_per_host=2)
        sites = [(local_site(s.url, f"site{i}"), settings) for i, s in enumerate(servers)]
        summaries, peak = asyncio.run(crawl_counting_in_flight(store, sites, tmp_path, cap=3))
    finally:
        for server in servers:
            server.stop()
    assert [s.fetched for s in summaries] == [GRID_PAGES + 2] * 3
    assert all(server.peak_in_flight <= 2 for server in servers)
    # The servers' shared gauge can overlap a finished request with the next one by a thread switch (it counts
    # down only after writing the response), so the global cap is read where it is enforced: the fetch context.
    assert peak <= 3
    assert peak == 3, "the global cap should be reached when three hosts have work"
    assert gauge.peak >= 3
    for i in range(3):
        assert all(r.status == "fetched" for r in resources_by_path(store, f"site{i}").values())


async def crawl_counting_in_flight(store: Store, sites: list, workspace: Path, cap: int) -> tuple[list, int]:
    """crawl_sites under a global cap; the summaries and the most requests the crawler had in flight at once."""
    context = shared_context(cap)
    summaries = await crawl_sites(store, sites, workspace)
    return summaries, context.peak_in_flight


def test_a_tiny_queued_memory_loses_no_url(tmp_path: Path, fleet: Fleet, fleet_server: FleetServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawlers forget queued URLs past a bound (flat memory); a URL forgotten and linked again is offered
    to the store again, which keeps the first: every article is still found, each URL is fetched once."""
    monkeypatch.setattr(crawler_module, "QUEUED_MEMORY", 3)
    monkeypatch.setattr(crawler_module, "QUEUED_MEMORY_MIN", 2)
    store = open_store(tmp_path)
    settings = fast_settings(concurrency_per_host=2)
    sites = [(local_site(url, site_id), settings) for site_id, url in fleet_server.urls.items()]
    before = len(fleet_server.request_log)
    summaries = asyncio.run(crawl_sites(store, sites, tmp_path))
    requests = [target for _site, _method, target in fleet_server.request_log[before:]]
    with store.session() as session:
        found = set(session.scalars(select(ArticleRow.url)))
    truth = {r.url for site in fleet.sites for r in site.truth(fleet_server.urls[site.site_id])}
    assert found == truth
    assert sum(s.fetched for s in summaries) == len(requests) - requests.count("/robots.txt")
    with store.session() as session:
        fetched = session.scalar(select(func.count()).select_from(Resource).where(Resource.status != "queued"))
    assert fetched == sum(s.fetched for s in summaries)
