"""Test service: a private S3-compatible server on 127.0.0.1 (moto in server mode), one per test session.

`s3_server` starts `moto_server` once on a free port in its own process; `s3_bucket` gives each test a fresh
empty bucket and sets the environment variables the `workspace:` settings name by default (endpoint, region,
credentials). When moto is not installed, the fixture fails under CI (CI=true) and skips elsewhere.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.services.common import free_port, require, stop, unavailable


@dataclass
class S3Server:
    """A running private S3-compatible server."""

    endpoint: str
    pid: int | None = None  # the server process (its CPU time is read from /proc by bench/storage_crawl.py)

    def environ(self) -> dict[str, str]:
        """The environment a workspace with `storage: s3://…` reads (default variable names)."""
        return {"CONSOLIDATE_S3_ENDPOINT": self.endpoint, "CONSOLIDATE_S3_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    def create_bucket(self, name: str) -> None:
        """Create a bucket (moto accepts the unsigned request)."""
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def _moto_command() -> list[str] | None:
    """How to start moto's server from this interpreter's environment, or None."""
    beside = Path(sys.executable).with_name("moto_server")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("moto_server")
    return [found] if found else None


@contextmanager
def private_s3(on_missing: Callable[[str], None] = unavailable) -> Iterator[S3Server]:
    """Start moto's S3 server on a free port of 127.0.0.1; stop it afterwards."""
    command = require(_moto_command(), "moto's server is not installed (pip install 'moto[server]', part of .[test])",
                      on_missing)
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally; moto logs every request: a pipe nobody reads would fill and stall it
    process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=log, start_new_session=True)
    server = S3Server(f"http://127.0.0.1:{port}", process.pid)
    try:
        _wait_until_ready(server, process, log, on_missing)
        yield server
    finally:
        stop(process, 15)
        log.close()


def _wait_until_ready(server: S3Server, process: subprocess.Popen[bytes], log: IO[bytes],
                      on_missing: Callable[[str], None]) -> None:
    """Poll until the server answers HTTP (or fail with its log)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            on_missing(f"moto_server exited: {log.read().decode(errors='replace')[-500:]}")
        try:
            with urllib.request.urlopen(f"{server.endpoint}/", timeout=1) as response:
                response.read()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    on_missing("moto_server did not start within 30 s")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A private S3-compatible server for the whole test session."""
    with private_s3() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; the default environment variables point at the server. Returns `s3://bucket/ws`."""
    name = f"t-{uuid.uuid4().hex[:16]}"
    s3_server.create_bucket(name)
    for key, value in s3_server.environ().items():
        monkeypatch.setenv(key, value)
    return f"s3://{name}/ws"
