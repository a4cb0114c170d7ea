"""`status` does not list a crawl worker or a stage lease whose process on this host is gone (a crawl killed by
SIGTERM/SIGKILL before it could retire): its heartbeat is recent, but nobody holds those URLs any more."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from consolidate.core.store import Resource, SiteRow, StageLease, Store, url_hash
from consolidate.leases import SiteLease, active_leases
from crawlers.frontier import Frontier, live_workers


def _store(tmp_path: Path) -> Store:
    """A store with one site and ten queued URLs."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    with store.session() as session:
        session.add(SiteRow(id="aaa", name="aaa", home_url="http://aaa.example/", disposition="migrate", facts={}))
        session.flush()
        session.add_all(Resource(site_id="aaa", url=f"http://aaa.example/{i}", url_hash=url_hash(f"aaa{i}"),
                                 kind="page", status="queued", hint={}) for i in range(10))
    return store


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_worker_whose_process_is_gone_is_not_live(tmp_path: Path) -> None:
    """A killed worker's row says running with a fresh heartbeat and 10 URLs leased: it is not listed; a worker
    whose process lives (this one) and one on another host (cannot be told) still are."""
    store = _store(tmp_path)
    host = socket.gethostname()
    killed = Frontier(store, "aaa", f"{host}:{_dead_pid()}:killed", lease_seconds=3600)
    killed.register()
    assert len(killed.claim(10)) == 10
    alive = Frontier(store, "aaa", f"{host}:{os.getpid()}:alive")
    alive.register()
    elsewhere = Frontier(store, "aaa", "other-host:1:remote")
    elsewhere.register()
    assert sorted(w["id"] for w in live_workers(store)) == sorted([alive.worker_id, elsewhere.worker_id])


def test_a_stage_lease_whose_process_is_gone_is_not_listed(tmp_path: Path) -> None:
    """A push killed while holding its site lease: status lists no holder (the next push takes it over)."""
    store = _store(tmp_path)
    SiteLease(store, "push", "aaa", worker_id="x", seconds=3600).acquire()
    assert [x["worker"] for x in active_leases(store)] == ["x"]
    with store.session() as session:
        session.get(StageLease, ("push", "aaa")).pid = _dead_pid()
    assert active_leases(store) == []
