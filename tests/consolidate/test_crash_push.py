"""Crash safety: a push killed with SIGKILL at seeded random points, then resumed, equals an uninterrupted push."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from consolidate import pipeline

KILL_POINTS = 10


def _push_command(ws: pipeline.Workspace) -> list[str]:
    return [sys.executable, "-m", "consolidate.cli", "push", "--all", "-c", str(ws.loaded.path), "--db", ws.store.url]


def _records(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT source_key, target_id, status FROM push_records").fetchall()
    return {key: (target_id, status) for key, target_id, status in rows}


def _pushed_count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM push_records").fetchone()[0]
    except sqlite3.Error:
        return 0


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_push_killed_at_random_points_then_resumed_equals_uninterrupted(crawled: pipeline.Workspace,
                                                                        tmp_path: Path) -> None:
    """Ten SIGKILLs mid-push, then a final run: same push map and same preview bytes as one clean run."""
    reference = tmp_path / "reference"
    shutil.copytree(crawled.dir.parent, reference)
    reference_ws = pipeline.Workspace.open(reference / "migrations.yaml",
                                           f"sqlite:///{reference / '.consolidate' / 'state.db'}")
    assert subprocess.run(_push_command(reference_ws), capture_output=True).returncode == 0
    expected = _records(reference / ".consolidate" / "state.db")
    total = len(expected)
    db = crawled.dir / "state.db"
    rng = random.Random(20261122)
    kills = 0
    for _ in range(KILL_POINTS):
        already = _pushed_count(db)
        point = rng.randint(already, max(already, total - 1))
        process = subprocess.Popen(_push_command(crawled), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        deadline = time.monotonic() + 60
        while process.poll() is None and _pushed_count(db) < point and time.monotonic() < deadline:
            time.sleep(0.005)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
    assert kills >= KILL_POINTS // 2, "the push finished before most kill points: the test proves little"
    final = subprocess.run(_push_command(crawled), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert _records(db) == expected
    assert _tree(crawled.dir / "preview") == _tree(reference / ".consolidate" / "preview")
