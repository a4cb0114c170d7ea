"""The state store: schema version, refusal of unknown versions, idempotent inserts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate.core.errors import StoreError
from consolidate.core.store import SCHEMA_VERSION, Meta, PushRecord, Resource, SiteRow, Store


def test_new_store_records_its_schema_version(tmp_path: Path) -> None:
    """A fresh store is created at the current schema version."""
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    assert store.schema_version() == SCHEMA_VERSION


def test_store_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    """A store written by a newer release gives a clear error, not a crash."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store(url)
    with store.session() as session:
        session.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION + 1)))
    with pytest.raises(StoreError, match="newer"):
        Store(url)


def test_older_store_needs_upgrade_and_upgrade_reaches_current(tmp_path: Path) -> None:
    """A schema-1 store (no verification columns) is refused until `upgrade`, which keeps its rows."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store(url)
    with store.session() as session:
        session.add(SiteRow(id="a", name="A", home_url="http://a/", disposition="migrate", facts={}))
        session.flush()
        session.add(PushRecord(target="t", site_id="a", source_key="k", kind="article", status="pushed"))
    with store.engine.begin() as conn:
        for column in ("verify_status", "verify_note", "verified_at"):
            conn.exec_driver_sql(f"ALTER TABLE push_records DROP COLUMN {column}")
        for column in ("validity", "published_source"):
            conn.exec_driver_sql(f"ALTER TABLE articles DROP COLUMN {column}")
    with store.session() as session:
        session.merge(Meta(key="schema_version", value="1"))
    store.engine.dispose()
    with pytest.raises(StoreError, match="at schema 1") as refused:
        Store(url)
    assert "consolidate upgrade" in (refused.value.hint or "")
    assert Store(url, allow_old_schema=True).upgrade() == list(range(2, SCHEMA_VERSION + 1))
    upgraded = Store(url)
    assert upgraded.schema_version() == SCHEMA_VERSION
    with upgraded.session() as session:
        record = session.scalar(select(PushRecord))
        assert record is not None and record.source_key == "k" and record.verify_status is None


def test_insert_ignore_keeps_one_row_per_key(tmp_path: Path) -> None:
    """Queuing the same URL twice leaves one row and the first values."""
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    with store.session() as session:
        session.add(SiteRow(id="a", name="A", home_url="http://a/", disposition="migrate", facts={}))
    row = {"site_id": "a", "url": "http://a/x", "url_hash": "h", "kind": "page", "status": "queued", "depth": 1,
           "hint": {}, "attempts": 0}
    with store.session() as session:
        assert store.insert_ignore(session, Resource, [row], ["site_id", "url_hash"]) == 1
    with store.session() as session:
        assert store.insert_ignore(session, Resource, [{**row, "depth": 9}], ["site_id", "url_hash"]) == 0
    assert store.count(Resource) == 1


def test_unusable_database_url_is_a_store_error(tmp_path: Path) -> None:
    """A bad URL or unreachable database becomes StoreError with a hint."""
    with pytest.raises(StoreError):
        Store("nosuchdb://x")
    with pytest.raises(StoreError):
        Store(f"sqlite:///{tmp_path / 'missing-dir' / 'deeper' / 's.db'}")


def test_failed_upgrade_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    """A store whose upgrade step cannot apply (columns already there) stays at its version with a clear error."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store(url)
    with store.session() as session:
        session.merge(Meta(key="schema_version", value="1"))
    old = Store(url, allow_old_schema=True)
    with pytest.raises(StoreError, match="upgrading the state store from schema 1 failed"):
        old.upgrade()
    assert old.schema_version() == 1
