"""Whether a site's crawl fetched anything: the gate before a step that reads the crawl can be called done."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from consolidate.core.outcomes import IN_TARGET
from consolidate.core.store import ArticleRow, CrawlChange, PushRecord, Resource, SiteRow
from consolidate.core.workspace import Workspace, home_page_problem
from consolidate.ledger import site_targets, vanished_on_portal
from consolidate.renames import column_standing

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


@dataclass(frozen=True)
class PendingPush:
    """What a target still shows of the legacy site as it was: pushed articles a later crawl found changed, and
    articles gone from the legacy site that the target still publishes — the next push's work."""

    target: str
    changed: int
    vanished: int
    held: int = 0  # pushed articles whose column has no decision now: the push leaves them as they are

    def __bool__(self) -> bool:
        """True while the target is behind the crawl."""
        return bool(self.changed or self.vanished or self.held)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return asdict(self)

    def text(self, site_id: str, configured: str | None = None) -> str:
        """'1 pushed article changed on the legacy site since it was pushed and 1 article gone from it still
        published in static:…: `consolidate push zjgztb --sync` sends the change and takes the gone one off'
        (`--exporter` named for a target other than the `configured` exporter's)."""
        parts = []
        if self.changed:
            parts.append(f"{self.changed} pushed article{'s' if self.changed != 1 else ''} changed on the legacy "
                         f"site since {'they were' if self.changed != 1 else 'it was'} pushed")
        if self.vanished:
            parts.append(f"{self.vanished} article{'s' if self.vanished != 1 else ''} gone from the legacy site "
                         f"still published")
        held = f"{self.held} pushed article{'s' if self.held != 1 else ''} of a column with no decision now stay " \
               f"as pushed in {self.target} (held: column undecided {self.held}) until `consolidate map {site_id}` " \
               "decides it" if self.held else ""
        if not parts:
            return held
        exporter = self.target.split(":", 1)[0]
        command = f"consolidate push {site_id}" + (f" --exporter {exporter}" if exporter != configured else "") + (
            " --sync" if self.vanished else "")
        does = [f"sends the change{'s' if self.changed != 1 else ''}" if self.changed else "",
                f"takes the gone one{'s' if self.vanished != 1 else ''} off" if self.vanished else ""]
        return f"{' and '.join(parts)} in {self.target}: `{command}` {' and '.join(d for d in does if d)}" + (
            f"; {held}" if held else "")


def changed_since_push(ws: Workspace, site_id: str, target: str, held: Collection[str] = ()) -> int:
    """Articles in the target whose latest crawl change is 'changed', found after their last push (those `held`,
    which the push leaves as they are, aside)."""
    with ws.store.session() as session:
        latest = {url: (change, at) for url, change, at in session.execute(  # the last change of each URL wins
            select(CrawlChange.url, CrawlChange.change, CrawlChange.detected_at).where(
                CrawlChange.site_id == site_id).order_by(CrawlChange.id))}
        changed = {url: at for url, (change, at) in latest.items() if change == "changed"}
        if not changed:
            return 0
        pushed = session.execute(select(PushRecord.source_url, PushRecord.pushed_at).where(
            PushRecord.site_id == site_id, PushRecord.target == target, PushRecord.kind == "article",
            PushRecord.status.in_(IN_TARGET))).all()
    return sum(1 for url, at in pushed if url in changed and url not in held and at is not None and at < changed[url])


def held_on_portal(ws: Workspace, site_id: str, target: str) -> set[str]:
    """Articles in the target filed in a column that has no decision now (renamed on the old site with no decision
    to follow, or undecided again): the next push leaves them as they are, never takes them down."""
    undecided = column_standing(ws, site_id).undecided
    if not undecided:
        return set()
    with ws.store.session() as session:
        pushed = set(session.scalars(select(PushRecord.source_url).where(
            PushRecord.site_id == site_id, PushRecord.target == target, PushRecord.kind == "article",
            PushRecord.status.in_(IN_TARGET))))
        return {url for url, path in session.execute(select(ArticleRow.url, ArticleRow.column_path).where(
            ArticleRow.site_id == site_id)) if url in pushed and " > ".join(path or []) in undecided}


def pending_push(ws: Workspace, site_id: str, target: str) -> PendingPush:
    """The next push's work in one target: changed articles to send again, gone ones to retract."""
    held = held_on_portal(ws, site_id, target)
    return PendingPush(target, changed_since_push(ws, site_id, target, held), vanished_on_portal(ws, site_id, target),
                       len(held))


def pending_pushes(ws: Workspace, site_id: str) -> list[PendingPush]:
    """Every target of the site that is behind the crawl, the most recently pushed first."""
    return [p for p in (pending_push(ws, site_id, t) for t in site_targets(ws, site_id)) if p]
