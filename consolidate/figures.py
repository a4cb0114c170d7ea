"""The figures of one site — what `status`, the checklist and every report format show — read from the store
once per command."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from consolidate import messages
from consolidate.core import store as tables  # the store's tables, each named tables.X
from consolidate.core.outcomes import IN_TARGET, column_key, reason_category
from consolidate.core.workspace import Workspace
from consolidate.crawl_figures import PROBLEMS, crawl_errors, crawl_problems
from consolidate.holds import HELD_ZH
from consolidate.interaction import letter_figures
from consolidate.ledger import (
    DISPOSITIONS,
    UNDECIDED,
    Entry,
    Tally,
    ledger_entries,
    primary_target,
    reconcile,
    site_targets,
    tally,
)
from consolidate.letters_push import letter_pages
from consolidate.readiness import CRAWL_FAILED
from consolidate.renames import column_standing, renamed_lines
from consolidate.triage import UNTRIAGED, triage_figures

WAITING = (UNDECIDED, UNTRIAGED, "undated", *HELD_ZH)  # skip-reason codes the ledger counts unresolved (未定)


def split_skips(skipped: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """A push's skips per reason code as the ledger, status and the report name them: {'skipped': decided skips
    (a dropped column, a duplicate…), 'unresolved': those waiting on a decision, a triage or a look (held for
    review)}."""
    return {"skipped": {k: n for k, n in sorted(skipped.items()) if k not in WAITING},
            "unresolved": {k: n for k, n in sorted(skipped.items()) if k in WAITING}}


class FigureView(Mapping[str, Any]):
    """Key access to a figures dataclass in its JSON shape (what --json, the HTML template and scripts read)."""

    def _view(self) -> dict[str, Any]:
        """The fields by name, in the JSON document's order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def __getitem__(self, key: str) -> Any:
        """A figure by its JSON key."""
        return self._view()[key]

    def __iter__(self) -> Iterator[str]:
        """The JSON keys."""
        return iter(self._view())

    def __len__(self) -> int:
        """How many JSON keys."""
        return len(self._view())

    def __setitem__(self, key: str, value: Any) -> None:
        """Replace a figure (tests and scripts that adjust a report before rendering it)."""
        if key not in self._view():
            raise KeyError(key)
        setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        """Plain dicts and lists all the way down, ready for JSON."""
        return {k: _plain(v) for k, v in self._view().items()}


def _plain(item: Any) -> Any:
    """A figure as plain JSON-ready data."""
    if isinstance(item, FigureView):
        return item.as_dict()
    if isinstance(item, list):
        return [_plain(x) for x in item]
    if isinstance(item, dict):
        return {k: _plain(v) for k, v in item.items()}
    return item


@dataclass(eq=False)
class ReconciliationLine(FigureView):
    """One exporter target's line from the ledger: articles crawled = pushed + skipped + failed + unresolved,
    and the fetched pages by class."""

    target: str | None
    crawled: int
    pushed: int
    skipped: int
    failed: int
    unresolved: int
    skipped_by: dict[str, int]
    held: int
    unaccounted: int
    pages: dict[str, Any]
    unfetchable_files: int
    notes: list[str]
    ok: bool


@dataclass(eq=False)
class PushFigures(FigureView):
    """Articles, files and columns in one exporter target, with the reasons for those not in it; the site's own
    target also carries the ledger's unresolved and held articles."""

    in_target: int
    skipped: int
    failed: int
    skip_reasons: dict[str, int]
    fail_reasons: dict[str, int]
    files: int
    failed_objects: int
    columns: int
    unresolved: int | None = None
    held: int | None = None
    unresolved_reasons: dict[str, int] | None = None

    def _view(self) -> dict[str, Any]:
        """The JSON shape: the ledger's counts only where they were read."""
        return {k: v for k, v in super()._view().items()
                if v is not None or k not in ("unresolved", "held", "unresolved_reasons")}


@dataclass(eq=False)
class TargetFigures(FigureView):
    """One exporter target of a site: its push outcome and its reconciliation line."""

    target: str | None
    push: PushFigures
    reconciliation: ReconciliationLine

    def _view(self) -> dict[str, Any]:
        """The JSON shape: the push figures flat between the target and its line."""
        return {"target": self.target, **self.push._view(), "reconciliation": self.reconciliation}


@dataclass(eq=False)
class CrawlFigures(FigureView):
    """What the crawl fetched: HTML pages, files, errors, URLs skipped or still queued, bytes; and the errors per
    kind of problem (crawl_figures.PROBLEMS, adding up to `errors`) with each kind's causes."""

    fetched: int
    files_fetched: int
    unfetchable_files: int
    errors: int
    skipped: int
    queued: int
    bytes: int
    problems: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROBLEMS, 0))
    problem_causes: dict[str, dict[str, int]] = field(default_factory=dict)
    dead_pages: dict[str, int] = field(default_factory=dict)  # the dead pages per kind (list, article, page)


@dataclass(eq=False)
class MappingFigures(FigureView):
    """Legacy columns per decision."""

    migrate: int
    drop: int
    unmapped: int
    no_column_articles: int = 0  # articles found outside every column: `map`'s "(no column)" row, one of the columns

    @property
    def recorded(self) -> int:
        """Columns with a stored decision: 0 while `map` has not run."""
        return self.migrate + self.drop + self.unmapped

    def text(self, columns: int) -> str:
        """'N unmapped', or that map has not run, for a site of `columns` columns."""
        return "not mapped yet" if columns and not self.recorded else f"{self.unmapped} unmapped"

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape; `unmapped` is null while nothing is recorded (the text's 'not mapped yet'), never 0."""
        view = super().as_dict()
        if not self.recorded:
            view["unmapped"] = None
        return view


@dataclass(eq=False)
class SiteDetails(FigureView):
    """What the full report adds to a site's figures: inventory, column decisions, audit findings, vanished
    articles."""

    inventory: dict[str, Any]
    decisions: list[dict[str, Any]]
    audit: dict[str, Any]
    vanished: list[dict[str, Any]]


@dataclass(eq=False)
class SiteFigures(FigureView):
    """Every number the status table, the checklist and the reports show for one site (counts per kind stay
    dicts: their keys are data — statuses, reasons, stages)."""

    id: str
    name: str
    organiser: str | None
    disposition: str
    home_url: str
    cms: str | None
    stage: str
    target: str | None
    targets: list[TargetFigures]
    ledger: dict[str, Any]
    crawl: CrawlFigures
    articles: int
    columns: int  # the rows `map` decides: the legacy columns, and one row for the articles no column holds
    mapping: MappingFigures
    push: PushFigures
    redirects: dict[str, Any]
    verification: dict[str, dict[str, int]]
    monitor: dict[str, int]
    spam_links_removed: int
    triage: dict[str, Any]
    letters: dict[str, Any]
    reconciliation: ReconciliationLine
    messages: dict[str, int]
    errors: list[dict[str, Any]]  # the first messages.ERRORS_LISTED current error events
    errors_total: int = 0  # every current error event of the site (`consolidate messages` lists them)
    renamed_columns: list[str] = field(default_factory=list)  # 'column renamed: A > 旧 -> A > 新 (…)'
    checklist: dict[str, Any] | None = None  # set by the fleet report, with the three below
    next_step: str | None = None
    next_due: str | None = None
    behind: bool = False
    details: SiteDetails | None = None  # the full report only

    def _view(self) -> dict[str, Any]:
        """The JSON shape: the checklist keys once the checklist is set, the details' keys flat."""
        view = super()._view()
        del view["details"]
        if not self.renamed_columns:
            del view["renamed_columns"]  # said only when a column was renamed
        if self.checklist is None:
            for key in ("checklist", "next_step", "next_due", "behind"):
                del view[key]
        return {**view, **(self.details._view() if self.details is not None else {})}

    def __setitem__(self, key: str, value: Any) -> None:
        """Replace a figure, the details' ones included."""
        if self.details is not None and key in self.details:
            self.details[key] = value
        else:
            super().__setitem__(key, value)


@dataclass(eq=False)
class FleetReport(FigureView):
    """The report of the named sites (or the fleet): programme facts, each site's figures, totals, checklist
    state and the retention check."""

    programme: str
    office: str | None
    portal: str
    generated_at: str
    as_of: str
    sites: list[SiteFigures]
    totals: dict[str, int]
    stages: dict[str, int]
    reconciled: bool
    behind_schedule: list[str]
    retention: dict[str, Any]



def site_figures(ws: Workspace, site_id: str) -> SiteFigures:
    """Every number the status table and the reports show for one site (a dozen queries: once per command)."""
    site = ws.site(site_id)
    with ws.store.session() as session:
        row = session.get(tables.SiteRow, site_id)
        resources = _counted(session, tables.Resource.status, site_id)
        bytes_fetched = session.scalar(select(func.coalesce(func.sum(tables.Resource.size), 0)).where(
            tables.Resource.site_id == site_id, tables.Resource.status == "fetched")) or 0
        articles, columns = _count(session, tables.ArticleRow, site_id), _count(session, tables.ColumnRow, site_id)
        no_column = _count(session, tables.ArticleRow, site_id, _NO_COLUMN)
        records = _push_counts(session, site_id)
        redirects = _counted(session, tables.UrlMapRow.status, site_id)
        spam = _distinct_events(session, site_id, tables.EventRow.code == "spam_link")
        monitor = _counted(session, tables.EventRow.code, site_id, tables.EventRow.stage == "monitor",
                           tables.EventRow.code != "monitor_summary")
    standing = column_standing(ws, site_id)  # a column holding articles with no decision is unmapped, crawl or not
    decisions = standing.decisions
    errors, errors_total = messages.current_errors(ws, site_id)  # as `messages` lists them: one superseded rule
    problems = crawl_problems(crawl_errors(ws, site_id))  # errors: its total, so the kinds add up to it
    primary = primary_target(ws, site_id)
    mine = [r for r in records if r.target == primary]
    stages: Counter[str] = Counter()
    counted = _ledger_tally(ws, site_id, primary, stages)  # each target's ledger streamed by, never held
    own = _target_figures(ws, site_id, primary, mine, counted)
    reconciliation, ledger = own.reconciliation, _ledger_counts(counted)
    push = replace(_push_figures(mine), **_article_counts(reconciliation, counted),  # one computation: the line's
                   columns=_target_columns(ws, site_id, primary))
    targets = [own if target == primary else _target_figures(ws, site_id, target, [r for r in records
                                                                                   if r.target == target], None)
               for target in site_targets(ws, site_id)] or [own]
    verification = _verification(mine)
    if "article" in verification:  # 迁移核验 shows the same article and column counts as status and push
        verification["article"] = {k: v for k, v in (("pushed", push.in_target), ("skipped", push.skipped),
                                                     ("failed", push.failed), ("unresolved", push.unresolved))
                                   if v}
    if "column" in verification or push.columns:
        verification["column"] = {"pushed": push.columns}
    return SiteFigures(
        id=site.id, name=site.name, organiser=site.organiser, disposition=site.disposition,
        home_url=site.home_url, cms=row.cms if row else None, stage=_stage(row, push, resources.get("fetched", 0)),
        target=primary, targets=targets, ledger=ledger,
        crawl=CrawlFigures(fetched=reconciliation.pages.get("fetched", 0),  # fetched HTML pages, everywhere
                           files_fetched=resources.get("fetched", 0) - reconciliation.pages.get("fetched", 0),
                           unfetchable_files=reconciliation.unfetchable_files, errors=problems.total,
                           skipped=resources.get("skipped", 0), queued=resources.get("queued", 0),
                           bytes=int(bytes_fetched), problems=problems.counts, problem_causes=problems.causes,
                           dead_pages=problems.dead_pages),
        articles=articles, columns=columns - len(standing.renamed) + (1 if no_column else 0),
        mapping=MappingFigures(migrate=decisions.get("migrate", 0), drop=decisions.get("drop", 0),
                               unmapped=decisions.get("unmapped", 0), no_column_articles=no_column),
        renamed_columns=renamed_lines(standing),
        push=push, redirects=_redirect_figures(redirects),
        verification=dict(sorted({**verification, **_suspects(ws, site_id, primary)}.items())),
        monitor=monitor, spam_links_removed=spam,
        triage=triage_figures(ws, site_id), letters=letter_figures(ws, site_id),
        reconciliation=reconciliation, messages=_message_counts(ws, site_id, stages),
        errors=errors, errors_total=errors_total,
    )


def _redirect_figures(redirects: dict[str, int]) -> dict[str, Any]:
    """URL-map rows per status and the share of legacy URLs with a decision."""
    figures = {"301": redirects.get("301", 0), "410": redirects.get("410", 0),
               "unresolved": redirects.get("unresolved", 0)}
    total = sum(figures.values())
    figures["total"] = total
    figures["coverage"] = round((figures["301"] + figures["410"]) / total, 4) if total else None
    return figures


SAID = (tables.EventRow.code, tables.EventRow.message, tables.EventRow.url)  # an event; a re-crawl says it again


# An article no breadcrumb or list placed in a column: its path is empty (JSON [] or null; compared as text, which
# every store backend can do with a JSON column).
_NO_COLUMN = or_(tables.ArticleRow.column_path.is_(None),
                 cast(tables.ArticleRow.column_path, String).in_(("[]", "null")))


def _count(session: Session, table: Any, site_id: str, *where: Any) -> int:
    """The site's rows in one of the store's tables (those matching `where`)."""
    return session.scalar(select(func.count()).select_from(table).where(table.site_id == site_id, *where)) or 0


def _distinct_events(session: Session, site_id: str, *where: Any) -> int:
    """The site's events matching `where`, each (code, message, URL) once, as `consolidate messages` lists them."""
    return session.scalar(select(func.count()).select_from(
        select(*SAID).where(tables.EventRow.site_id == site_id, *where).group_by(*SAID).subquery())) or 0


def _counted(session: Session, column: Any, site_id: str, *where: Any) -> dict[Any, int]:
    """The site's rows in the table of `column` (those matching `where`) per value of that column."""
    return dict(session.execute(select(column, func.count()).where(column.class_.site_id == site_id, *where)
                                .group_by(column)).all())


def _push_counts(session: Session, site_id: str) -> list[Any]:
    """The site's push map counted in the store: rows per target, kind, status, reason, verify status and whether
    `verify` ran after the last push (`fresh`), each with its count `n`."""
    record = tables.PushRecord
    columns = (record.target, record.kind, record.status, record.reason, record.verify_status,
               (record.verified_at >= record.pushed_at).label("fresh"))
    return session.execute(select(*columns, func.count().label("n")).where(record.site_id == site_id)
                           .group_by(*columns)).all()


def _verification(records: list[Any]) -> dict[str, dict[str, int]]:
    """Push-map statuses per kind of object, and `verify`'s verdict on the articles in the target."""
    table: dict[str, Counter[str]] = {}
    for record in records:
        table.setdefault(record.kind, Counter())[record.status] += record.n
    verdicts: Counter[str] = Counter()
    for record in records:
        if record.kind == "article" and record.status in IN_TARGET:
            verdicts[_verdict(record)] += record.n
    if verdicts:
        table["verify"] = verdicts
    return {kind: dict(sorted(counts.items())) for kind, counts in sorted(table.items())}


SUSPECT_KINDS = (("site's name", "title is the site's name"), ("future", "date in the future"),
                 ("before", "date before 1990"), ("empty body", "empty body"),
                 ("titled with a file name", "title is a file name"))


def _suspects(ws: Workspace, site_id: str, target: str | None) -> dict[str, dict[str, int]]:
    """verify's records that look wrong on their face and are still in the target, per problem:
    {'suspect': {'empty body': 3}} (nothing when there are none)."""
    with ws.store.session() as session:
        flagged = session.execute(select(tables.EventRow.url, tables.EventRow.message).where(
            tables.EventRow.site_id == site_id, tables.EventRow.stage == "verify",
            tables.EventRow.code == "suspect_record")).all()
        if not flagged:
            return {}
        urls, record = sorted({url for url, _ in flagged if url}), tables.PushRecord
        live = {url for start in range(0, len(urls), 500) for url in session.scalars(select(record.source_url).where(
            record.site_id == site_id, record.target == target, record.kind == "article",
            record.status.in_(IN_TARGET), record.source_url.in_(urls[start:start + 500])))}
    found: Counter[str] = Counter()
    for url, message in flagged:
        if url in live:
            for problem in (message or "").split("; "):
                found[next((kind for key, kind in SUSPECT_KINDS if key in problem), problem)] += 1
    return {"suspect": dict(sorted(found.items()))} if found else {}


def suspect_count(verification: dict[str, dict[str, int]]) -> int:
    """Problems verify found on records still in the target (a record may have more than one)."""
    return sum((verification.get("suspect") or {}).values())


def _verdict(record: Any) -> str:
    """ok / mismatch / missing from the last `verify`, or 'not verified' (never, or before the last push)."""
    return record.verify_status if record.verify_status is not None and record.fresh else "not verified"


def verified_on(verification: dict[str, dict[str, int]]) -> bool:
    """True when `verify` found every article in the target equal to the legacy one."""
    verdicts = verification.get("verify", {})
    return bool(verdicts) and set(verdicts) == {"ok"}


def _push_figures(records: list[Any]) -> PushFigures:
    """Article outcomes and skip reasons from the push map."""
    articles = [r for r in records if r.kind == "article"]
    reasons: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for r in articles:
        if r.status in ("skipped", "failed"):
            (reasons if r.status == "skipped" else failures)[reason_category(r.reason or "")] += r.n
    return PushFigures(
        in_target=sum(r.n for r in articles if r.status in IN_TARGET),
        skipped=sum(r.n for r in articles if r.status == "skipped"),
        failed=sum(r.n for r in articles if r.status == "failed"),
        skip_reasons=dict(sorted(reasons.items())),
        fail_reasons=dict(sorted(failures.items())),
        files=sum(r.n for r in records if r.kind == "file" and r.status in IN_TARGET),
        failed_objects=sum(r.n for r in records if r.kind != "article" and r.status == "failed"),
        columns=sum(r.n for r in records if r.kind == "column" and r.status in IN_TARGET),
    )


def _article_counts(line: ReconciliationLine, counted: Tally) -> dict[str, Any]:
    """The push figures' article counts and reasons, read from the reconciliation line and the ledger so that
    status, the overview, the push table and 数量核对 show the same numbers (跳过 never holds unresolved)."""
    reasons = {group: dict(sorted(counted.reasons.get(group, {}).items()))
               for group in ("skipped", "failed", "unresolved")}
    return {"in_target": line.pushed, "skipped": line.skipped, "failed": line.failed,
            "unresolved": line.unresolved, "held": line.held, "skip_reasons": reasons["skipped"],
            "fail_reasons": reasons["failed"], "unresolved_reasons": reasons["unresolved"]}


def _target_columns(ws: Workspace, site_id: str, target: str | None) -> int:
    """Portal columns (with their ancestors) the site's decisions migrate into that the target holds — the
    same columns a push of the site creates or confirms, whichever site's push created them first."""
    if target is None:
        return 0
    index = ws.config.portal.index()
    with ws.store.session() as session:
        wanted = set(session.scalars(select(tables.ColumnMapping.target).where(
            tables.ColumnMapping.site_id == site_id, tables.ColumnMapping.decision == "migrate")))
        held = set(session.scalars(select(tables.PushRecord.source_key).where(
            tables.PushRecord.target == target, tables.PushRecord.kind == "column",
            tables.PushRecord.status.in_(IN_TARGET))))
    keys = set()
    for column_id in wanted:
        while column_id in index:
            keys.add(column_key(index[column_id]))
            column_id = index[column_id].parent_id
    return len(keys & held)


def _target_figures(ws: Workspace, site_id: str, target: str | None, records: list[Any],
                    counted: Tally | None) -> TargetFigures:
    """One exporter target's push outcome and its reconciliation line from its ledger's tally (its article counts
    and reasons the line's: 跳过 never holds unresolved)."""
    counted = counted if counted is not None else _ledger_tally(ws, site_id, target)
    line = _line(reconcile(ws, site_id, target, counted=counted))
    return TargetFigures(target, replace(_push_figures(records), **_article_counts(line, counted)), line)


def _ledger_tally(ws: Workspace, site_id: str, target: str | None, stages: Counter[str] | None = None) -> Tally:
    """A target's ledger streamed and counted (`stages`: the messages its entries give, counted per stage)."""
    counted = Tally(letter_pages(ws, site_id), getattr(ws.config.programme, "hit_threshold", 10))
    for entry in ledger_entries(ws, site_id, target):
        counted.add(entry)
        if stages is not None and (message := messages.ledger_message(entry)) is not None:
            stages[message["stage"]] += 1
    return counted


def _line(ledger: dict[str, Any]) -> ReconciliationLine:
    """The reconciliation line: articles = migrated + skipped + failed + unresolved (from the ledger)."""
    a = ledger["articles"]
    accounted = a["migrated"] + a["skipped"] + a["failed"] + a["unresolved"]
    return ReconciliationLine(
        target=ledger["target"], crawled=a["total"], pushed=a["migrated"], skipped=a["skipped"], failed=a["failed"],
        unresolved=a["unresolved"], skipped_by=a["skipped_by"], held=a.get("held", 0),
        unaccounted=a["total"] - accounted, pages=ledger["pages"],
        unfetchable_files=(ledger.get("files") or {}).get("unfetchable", 0), notes=ledger["notes"], ok=ledger["ok"])


def ledger_counts(ws: Workspace, entries: list[Entry]) -> dict[str, Any]:
    """Legacy URLs per disposition, and the unresolved ones with enough logged hits to block sign-off."""
    return _ledger_counts(tally(entries, set(), getattr(ws.config.programme, "hit_threshold", 10)))


def _ledger_counts(counted: Tally) -> dict[str, Any]:
    """`ledger_counts` from the ledger's tally."""
    return {"urls": counted.urls, **{d: counted.dispositions.get(d, 0) for d in DISPOSITIONS},
            "hit_threshold": counted.threshold, "hot_unresolved": counted.hot, "logged_hits": counted.hits}


def message_counts(ws: Workspace, site_id: str, entries: list[Entry]) -> dict[str, int]:
    """Per-item messages of a site by stage (what `consolidate messages` lists)."""
    return messages.message_counts(ws, site_id, entries)


def _message_counts(ws: Workspace, site_id: str, stages: Counter[str]) -> dict[str, int]:
    """`message_counts`, the ledger's messages counted per stage as its entries streamed by (`stages`)."""
    found = Counter(messages.message_counts(ws, site_id, [])) + stages
    return {stage: n for stage, n in sorted(found.items()) if n}


def _stage(row: tables.SiteRow | None, push: PushFigures, fetched: int = 1) -> str:
    """The furthest stage a site has reached; never 'pushed' while nothing is in the target, never 'crawled' while
    its crawls fetched nothing ('crawl failed')."""
    if row is None or row.crawled_at is None:
        return "configured"
    if not fetched:
        return CRAWL_FAILED
    if row.pushed_at is not None and push.in_target > 0:
        return "pushed"
    if row.pushed_at is not None:
        return "mapped"
    if row.mapped_at is not None:
        return "mapped"
    return "crawled"
