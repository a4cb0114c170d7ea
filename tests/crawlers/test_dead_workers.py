"""A crashed worker's URLs come back at once on every site it held, and a zombie is not a live worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from consolidate.core.store import Resource, SiteRow, Store, url_hash
from consolidate.leases import SiteLease
from crawlers.frontier import Frontier, pid_alive


def _store_with_sites(tmp_path: Path, sites: list[str], urls: int = 4) -> Store:
    """A store holding `urls` queued URLs for each site."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    with store.session() as session:
        for site in sites:
            session.add(SiteRow(id=site, name=site, home_url=f"http://{site}.example/", disposition="migrate",
                                facts={}))
        session.flush()
        session.add_all(Resource(site_id=site, url=f"http://{site}.example/{i}", url_hash=url_hash(f"{site}{i}"),
                                 kind="page", status="queued", hint={}) for site in sites for i in range(urls))
    return store


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_every_site_of_a_dead_worker_is_reclaimed_at_once(tmp_path: Path) -> None:
    """A crashed fleet crawl held leases on three sites: resuming reclaims all three, not only the first."""
    sites = ["aaa", "bbb", "ccc"]
    store = _store_with_sites(tmp_path, sites)
    host, pid = socket.gethostname(), _dead_pid()
    for site in sites:  # one worker id per site crawler, all in the process that died
        crashed = Frontier(store, site, f"{host}:{pid}:{site}", lease_seconds=3600)
        crashed.register()
        assert len(crashed.claim(4)) == 4
    reclaimed = []
    for site in sites:
        resumed = Frontier(store, site, f"{host}:{os.getpid()}:resume-{site}")
        resumed.register()
        reclaimed.append(resumed.reclaim())
    assert reclaimed == [4, 4, 4]


def test_zombie_is_not_a_live_worker(tmp_path: Path) -> None:
    """A killed child nobody has reaped yet (a zombie) does not hold its site lease."""
    child = subprocess.Popen(["sleep", "60"])
    try:
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not pid_alive(child.pid)  # still in the process table: kill(pid, 0) succeeds
        store = _store_with_sites(tmp_path, ["aaa"], urls=0)
        held = SiteLease(store, "push", "aaa", worker_id=f"{socket.gethostname()}:{child.pid}:zombie",
                         seconds=3600)
        held.acquire()
        with store.session() as session:  # the lease row names the zombie's pid, as its own acquire would
            from consolidate.core.store import StageLease

            session.get(StageLease, ("push", "aaa")).pid = child.pid
        SiteLease(store, "push", "aaa", seconds=3600).acquire()  # taken over, not SiteBusyError
    finally:
        child.wait()
    assert pid_alive(os.getpid())


def test_spool_files_of_a_killed_crawl_are_swept(tmp_path: Path) -> None:
    """Spool files name their process; a new fetcher deletes those of dead processes and keeps live ones'."""
    import asyncio

    from crawlers.fetch import FetchContext, Fetcher, FetchPolicy, open_client

    spool = tmp_path / "spool"
    spool.mkdir()
    dead = spool / f"spool-{_dead_pid()}-140234-99"
    live = spool / f"spool-{os.getpid()}-140234-99"
    foreign = spool / "notes.txt"
    for path in (dead, live, foreign):
        path.write_bytes(b"x" * 1000)

    async def open_fetcher() -> None:
        async with open_client(2) as client:
            Fetcher(FetchPolicy(user_agent="test"), client, lambda url: True, spool, FetchContext(2))

    asyncio.run(open_fetcher())
    assert not dead.exists() and live.exists() and foreign.exists()
