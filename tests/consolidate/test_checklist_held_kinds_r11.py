"""The checklist's held-for-review line names every kind of hold it counts, undated articles included, and its
parts add up to its count (round-11 trial: '6 articles held for review (2 same body, other title)', the 4 undated
left out)."""

from __future__ import annotations

from consolidate.checklist import _held_kinds


def test_undated_holds_are_named_and_the_parts_add_up() -> None:
    """4 undated and 2 same-body holds are both named, commonest first; a hold of no known kind is 'other'."""
    counts = {"same body, other title": 2, "undated": 4, "column not mapped": 57}
    assert _held_kinds(counts, 6) == "4 undated; 2 same body, other title"
    assert _held_kinds(counts, 7) == "4 undated; 2 same body, other title; 1 other"
    assert _held_kinds({}, 0) == "see the messages"
