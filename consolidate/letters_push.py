"""Interaction records into the portal: `consolidate push` sends a site's letters to an exporter that takes them
(WordPress: posts of the type consolidate_letter; the static preview: 互动交流 pages), masked as the bundle masks
them, idempotent by the legacy URL (the source key `letter:<site>:<url hash>`, asked of the target before
creating). An exporter that takes none records each letter as skipped with the reason: never silently dropped.

The URL map gets the letters' outcomes too: 301 to the letter's new page when pushed; else 301 to the portal's
interaction platform (`portal.interaction_url`) noted `interaction:`; else unresolved with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from consolidate.core.errors import ConsolidateError
from consolidate.core.store import EventRow, PushRecord, Resource, url_hash, utcnow
from consolidate.core.workspace import Workspace
from consolidate.interaction import InteractionRow, export_row, judge, record_pages, stored_records
from exporters.base import Exporter, TargetRef
from exporters.letters import letter_from_export

IN_TARGET = ("pushed", "updated")
INTERACTION_NOTE = "interaction:"  # URL-map notes of letter pages sent to the portal's interaction platform
KIND = "letter"
FILE_EXPORTERS = ("bundle",)  # exporters whose output carries every letter in one file (interaction.to_exporter)


@dataclass
class LetterPushSummary:
    """What a push did with a site's interaction records."""

    records: int = 0
    pushed: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason → records
    in_file: int = 0  # carried by the exporter's letters file (the bundle's letters.jsonl/xlsx), not one by one

    def to_dict(self) -> dict[str, Any]:
        """JSON figures."""
        return {"records": self.records, "pushed": self.pushed, "updated": self.updated, "unchanged": self.unchanged,
                "failed": self.failed, "skipped": dict(sorted(self.skipped.items())), "in_file": self.in_file}


def letter_key(site_id: str, url: str) -> str:
    """The source key of a site's interaction record."""
    return f"letter:{site_id}:{url_hash(url)}"


def unsupported_reason(exporter: Exporter) -> str:
    """Why an exporter's push leaves the letters out."""
    return f"exporter {exporter.name} takes no interaction records (the bundle's letters.jsonl/xlsx carries them)"


def push_letters(ws: Workspace, site_id: str, exporter: Exporter, update: bool = False,
                 as_of: dt.date | None = None, dry_run: bool = False) -> LetterPushSummary:
    """Send a site's interaction records to the exporter (or record them skipped, with the reason); a dry run
    counts what it would do and touches nothing."""
    site = ws.site(site_id)
    rows = stored_records(ws, site_id)
    summary = LetterPushSummary(records=len(rows))
    if not rows:
        return summary
    if exporter.name in FILE_EXPORTERS:
        summary.in_file = len(rows)  # written after the push by consolidate.interaction.to_exporter
        return summary
    records = letter_records(ws, site_id, exporter.target)
    if not exporter.capabilities.letters:
        reason = unsupported_reason(exporter)
        summary.skipped[reason] = len(rows)
        if dry_run:
            return summary
        for row in rows:
            _record(ws, exporter.target, site_id, letter_key(site_id, row.url), row.url, None, None, "skipped", reason,
                    records.get(letter_key(site_id, row.url)))
        _event(ws, site_id, "warning", "letters_skipped", f"{len(rows)} interaction records not pushed: {reason}")
        return summary
    holidays = list(ws.config.programme.holidays)
    when = as_of or dt.date.today()
    version = exporter.capabilities.payload_version  # its payload's form changed: every letter is sent again, once
    for row in rows:
        key = letter_key(site_id, row.url)
        letter = letter_from_export(export_row(row, judge(row, when, holidays)), key, site.name, site.target.subsite)
        letter.content_hash += f"/{version}" if version else ""
        record = records.get(key)
        if record is not None and record.status in IN_TARGET and record.content_hash == letter.content_hash \
                and record.target_id and not update:
            summary.unchanged += 1
        elif dry_run:
            status = "updated" if record is not None and record.status in IN_TARGET and record.target_id else "pushed"
            setattr(summary, status, getattr(summary, status) + 1)
        else:
            _send(ws, exporter, site_id, row, letter, record, summary)
    return summary


def _send(ws: Workspace, exporter: Exporter, site_id: str, row: InteractionRow, letter: Any,
          record: PushRecord | None, summary: LetterPushSummary) -> None:
    """Put one letter; its outcome into the push map and the summary."""
    had = record is not None and record.status in IN_TARGET and bool(record.target_id)
    try:
        existing = TargetRef(record.target_id, record.target_url or "") if had and record is not None else None
        ref = exporter.put_letter(letter, existing)  # without `existing` it asks the target itself (a lost map)
    except ConsolidateError as exc:
        _fail(ws, exporter, site_id, row, letter, record, summary, exc.message)
        return
    except Exception as exc:  # noqa: BLE001 - one letter's failure is recorded, the push goes on
        _fail(ws, exporter, site_id, row, letter, record, summary, f"{type(exc).__name__}: {exc}")
        return
    status = "updated" if had else "pushed"
    _record(ws, exporter.target, site_id, letter.source_key, row.url, ref, letter.content_hash, status, None, record)
    setattr(summary, status, getattr(summary, status) + 1)


def _fail(ws: Workspace, exporter: Exporter, site_id: str, row: InteractionRow, letter: Any,
          record: PushRecord | None, summary: LetterPushSummary, message: str) -> None:
    """Record a letter that could not be pushed."""
    _record(ws, exporter.target, site_id, letter.source_key, row.url, None, letter.content_hash, "failed", message,
            record)
    _event(ws, site_id, "error", "push_letter", message, row.url)
    summary.failed += 1


def letter_records(ws: Workspace, site_id: str, target: str) -> dict[str, PushRecord]:
    """The site's letter rows of the push map for a target."""
    with ws.store.session() as session:
        rows = session.scalars(select(PushRecord).where(PushRecord.target == target, PushRecord.site_id == site_id,
                                                        PushRecord.kind == KIND)).all()
        session.expunge_all()
    return {r.source_key: r for r in rows}


def _record(ws: Workspace, target: str, site_id: str, key: str, url: str, ref: TargetRef | None,
            content_hash: str | None, status: str, reason: str | None, before: PushRecord | None) -> None:
    """Upsert a letter's push map row (a skip or failure keeps where an earlier push put it)."""
    with ws.store.session() as session:
        row = session.scalar(select(PushRecord).where(PushRecord.target == target, PushRecord.source_key == key))
        if row is None:
            row = PushRecord(target=target, site_id=site_id, source_key=key, kind=KIND)
            session.add(row)
        if status in ("skipped", "failed") and row.status in IN_TARGET and row.target_id:
            row.reason = reason  # still in the target from an earlier push: say why this one did not update it
            return
        row.source_url = url
        if ref is not None:
            row.target_id, row.target_url = ref.target_id, ref.url
        row.content_hash, row.status, row.reason, row.pushed_at = content_hash, status, reason, utcnow()


def _event(ws: Workspace, site_id: str, level: str, code: str, message: str, url: str | None = None) -> None:
    """A push message for the report and `consolidate messages`."""
    with ws.store.session() as session:
        session.add(EventRow(site_id=site_id, stage="push", level=level, code=code, message=message, url=url))


# --- the URL map and the ledger -----------------------------------------------------------------------------

def url_outcomes(ws: Workspace, site_id: str, target: str) -> dict[str, tuple[str | None, str, str | None]]:
    """Legacy URL → (new URL, status, note) of every letter page of a site: its page on the target when pushed,
    the portal's interaction platform when configured, else unresolved with the reason. List-only records
    (`page#number`) have no page of their own and no row."""
    platform = getattr(ws.config.portal, "interaction_url", None)
    records = letter_records(ws, site_id, target)
    outcomes: dict[str, tuple[str | None, str, str | None]] = {}
    for row in stored_records(ws, site_id):
        if row.source != "detail" or "#" in row.url:
            continue
        record = records.get(letter_key(site_id, row.url))
        if record is not None and record.status in IN_TARGET and record.target_url:
            outcomes[row.url] = (record.target_url, "301", "interaction record: its page on the portal")
        elif platform:
            outcomes[row.url] = (platform, "301", f"{INTERACTION_NOTE} {why_not_pushed(record)}; to the portal's "
                                                  "interaction platform")
        else:
            outcomes[row.url] = (None, "unresolved", f"interaction record {why_not_pushed(record)}; no "
                                                     "portal.interaction_url configured")
    for page, new, status, note in list_outcomes(ws, site_id, records, platform):
        outcomes[page] = (new, status, note)
    return outcomes


def list_outcomes(ws: Workspace, site_id: str, records: dict[str, PushRecord], platform: str | None
                  ) -> list[tuple[str, str | None, str, str]]:
    """(page, new URL, status, note) of every list page of letters that shows no article: 301 to the letters'
    index on the target when its records are there, else to the interaction platform; nothing when neither (its
    column's outcome stands)."""
    found = []
    articles = _article_referrers(ws, site_id)
    for page, rows in sorted(record_pages(ws, site_id).items()):
        if page in articles:
            continue  # a column of articles that also lists letters: its column decides
        urls = [r.target_url for row in rows if (r := records.get(letter_key(site_id, row.url))) is not None
                and r.status in IN_TARGET and r.target_url]
        index = letters_index(urls)
        if index:
            found.append((page, index, "301", f"list of {len(rows)} interaction record(s): their index on the "
                                              "portal"))
        elif platform:
            found.append((page, platform, "301", f"{INTERACTION_NOTE} list of {len(rows)} interaction record(s); to "
                                                 "the portal's interaction platform"))
        elif urls:
            found.append((page, None, "unresolved", f"list of {len(rows)} interaction record(s) on the portal, with "
                                                    "no index page of theirs known: decide where it leads"))
    return found


def letters_index(urls: list[str]) -> str | None:
    """The folder the letters' pages share on the target (their index page: the preview's hudong/<site>/, a
    WordPress archive), or None when they share no folder below the host."""
    if not urls:
        return None
    folders = [url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[0] + "/" for url in urls]
    common = folders[0]
    for folder in folders[1:]:
        while not folder.startswith(common):
            common = common.rstrip("/").rsplit("/", 1)[0] + "/"
    scheme, _, rest = common.partition("://")
    return common if "/" in rest.rstrip("/") and scheme else None


def _article_referrers(ws: Workspace, site_id: str) -> set[str]:
    """Pages an article of the site was reached from."""
    with ws.store.session() as session:
        return {r for r in session.scalars(select(Resource.referrer).where(
            Resource.site_id == site_id, Resource.kind == "article")) if r}


def why_not_pushed(record: PushRecord | None) -> str:
    """Why a letter has no page on the target, in a few words."""
    if record is None:
        return "not pushed to this target"
    if record.status in ("skipped", "failed"):
        return f"{record.status}: {record.reason or 'no reason recorded'}"
    return f"not in the target ({record.status})"


def letter_pages(ws: Workspace, site_id: str) -> set[str]:
    """URLs of a site's letters that are pages of their own (detail records)."""
    return {row.url for row in stored_records(ws, site_id) if row.source == "detail" and "#" not in row.url}


def letter_disposition(url_map_row: Any, record: PushRecord | None) -> tuple[str, str | None, str]:
    """(disposition, new URL, reason) of a letter page in the ledger: migrated when on the target; 'interaction'
    when its URL leads to the portal's interaction platform; what the office decided; else unresolved."""
    if record is not None and record.status in IN_TARGET and record.target_url:
        return "migrated", record.target_url, "interaction record pushed"
    if record is not None and record.status == "rolled_back":
        return "unresolved", None, "interaction record removed from the target by rollback"
    note = (url_map_row.note or "") if url_map_row is not None else ""
    if url_map_row is not None and url_map_row.status == "301" and url_map_row.new_url:
        if note.startswith(INTERACTION_NOTE):
            return "interaction", url_map_row.new_url, note
        return "redirected", url_map_row.new_url, note or "redirected"
    if url_map_row is not None and url_map_row.status == "410":
        return "archived", None, note or "archived (410)"
    return "unresolved", None, note or f"interaction record {why_not_pushed(record)}"
