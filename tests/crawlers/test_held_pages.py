"""Pages fetched and not yet stored are held in memory: past a budget of bytes new page fetches wait (in the
order they came) until stored pages free room, so a crawl's memory does not grow with a backlog of big pages."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

import crawlers.crawler as crawler_module
from consolidate.core.store import ArticleRow
from consolidate.samplefleet import Fleet, FleetServer
from crawlers.crawler import HeldPages, crawl_sites
from tests.crawlers.crawl_helpers import fast_settings, local_site, open_store


async def _started(budget: HeldPages, names: list[str], name: str) -> None:
    """Reserve a fetch, noting when it may start."""
    await budget.reserve()
    names.append(name)


def test_fetches_wait_past_the_budget_and_start_in_order() -> None:
    """With room for three pages of the mean size, a fourth and fifth fetch wait; stored pages let them start,
    first come first; a fetch cancelled while waiting takes no room."""

    async def scenario() -> None:
        budget = HeldPages(most=30)
        budget.mean = 10.0
        started: list[str] = []
        for name in ("a", "b", "c"):
            await _started(budget, started, name)
        waiting = [asyncio.create_task(_started(budget, started, name)) for name in ("d", "e", "f")]
        await asyncio.sleep(0)
        assert started == ["a", "b", "c"] and budget.waited == 3
        waiting[1].cancel()  # "e" gives up
        budget.fetched(10)  # "a" arrived: its 10 bytes are held, room is still full
        await asyncio.sleep(0)
        assert started == ["a", "b", "c"]
        budget.release(10)  # "a" stored
        await asyncio.sleep(0)
        assert started == ["a", "b", "c", "d"]
        budget.fetched(0)  # "b" failed: nothing held
        await asyncio.sleep(0)
        assert started == ["a", "b", "c", "d", "f"]
        assert budget.fetching == 3 and budget.held == 0
        await asyncio.gather(*waiting, return_exceptions=True)

    asyncio.run(scenario())


def test_a_page_larger_than_the_budget_is_still_fetched() -> None:
    """Nothing held and nothing under way: a fetch never waits, whatever the mean page size."""

    async def scenario() -> None:
        budget = HeldPages(most=1)
        await asyncio.wait_for(budget.reserve(), 1.0)
        budget.fetched(5_000_000)
        waiting = asyncio.create_task(budget.reserve())
        await asyncio.sleep(0)
        assert not waiting.done()
        budget.release(5_000_000)
        await asyncio.wait_for(waiting, 1.0)

    asyncio.run(scenario())


def test_a_fleet_crawl_under_a_tiny_budget_finds_everything(tmp_path: Path, fleet: Fleet,
                                                            fleet_server: FleetServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget of one byte: one page of the whole fleet in memory at a time; every article is still found,
    and every byte held is given back when the crawl ends."""
    budgets: list[HeldPages] = []

    class Recorded(HeldPages):
        def __init__(self, most: int | None = None) -> None:
            super().__init__(most)
            budgets.append(self)

    monkeypatch.setattr(crawler_module, "HELD_PAGE_BYTES", 1)
    monkeypatch.setattr(crawler_module, "HeldPages", Recorded)
    store = open_store(tmp_path)
    settings = fast_settings(concurrency_per_host=2)
    sites = [(local_site(url, site_id), settings) for site_id, url in fleet_server.urls.items()]
    summaries = asyncio.run(crawl_sites(store, sites, tmp_path))
    with store.session() as session:
        found = set(session.scalars(select(ArticleRow.url)))
    truth = {r.url for site in fleet.sites for r in site.truth(fleet_server.urls[site.site_id])}
    assert found == truth
    shared = budgets[-1]  # crawl_sites' own, shared by its crawlers (each crawler made one first)
    assert shared.waited > 0
    assert (shared.held, shared.fetching) == (0, 0)
    assert all(s.fetched > 0 for s in summaries)
