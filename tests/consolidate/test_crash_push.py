"""Crash safety: a push killed with SIGKILL at seeded random points, then resumed, equals an uninterrupted push."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from consolidate import pipeline
from tests.processes import kill_series

KILL_POINTS = 10


def _push_command(ws: pipeline.Workspace) -> list[str]:
    return [sys.executable, "-m", "consolidate.cli", "push", "--all", "-c", str(ws.loaded.path), "--db", ws.store.url]


def _query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def _records(db: Path) -> dict[str, tuple[str, str]]:
    rows = _query(db, "SELECT source_key, target_id, status FROM push_records")
    return {key: (target_id, status) for key, target_id, status in rows}


def _pages_written(preview: Path) -> int:
    """Progress of a running push, read from the files it writes (no database reads while it is killed)."""
    return sum(1 for _ in preview.rglob("*.html")) if preview.exists() else 0


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
    preview = crawled.dir / "preview"
    total = _pages_written(reference / ".consolidate" / "preview")
    db = crawled.dir / "state.db"
    crawled.store.engine.dispose()
    kills = kill_series(_push_command(crawled), lambda: _pages_written(preview), total, 20261122, KILL_POINTS)
    assert kills >= KILL_POINTS // 2, "the push finished before most kill points: the test proves little"
    final = subprocess.run(_push_command(crawled), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    failures = _query(db, "SELECT reason FROM push_records WHERE status = 'failed'")
    assert not failures, failures[:3]
    assert _records(db) == expected
    assert _tree(crawled.dir / "preview") == _tree(reference / ".consolidate" / "preview")
    from consolidate.ledger import site_ledger

    resumed = pipeline.Workspace.open(crawled.loaded.path, crawled.store.url)
    for site in resumed.config.sites:  # the URL ledger is exact too: every URL with the clean run's disposition
        assert [e.as_dict() for e in site_ledger(resumed, site.id)] == \
            [e.as_dict() for e in site_ledger(reference_ws, site.id)], site.id
