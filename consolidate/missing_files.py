"""Attachments a pushed article lost (no address on the legacy page, or the crawl could not get the file: push's
`lost_attachments`, verify's rule too): a content_migrated blocker until the office acknowledges them, the way list
entries that link nowhere are; until then `verify` counts their articles as not verified (consolidate/verify.py). A
file the crawl fetched whose upload failed is not lost: push says it apart (attachment_not_uploaded) and tries again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from consolidate.core.errors import UsageError
from consolidate.core.store import ChecklistStep, EventRow
from consolidate.core.workspace import Workspace
from consolidate.wording import counted

MISSING_CODE = "attachment_missing"  # push's message for an attachment the portal page does not carry
FILES_ACCEPTED = "missing_attachments_accepted"  # the office's acknowledgement, kept beside the steps' evidence


def missing_attachments(ws: Workspace, site_id: str) -> tuple[int, int]:
    """(attachments, pages): the attachments the last pushes left off the portal pages, each once, and their
    pages (the messages are re-judged at every push of the article)."""
    with ws.store.session() as session:
        distinct = select(EventRow.url, EventRow.message).distinct().where(
            EventRow.site_id == site_id, EventRow.stage == "push", EventRow.code == MISSING_CODE).subquery()
        files, pages = session.execute(select(func.count(), func.count(func.distinct(distinct.c.url)))
                                       .select_from(distinct)).one()
    return files or 0, pages or 0


def accepted_count(step: ChecklistStep | None) -> int | None:
    """How many missing attachments the office acknowledged ('N attachments: REF'); None when it has not."""
    return None if step is None else step.acknowledged()


def missing_files_acknowledged(ws: Workspace, site_id: str) -> bool:
    """True when the office acknowledged every attachment the last pushes left off the portal pages."""
    files, _pages = missing_attachments(ws, site_id)
    with ws.store.session() as session:
        step = session.scalar(select(ChecklistStep).where(ChecklistStep.site_id == site_id,
                                                          ChecklistStep.step == FILES_ACCEPTED))
    done = accepted_count(step)
    return done is not None and done >= files > 0


def missing_file_blockers(ws: Workspace, site_id: str, accepted: ChecklistStep | None) -> list[str]:
    """The content_migrated blocker for attachments not carried to the portal, until acknowledged (more found by
    a later push are named again)."""
    files, pages = missing_attachments(ws, site_id)
    done = accepted_count(accepted)
    if not files or (done is not None and done >= files):
        return []
    before = f"; {done} acknowledged on {accepted.done_on}, more found since" if accepted is not None else ""
    return [f"{counted(files, 'attachment')} on {counted(pages, 'page')} not on the portal "
            f"(no address on the legacy page, or the crawl could not get the file): their files are not "
            f"migrated{before}. "
            f"`consolidate messages {site_id} --stage push` names them (attachment_missing); ask the department "
            f"for the files and add them to the portal pages by hand, then acknowledge them with "
            f"`consolidate checklist {site_id} --accept-missing-files --ref EVIDENCE` (and run `consolidate verify "
            f"{site_id}` again)"]


def accept_missing_files(ws: Workspace, site_id: str, done_on: dt.date, ref: str) -> int:
    """Record the office's acknowledgement of the missing attachments counted now (how many: returned)."""
    if done_on > dt.date.today():
        raise UsageError(f"{site_id}: {done_on.isoformat()} is in the future", hint="give the date of the decision")
    files, _pages = missing_attachments(ws, site_id)
    if not files:
        raise UsageError(f"{site_id}: no pushed article lost an attachment; nothing to acknowledge",
                         hint=f"see `consolidate messages {site_id} --stage push`")
    with ws.store.session() as session:
        ChecklistStep.record(session, site_id, FILES_ACCEPTED, done_on, f"{files} attachments: {ref}")
    return files
