"""A legacy column renamed on the old site (its list page the same, its title new): the decision follows the column,
the rename is said, and the office signs the decision again under the new name (docs/decisions.md, round 12)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from consolidate.core.outcomes import SYSTEM_DECIDERS
from consolidate.core.store import ArticleRow, ColumnMapping, ColumnRow
from consolidate.core.workspace import Workspace
from mappers.columns import former_names

RENAMED = "column renamed"
FOLLOWER = SYSTEM_DECIDERS[0]  # a followed decision is recorded as `map`'s own: the office signs it again
_MERGE_MARK = re.compile(r"^\[merge into: .+?\] ")


def site_former_names(session: Any, site_id: str) -> dict[str, str]:
    """Former path → current path of the site's renamed columns (mappers.columns.former_names on its column rows)."""
    return former_names(session.execute(select(ColumnRow.path, ColumnRow.url, ColumnRow.article_count).where(
        ColumnRow.site_id == site_id)).all())


def rename_sources(recorded: dict[str, ColumnMapping], formers: dict[str, str]) -> dict[str, ColumnMapping]:
    """Current path → the recorded decision of a former name it follows (the latest, never an undecided one), unless
    the office or migrations.yaml decided the new name itself."""
    found: dict[str, ColumnMapping] = {}
    for old, new in formers.items():
        row, own = recorded.get(old), recorded.get(new)
        if row is None or row.decision == "unmapped" or (own is not None and _chosen(own)):
            continue
        if new not in found or _at(row) > _at(found[new]):
            found[new] = row
    return found


def _chosen(row: ColumnMapping) -> bool:
    """True for a decision the office signed or a migrations.yaml rule made: never replaced by a former name's."""
    return row.decided_by not in SYSTEM_DECIDERS or row.decided_by == "migrations.yaml"


def _at(row: ColumnMapping) -> dt.datetime:
    """When a decision was recorded (the oldest possible when unknown)."""
    return row.decided_at or dt.datetime.min


def renamed_reason(old: ColumnMapping, new_path: str) -> str:
    """'column renamed: A > 旧 -> A > 新 (same list page): follows its decision (migrate → x, signed by 王工 on
    2026-12-08 under the old name: sign it again)', a merge's leading mark kept."""
    what = f"{old.decision} → {old.target}" if old.target and old.decision != "drop" else old.decision
    signed = "" if old.decided_by in SYSTEM_DECIDERS else \
        f", signed by {old.decided_by} on {_at(old).date().isoformat()} under the old name: sign it again"
    mark = _MERGE_MARK.match(old.reason or "")
    return (mark.group(0) if mark else "") + \
        f"{RENAMED}: {old.column_path} -> {new_path} (same list page): follows its decision ({what}{signed})"


def followed(recorded: dict[str, ColumnMapping], formers: dict[str, str]) -> dict[str, ColumnMapping]:
    """The recorded decisions by path, a renamed column given its former name's (a row never added to the store)."""
    decisions = dict(recorded)
    for new, old in rename_sources(recorded, formers).items():
        decisions[new] = ColumnMapping(site_id=old.site_id, column_path=new, decision=old.decision, target=old.target,
                                       reason=renamed_reason(old, new), confidence=old.confidence,
                                       decided_by=FOLLOWER, decided_at=old.decided_at)
    return decisions


@dataclass
class ColumnStanding:
    """A site's columns as `map` decides them now: decisions per kind, renames, undecided columns holding articles."""

    decisions: Counter[str]  # decision → current columns (a renamed column's former name is not one)
    renamed: list[tuple[str, str]]  # (former path, path)
    undecided: dict[str, int]  # path → articles filed directly in it, of the columns with no decision to follow
    recorded: bool  # whether `map` recorded any decision


def column_standing(ws: Workspace, site_id: str) -> ColumnStanding:
    """Where the site's columns stand right now (after a crawl or recheck too, before `map` runs again): a column
    holding articles with no decision counts as unmapped."""
    with ws.store.session() as session:
        rows = session.execute(select(ColumnRow.path, ColumnRow.url, ColumnRow.article_count).where(
            ColumnRow.site_id == site_id)).all()
        recorded = {m.column_path: m for m in session.scalars(select(ColumnMapping).where(
            ColumnMapping.site_id == site_id))}
        held = Counter(" > ".join(p or []) for p in session.scalars(select(ArticleRow.column_path).where(
            ArticleRow.site_id == site_id)))
    formers, columns = former_names(rows), {path for path, _url, _n in rows} | {""}  # "": `map`'s (no column) row
    decisions = followed(recorded, formers)
    undecided = {p: n for p, n in sorted(held.items()) if p not in decisions or decisions[p].decision == "unmapped"}
    counts = Counter(m.decision for p, m in decisions.items() if p not in formers)
    if recorded:  # a column `map` lists holding articles it has not recorded yet (new since, or renamed)
        counts["unmapped"] += sum(1 for p in undecided if p not in decisions and p in columns)
    return ColumnStanding(counts, sorted(formers.items()), undecided, bool(recorded))


def renamed_lines(standing: ColumnStanding) -> list[str]:
    """'column renamed: A > 旧 -> A > 新 (same list page; the decision of the old name follows it)' for each rename,
    or that there is none to follow."""
    return [f"{RENAMED}: {old} -> {new} (same list page; " + (
        "no decision to follow: decide it" if new in standing.undecided else
        "the decision of the old name follows it, for the office to sign again") + ")"
        for old, new in standing.renamed]


COLUMN_UNDECIDED = "column undecided"  # why a push leaves a pushed article on the portal as it is (PushSummary.held)
