"""Late indexes: declared on the models, created in a store made before them when it is next opened (no schema step),
safely when several workers open one PostgreSQL store at once; the frontier's claim reads its index."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from consolidate.core.store import LATE_INDEXES, SCHEMA_VERSION, Resource, SiteRow, Store
from crawlers.frontier import ANY_QUEUED, CLAIM, QUEUED

FRONTIER_INDEX = "ix_resources_site_status"


def _indexes(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return {index["name"] for index in inspect(conn).get_indexes("resources")}


def _old_store(url: str) -> None:
    """A store as a release before the index made it: same schema version, one queued URL, no frontier index."""
    store = Store(url)
    with store.session() as session:
        session.add(SiteRow(id="a", name="A", home_url="http://a/", disposition="migrate", facts={}))
        session.flush()
        session.add(Resource(site_id="a", url="http://a/1", url_hash="h1", status="queued", depth=0, hint={}))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {FRONTIER_INDEX}")
    assert FRONTIER_INDEX not in _indexes(store)
    store.engine.dispose()


def _assert_opened_with_index(url: str) -> None:
    store = Store(url)
    assert FRONTIER_INDEX in _indexes(store)
    assert store.schema_version() == SCHEMA_VERSION
    with store.session() as session:
        assert session.scalars(select(Resource.url)).all() == ["http://a/1"]
    store.engine.dispose()


def test_the_frontier_index_is_a_late_one_declared_on_the_model() -> None:
    """The index is on the model (new stores get it) and in the late list (older stores get it when opened)."""
    assert [index.name for index in LATE_INDEXES] == [FRONTIER_INDEX]
    assert FRONTIER_INDEX in {index.name for index in Resource.__table__.indexes}


def test_a_new_sqlite_store_has_the_index_and_the_claim_reads_it(tmp_path: Path) -> None:
    """EXPLAIN QUERY PLAN: the claim's pick, the queued count and 'any queued?' search the frontier index."""
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    assert FRONTIER_INDEX in _indexes(store)
    with store.engine.connect() as conn:
        for statement, params in ((CLAIM, {"c_site": "a", "c_limit": 8}), (QUEUED, {"q_site": "a"}),
                                  (ANY_QUEUED, {"q_site": "a"})):
            compiled = statement.compile(dialect=conn.dialect)
            values = compiled.construct_params(params)
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}", tuple(values[key] for key in compiled.positiontup or ())))
            assert f"INDEX {FRONTIER_INDEX} (site_id=? AND status=?)" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_an_older_sqlite_store_gets_the_index_when_opened(tmp_path: Path) -> None:
    """A store made without the index gets it at its next open, with its rows and schema version unchanged."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    _old_store(url)
    _assert_opened_with_index(url)
    _assert_opened_with_index(url)  # present: opening again is a catalog read


def test_an_older_postgres_store_gets_the_index_when_opened(pg_url: str) -> None:
    """The same on PostgreSQL, and several workers opening the older store at once all succeed."""
    _old_store(pg_url)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_store() -> None:
        try:
            start.wait()
            _assert_opened_with_index(pg_url)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=open_store) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []


def test_a_postgres_worker_that_loses_the_race_to_create_the_index_opens_the_store(pg_url: str) -> None:
    """Another session creates the index and commits while this one's CREATE INDEX IF NOT EXISTS waits on it:
    PostgreSQL then raises a unique violation on its catalog, and the store opens all the same."""
    _old_store(pg_url)
    url = make_url(pg_url)
    conninfo = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    errors: list[BaseException] = []
    with psycopg.connect(**conninfo) as first:
        first.execute(f"CREATE INDEX {FRONTIER_INDEX} ON resources (site_id, status, depth, id)")  # not committed
        opener = threading.Thread(target=lambda: _open_recording(pg_url, errors))
        opener.start()
        _wait_for_a_lock_wait(conninfo)
        first.commit()
    opener.join(60)
    assert errors == []
    with psycopg.connect(**conninfo) as check:
        assert check.execute("SELECT count(*) FROM pg_indexes WHERE indexname = %s", (FRONTIER_INDEX,)).fetchone() \
            == (1,)


def _open_recording(url: str, errors: list[BaseException]) -> None:
    try:
        _assert_opened_with_index(url)
    except BaseException as exc:  # noqa: BLE001 - reported by the test's assertion
        errors.append(exc)


def _wait_for_a_lock_wait(conninfo: dict[str, object]) -> None:
    """Until some session of the database waits on a lock (the opener's CREATE INDEX on the first's catalog row)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(**conninfo, autocommit=True) as watch:
        while time.monotonic() < deadline:
            waiting = watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = "
                                    "'Lock'", (conninfo["dbname"],)).fetchone()
            if waiting and waiting[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the opener never waited on the first session's index")
