"""A checklist evidence row is written in one place, ChecklistStep.record: the office's --done and its
acknowledgements alike (entries that link nowhere, hotlinks, missing attachments), never a second insert-or-update."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from sqlalchemy import select

import consolidate
from consolidate.checklist import record_step
from consolidate.core.store import ChecklistStep, SiteRow
from tests.consolidate.test_checklist import write_config

STORE = Path(consolidate.__file__).parent / "core" / "store.py"


def _evidence_rows_built(path: Path) -> list[int]:
    """Lines of a file that build a ChecklistStep row themselves (a call of ChecklistStep(...))."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ChecklistStep"]


def test_only_the_store_builds_an_evidence_row() -> None:
    """No module of the tool but the store's ChecklistStep.record builds an evidence row."""
    root = Path(consolidate.__file__).parent.parent
    stray = [f"{path.relative_to(root)}:{line}" for folder in ("consolidate", "crawlers", "mappers", "exporters")
             for path in sorted((root / folder).rglob("*.py")) if path != STORE
             for line in _evidence_rows_built(path)]
    assert stray == []


def test_the_check_sees_a_row_built_by_hand(tmp_path: Path) -> None:
    """The walk finds a ChecklistStep built inside a function (so the test above could fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f(s):\n    s.add(ChecklistStep(site_id='a', step='b'))\n", encoding="utf-8")
    assert _evidence_rows_built(sample) == [2]


def test_evidence_before_any_crawl_creates_the_site_and_is_updated_in_place(tmp_path: Path) -> None:
    """A retained site's approval recorded before anything crawled it: its site row is created, and recording the
    step again updates the one evidence row."""
    ws = write_config(tmp_path, ["retain"])
    record_step(ws, "s0", "retention_approved", dt.date(2024, 11, 20), "批复 1")
    record_step(ws, "s0", "retention_approved", dt.date(2024, 11, 21), "批复 2")
    with ws.store.session() as session:
        assert session.get(SiteRow, "s0") is not None
        rows = session.scalars(select(ChecklistStep).where(ChecklistStep.site_id == "s0")).all()
        assert [(r.step, r.done_on, r.ref) for r in rows] == [("retention_approved", dt.date(2024, 11, 21), "批复 2")]
