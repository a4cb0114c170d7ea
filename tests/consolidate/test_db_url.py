"""`postgres://` and `postgresql://` are the PostgreSQL URLs people copy from libpq tools: the store takes them."""

from __future__ import annotations

from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.store import Store, normalise_db_url


def test_postgres_schemes_are_normalised() -> None:
    """Both libpq spellings become the psycopg driver URL; others are left alone."""
    assert normalise_db_url("postgres://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert normalise_db_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalise_db_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert normalise_db_url("sqlite:///x.db") == "sqlite:///x.db"


def test_postgres_url_opens_the_store(pg_url: str) -> None:
    """A postgres:// URL opens a real PostgreSQL store; `upgrade --db postgres://…` works as written."""
    short = pg_url.replace("postgresql+psycopg://", "postgres://")
    store = Store(short)
    assert store.is_postgres and store.url == pg_url
    store.engine.dispose()
    result = CliRunner().invoke(app, ["upgrade", "--db", short, "-c", "migrations.yaml"])
    assert result.exit_code == 0 and "schema at version" in result.output, result.output
