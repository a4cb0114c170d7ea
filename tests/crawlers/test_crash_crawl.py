"""Crash safety of the crawl: `consolidate crawl` SIGKILLed at seeded points and resumed equals an
uninterrupted crawl; the same with two workers on PostgreSQL, one of them killed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.records_io import article_records
from consolidate.samplefleet import FleetServer, build_fleet
from tests.conftest import make_workspace

SITE = "sfj"
KILL_POINTS = 10
RATE = 40.0  # slow enough that a crawl of the site spans the kill points


@pytest.fixture(scope="module")
def server() -> Iterator[FleetServer]:
    """A private sample fleet: its request log counts this module's requests only."""
    with FleetServer(build_fleet(articles_per_site=40)) as running:
        yield running


@pytest.fixture(scope="module")
def reference(server: FleetServer, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The articles of one uninterrupted crawl of the site."""
    ws = make_workspace(tmp_path_factory.mktemp("reference"), server.urls, rate=500)
    pipeline.crawl(ws, [SITE])
    return article_records(ws, SITE)


def _requests(server: FleetServer) -> int:
    """Page requests the site has answered so far (robots.txt left out)."""
    return sum(1 for site, _method, target in server.request_log if site == SITE and target != "/robots.txt")


def _crawl(ws: pipeline.Workspace) -> subprocess.Popen[bytes]:
    """`consolidate crawl SITE` in its own process group."""
    return subprocess.Popen([sys.executable, "-m", "consolidate.cli", "crawl", SITE, "-c", str(ws.loaded.path),
                             "--db", ws.store.url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _kill_after(process: subprocess.Popen[bytes], server: FleetServer, requests: int) -> bool:
    """SIGKILL the process once the server has answered `requests` page requests; False if it ended first."""
    deadline = time.monotonic() + 120
    while process.poll() is None and _requests(server) < requests and time.monotonic() < deadline:
        time.sleep(0.002)
    if process.poll() is not None:
        return False
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return True


def _comparable(records: list[dict]) -> list[dict]:
    """Records without the per-run fields."""
    return [{k: v for k, v in r.items() if k != "body_html"} for r in records]


def test_crawl_killed_at_ten_points_then_resumed_equals_uninterrupted(server: FleetServer, tmp_path: Path,
                                                                      reference: list[dict]) -> None:
    """Ten SIGKILLs at seeded request counts, then a final run: the same articles, field for field."""
    ws = make_workspace(tmp_path, server.urls, rate=RATE)
    ws.store.engine.dispose()
    total = len(reference) * 2
    rng = random.Random(11)
    start = _requests(server)
    points = sorted(rng.sample(range(5, total), KILL_POINTS))
    kills = sum(_kill_after(_crawl(ws), server, start + point) for point in points)
    assert kills >= KILL_POINTS - 2, "the crawl finished before most kill points: the test proves little"
    final = _crawl(ws)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode() if final.stderr else ""
    assert _comparable(article_records(ws, SITE)) == _comparable(reference)


def test_two_workers_on_postgres_one_killed(server: FleetServer, tmp_path: Path, reference: list[dict],
                                            pg_url: str) -> None:
    """Two crawl workers share a PostgreSQL frontier; one is killed midway; the survivor and a final run finish
    the site with the same articles, and only URLs the victim held in flight are fetched twice."""
    ws = make_workspace(tmp_path, server.urls, rate=RATE)
    ws = pipeline.Workspace(ws.loaded, type(ws.store)(pg_url))
    ws.store.engine.dispose()
    start = len(server.request_log)
    start_requests = _requests(server)
    victim = _crawl(ws)
    deadline = time.monotonic() + 60
    while _requests(server) < start_requests + 10 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    survivor = _crawl(ws)
    assert _kill_after(victim, server, _requests(server) + 30), victim.stdout.read().decode()
    assert survivor.wait(timeout=300) == 0, survivor.stderr.read().decode() if survivor.stderr else ""
    final = _crawl(ws)
    assert final.wait(timeout=300) == 0
    assert _comparable(article_records(ws, SITE)) == _comparable(reference)
    fetched = Counter(target for site, method, target in server.request_log[start:]
                      if site == SITE and method == "GET" and target != "/robots.txt")
    twice = [target for target, count in fetched.items() if count > 1]
    settings = ws.config.crawl_settings(ws.site(SITE))
    assert len(twice) <= 2 * settings.concurrency_per_host, twice
