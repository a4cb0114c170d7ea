"""Test service: a private PostgreSQL cluster on 127.0.0.1 from Debian's binaries, one per test session.

`postgres_server` starts it once (initdb into a temp dir, trust auth, a free port, runs as the `postgres`
system user because PostgreSQL refuses root); `pg_url` gives each test a fresh empty database URL.
When the binaries cannot be had, the fixture fails under CI (CI=true) and skips elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.common import free_port, require, stop, unavailable

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class PostgresServer:
    """A running private cluster."""

    host: str
    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement in autocommit mode on the maintenance database."""
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)


def _bin_dir() -> Path | None:
    """The newest installed PostgreSQL server binaries, installing the packages when allowed."""
    for attempt in range(2):
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), reverse=True)
        if candidates:
            return candidates[0].parent
        if attempt == 0:
            subprocess.run(["bash", str(ROOT / "scripts" / "install-services.sh")], check=False,
                           capture_output=True, timeout=900)
    return None


def _as_postgres(command: list[str]) -> list[str]:
    """Run a command as the postgres system user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def private_postgres(on_missing: Callable[[str], None] = unavailable) -> Iterator[PostgresServer]:
    """Start a private PostgreSQL on a free port of 127.0.0.1; stop it and remove its files afterwards."""
    bin_dir = require(_bin_dir(), "PostgreSQL server binaries are not installed (scripts/install-services.sh)",
                      on_missing)
    base = Path(tempfile.mkdtemp(prefix="consolidate-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    init = subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                        "-E", "UTF8", "--no-locale"]), capture_output=True, text=True)
    if init.returncode != 0:
        on_missing(f"initdb failed: {init.stderr[-500:]}")
    port = free_port()
    process = subprocess.Popen(
        _as_postgres([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
                      "-k", str(sockets), "-c", "fsync=off", "-c", "synchronous_commit=off",
                      "-c", "full_page_writes=off", "-c", "max_connections=200"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    server = PostgresServer("127.0.0.1", port)
    _wait_until_ready(server, process, on_missing)
    try:
        yield server
    finally:
        stop(process, 15)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL server for the whole test session."""
    with private_postgres() as server:
        yield server


def _wait_until_ready(server: PostgresServer, process: subprocess.Popen[bytes],
                      on_missing: Callable[[str], None]) -> None:
    """Poll until the server accepts connections (or fail with its log)."""
    import psycopg

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            on_missing(f"postgres exited: {process.stderr.read().decode()[-500:] if process.stderr else ''}")
        try:
            psycopg.connect(host=server.host, port=server.port, user=server.user, dbname="postgres",
                            connect_timeout=1).close()
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    on_missing("postgres did not start within 30 s")


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres_server.execute(f"CREATE DATABASE {name}")
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
