"""Storing what the crawl found on interaction pages (letters, surveys): the store side of crawlers/interaction.py,
apart so that parser processes, which only analyse pages, do not import the store (SQLAlchemy: ~23 MB a process)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from consolidate.core.store import InteractionRow, url_hash, utcnow


def keep(ops: list[Any], site_id: str, url: str, hint: dict[str, Any] | None, found: dict[str, Any]) -> None:
    """Queue the store write of a routed page's record (under the URL it was queued as, in the column its list
    page gave when it gave one); a form has nothing to store."""
    column = list((hint or {}).get("column") or [])
    rows = [{**row, "site": site_id} for row in found.get("rows") or []]
    if found.get("record") is not None:
        rows.append({**found["record"], "url": url, "site": site_id,
                     "column_path": column or found["record"].get("column_path") or []})
    if not rows:
        return

    def save(session: Any) -> None:
        for row in rows:
            save_record(session, site_id, row)

    ops.append(save)


def save_record(session: Session, site_id: str, data: dict[str, Any]) -> str:
    """Upsert one extracted record (an InteractionRecord as a dict) in interaction_records: new | changed | same."""
    key = url_hash(data["url"])
    row = session.scalar(select(InteractionRow).where(InteractionRow.site_id == site_id,
                                                      InteractionRow.url_hash == key))
    values = {name: data.get(name) for name in ("url", "kind", "profile", "column_path", "subject", "number",
                                                 "category", "writer", "contact", "received", "replied", "reply_unit",
                                                 "question_html", "reply_html", "status", "status_text", "source", "survey",
                                                 "content_hash")}
    values["source"] = values["source"] or "detail"
    values["column_path"] = values["column_path"] or []
    values["contact"] = values["contact"] or {}
    if row is None:
        session.add(InteractionRow(site_id=site_id, url_hash=key, **values))
        return "new"
    if row.content_hash == values["content_hash"] or (values["source"] == "list" and row.source == "detail"):
        return "same"  # a list row never overwrites what the record's own page said
    for name, value in values.items():
        setattr(row, name, value)
    row.extracted_at = utcnow()
    return "changed"
