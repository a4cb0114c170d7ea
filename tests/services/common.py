"""What the private test services share: a free port, fail-or-skip when a service is missing, stopping it."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unavailable(message: str) -> None:
    """Fail under CI, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require(found: T | None, message: str, on_missing: Callable[[str], None]) -> T:
    """What was found, or on_missing(message) (it skips or fails the test; a RuntimeError should it return)."""
    if found is None:
        on_missing(message)
        raise RuntimeError(message)
    return found


def stop(process: subprocess.Popen, patience: float) -> None:
    """Terminate a service process; kill it if it is still there after `patience` seconds."""
    process.terminate()
    try:
        process.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        process.kill()
