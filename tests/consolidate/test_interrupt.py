"""Ctrl-C as a terminal sends it (SIGINT to the whole process group): one line, exit 130, no traceback from the
command or from its worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.demo import config_for_urls
from consolidate.samplefleet import FleetServer
from tests.processes import parent_pids

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
PATIENCE = 120.0  # seconds to wait for a state the test needs (a deadline against hanging, not a timing)


def _children(pid: int) -> list[int]:
    """The direct children of a process (Linux /proc)."""
    return [child for child, parent in parent_pids().items() if parent == pid]


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen, what: str) -> None:
    """Poll until the condition holds; fail if the process ends first or it never does."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert process.poll() is None, f"the command ended before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.05)


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    """The CLI in its own process group, as a shell runs a foreground job."""
    return subprocess.Popen([sys.executable, "-m", "consolidate.cli", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _interrupt(process: subprocess.Popen) -> tuple[int, str]:
    """Ctrl-C to the whole group (held stopped meanwhile, so the command cannot finish first); exit code and
    stderr."""
    group = os.getpgid(process.pid)
    os.killpg(group, signal.SIGSTOP)
    os.killpg(group, signal.SIGINT)
    os.killpg(group, signal.SIGCONT)
    _out, err = process.communicate(timeout=PATIENCE)
    return process.returncode, err


def _assert_one_line(code: int, err: str) -> None:
    """Exit 130, no traceback, and exactly one line about the interruption."""
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0], err


def test_ctrl_c_during_a_crawl_with_parser_workers(tmp_path: Path, fleet_server: FleetServer) -> None:
    """A fleet crawl (several sites: a parser worker process beside the event loop) stopped by Ctrl-C."""
    config = tmp_path / "migrations.yaml"
    config.write_text(config_for_urls(fleet_server.urls, 20), encoding="utf-8")
    process = _start(["crawl", "--all", "-c", str(config)], tmp_path)

    def parser_running() -> bool:
        return any(_children(child) for child in _children(process.pid))  # fork server → worker

    _wait_for(parser_running, process, "a parser worker")
    _assert_one_line(*_interrupt(process))


def test_ctrl_c_during_a_push(crawled: pipeline.Workspace) -> None:
    """A push into the static preview stopped by Ctrl-C once articles are being written."""
    preview = crawled.dir / "preview"
    process = _start(["push", "--all", "--allow-untriaged", "-c", str(crawled.loaded.path), "--db",
                      crawled.store.url], crawled.loaded.path.parent)
    _wait_for(lambda: preview.is_dir() and any(preview.rglob("*.html")), process, "an article in the preview")
    _assert_one_line(*_interrupt(process))
