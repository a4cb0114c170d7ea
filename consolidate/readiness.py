"""Whether a site's crawl fetched anything: the gate before a step that reads the crawl can be called done."""

from __future__ import annotations

from sqlalchemy import func, select

from consolidate.core.outcomes import IN_TARGET
from consolidate.core.store import PushRecord, Resource, SiteRow
from consolidate.core.workspace import Workspace, home_page_problem

CRAWL_FAILED = "crawl failed"  # the stage of a site whose crawl ran and fetched nothing
GATED_STEPS = ("content_migrated", "personal_data_reviewed", "archive_stored")  # steps that read the crawl


class NotCrawled(str):
    """A condition that only says the tool never crawled the site: the office's own evidence may still be recorded
    (a site migrated by hand), so `checklist --done` takes it."""


def fetched_count(ws: Workspace, site_id: str) -> int:
    """How many of the site's URLs (pages and files) the crawls fetched."""
    with ws.store.session() as session:
        return session.scalar(select(func.count()).select_from(Resource).where(
            Resource.site_id == site_id, Resource.status == "fetched")) or 0


def crawl_state(ws: Workspace, site_id: str) -> str:
    """'not crawled' (no crawl ever ended), 'crawl failed' (crawls ran, nothing was fetched) or 'crawled'."""
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        if row is None or row.crawled_at is None:
            return "not crawled"
    return "crawled" if fetched_count(ws, site_id) else CRAWL_FAILED


def crawl_gate(ws: Workspace, site_id: str, recorded: set[str] | frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Step name → why it cannot be done while the crawl fetched nothing (empty once something was fetched). A site
    never crawled is named too, except for a step whose evidence the office recorded."""
    state = crawl_state(ws, site_id)
    if state == "crawled":
        return {}
    if state == CRAWL_FAILED:
        why = home_page_problem(ws, site_id) or "no page answered"
        line = (f"crawl failed, nothing fetched: {why}; check home_url and that the server answers, then run "
                f"`consolidate crawl {site_id}` again")
        return {step: [line] for step in GATED_STEPS}
    line = NotCrawled(f"not crawled yet: run `consolidate crawl {site_id}` (a site migrated without this tool: "
                      f"record the office's evidence with `consolidate checklist {site_id} --done STEP --ref "
                      f"EVIDENCE`)")
    return {step: [line] for step in GATED_STEPS if step not in recorded}


def hard_conditions(conditions: list[str]) -> list[str]:
    """The conditions that refuse `checklist --done`: all but the never-crawled note."""
    return [c for c in conditions if not isinstance(c, NotCrawled)]


def in_target(ws: Workspace, site_id: str, target: str, kind: str | None = None) -> int:
    """How many of the site's objects (of one kind: article, file, column…) the push map holds as in the target."""
    where = [PushRecord.site_id == site_id, PushRecord.target == target, PushRecord.status.in_(IN_TARGET)]
    if kind is not None:
        where.append(PushRecord.kind == kind)
    with ws.store.session() as session:
        return session.scalar(select(func.count()).select_from(PushRecord).where(*where)) or 0


def nothing_to_verify(ws: Workspace, site_id: str, target: str) -> str | None:
    """Why `verify` has nothing to read back for the site (no article of it in the target), None when it has."""
    if in_target(ws, site_id, target, "article"):
        return None
    return (f"{site_id}: not verified: no article of it is in {target} (nothing pushed there yet, or rolled "
            f"back); run `consolidate push {site_id}` first")


def nothing_to_roll_back(ws: Workspace, site_id: str, target: str) -> str | None:
    """Why `rollback` has nothing to remove for the site (nothing of it in the target), None when it has."""
    if in_target(ws, site_id, target):
        return None
    return f"{site_id}: nothing to roll back: nothing of it is in {target} (never pushed there, or rolled back)"
