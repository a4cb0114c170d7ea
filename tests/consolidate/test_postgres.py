"""The same job on PostgreSQL: every stage works on a real server, schema checks included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from consolidate import pipeline
from consolidate.core.config import load_config
from consolidate.core.errors import StoreError
from consolidate.core.store import SCHEMA_VERSION, ArticleRow, Meta, Store
from consolidate.demo import config_for_urls
from consolidate.report import fleet_report
from consolidate.samplefleet import Fleet, FleetServer


def _workspace(tmp_path: Path, urls: dict[str, str], pg_url: str) -> pipeline.Workspace:
    path = tmp_path / "migrations.yaml"
    path.write_text(config_for_urls(urls, 500), encoding="utf-8")
    return pipeline.Workspace(load_config(path), Store(pg_url))


def test_crawl_map_push_report_on_postgres(tmp_path: Path, fleet: Fleet, fleet_server: FleetServer,
                                           pg_url: str) -> None:
    """A site crawled, mapped and pushed with a PostgreSQL store reconciles, and a re-run adds nothing."""
    ws = _workspace(tmp_path, fleet_server.urls, pg_url)
    assert ws.store.is_postgres
    pipeline.crawl(ws, ["jyj"])
    truth = {r.url for r in fleet.site("jyj").truth(fleet_server.urls["jyj"])}
    with ws.store.session() as session:
        urls = set(session.scalars(select(ArticleRow.url).where(ArticleRow.site_id == "jyj")))
    assert urls == truth
    exporter = pipeline.open_exporter(ws)
    first = pipeline.push_site(ws, "jyj", exporter)
    assert first.pushed > 0 and first.failed == 0
    again = pipeline.push_site(ws, "jyj", exporter)
    assert again.pushed == 0 and again.updated == 0
    pipeline.crawl(ws, ["jyj"])
    with ws.store.session() as session:
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == len(truth)
    site = next(s for s in fleet_report(ws, ["jyj"])["sites"])
    assert site["reconciliation"]["ok"]


def test_schema_version_checks_on_postgres(pg_url: str) -> None:
    """Version recording, refusal of a newer store and upgrade work on PostgreSQL too."""
    store = Store(pg_url)
    assert store.schema_version() == SCHEMA_VERSION
    with store.session() as session:
        session.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION + 5)))
    with pytest.raises(StoreError, match="newer"):
        Store(pg_url)


def test_unreachable_postgres_is_one_clear_error() -> None:
    """A PostgreSQL URL nobody listens on gives StoreError with a hint, and hides the password."""
    with pytest.raises(StoreError) as info:
        Store("postgresql+psycopg://user:s3cret@127.0.0.1:1/nodb?connect_timeout=2")
    assert "s3cret" not in info.value.message
    assert info.value.hint
