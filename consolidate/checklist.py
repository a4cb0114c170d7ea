"""The shutdown checklist (关停清单): steps per disposition, their dates, recorded and derived evidence."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from consolidate.core.config import Site
from consolidate.core.errors import ConsolidateError
from consolidate.core.storage import workspace_storage
from consolidate.core.store import (
    ArticleRow,
    ChecklistStep,
    ColumnMapping,
    ColumnRow,
    PushRecord,
    Resource,
    SiteRow,
)
from consolidate.core.workdays import add_months, add_working_days
from consolidate.core.workspace import Workspace
from consolidate.crawl_figures import KIND_WORDS, url_kind
from consolidate.figures import SiteFigures, site_figures, suspect_count, verified_on
from consolidate.holds import HELD_KINDS
from consolidate.hotlinks import HOTLINKS_ACCEPTED, hotlink_blockers
from consolidate.ledger import UNDECIDED
from consolidate.mapping import unlinked_entries
from consolidate.missing_files import FILES_ACCEPTED, missing_file_blockers
from consolidate.readiness import crawl_gate, hard_conditions, pending_push, pending_pushes
from consolidate.triage import UNTRIAGED, review_blockers, review_done_on
from consolidate.wording import counted, singular_line
from crawlers.crawler import UNANSWERED_PREFIX
from crawlers.warc import archive_stored_on

CLOSING = ("migrate", "merge", "close")
ICP_WORKING_DAYS = 5
GONE_CHECK_MONTHS = 6


class ChecklistError(ConsolidateError):
    """A checklist step cannot be recorded as given (unknown step, blocked, date too early)."""

    exit_code = 2


@dataclass(frozen=True)
class StepSpec:
    """One kind of checklist step: what it needs first and where its dates come from."""

    name: str
    zh: str
    en: str
    dispositions: tuple[str, ...] = CLOSING
    requires: tuple[str, ...] = ()
    deadline: str | None = None  # a field of config.Deadlines
    derived: str | None = None  # "pushed" or "warc": completion can be read from the workspace
    wait_notice: bool = False  # earliest = prerequisite + programme.notice_period_days
    working_days: int = 0  # the step takes this many working days after its prerequisites


STEPS: tuple[StepSpec, ...] = (
    StepSpec("retention_approved", "书面保留申请获批", "written retention application approved", ("retain",),
             deadline="retention_application"),
    StepSpec("responsibility_letter_signed", "签订运营维护责任书", "operations/maintenance responsibility letter signed",
             ("retain",), requires=("retention_approved",), deadline="retention_application"),
    StepSpec("strict_monitoring", "纳入从严监测", "stricter monitoring enabled", ("retain",),
             requires=("retention_approved",)),
    StepSpec("content_migrated", "内容迁移完成并核验", "content migrated and verified", ("migrate", "merge"),
             deadline="migration", derived="pushed"),
    StepSpec("personal_data_reviewed", "发布前个人信息审查完成", "personal-data review done before publishing",
             ("migrate", "merge"), derived="triage"),
    StepSpec("shutdown_applied", "在全国政府网站信息报送系统提交永久下线申请",
             "permanent shutdown applied for in the national reporting system", requires=("content_migrated",),
             deadline="shutdown_application"),
    StepSpec("shutdown_approved", "下线申请经县、市、省级审核通过（各级批复号记入备注）",
             "shutdown approved at county, city and province level (approval refs in the note)",
             requires=("shutdown_applied",)),
    StepSpec("notice_posted", "旧站首页发布关停公示", "shutdown notice (关停公示) posted on the old homepage",
             requires=("shutdown_applied",), deadline="notice_start"),
    StepSpec("notice_period_served", "公示期满", "notice period served", requires=("notice_posted",),
             wait_notice=True),
    StepSpec("delta_sync", "切换前增量同步", "delta sync before cutover", ("migrate", "merge"),
             requires=("content_migrated", "notice_period_served")),
    StepSpec("redirects_live", "旧网址301/410跳转上线", "redirects (301/410) live",
             requires=("delta_sync", "notice_period_served", "shutdown_approved", "archive_stored")),
    StepSpec("icp_cancelled", "注销ICP备案（约5个工作日）", "ICP filing cancelled (~5 working days)",
             requires=("notice_period_served", "shutdown_approved"), deadline="identifiers_cancelled",
             working_days=ICP_WORKING_DAYS),
    StepSpec("psb_cancelled", "注销公安机关网站备案", "public-security filing (公安备案) cancelled",
             requires=("notice_period_served", "shutdown_approved"), deadline="identifiers_cancelled"),
    StepSpec("badge_cancelled", "注销党政机关网站标识", "party/government site badge cancelled",
             requires=("notice_period_served", "shutdown_approved"), deadline="identifiers_cancelled"),
    StepSpec("domain_released", "域名注销或保留作跳转", "domain released or kept as a redirect",
             requires=("redirects_live",), deadline="identifiers_cancelled"),
    StepSpec("archive_stored", "旧站归档（WARC）已保存", "archive (WARC) stored", deadline="migration",
             derived="warc"),
    StepSpec("gone_checked", "六个月后复查旧站确已关停", "six-month check that the old site is really gone",
             requires=("redirects_live",)),
)
SPECS = {spec.name: spec for spec in STEPS}


# --- one site -----------------------------------------------------------------------------------------------

def steps_for(disposition: str) -> list[StepSpec]:
    """The steps that apply to a disposition, in checklist order."""
    return [spec for spec in STEPS if disposition in spec.dispositions]


def step_names(disposition: str) -> list[str]:
    """Valid step names for a disposition."""
    return [spec.name for spec in steps_for(disposition)]


def programme_holidays(ws: Workspace) -> list[dt.date]:
    """Public holidays from the config when it lists them (programme.holidays), else none."""
    return list(getattr(ws.config.programme, "holidays", None) or [])


def deadline_for(ws: Workspace, site: Site, field: str | None) -> dt.date | None:
    """The site's own deadline for a field, else the programme's."""
    if field is None:
        return None
    return getattr(site.deadlines, field) or getattr(ws.config.programme.deadlines, field)


def recorded_steps(ws: Workspace, site_id: str) -> dict[str, ChecklistStep]:
    """Evidence recorded so far for a site, by step name."""
    with ws.store.session() as session:
        rows = session.scalars(select(ChecklistStep).where(ChecklistStep.site_id == site_id)).all()
    return {row.step: row for row in rows}


def derived_steps(ws: Workspace, site_id: str, figures: SiteFigures | None = None) -> dict[str, dt.date]:
    """Completion read from the workspace: push reconciled and `verify` clean → content migrated and verified;
    WARC files → archive stored."""
    derived: dict[str, dt.date] = {}
    if figures is None:
        figures = site_figures(ws, site_id)
    verified = verified_on(figures.verification)
    if figures.stage == "pushed" and figures.reconciliation.ok and figures.articles > 0 and verified \
            and not content_blockers(ws, site_id, figures):
        with ws.store.session() as session:
            last = session.scalar(select(func.max(PushRecord.verified_at)).where(
                PushRecord.site_id == site_id, PushRecord.kind == "article", PushRecord.target == figures.target))
        if last is not None:
            derived["content_migrated"] = last.date()
    reviewed = review_done_on(ws, site_id)
    if reviewed is not None:
        derived["personal_data_reviewed"] = reviewed
    stored = archive_stored_on(workspace_storage(ws.config, ws.dir), ws.dir / "warc", site_id)  # S3: upload time
    if stored is not None:
        derived["archive_stored"] = stored
    return derived


def crawl_left(ws: Workspace, site_id: str) -> dict[str, int]:
    """URLs the site's crawl has yet to fetch, per kind (article, list, page, image, file), most first: still
    queued, or claimed by a crawl that stopped before it fetched them."""
    with ws.store.session() as session:
        rows = session.execute(select(Resource.kind, func.count()).where(
            Resource.site_id == site_id, Resource.status.in_(("queued", "fetching"))).group_by(Resource.kind)).all()
    left: Counter[str] = Counter()
    for kind, n in rows:
        left[url_kind(kind)] += n
    return dict(left.most_common())


def crawl_blockers(ws: Workspace, site_id: str) -> list[str]:
    """Why the crawl is not complete: URLs it left queued (its page budget spent, or stopped), with the command
    that continues it; empty once the frontier is drained."""
    left = crawl_left(ws, site_id)
    if not left:
        return []
    kinds = ", ".join(f"{n} {KIND_WORDS[kind][0 if n == 1 else 1]}" for kind, n in left.items())
    total = sum(left.values())
    unanswered = crawl_unanswered(ws, site_id)
    why = (f"{unanswered} of them got no answer from the legacy server (it stopped answering): run `consolidate "
           f"crawl {site_id}` again when it answers" if unanswered else
           f"the last crawl stopped at its page budget or was interrupted: continue it with `consolidate crawl "
           f"{site_id}`")
    return [f"crawl not finished: {total} URL{'s' if total != 1 else ''} still queued ({kinds}); {why}"]


def crawl_unanswered(ws: Workspace, site_id: str) -> int:
    """Queued URLs of the site whose last request got no answer (queued again for the next crawl)."""
    with ws.store.session() as session:
        return session.scalar(select(func.count()).select_from(Resource).where(
            Resource.site_id == site_id, Resource.status == "queued", Resource.http_status.is_(None),
            Resource.error.like(f"{UNANSWERED_PREFIX}%"))) or 0


def content_blockers(ws: Workspace, site_id: str, figures: SiteFigures | None = None) -> list[str]:
    """Why a crawled site's content is not migrated and verified yet, as counts an office can act on (empty when
    it is, and for a site the tool has not crawled: the office's recorded evidence is all there is — unless a first
    crawl was stopped before its end, which leaves URLs queued)."""
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        if row is None or row.crawled_at is None:  # a first crawl stopped before its end leaves a queue
            return crawl_blockers(ws, site_id)
    paths, decisions, columns = _column_facts(ws, site_id)
    decided = set(decisions)
    by_column = unlinked_entries(ws, site_id, columns)
    unlinked = {path: n for path, n in by_column.items() if path not in paths | decided}
    if figures is None:
        figures = site_figures(ws, site_id)
    line, ledger = figures.reconciliation, figures.ledger
    verdicts = figures.verification.get("verify", {})
    held = line.get("held", 0)
    unresolved = line.get("unresolved", 0)
    found = [
        (len(paths - decided), "article-holding columns undecided"),
        (len(unlinked), f"columns undecided whose lists show only entries that link nowhere "
                        f"({counted(sum(unlinked.values()), 'entry', 'entries')}, text never fetched): ask the department for the originals, then decide them in "
                        f"`consolidate map {site_id}`"),
        (held, f"articles held for review ({_held_kinds(figures.push.unresolved_reasons, held)}): each is a "
               f"held_for_review line of `consolidate messages {site_id} --stage push`; re-crawl it once its page "
               f"is fixed, or decide its URL (301 or 410) in `consolidate redirects {site_id} -f csv -o F.csv` and "
               f"`consolidate redirects {site_id} --import F.csv`"),
        (unresolved if unresolved > held else 0,
         f"articles unresolved{_reasons(figures.push.unresolved_reasons, held)}: each one's reason is in "
         f"`consolidate urls list {site_id} --disposition unresolved`{_fixes(figures.push.unresolved_reasons, site_id)}"),
        (suspect_count(figures.verification), "problems verify found on published records (see `consolidate "
                                              "messages --stage verify`; a picture page titled with a file name "
                                              "that an earlier push published stays on the portal, held but "
                                              "published: retitle it there or decide its URL)"),
        (line.get("failed", 0), "articles failed"),
        (figures.push.failed_objects, "files or columns failed to push"),
        (ledger.get("hot_unresolved", 0), f"legacy URLs with ≥ {ledger.get('hit_threshold')} logged hits unresolved"),
    ]
    blockers = crawl_blockers(ws, site_id) + [f"{n} {what}" for n, what in found if n]
    blockers += push_behind(ws, site_id, figures.target)
    blockers += unlinked_blockers(ws, site_id, by_column, unlinked, decisions)
    blockers += hotlink_blockers(ws, site_id, recorded_steps(ws, site_id).get(HOTLINKS_ACCEPTED))
    blockers += missing_file_blockers(ws, site_id, recorded_steps(ws, site_id).get(FILES_ACCEPTED))
    if not paths:
        blockers.append("no articles extracted")
    if figures.push.in_target == 0:
        blockers.append("nothing pushed")
    elif not verified_on(figures.verification):
        unclean = sum(n for verdict, n in verdicts.items() if verdict != "ok")
        blockers.append(f"{unclean} pushed articles not verified clean since the last push"
                        if verdicts else "verify not run")
    if not line.get("ok", True):
        blockers.append("reconciliation does not add up: " + "; ".join(line.get("notes") or []))
    return [singular_line(b) for b in blockers]


def push_behind(ws: Workspace, site_id: str, target: str | None) -> list[str]:
    """The portal still shows the legacy site as it was: pushed articles a later crawl found changed, or gone ones
    still published, with the push that brings it up to date (empty when it is)."""
    pending = pending_push(ws, site_id, target) if target else None
    if not pending:
        return []
    return [f"portal not up to date with the last crawl: {pending.text(site_id, ws.config.export.exporter)}"]


# What an office runs for each reason an article is unresolved (the push's reason codes).
REASON_FIXES = {
    "not pushed to this target yet": "`consolidate push {site}`",
    UNDECIDED: "`consolidate map {site}`",
    UNTRIAGED: "`consolidate triage {site} --export triage-{site}.xlsx`, decide, then "
               "`consolidate triage --import triage-{site}.xlsx`",
}


def _fixes(counts: dict[str, int] | None, site_id: str) -> str:
    """' (not pushed to this target yet: `consolidate push fgw`)': the command for each reason that has articles,
    '' when none of them has a known command."""
    fixes = [f"{reason}: {REASON_FIXES[reason].format(site=site_id)}"
             for reason, n in sorted((counts or {}).items(), key=lambda item: (-item[1], item[0]))
             if n and reason in REASON_FIXES]
    return f" ({'; '.join(fixes)})" if fixes else ""


UNLINKED_ACCEPTED = "unlinked_entries_accepted"  # the office's acknowledgement, kept beside the steps' evidence


def listed_nowhere(ws: Workspace, site_id: str) -> int:
    """Every entry the site's pages show whose link goes nowhere: the list pages' (the crawl's count, list page by
    list page) and those of other pages (the home page's), each page's body once (`/` and `/index.html` are one
    page)."""
    return sum(nowhere_pages(ws, site_id).values())


def nowhere_pages(ws: Workspace, site_id: str) -> dict[str, int]:
    """Page kind (list, home …) → entries that link nowhere on the site's pages of that kind, a page served at
    two addresses (the same body) counted once."""
    seen: dict[str, tuple[str, int]] = {}
    with ws.store.session() as session:
        for kind, url, digest, hint in session.execute(select(Resource.kind, Resource.url, Resource.sha256,
                                                              Resource.hint).where(
                Resource.site_id == site_id, Resource.kind.in_(("list", "page", "home", "other")))):
            n = int((hint or {}).get("unlinked") or 0)
            if n:
                seen.setdefault(digest or url, (kind, n))
    found: Counter[str] = Counter()
    for kind, n in seen.values():
        found[kind] += n
    return dict(found)


def accepted_unlinked(ws: Workspace, site_id: str) -> tuple[int, ChecklistStep] | None:
    """How many entries that link nowhere the office acknowledged, and its evidence row; None when it has not."""
    row = recorded_steps(ws, site_id).get(UNLINKED_ACCEPTED)
    return None if row is None else (row.acknowledged(), row)


def unlinked_outside(ws: Workspace, site_id: str, by_column: Counter[str], undecided: dict[str, int],
                     decisions: dict[str, str]) -> tuple[int, list[tuple[str, int]]]:
    """Entries that link nowhere outside dropped columns and the undecided columns that show nothing else (those
    have their own line): how many, and per column path, most first (entries of a list page no column holds are
    in the count only)."""
    outside = [(path, n) for path, n in by_column.most_common() if path not in undecided
               and decisions.get(path) != "drop"]
    left_out = sum(n for path, n in by_column.items() if path in undecided or decisions.get(path) == "drop")
    return listed_nowhere(ws, site_id) - left_out, outside


def unlinked_split(ws: Workspace, site_id: str) -> dict[str, int]:
    """The entries that link nowhere on every page of the site (a page at two addresses once), split as the
    checklist judges them: all = counted (content_migrated's line) + dropped (in columns the office dropped) +
    undecided (in undecided columns whose lists show nothing else: a line of their own)."""
    paths, decisions, columns = _column_facts(ws, site_id)
    by_column = unlinked_entries(ws, site_id, columns)
    undecided = {path: n for path, n in by_column.items() if path not in paths | set(decisions)}
    return {"all": listed_nowhere(ws, site_id),
            "counted": unlinked_outside(ws, site_id, by_column, undecided, decisions)[0],
            "dropped": sum(n for path, n in by_column.items() if decisions.get(path) == "drop"),
            "undecided": sum(undecided.values())}


def unlinked_blockers(ws: Workspace, site_id: str, by_column: Counter[str], undecided: dict[str, int],
                      decisions: dict[str, str]) -> list[str]:
    """Entries shown on the legacy lists whose text the crawl could not fetch (a link to nowhere), outside dropped
    columns and the undecided columns named above: content the tool cannot migrate, named until the office
    acknowledges them (`checklist --accept-unlinked`)."""
    count, shown = unlinked_outside(ws, site_id, by_column, undecided, decisions)
    accepted = accepted_unlinked(ws, site_id)
    if count <= 0 or (accepted is not None and accepted[0] >= count):
        return []
    columns = [f"{path.split(' > ')[-1]} {n}" for path, n in shown[:5]]
    placed = sum(n for _, n in shown)
    more = placed - sum(n for _, n in shown[:5])
    homeless = count - placed  # on pages no column holds: the home page, a list page of no known column
    off_lists = min(homeless, sum(n for kind, n in nowhere_pages(ws, site_id).items() if kind != "list"))
    parts = columns + ([f"{more} more in other columns"] if more else []) + \
        ([f"{homeless - off_lists} on list pages of no column"] if homeless > off_lists else []) + \
        ([f"{off_lists} on the home page or other pages that are not lists"] if off_lists else [])
    where = f" ({', '.join(parts)})" if parts else ""
    before = f"; {accepted[0]} acknowledged on {accepted[1].done_on}, more found since" if accepted else ""
    return [f"{count} list entries link nowhere{where}: their text was never fetched, so it is not migrated{before}. "
            f"`consolidate messages {site_id} --stage crawl` names them by page (items_without_address); ask "
            f"the department for the originals and publish them on the portal by hand, then acknowledge them with "
            f"`consolidate checklist {site_id} --accept-unlinked --ref EVIDENCE`"]


def _column_facts(ws: Workspace, site_id: str) -> tuple[set[str], dict[str, str], list[ColumnRow]]:
    """The column paths holding articles, the columns' decisions (migrate or drop) and the site's column rows."""
    with ws.store.session() as session:
        paths = {" > ".join(p or []) for p in session.scalars(select(ArticleRow.column_path).where(
            ArticleRow.site_id == site_id).execution_options(yield_per=1000))}  # streamed, not all held
        decisions = dict(session.execute(select(ColumnMapping.column_path, ColumnMapping.decision).where(
            ColumnMapping.site_id == site_id, ColumnMapping.decision != "unmapped")).all())
        columns = list(session.scalars(select(ColumnRow).where(ColumnRow.site_id == site_id)).all())
    return paths, decisions, columns


def accept_unlinked(ws: Workspace, site_id: str, done_on: dt.date, ref: str) -> int:
    """Record the office's acknowledgement of the entries that link nowhere counted now (how many: returned); a
    later crawl that finds more names them again."""
    site = ws.site(site_id)
    if done_on > dt.date.today():
        raise ChecklistError(f"{site.id}: {done_on.isoformat()} is in the future", hint="give the date of the decision")
    paths, decisions, columns = _column_facts(ws, site.id)
    by_column = unlinked_entries(ws, site.id, columns)
    undecided = {path: n for path, n in by_column.items() if path not in paths | set(decisions)}
    count = unlinked_outside(ws, site.id, by_column, undecided, decisions)[0]
    if count <= 0:
        raise ChecklistError(f"{site.id}: no list entry of a migrated or undecided column links nowhere; nothing to "
                             "acknowledge",
                             hint=f"see `consolidate checklist {site.id}`")
    _save_step(ws, site, UNLINKED_ACCEPTED, done_on, f"{count} entries: {ref}")
    return count


# The office's acknowledgements of what is not migrated (checklist --accept-…), with the kind the report names
ACKNOWLEDGEMENTS = ((UNLINKED_ACCEPTED, "unlinked_entries"), (FILES_ACCEPTED, "missing_attachments"),
                    (HOTLINKS_ACCEPTED, "legacy_hotlinks"))


def acknowledged_losses(ws: Workspace, site_id: str,
                        recorded: dict[str, ChecklistStep] | None = None) -> list[dict[str, Any]]:
    """What the office acknowledged as not migrated, each kind with how many, when and its evidence (--ref): list
    entries that link nowhere, attachments not carried, pages still taking files from a legacy server."""
    recorded = recorded_steps(ws, site_id) if recorded is None else recorded
    return [{"kind": kind, "count": row.acknowledged(), "done_on": _iso(row.done_on), "ref": _evidence(row.ref)}
            for step, kind in ACKNOWLEDGEMENTS if (row := recorded.get(step)) is not None]


def _evidence(ref: str | None) -> str:
    """The office's --ref of an acknowledgement, without the count stored before it ('52 attachments: REF')."""
    head, _, rest = (ref or "").partition(": ")
    return rest if rest and head.split(" ", 1)[0].isdigit() else ref or ""


HELD_LISTED = (*HELD_KINDS, "undated")  # push's holds: the face holds and an undated article's


def _held_kinds(counts: dict[str, int] | None, held: int) -> str:
    """'4 undated; 2 same body, other title': the kinds of hold among the unresolved reasons, commonest first,
    adding up to `held` (the rest, if any, said as other)."""
    kinds = sorted(((kind, n) for kind, n in (counts or {}).items() if kind in HELD_LISTED), key=lambda i: (-i[1], i[0]))
    rest = held - sum(n for _kind, n in kinds)
    return "; ".join([f"{n} {kind}" for kind, n in kinds] + ([f"{rest} other"] if rest > 0 else [])) \
        or "see the messages"


def _reasons(counts: dict[str, int] | None, held: int = 0) -> str:
    """' (57 column not mapped, 93 not pushed to this target yet)': the ledger's reasons, commonest first, adding up
    to the count; those held for review are named as the held line's."""
    shown = sorted((counts or {}).items(), key=lambda item: (-item[1], item[0]))
    listed = ", ".join(f"{n} {reason}" for reason, n in shown)
    note = f"; {held} of them held for review, as the line above says" if held else ""
    return f" ({listed}{note})" if shown else ""


class _SitePlan:
    """Works out every step's state for one site from config deadlines and recorded/derived evidence."""

    def __init__(self, ws: Workspace, site: Site, as_of: dt.date, figures: SiteFigures | None) -> None:
        self.ws, self.site, self.as_of = ws, site, as_of
        self.specs = {spec.name: spec for spec in steps_for(site.disposition)}
        self.recorded = recorded_steps(ws, site.id)
        if figures is None:
            figures = site_figures(ws, site.id)
        derived = derived_steps(ws, site.id, figures)
        self.derived = {k: v for k, v in derived.items() if k in self.specs}
        self.conditions = {"content_migrated": content_blockers(ws, site.id, figures)} \
            if "content_migrated" in self.specs else {}
        if "personal_data_reviewed" in self.specs:
            self.conditions["personal_data_reviewed"] = [singular_line(_triage_hint(c, site.id))
                                                         for c in review_blockers(ws, site.id)]
        if "archive_stored" in self.specs:  # an archive of part of the site is not the site's archive
            self.conditions["archive_stored"] = crawl_blockers(ws, site.id)
        for step, lines in crawl_gate(ws, site.id, set(self.recorded)).items():  # nothing fetched: nothing done
            if step in self.specs:
                self.conditions[step] = lines + self.conditions.get(step, [])
        self.holidays = programme_holidays(ws)
        self.notice_days = ws.config.programme.notice_period_days

    def requires(self, spec: StepSpec) -> list[str]:
        """Prerequisites that apply to this site's disposition."""
        return [name for name in spec.requires if name in self.specs]

    def done_on(self, name: str) -> dt.date | None:
        """When a step was done: recorded evidence first, else derived; never while the workspace shows the step
        is not done (e.g. articles still unresolved)."""
        if self.conditions.get(name):
            return None
        row = self.recorded.get(name)
        if row is not None and row.done_on is not None:
            return row.done_on
        return self.derived.get(name)

    def earliest(self, spec: StepSpec) -> dt.date | None:
        """The earliest date the step can be done, when its prerequisites are done."""
        dates = [self.done_on(name) for name in self.requires(spec)]
        if not dates or any(d is None for d in dates):
            return None
        base = max(d for d in dates if d is not None)
        if spec.wait_notice:
            base += dt.timedelta(days=self.notice_days)
        if spec.working_days:
            base = add_working_days(base, spec.working_days, self.holidays)
        return base

    def due(self, spec: StepSpec) -> dt.date | None:
        """The deadline: configured, or following from another step's date."""
        if spec.name == "notice_period_served":
            start = self.done_on("notice_posted") or deadline_for(self.ws, self.site, "notice_start")
            return start + dt.timedelta(days=self.notice_days) if start else None
        if spec.name == "gone_checked":
            applied = self.done_on("shutdown_applied")
            return add_months(applied, GONE_CHECK_MONTHS) if applied else None
        return deadline_for(self.ws, self.site, spec.deadline)

    def state(self, spec: StepSpec) -> dict[str, Any]:
        """Everything the checklist shows for one step."""
        row = self.recorded.get(spec.name)
        done = self.done_on(spec.name)
        source = None if done is None else "recorded" if row is not None and row.done_on is not None else (
            "derived" if spec.name in self.derived else None)
        blockers = [name for name in self.requires(spec) if self.done_on(name) is None] + \
            self.conditions.get(spec.name, [])
        earliest, due = self.earliest(spec), self.due(spec)
        start_by = add_working_days(due, -spec.working_days, self.holidays) if due and spec.working_days else None
        if done is not None:
            status = "done"
        elif blockers:
            status = "blocked"
        elif earliest is not None and earliest > self.as_of:
            status = "waiting"
        else:
            status = "open"
        return {
            "step": spec.name, "label_zh": spec.zh, "label_en": spec.en, "requires": self.requires(spec),
            "status": status, "source": source, "done_on": _iso(done), "ref": row.ref if row else None,
            "derived_on": _iso(self.derived.get(spec.name)), "earliest": _iso(earliest), "due": _iso(due),
            "start_by": _iso(start_by), "blocked_by": blockers, "conditions": self.conditions.get(spec.name, []),
            "overdue": done is None and due is not None and due < self.as_of,
            "late": done is not None and due is not None and done > due,
            "at_risk": done is None and due is not None and earliest is not None and earliest > due,
        }


def site_checklist(ws: Workspace, site_id: str, as_of: dt.date | None = None,
                   figures: SiteFigures | None = None) -> dict[str, Any]:
    """Every step of one site with its dates and state, and the site's next step."""
    site = ws.site(site_id)
    as_of = as_of or dt.date.today()
    plan = _SitePlan(ws, site, as_of, figures)
    steps = [plan.state(spec) for spec in plan.specs.values()]
    pending = [s for s in steps if s["status"] != "done"]
    actionable = [s for s in pending if s["status"] in ("open", "waiting")]
    next_step = actionable[0] if actionable else (pending[0] if pending else None)
    done = sum(1 for s in steps if s["status"] == "done")
    return {
        "site": site.id, "name": site.name, "disposition": site.disposition, "as_of": as_of.isoformat(),
        "steps": steps, "done": done, "total": len(steps), "complete": not pending,
        "next_step": next_step["step"] if next_step else None,
        "next_due": next_step["due"] if next_step else None,
        "behind": any(s["overdue"] for s in steps),
        "overdue_steps": [s["step"] for s in steps if s["overdue"]],
        "blockers": next_step["blocked_by"] if next_step else [],  # what keeps the next step from being done
        "at_risk_steps": [s["step"] for s in steps if s["at_risk"]],
        "acknowledged": acknowledged_losses(ws, site.id, plan.recorded),  # losses the office signed for
        "pending_push": [{**p.as_dict(), "text": p.text(site.id, ws.config.export.exporter)}  # targets behind
                         for p in pending_pushes(ws, site.id)],  # the last crawl, with the push that catches up
    }


def record_step(ws: Workspace, site_id: str, step: str, done_on: dt.date, ref: str | None = None) -> dict[str, Any]:
    """Record evidence that a step is done; refuse unknown steps, blocked steps and impossible dates."""
    site = ws.site(site_id)
    valid = step_names(site.disposition)
    if step not in valid:
        close = difflib.get_close_matches(step, valid, n=1, cutoff=0.6)
        raise ChecklistError(f"no checklist step {step!r} for {site.id} (disposition {site.disposition})"
                             + (f": did you mean {close[0]}?" if close else ""),
                             hint=f"--done {close[0]}" if close else f"valid steps: {', '.join(valid)}")
    if done_on > dt.date.today():
        raise ChecklistError(f"{site.id}: {done_on.isoformat()} is in the future; evidence is recorded once a step "
                             "is done", hint="record the date the step was actually done")
    plan = _SitePlan(ws, site, done_on, None)
    state = plan.state(SPECS[step])
    if hard_conditions(state["conditions"]):
        raise ChecklistError(f"{site.id}: step {step!r} is not done:" + _listed(state["conditions"]),
                             hint="do what each line says, then check again with `consolidate checklist "
                                  f"{site.id}`; the step is then done by itself")
    if hard_conditions(state["blocked_by"]):
        raise ChecklistError(f"{site.id}: step {step!r} is blocked by {', '.join(state['blocked_by'])}",
                             hint=_unblock_hint(plan, site.id, state["blocked_by"][0]))
    earliest = plan.earliest(SPECS[step])
    if earliest is not None and done_on < earliest:
        raise ChecklistError(f"{site.id}: step {step!r} cannot be done before {earliest.isoformat()} "
                             f"(after {', '.join(plan.requires(SPECS[step]))})",
                             hint="check the date, or correct the prerequisite's date")
    _save_step(ws, site, step, done_on, ref)
    return site_checklist(ws, site_id, as_of=max(done_on, dt.date.today()))


def _triage_hint(condition: str, site_id: str) -> str:
    """Undecided personal-data findings with the commands that decide them."""
    if not condition.endswith(("personal-data findings undecided", "personal-data finding undecided")):
        return condition
    return f"{condition}: {REASON_FIXES[UNTRIAGED].format(site=site_id)}"


def _listed(conditions: list[str]) -> str:
    """Conditions one a line, each as a dash item."""
    return "".join(f"\n  - {condition}" for condition in conditions)


def _unblock_hint(plan: _SitePlan, site_id: str, blocker: str) -> str:
    """What unblocks a step: the first step it waits on whose own prerequisites are done — its open conditions
    (with their commands) when the workspace shows it is not done, else how to record it."""
    seen = {blocker}
    while True:
        waiting = [name for name in plan.requires(SPECS[blocker]) if plan.done_on(name) is None]
        if not waiting or waiting[0] in seen:
            break
        blocker = waiting[0]
        seen.add(blocker)
    conditions = plan.conditions.get(blocker)
    if conditions:
        return f"{blocker} is not done yet; it is done once these are fixed:" + _listed(conditions)
    return (f"record {blocker} first: consolidate checklist {site_id} --done {blocker} --date YYYY-MM-DD "
            f"--ref EVIDENCE")


def _save_step(ws: Workspace, site: Site, step: str, done_on: dt.date, ref: str | None) -> None:
    """Write the evidence row through ChecklistStep.record, creating the site row first when nothing has crawled
    the site yet (the office's evidence may come before any crawl)."""
    with ws.store.session() as session:
        if session.get(SiteRow, site.id) is None:
            session.add(SiteRow(id=site.id, name=site.name, home_url=site.home_url, disposition=site.disposition,
                                facts={}))
            session.flush()
        ChecklistStep.record(session, site.id, step, done_on, ref)


# --- the fleet ----------------------------------------------------------------------------------------------

def retention_check(ws: Workspace) -> dict[str, Any]:
    """Retained sites against the cap: retained ≤ retention_cap × sites in scope — every configured site (the cap
    is the programme's, whichever sites a command names)."""
    sites = ws.config.sites
    in_scope = len(sites)
    retained = [s.id for s in sites if s.disposition == "retain"]
    cap = ws.config.programme.retention_cap
    allowed = math.floor(cap * in_scope + 1e-9)
    ratio = len(retained) / in_scope if in_scope else 0.0
    violation = len(retained) > allowed
    message = (f"{len(retained)} retained sites exceed the cap of {cap:.0%} × {in_scope} sites in scope "
               f"(at most {allowed})") if violation else None
    return {"retained": len(retained), "retained_sites": retained, "in_scope": in_scope, "cap": cap,
            "allowed": allowed, "ratio": round(ratio, 4), "violation": violation, "message": message}


def fleet_checklist(ws: Workspace, site_ids: list[str] | None = None, as_of: dt.date | None = None,
                    figures_for: Callable[[str], SiteFigures] | None = None) -> dict[str, Any]:
    """Every site's checklist, the sites behind schedule and the retention-cap check."""
    as_of = as_of or dt.date.today()
    sites = [site_checklist(ws, s.id, as_of, figures_for(s.id) if figures_for else None)
             for s in ws.sites(site_ids)]
    return {"as_of": as_of.isoformat(), "sites": sites,
            "behind_schedule": [s["site"] for s in sites if s["behind"]],
            "retention": retention_check(ws)}


def parse_date(text: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD date, or a clear error."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ChecklistError(f"{what} {text!r} is not a date", hint="write dates as YYYY-MM-DD") from None


def _iso(day: dt.date | None) -> str | None:
    """A date as YYYY-MM-DD, or None."""
    return day.isoformat() if day else None
