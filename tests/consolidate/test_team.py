"""Team scale: site leases, and two push workers on one PostgreSQL workspace, one of them killed."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.config import load_config
from consolidate.core.store import ArticleRow, PushRecord, StageLease, Store
from consolidate.demo import config_for_urls
from consolidate.leases import SiteBusyError, SiteLease
from consolidate.samplefleet import FleetServer

IN_TARGET = ("pushed", "updated")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty store on SQLite, then on the real PostgreSQL (where ON CONFLICT DO NOTHING's rowcount is -1)."""
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path / 's.db'}")
    return Store(request.getfixturevalue("pg_url"))


def test_a_leased_site_is_refused_to_a_second_worker_until_expiry(store: Store) -> None:
    """Two workers: the second is refused while the lease is live, takes over once it expires — on either
    database (round-11 trial: on PostgreSQL both push workers took the site and WordPress got every post twice)."""
    first = SiteLease(store, "push", "fgw", worker_id="host:1:a")
    second = SiteLease(store, "push", "fgw", worker_id="host:2:b")
    first.acquire()
    with pytest.raises(SiteBusyError, match="host:1:a"):
        second.acquire()
    with store.session() as session:
        session.execute(update(StageLease).values(expires_at=dt.datetime(2000, 1, 1)))
    second.acquire()
    with pytest.raises(SiteBusyError, match="lost the lease"):
        first.renew(force=True)
    second.release()
    first.acquire()


def test_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(tmp_path: Path) -> None:
    """A worker killed while holding a site does not block the site until its lease expires."""
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    SiteLease(store, "push", "jyj", worker_id=f"x:{child.pid}:dead").acquire()
    with store.session() as session:
        session.execute(update(StageLease).values(pid=child.pid, host=socket.gethostname()))
    with pytest.raises(SiteBusyError):
        SiteLease(store, "push", "jyj").acquire()
    child.kill()
    child.wait()
    SiteLease(store, "push", "jyj").acquire()


def _push(config: Path, db: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "consolidate.cli", "push", "--all", "-c", str(config),
                             "--db", db], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def test_two_push_workers_on_postgres_one_killed_push_everything_once(tmp_path: Path, fleet_server: FleetServer,
                                                                     pg_url: str) -> None:
    """Two `push --all` workers share a PostgreSQL workspace; one is SIGKILLed; a re-run completes. Every
    article is then in the target exactly once, or skipped with a reason."""
    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls(fleet_server.urls, 500), encoding="utf-8")
    ws = pipeline.Workspace(load_config(config), Store(pg_url))
    pipeline.crawl(ws, None)
    for site in ws.config.sites:
        pipeline.map_site(ws, site.id)
    ws.store.engine.dispose()
    preview = tmp_path / ".consolidate" / "preview"
    victim, survivor = _push(config, pg_url), _push(config, pg_url)
    deadline = time.monotonic() + 60
    while victim.poll() is None and len(list(preview.rglob("*.html"))) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    if victim.poll() is None:
        os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    output = survivor.communicate(timeout=300)[0].decode()
    assert survivor.returncode == 0, output
    final = subprocess.run([sys.executable, "-m", "consolidate.cli", "push", "--all", "-c", str(config), "--db",
                            pg_url], capture_output=True, text=True)
    assert final.returncode == 0, final.stdout + final.stderr
    store = Store(pg_url)
    with store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.kind == "article")).all()
        crawled = session.scalars(select(ArticleRow.url)).all()
    in_target = [r for r in records if r.status in IN_TARGET]
    assert len(records) == len(crawled)
    assert all(r.status in (*IN_TARGET, "skipped") for r in records)
    manifest = json.loads((preview / "_manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["articles"]) == sorted(r.source_key for r in in_target)
    pages = {p.relative_to(preview).as_posix() for p in preview.rglob("*.html") if p.name != "index.html"}
    assert pages == {r.target_id for r in in_target}


def test_status_lists_the_leases_of_live_workers(crawled: pipeline.Workspace) -> None:
    """`status --json` shows which worker holds which site for which stage."""
    from typer.testing import CliRunner

    from consolidate.cli import app

    lease = SiteLease(crawled.store, "push", "sfj", worker_id="office-pc:4242:abcd")
    lease.acquire()
    result = CliRunner().invoke(app, ["status", "--json", "-c", str(crawled.loaded.path), "--db", crawled.store.url])
    assert result.exit_code == 0, result.output
    leases = json.loads(result.output)["workers"]["leases"]
    assert [(x["stage"], x["site"], x["worker"]) for x in leases] == [("push", "sfj", "office-pc:4242:abcd")]
    lease.release()
