"""The leased frontier: resume after interruption, several workers on one store, dead workers' work picked up."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consolidate import pipeline
from consolidate.core.store import Resource, Store
from consolidate.records_io import article_records
from consolidate.samplefleet import FleetServer
from crawlers.crawler import CrawlSummary, SiteCrawler
from crawlers.frontier import CrawlWorker, Frontier, FrontierLease, live_workers
from tests.conftest import make_workspace

SITE = "fgw"
ARTICLES_PER_SITE = 12  # the private_server fixture's fleet


def site_requests(server: FleetServer, since: int) -> list[str]:
    """GET targets of SITE since a log position, robots.txt left out (every worker reads it)."""
    return [target for site, method, target in server.request_log[since:]
            if site == SITE and method == "GET" and target != "/robots.txt"]


def run(ws: pipeline.Workspace, **settings: object) -> SiteCrawler:
    """A crawler of SITE with settings overridden."""
    site = ws.site(SITE)
    return SiteCrawler(ws.store, site, ws.config.crawl_settings(site).model_copy(update=settings), ws.dir)


def two_workers(ws: pipeline.Workspace, url: str, **options: float) -> list[CrawlSummary]:
    """Two crawlers of SITE in two threads, each with its own connection to the store at `url`; their summaries."""
    summaries = []

    def worker() -> None:
        store = Store(url)
        site = ws.site(SITE)
        summaries.append(asyncio.run(SiteCrawler(store, site, ws.config.crawl_settings(site), ws.dir,
                                                 **options).run()))
        store.engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summaries


def in_flight_rows(store: Store) -> tuple[int, int]:
    """Rows still 'fetching' and leases left."""
    with store.session() as session:
        fetching = session.scalar(select(func.count()).select_from(Resource).where(Resource.status == "fetching"))
        leases = session.scalar(select(func.count()).select_from(FrontierLease))
    return int(fetching or 0), int(leases or 0)


def test_budgeted_runs_resume_to_the_same_articles_without_refetching(private_server: FleetServer, tmp_path: Path,
                                                                      reference: list[dict]) -> None:
    """Runs of 10 pages each end with the uninterrupted crawl's articles; no URL is requested twice."""
    ws = make_workspace(tmp_path, private_server.urls)
    start = len(private_server.request_log)
    runs = 0
    while True:
        summary = asyncio.run(run(ws, max_pages=10).run())
        runs += 1
        if not summary.budget_reached:
            break
    assert runs > 3
    requests = site_requests(private_server, start)
    assert [url for url, n in Counter(requests).items() if n > 1] == []
    assert article_records(ws, SITE) == reference
    assert in_flight_rows(ws.store) == (0, 0)


def test_cancelled_crawl_resumes_to_the_same_articles(private_server: FleetServer, tmp_path: Path,
                                                      reference: list[dict]) -> None:
    """A crawl cancelled mid-way gives its leases back; the next run finishes the job."""
    ws = make_workspace(tmp_path, private_server.urls)
    start = len(private_server.request_log)

    async def cancel_midway() -> None:
        crawler = run(ws)
        reached = asyncio.Event()
        crawler.on_progress = lambda p: reached.set() if p.summary.fetched >= 15 else None
        task = asyncio.create_task(crawler.run())
        await reached.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_midway())
    fetching, leases = in_flight_rows(ws.store)
    assert (fetching, leases) == (0, 0)
    asyncio.run(run(ws).run())
    requests = site_requests(private_server, start)
    repeated = [url for url, n in Counter(requests).items() if n > 1]
    assert len(repeated) <= ws.config.crawl.concurrency_per_host  # at most what was in flight at the cancel
    assert article_records(ws, SITE) == reference


def test_two_workers_on_one_store_never_fetch_the_same_url(private_server: FleetServer, tmp_path: Path,
                                                           reference: list[dict]) -> None:
    """Two crawlers of one site in two threads, each with its own connection: disjoint requests, full result."""
    ws = make_workspace(tmp_path, private_server.urls)
    start = len(private_server.request_log)
    summaries = two_workers(ws, ws.store.url, heartbeat_seconds=0.2)
    requests = site_requests(private_server, start)
    assert [url for url, n in Counter(requests).items() if n > 1] == []
    assert len(summaries) == 2 and all(s.fetched > 0 for s in summaries), [s.fetched for s in summaries]
    assert article_records(ws, SITE) == reference


def test_work_of_a_dead_worker_is_picked_up(private_server: FleetServer, tmp_path: Path,
                                            reference: list[dict]) -> None:
    """URLs leased by a worker whose process is gone (same host) or whose lease expired go back to the queue."""
    ws = make_workspace(tmp_path, private_server.urls)
    asyncio.run(run(ws, max_pages=8).run())
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    gone = Frontier(ws.store, SITE, f"{host}:{dead.pid}:dead")
    gone.register()
    assert len(gone.claim(5)) == 5
    stale = Frontier(ws.store, SITE, "elsewhere:1:stale", lease_seconds=-1)
    stale.register()
    assert len(stale.claim(5)) == 5
    assert in_flight_rows(ws.store) == (10, 10)
    asyncio.run(run(ws).run())
    assert in_flight_rows(ws.store) == (0, 0)
    assert article_records(ws, SITE) == reference
    with ws.store.session() as session:
        assert session.get(CrawlWorker, f"{host}:{dead.pid}:dead").state == "dead"


def test_live_workers_lists_running_crawlers_with_their_leases(private_server: FleetServer, tmp_path: Path) -> None:
    """While a crawl runs its worker is listed (host:pid:random, site, leases); afterwards it is not."""
    ws = make_workspace(tmp_path, private_server.urls)
    seen: list[list[dict]] = []
    crawler = run(ws)
    crawler.on_progress = lambda p: seen.append(live_workers(ws.store)) if p.summary.fetched >= 5 and not seen else None
    asyncio.run(crawler.run())
    assert seen and len(seen[0]) == 1
    worker = seen[0][0]
    assert worker["id"] == crawler.worker_id and worker["pid"] == os.getpid() and worker["sites"] == [SITE]
    assert worker["leases"] >= 1
    assert live_workers(ws.store) == []


def test_two_workers_on_postgres_never_fetch_the_same_url(private_server: FleetServer, tmp_path: Path,
                                                          reference: list[dict], pg_url: str) -> None:
    """The same two-worker check on a real PostgreSQL (claims with FOR UPDATE SKIP LOCKED)."""
    ws = make_workspace(tmp_path, private_server.urls)
    ws = pipeline.Workspace.open(ws.loaded.path, db_url=pg_url)
    start = len(private_server.request_log)
    two_workers(ws, pg_url)
    requests = site_requests(private_server, start)
    assert [u for u, n in Counter(requests).items() if n > 1] == []
    assert article_records(ws, SITE) == reference


def test_workers_on_one_site_split_its_politeness_budget(private_server: FleetServer, tmp_path: Path) -> None:
    """With another live worker on the site, a crawler fetches at half the per-host rate: the legacy server
    never sees more than the configured rate in all."""
    from consolidate.core.store import utcnow

    ws = make_workspace(tmp_path, private_server.urls)
    with ws.store.session() as session:
        session.add(CrawlWorker(id="other-host:4242:feed", host="other-host", pid=4242, sites=[SITE],
                                state="running", fetched=0, started_at=utcnow(), heartbeat_at=utcnow()))
    crawler = run(ws, rate_per_host=100.0)
    asyncio.run(crawler.run())
    assert crawler.fetcher.limiter(crawler.home).interval == pytest.approx(2 / 100.0)
    alone = run(ws, rate_per_host=100.0)
    with ws.store.session() as session:
        session.query(CrawlWorker).filter(CrawlWorker.id == "other-host:4242:feed").delete()
    asyncio.run(alone.run())
    assert alone.fetcher.limiter(alone.home).interval == pytest.approx(1 / 100.0)
