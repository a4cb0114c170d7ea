"""A SIGKILLed crawl leaves no process behind: fork server, parser workers and resource tracker die with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consolidate.samplefleet import FleetServer
from crawlers.frontier import pid_alive
from tests.conftest import make_workspace
from tests.processes import parent_pids

ARTICLES_PER_SITE = 40  # the private_server fixture's fleet
DRIVER = """
import asyncio, sys
from consolidate.core.workspace import Workspace
from crawlers.crawler import crawl_sites
ws = Workspace.open(sys.argv[1], sys.argv[2])
pairs = [(site, ws.config.crawl_settings(site)) for site in ws.config.sites]
asyncio.run(crawl_sites(ws.store, pairs, ws.dir, parse_processes=2))
"""


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren…)."""
    parents = parent_pids()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigkilled_crawl_takes_its_helper_processes_with_it(private_server: FleetServer, tmp_path: Path) -> None:
    """Kill -9 a crawl with parser processes mid-run: within a few seconds none of its helpers is left."""
    ws = make_workspace(tmp_path, private_server.urls, rate=20)
    crawl = subprocess.Popen([sys.executable, "-c", DRIVER, str(ws.loaded.path), ws.store.url],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        helpers: set[int] = set()
        while len(helpers) < 4 and crawl.poll() is None and time.monotonic() < deadline:  # tracker, server, 2 workers
            time.sleep(0.05)
            helpers = _descendants(crawl.pid)
        assert len(helpers) >= 4, (helpers, crawl.poll())
        time.sleep(0.5)  # the workers are parsing pages
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
        gone_by = time.monotonic() + 10
        while any(pid_alive(pid) for pid in helpers) and time.monotonic() < gone_by:
            time.sleep(0.05)
        left = [pid for pid in helpers if pid_alive(pid)]
        print(f"\nSIGKILLed crawl: {len(helpers)} helper processes, {len(left)} left after it")
        assert left == []
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
        for pid in helpers:  # never leave strays to other tests, whatever happened
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
