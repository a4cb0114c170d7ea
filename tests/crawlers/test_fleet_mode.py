"""Fleet mode: many sites crawled at once in one process, each polite, all under one global cap."""

from __future__ import annotations

import asyncio
from pathlib import Path

from crawlers.crawler import crawl_sites
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
        summaries = asyncio.run(crawl_sites(store, sites, tmp_path))
    finally:
        for server in servers:
            server.stop()
    assert [s.fetched for s in summaries] == [GRID_PAGES + 2] * 3
    assert all(server.peak_in_flight <= 2 for server in servers)
    assert gauge.peak <= 3
    assert gauge.peak == 3, "the global cap should be reached when three hosts have work"
    for i in range(3):
        assert all(r.status == "fetched" for r in resources_by_path(store, f"site{i}").values())
