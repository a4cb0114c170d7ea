"""Per-item messages of a site (drush's migrate:messages): every event with its reason, by stage."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from consolidate.core.errors import UsageError
from consolidate.core.outcomes import IN_TARGET, reason_category
from consolidate.core.store import ColumnRow, EventRow, PushRecord, Resource
from consolidate.core.workspace import Workspace
from consolidate.holds import is_held
from consolidate.ledger import Entry, is_vanished, primary_target, site_ledger
from consolidate.renames import column_standing
from consolidate.wording import counted

STAGES = ("crawl", "map", "push", "verify")
STAGE_OF_EVENT = {"extract": "crawl", "monitor": "verify"}  # stages with no filter of their own
# held_for_review: events of earlier releases; the article's skip record says it now, once, in today's words;
# article_vanished: the ledger says it, once, while the article is gone (not after it is back)
NOT_LISTED = ("monitor_summary", "held_for_review", "article_vanished")
FETCH_ERROR = "fetch"  # the code of the crawl's per-URL fetch errors (crawlers/crawler.py, _record_error)
HOST_PAUSED = "host_paused"  # a host stopped answering (crawlers/crawler.py): history once its URL was fetched
VERIFY_VERDICTS = ("mismatch", "missing")  # the codes of verify's per-article differences (its verdicts)
ERRORS_LISTED = 20  # error messages the report lists per site


def site_messages(ws: Workspace, site_id: str, stage: str | None = None,
                  entries: list[Entry] | None = None) -> list[dict[str, Any]]:
    """Every per-item message of a site: fetch errors and warnings, page classes that need a look, undecided
    columns, push skips (duplicates with the URL kept) and failures, verify mismatches and suspect records,
    vanished articles."""
    ws.site(site_id)
    if stage is not None and stage not in STAGES:
        raise UsageError(f"unknown stage {stage!r}", hint=f"use one of: {', '.join(STAGES)}")
    found = _events(ws, site_id) + _undecided_columns(ws, site_id) + _push_outcomes(ws, site_id) + \
        _ledger_messages(ws, site_id, entries)
    return [m for m in found if stage is None or m["stage"] == stage]


def message_counts(ws: Workspace, site_id: str, entries: list[Entry] | None = None) -> dict[str, int]:
    """How many messages `site_messages` lists per stage, counted in the store (for status and the report)."""
    found: Counter[str] = Counter()
    with ws.store.session() as session:
        distinct = _distinct_events(site_id).subquery()
        for stage, n in session.execute(select(distinct.c.stage, func.count()).group_by(distinct.c.stage)):
            found[STAGE_OF_EVENT.get(stage, stage)] += n
        found["push"] += session.scalar(select(func.count()).select_from(PushRecord).where(
            PushRecord.site_id == site_id, PushRecord.status.in_(("skipped", "failed")))) or 0
    found["map"] += len(_undecided_columns(ws, site_id))
    for m in _ledger_messages(ws, site_id, entries):
        found[m["stage"]] += 1
    return {stage: n for stage, n in sorted(found.items()) if n}


def _message(stage: str, level: str, code: str, message: str, url: str | None, **extra: Any) -> dict[str, Any]:
    """One message as plain data."""
    return {"stage": stage, "level": level, "code": code, "message": message, "url": url, **extra}


def _events(ws: Workspace, site_id: str) -> list[dict[str, Any]]:
    """What the stages recorded as events (fetch errors, encodings, unresolved links, verify differences)."""
    with ws.store.session() as session:
        rows = session.execute(_distinct_events(site_id).order_by(func.min(EventRow.id))).all()
    return [_message(STAGE_OF_EVENT.get(stage, stage), level, code, message, url,
                     at=_iso(at) if at else None) for stage, level, code, message, url, at in rows]


def _distinct_events(site_id: str) -> Any:
    """The site's listed events, each the same (stage, level, code, message, URL) once with the last time it was
    recorded (an incremental re-crawl records a re-fetched page's warnings again); verify's differences only while
    they are current."""
    keys = (EventRow.stage, EventRow.level, EventRow.code, EventRow.message, EventRow.url)
    return select(*keys, func.max(EventRow.created_at).label("at")).where(
        EventRow.site_id == site_id, EventRow.code.notin_(NOT_LISTED), not_(superseded())).group_by(*keys)


def superseded() -> ColumnElement[bool]:
    """An event a later run superseded. Of verify's differences: no push record of its article (in any target)
    still holds that verdict from a run at or before the event — the article was verified again since (ok, or
    another difference, said by its own event), pushed again, or taken out of the target. Of the crawl's fetch
    errors: its URL no longer fails with that error — fetched since, queued again (no answer: the next crawl asks
    again), or failed another way (said by its own event); so the fetch errors listed are the failed URLs `status`
    and the report count. Of a host's pause: once the URL it stopped at was fetched (the server is back). Kept as
    history in the store; never listed, counted or reported as current."""
    record = PushRecord
    current = exists().where(record.site_id == EventRow.site_id, record.kind == "article",
                             record.source_url == EventRow.url, record.status.in_(IN_TARGET),
                             record.verify_status == EventRow.code, record.verified_at <= EventRow.created_at,
                             record.pushed_at <= record.verified_at)
    failing = exists().where(Resource.site_id == EventRow.site_id, Resource.status == "error",
                             Resource.url == EventRow.url, Resource.error == EventRow.message)
    answered = exists().where(Resource.site_id == EventRow.site_id, Resource.status == "fetched",
                              Resource.url == EventRow.url)
    return or_(and_(EventRow.stage == "verify", EventRow.code.in_(VERIFY_VERDICTS), not_(current)),
               and_(EventRow.stage == "crawl", EventRow.code == FETCH_ERROR, not_(failing)),
               and_(EventRow.stage == "crawl", EventRow.code == HOST_PAUSED, answered))


def current_errors(ws: Workspace, site_id: str, limit: int = ERRORS_LISTED) -> tuple[list[dict[str, Any]], int]:
    """The site's first `limit` error events, each (code, message, URL) once, and how many there are in all — as
    `messages` lists them: without verify differences a later verify run superseded."""
    said = (EventRow.code, EventRow.message, EventRow.url)
    where = (EventRow.site_id == site_id, EventRow.level == "error", not_(superseded()))
    with ws.store.session() as session:
        rows = session.execute(select(*said).where(*where).group_by(*said).order_by(func.min(EventRow.id))
                               .limit(limit)).all()
        total = session.scalar(select(func.count()).select_from(select(*said).where(*where).group_by(*said)
                                                                 .subquery())) or 0
    return [{"code": c, "message": m, "url": u} for c, m, u in rows], total


def _iso(value: Any) -> str:
    """A stored time as ISO seconds (SQLite's MAX() of a DATETIME column comes back as text)."""
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value)[:19].replace(" ", "T")


def _undecided_columns(ws: Workspace, site_id: str) -> list[dict[str, Any]]:
    """Legacy columns holding articles that nobody has decided yet (a renamed column follows its old name's
    decision, as map and push do)."""
    undecided = column_standing(ws, site_id).undecided
    with ws.store.session() as session:
        urls = dict(session.execute(select(ColumnRow.path, ColumnRow.url).where(ColumnRow.site_id == site_id)).all())
    return [_message("map", "warning", "column_undecided",
                     f"column {path or '(none)'!r} ({counted(n, 'article')}) has no decision: migrate or drop it", urls.get(path))
            for path, n in undecided.items()]


def _push_outcomes(ws: Workspace, site_id: str) -> list[dict[str, Any]]:
    """Skipped and failed articles of every target, each with its reason."""
    with ws.store.session() as session:
        rows = session.scalars(select(PushRecord).where(PushRecord.site_id == site_id,
                                                        PushRecord.status.in_(("skipped", "failed")))
                               .order_by(PushRecord.target, PushRecord.id)).all()
    found = []
    for r in rows:
        category = reason_category(r.reason or "")
        held = is_held(r.reason) and not category.startswith("undated")  # undated holds have their own event
        code = "duplicate" if category == "duplicate" else "held_for_review" if held else f"{r.kind}_{r.status}"
        level = "error" if r.status == "failed" else "warning" if held else "info"
        found.append(_message("push", level, code, r.reason or r.status, r.source_url, target=r.target))
    return found


def _ledger_messages(ws: Workspace, site_id: str, entries: list[Entry] | None) -> list[dict[str, Any]]:
    """From the ledger: vanished articles, pages classed 'other' (with the class reason), article pages without
    an article."""
    found = (ledger_message(e) for e in (entries if entries is not None
                                         else site_ledger(ws, site_id, primary_target(ws, site_id))))
    return [m for m in found if m is not None]


def ledger_message(e: Entry) -> dict[str, Any] | None:
    """The message one ledger entry gives, if any (the report counts them as the ledger streams by)."""
    if is_vanished(e):
        return _message("crawl", "warning", "article_vanished", e.reason, e.url, last_seen=e.last_seen)
    if e.url_class == "other" and e.fetched and e.disposition != "merged":
        return _message("crawl", "info", "page_class_other", f"classed other: {e.class_reason}", e.url)
    if e.url_class == "article" and e.disposition == "failed" and e.reason.startswith("classed as"):
        return _message("crawl", "error", "article_not_extracted", e.reason, e.url)
    return None
