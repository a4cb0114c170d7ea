"""The map stage: legacy columns with their figures, and the recorded decision for each."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from consolidate.store import ArticleRow, ColumnMapping, ColumnRow, SiteRow, utcnow
from consolidate.workspace import Workspace, require_crawled
from mappers.columns import Decision, LegacyColumn, decide


def legacy_columns(ws: Workspace, site_id: str) -> list[LegacyColumn]:
    """Columns that hold articles directly or have a list page of their own, with their figures."""
    with ws.store.session() as session:
        direct = Counter(" > ".join(p or []) for p in session.scalars(
            select(ArticleRow.column_path).where(ArticleRow.site_id == site_id)))
        rows = session.scalars(select(ColumnRow).where(ColumnRow.site_id == site_id).order_by(ColumnRow.path)).all()
    parents = {row.path.rsplit(" > ", 1)[0] for row in rows if " > " in row.path}
    columns = []
    for row in rows:
        count = direct.get(row.path, 0)
        if count == 0 and (row.url is None or row.path in parents):
            continue  # a section heading whose content sits in its child columns
        flags = ["empty"] if count == 0 else []
        columns.append(LegacyColumn(path=row.path, name=row.name, url=row.url, article_count=count,
                                    last_published=row.last_published, flags=flags))
    if direct.get(""):
        columns.append(LegacyColumn(path="", name="(no column)", article_count=direct[""], flags=["no-column"]))
    return columns


def map_site(ws: Workspace, site_id: str) -> list[tuple[LegacyColumn, Decision]]:
    """Decide every legacy column and record the decisions (office decisions are kept)."""
    site = ws.site(site_id)
    require_crawled(ws, site_id)
    columns = legacy_columns(ws, site_id)
    decisions = decide(ws.config, site, columns)
    with ws.store.session() as session:
        existing = {m.column_path: m for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == site_id))}
        for decision in decisions:
            row = existing.get(decision.column_path)
            if row is not None and row.decided_by not in ("consolidate", "migrations.yaml") \
                    and decision.decided_by != "migrations.yaml":
                decision.decision, decision.target = row.decision, row.target
                decision.confidence, decision.reason, decision.decided_by = 1.0, row.reason, row.decided_by
                continue
            if row is None:
                row = ColumnMapping(site_id=site_id, column_path=decision.column_path)
                session.add(row)
            if (row.decision, row.target, row.reason) != (decision.decision, decision.target, decision.reason):
                row.decision, row.target, row.reason = decision.decision, decision.target, decision.reason
                row.confidence, row.decided_by, row.decided_at = decision.confidence, decision.decided_by, utcnow()
        site_row = session.get(SiteRow, site_id)
        if site_row is not None:
            site_row.mapped_at = utcnow()
    return list(zip(columns, decisions, strict=True))
