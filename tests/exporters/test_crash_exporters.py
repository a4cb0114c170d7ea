"""Crash safety of the bundle and WXR exporters: a push SIGKILLed at seeded points, then resumed, holds every
article exactly once, equals an uninterrupted push byte for byte, and `verify` (reading the output back) passes."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import pytest

from consolidate import pipeline
from exporters.wxr import NS
from tests.processes import kill_series

KILL_POINTS = 4  # seeded points over the whole push; each run costs a start-up (~2 s CPU): 10 made the pair ~200 s
SURVIVED: dict[str, str] = {}


def _command(ws_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "consolidate.cli", *args, "-c", str(ws_dir / "migrations.yaml"),
            "--db", f"sqlite:///{ws_dir / '.consolidate' / 'state.db'}"]


def _records(db: Path) -> dict[str, tuple[str, str]]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT source_key, target_id, status FROM push_records").fetchall()
    return {key: (target_id, status) for key, target_id, status in rows}


def _journal(ws_dir: Path, exporter: str) -> Path:
    out = ws_dir / ".consolidate"
    return out / "bundle" / ".changes.journal" if exporter == "bundle" else out / "export.wxr.xml.journal"


def _recorded(db: Path) -> int:
    """Progress of a running push: push-map rows so far (WAL: this read never blocks the writer)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
        return conn.execute("SELECT count(*) FROM push_records").fetchone()[0]


def _articles(ws_dir: Path, exporter: str) -> list[str]:
    """Source keys of the articles the output holds, one per occurrence."""
    out = ws_dir / ".consolidate"
    if exporter == "bundle":
        lines = (out / "bundle" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["source_key"] for line in lines]
    channel = ET.parse(out / "export.wxr.xml").getroot().find("channel")
    keys = []
    for item in channel.findall("item"):
        if item.findtext("wp:post_type", namespaces=NS) == "post":
            meta = {m.findtext("wp:meta_key", namespaces=NS): m.findtext("wp:meta_value", namespaces=NS)
                    for m in item.findall("wp:postmeta", NS)}
            keys.append(meta["consolidate_source_key"])
    return keys


def _outputs(ws_dir: Path, exporter: str) -> dict[str, bytes]:
    """The output files an integrator receives."""
    out = ws_dir / ".consolidate"
    if exporter == "bundle":
        return {name: (out / "bundle" / name).read_bytes() for name in
                ("articles.jsonl", "columns.jsonl", "files.jsonl")}
    return {"export.wxr.xml": (out / "export.wxr.xml").read_bytes()}


@pytest.mark.parametrize("exporter", ["bundle", "wxr"])
def test_push_killed_at_random_points_then_resumed_loses_nothing(exporter: str, crawled: pipeline.Workspace,
                                                                 tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Four SIGKILLs mid-push, then a final run: every article once, same output and push map as one clean run,
    and verify reads every article back from the output."""
    root = crawled.dir.parent
    crawled.store.engine.dispose()
    reference = tmp_path / "reference"
    shutil.copytree(root, reference)
    clean = subprocess.run(_command(reference, "push", "--all", "--exporter", exporter), capture_output=True, text=True)
    assert clean.returncode == 0, clean.stderr
    expected = _articles(reference, exporter)
    assert len(expected) == len(set(expected)) > 0
    total = len(_records(reference / ".consolidate" / "state.db"))
    db = root / ".consolidate" / "state.db"
    kills = kill_series(_command(root, "push", "--all", "--exporter", exporter), lambda: _recorded(db), total,
                        20261206, KILL_POINTS)
    assert kills >= KILL_POINTS // 2, "the push finished before most kill points: the test proves little"
    final = subprocess.run(_command(root, "push", "--all", "--exporter", exporter), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    held = _articles(root, exporter)
    lost, doubled = set(expected) - set(held), len(held) - len(set(held))
    verify = subprocess.run(_command(root, "verify", "--all", "--exporter", exporter), capture_output=True,
                            text=True)
    with capsys.disabled():
        print(f"\n[kill series] {exporter}: {kills} SIGKILLs survived; {len(held)} of {len(expected)} articles "
              f"held, {len(lost)} lost, {doubled} doubled; verify exit {verify.returncode}")
    assert not lost and not doubled and set(held) == set(expected)
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]
    assert " 0 differ, 0 missing" in verify.stdout
    assert _records(root / ".consolidate" / "state.db") == _records(reference / ".consolidate" / "state.db")
    assert _outputs(root, exporter) == _outputs(reference, exporter)
    assert not _journal(root, exporter).exists()
    out = root / ".consolidate"
    left = [*(out / "bundle").rglob("*.tmp")] if exporter == "bundle" else \
        [*out.glob(".*.tmp"), *(out / "files").rglob("*.tmp")]
    assert not left, f"temp files left by the kills: {left[:3]}"


@pytest.mark.parametrize("exporter", ["bundle", "wxr"])
def test_verify_reads_the_output_not_memory(exporter: str, crawled: pipeline.Workspace) -> None:
    """An article missing from the output file (as after a killed push) is reported missing by verify."""
    target = pipeline.open_exporter(crawled, exporter, {})
    try:
        pipeline.push_site(crawled, "jyj", target)
    finally:
        target.close()
    out = crawled.dir
    if exporter == "bundle":
        path = out / "bundle" / "articles.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    else:
        path = out / "export.wxr.xml"
        tree = ET.parse(path)
        channel = tree.getroot().find("channel")
        post = next(i for i in channel.findall("item") if i.findtext("wp:post_type", namespaces=NS) == "post")
        channel.remove(post)
        tree.write(path, encoding="utf-8", xml_declaration=True)
    from consolidate.verify import verify_site

    target = pipeline.open_exporter(crawled, exporter, {})
    try:
        summary = verify_site(crawled, "jyj", target)
    finally:
        target.close()
    assert summary.missing == 1 and summary.mismatch == 0 and summary.ok > 0


def test_a_journal_replays_a_title_holding_a_line_separator(tmp_path: Path) -> None:
    """U+2028 inside a title is written raw by the journal; replay splits on newlines only, so the change is kept
    (splitlines() cut the line in two and the change was silently dropped)."""
    from exporters.common import Journal

    journal = Journal(tmp_path / ".changes.journal")
    journal.append("articles", "k1", {"title": "上半句\u2028下半句"})
    journal.append("articles", "k2", {"title": "普通标题"})
    state: dict[str, dict] = {"articles": {}}
    assert journal.replay(state) == 2
    assert state["articles"]["k1"]["title"] == "上半句\u2028下半句"
