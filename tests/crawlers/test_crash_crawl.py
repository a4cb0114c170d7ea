"""Crash safety of the crawl: `consolidate crawl` SIGKILLed at seeded points and resumed equals an
uninterrupted crawl; the same with two workers on PostgreSQL, one of them killed."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

from consolidate import pipeline
from consolidate.records_io import article_records
from consolidate.samplefleet import FleetServer
from tests.conftest import make_workspace
from tests.processes import kill_at, wait_for_progress

SITE = "sfj"
KILL_POINTS = 10
ARTICLES_PER_SITE = 40  # the private_server fixture's fleet
RATE = 40.0  # slow enough that a crawl of the site spans the kill points


def _requests(server: FleetServer) -> int:
    """Page requests the site has answered so far (robots.txt left out)."""
    return sum(1 for site, _method, target in server.request_log if site == SITE and target != "/robots.txt")


def _crawl(ws: pipeline.Workspace) -> subprocess.Popen[bytes]:
    """`consolidate crawl SITE` in its own process group."""
    return subprocess.Popen([sys.executable, "-m", "consolidate.cli", "crawl", SITE, "-c", str(ws.loaded.path),
                             "--db", ws.store.url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _comparable(records: list[dict]) -> list[dict]:
    """Records without the per-run fields."""
    return [{k: v for k, v in r.items() if k != "body_html"} for r in records]


def test_crawl_killed_at_ten_points_then_resumed_equals_uninterrupted(private_server: FleetServer, tmp_path: Path,
                                                                      reference: list[dict]) -> None:
    """Ten SIGKILLs at seeded request counts, then a final run: the same articles, field for field."""
    ws = make_workspace(tmp_path, private_server.urls, rate=RATE)
    ws.store.engine.dispose()
    total = len(reference) * 2
    rng = random.Random(11)
    start = _requests(private_server)
    points = sorted(rng.sample(range(5, total), KILL_POINTS))
    kills = sum(kill_at(_crawl(ws), lambda: _requests(private_server), start + point) for point in points)
    assert kills >= KILL_POINTS - 2, "the crawl finished before most kill points: the test proves little"
    final = _crawl(ws)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode() if final.stderr else ""
    assert _comparable(article_records(ws, SITE)) == _comparable(reference)


def test_two_workers_on_postgres_one_killed(private_server: FleetServer, tmp_path: Path, reference: list[dict],
                                            pg_url: str) -> None:
    """Two crawl workers share a PostgreSQL frontier; one is killed midway; the survivor and a final run finish
    the site with the same articles, and only URLs the victim held in flight are fetched twice."""
    ws = make_workspace(tmp_path, private_server.urls, rate=RATE)
    ws = pipeline.Workspace(ws.loaded, type(ws.store)(pg_url))
    ws.store.engine.dispose()
    start = len(private_server.request_log)
    start_requests = _requests(private_server)
    victim = _crawl(ws)
    wait_for_progress(victim, lambda: _requests(private_server), start_requests + 10, patience=60)
    survivor = _crawl(ws)
    assert kill_at(victim, lambda: _requests(private_server), _requests(private_server) + 30), \
        victim.stdout.read().decode()
    assert survivor.wait(timeout=300) == 0, survivor.stderr.read().decode() if survivor.stderr else ""
    final = _crawl(ws)
    assert final.wait(timeout=300) == 0
    assert _comparable(article_records(ws, SITE)) == _comparable(reference)
    fetched = Counter(target for site, method, target in private_server.request_log[start:]
                      if site == SITE and method == "GET" and target != "/robots.txt")
    twice = [target for target, count in fetched.items() if count > 1]
    settings = ws.config.crawl_settings(ws.site(SITE))
    assert len(twice) <= 2 * settings.concurrency_per_host, twice
