"""The push stage: columns, files and articles into an exporter target, recorded in the push map."""

from __future__ import annotations

import errno
import hashlib
import logging
import mimetypes
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import delete, insert, or_, select

from consolidate import interaction as letters
from consolidate import letters_push
from consolidate.core.blobs import BlobStore
from consolidate.core.config import ColumnPlace, Config, Site
from consolidate.core.errors import ConsolidateError, UsageError
from consolidate.core.outcomes import (
    IN_TARGET,
    OFFICE_NOTE,
    SYSTEM_DECIDERS,
    article_key,
    column_key,
    reason_category,
)
from consolidate.core.storage import mirror_output, workspace_storage
from consolidate.core.store import (
    ArticleRow,
    ColumnMapping,
    ColumnRow,
    EventRow,
    PushRecord,
    Resource,
    SiteRow,
    UrlMapRow,
    url_hash,
    utcnow,
)
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.holds import FILE_TITLE, SAME_BODY, hold_reason, is_held, published_hold_reason
from consolidate.hotlinks import HOTLINK_CODES, LEGACY_HOTLINK, hotlink_messages, legacy_hosts
from consolidate.leases import SiteLease
from consolidate.ledger import MIGRATED_ORIGINAL, MapRow, skip_disposition  # the ledger's skip rule, shared
from consolidate.mapping import automatic_decisions, duplicate_links, map_site, routing_for
from consolidate.missing_files import MISSING_CODE
from consolidate.pagers import first_pages, part_articles
from consolidate.redirects import public_outcome
from consolidate.renames import COLUMN_UNDECIDED, followed, site_former_names
from consolidate.triage import UNTRIAGED, PushGate, push_gate
from crawlers.encoding import decode_html
from crawlers.extract import sanitize
from crawlers.incremental import vanished_articles
from crawlers.urls import FILE_KINDS, Scope, canonical_url, media_kind, resource_kind
from crawlers.warc import latest_ok, mirror_site_archives, read_response
from exporters.base import (
    ExportArticle,
    ExportColumn,
    ExportContext,
    Exporter,
    ExportFile,
    TargetRef,
    create_exporter,
)
from exporters.common import document_name
from mappers.routing import route

log = logging.getLogger(__name__)


TARGET_FULL = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EROFS))  # a file copy failing so fails every
# later one: the push stops (with what it put finished) instead of recording each file as failed


@dataclass
class PushSummary:
    """What a push did, per outcome."""

    site_id: str
    target: str = ""
    pushed: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # every article not sent, by reason code
    unresolved: Counter[str] = field(default_factory=Counter)  # those of them the ledger counts unresolved
    judged: Counter[tuple[str, str]] = field(default_factory=Counter)  # every article not sent as the ledger counts
    # it on this target: (skipped | unresolved, its reason code there: an article the office gave a 301 or 410 is
    # 'office', whatever push's hold said)
    failed: int = 0
    files: int = 0
    columns: int = 0
    unresolved_links: int = 0
    media_not_migrated: int = 0  # video and audio taken out of bodies (the crawl does not fetch them)
    legacy_hotlinks: int = 0  # images and files bodies still take from a legacy server (consolidate/hotlinks.py)
    external_hotlinks: int = 0  # those taken from a server outside the programme
    removed: int = 0
    held: Counter[str] = field(default_factory=Counter)  # pushed articles left on the portal as they are, by why
    # (an article whose column nobody decided any more: renamed, or its decision undone) — never removed for it
    dry_run: bool = False
    automatic_columns: int = 0  # column decisions made automatically that it followed, the office having signed none
    letters: dict[str, Any] = field(default_factory=dict)  # interaction records (consolidate/letters_push.py)

    def outcomes(self) -> dict[str, dict[str, int]]:
        """The articles not sent, per reason code, as the ledger, status and the report split them: {'skipped':
        decided (a dropped column, a duplicate whose original is migrated, a URL the office decided…),
        'unresolved': waiting on a decision, a triage, a look, or (a duplicate) on its original}."""
        found: dict[str, dict[str, int]] = {"skipped": {}, "unresolved": {}}
        for (group, category), n in sorted(self.judged.items()):
            if group in found:
                found[group][category] = n
        return found

    def failed_reasons(self) -> dict[str, int]:
        """The articles not sent that need fixing, per reason code, as status counts them failed (no title, a
        target column not in the portal tree), and those the target did not take ('push error')."""
        found = {category: n for (group, category), n in sorted(self.judged.items()) if group == "failed"}
        return {**found, PUSH_ERROR: self.failed} if self.failed else found

    def failed_total(self) -> int:
        """Every article status counts failed after this push: not sendable as it is, or not taken."""
        return sum(self.failed_reasons().values())


@dataclass
class _Job:
    """One article on its way to the target."""

    article: ArticleRow
    key: str
    target: str
    body: str = ""
    push_hash: str = ""
    deferred: list[str] = field(default_factory=list)
    existing: TargetRef | None = None
    second_pass: bool = False


def portal_index(config: Config) -> dict[str, ColumnPlace]:
    """Every portal and sub-site column by id, with its place in the tree (Portal.index)."""
    return config.portal.index()


def open_exporter(ws: Workspace, name: str | None = None, options: dict[str, Any] | None = None,
                  start: bool = True) -> Exporter:
    """The configured exporter (or the one named), started: its target is open (folders, locks, credentials
    checked) for push, verify and rollback; the caller closes it. A dry run asks `start=False`: nothing is
    created, locked or contacted (its plan needs only the exporter's target name, capabilities and planned URLs)."""
    context = ExportContext(workspace=ws.dir, portal=ws.config.portal, programme_name=ws.config.programme.name)
    chosen = name or ws.config.export.exporter
    opts = options if options is not None else (ws.config.export.options if chosen == ws.config.export.exporter
                                                 else {})
    exporter = create_exporter(chosen, opts, context)
    if start:
        exporter.start()
    return exporter


def planned_targets(ws: Workspace, site_id: str, exporter: Exporter, allow_untriaged: bool = False,
                    gate: PushGate | None = None) -> dict[str, str]:
    """Legacy article URL → the portal column id a push sends it to: push's own plan (column decision, routing
    rules, holds judged on the body as published, with the site's files), read as a dry run. Verify and rollback
    ask it of articles already sent, so they pass `allow_untriaged`: undecided personal data moves no article.
    A caller holding the site's dry-run gate passes it (`gate`): a site crawled since its triage is not scanned
    again."""
    push = _Push(ws, ws.site(site_id), exporter, update=False, dry_run=True, limit=None, only=None,
                 allow_untriaged=allow_untriaged, gate=gate)
    decisions, _columns = push.read_site()
    return {article.url: target for article, target, _reason in push._planned(push._site_articles(), decisions)
            if target}


def site_scope(site: Site, siblings: tuple[str, ...] = ()) -> Scope:
    """The site's hosts as push reads a body's links: the home page's and its aliases' (and its files on their
    host names at any port but the sibling sites' home URLs and aliases)."""
    return Scope.for_site(site.home_url, site.aliases, [], [], siblings)


def crawl_form(scope: Scope, url: str, base: str | None = None) -> str:
    """A URL as the crawl stored it: canonical, an alias host or the other scheme moved to the home's (push finds
    a body's files by it; verify and rollback must find them the same way)."""
    return scope.on_site(canonical_url(url, base) or url)


def push_site(ws: Workspace, site_id: str, exporter: Exporter, update: bool = False, dry_run: bool = False,
              limit: int | None = None, only: list[str] | None = None, sync: bool = False,
              allow_untriaged: bool = False, progress: Callable[[int, int], None] | None = None) -> PushSummary:
    """Push a site's mapped articles, files and columns into the target; record every outcome. With `sync`,
    articles gone from the legacy site (vanished in an incremental crawl) are retracted from the target; without it,
    those still on the portal stay as they are and the others are skipped (never put back). Articles with undecided personal-data findings (consolidate/triage.py) are held back unless `allow_untriaged`."""
    site = ws.site(site_id)
    require_crawled(ws, site_id)
    with ws.store.session() as session:
        has_decisions = session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == site_id).limit(1))
    if not has_decisions and exporter.capabilities.live and not dry_run:  # a dry run shows the automatic map
        raise NotMappedError(f"site {site_id!r} has no column decisions: a push to {exporter.target} publishes at once",
                         hint=f"review where its columns go with `consolidate map {site_id}` (the office signs the "
                              "sheet: --export / --import), then push")
    automatic = None
    if not has_decisions and dry_run:
        automatic = automatic_decisions(ws, site_id)  # shown, never stored: a dry run writes nothing
    elif not has_decisions:
        map_site(ws, site_id)
    if not dry_run:  # a dry run plans without opening the target: no folder, lock or connection
        exporter.start()  # a no-op when open_exporter started it
    push = _Push(ws, site, exporter, update, dry_run, limit, only, sync, allow_untriaged)
    push.unstored_decisions = automatic
    push.progress = progress  # (articles done, articles planned), as they are sent
    push.summary.automatic_columns = unsigned_automatic(ws, site_id, automatic)
    if dry_run:
        return push.run()
    push.lease.acquire()  # one push worker per site at a time; a dead worker's site is taken over
    try:
        return push.run()  # ends with exporter.finish()
    except Exception:
        _finish_after_failure(exporter)
        raise
    finally:
        push.lease.release()


class NotMappedError(UsageError):
    """A push to a live target of a site whose columns nobody decided yet (no `consolidate map`)."""


def unsigned_automatic(ws: Workspace, site_id: str, decisions: dict[str, ColumnMapping] | None = None) -> int:
    """How many of the site's column decisions (those recorded, or these `decisions` a dry run made without
    storing them) were made automatically while the office has signed none (0 once it has signed any): what a
    push follows that nobody reviewed."""
    if decisions is not None:
        rows = [(m.decision, m.decided_by) for m in decisions.values()]
    else:
        with ws.store.session() as session:
            rows = session.execute(select(ColumnMapping.decision, ColumnMapping.decided_by).where(
                ColumnMapping.site_id == site_id)).all()
    if any(decided_by not in SYSTEM_DECIDERS for _decision, decided_by in rows):
        return 0
    return sum(decided_by == AUTOMATIC and decision != "unmapped" for decision, decided_by in rows)


def _finish_after_failure(exporter: Exporter) -> None:
    """finish() after a push that failed part way, so the output holds what the push map records as put; its
    own failure is logged, never hiding the push's."""
    try:
        exporter.finish()
    except Exception as exc:  # noqa: BLE001 - the push's error is the one to report
        log.warning("%s: finishing the output after a failed push failed too: %s", exporter.target, exc)


class _Push:
    """One push run of one site."""

    def __init__(self, ws: Workspace, site: Site, exporter: Exporter, update: bool, dry_run: bool,
                 limit: int | None, only: list[str] | None, sync: bool = False,
                 allow_untriaged: bool = False, gate: PushGate | None = None) -> None:
        self.ws, self.site, self.exporter = ws, site, exporter
        self.triage = gate if gate is not None else push_gate(ws, site.id, allow_untriaged, dry_run)  # personal
        # data held back, masks, 失效
        self.withheld_to: dict[str, str | None] = {}  # withheld in triage → the column its old URL redirects to
        self.vanished = vanished_articles(ws.store, site.id)  # --sync takes them off; a plain push leaves them
        self.sync = sync
        self.update, self.dry_run, self.limit = update, dry_run, limit
        self.only = {canonical_url(u) or u for u in only} if only else None
        self.summary = PushSummary(site.id, target=exporter.target, dry_run=dry_run)
        self.index = portal_index(ws.config)
        self.blobs = BlobStore(ws.dir / "blobs", workspace_storage(ws.config, ws.dir))  # S3: a cache on demand
        self.scope = site_scope(site, ws.config.sibling_hosts(site))
        self.legacy = legacy_hosts(ws.config)
        self.links: dict[str, str] = {}
        self.duplicate_of: dict[str, tuple[str, str]] = {}
        self.lease = SiteLease(ws.store, "push", site.id)
        self.column_refs: dict[str, TargetRef] = {}
        self.records: dict[str, _Rec] = {}  # source key → what the push map holds of it (the site's, read by run())
        self.file_records: dict[str, _Rec] = {}
        self.pushed_files: set[str] = set()
        self.file_sizes: dict[str, int | None] = {}
        self.undated = exporter.capabilities.undated  # hold | estimate; None: the target shows none
        self.estimated: dict[str, tuple[str, str]] = {}  # article URL → (estimated date, what it came from)
        self.progress: Callable[[int, int], None] | None = None
        self.sent = (0, 0)  # (articles done, articles planned) for the progress callback
        self.files: dict[str, _File] = {}  # the site's attachments and images by URL
        self.fetched_files: dict[str, str] | None = None  # those the crawl holds bytes of, URL → URL (made once)
        self.archived: dict[str, Any] | None = None  # the site's archived responses by URL, read when needed
        self.holding: set[str] = set()  # the column paths articles of the site are filed under (made by the plan)
        self.headings: dict[str, tuple[str | None, str, str | None]] = {}  # dropped section heading → its outcome
        self.skips: dict[str, str] = {}  # article URL → why this run does not send it
        self.unstored_decisions: dict[str, ColumnMapping] | None = None  # a dry run's automatic map (never stored)
        self.office_rows: dict[str, MapRow] = {}  # the site's URL-map rows the office set (read by read_site)
        self.office_kept: set[str] = set()  # published pages a hold catches that the office kept (`kept_by_office`)
        self.portal_held: dict[str, str] = {}  # pushed article of an undecided column → that column: left as it is

    def read_site(self) -> tuple[dict[str, ColumnMapping], list[ColumnRow]]:
        """The site's column decisions and columns; its files and push-map records kept on the push. Every plan
        (a push, a dry run, verify's and rollback's `planned_targets`) starts here, so each judges alike."""
        with self.ws.store.session() as session:
            decisions = self.unstored_decisions if self.unstored_decisions is not None else {
                m.column_path: m for m in session.scalars(select(ColumnMapping).where(
                    ColumnMapping.site_id == self.site.id))}
            self.files = {r.url: _File(*r) for r in session.execute(select(*_FILE_COLUMNS).where(
                Resource.site_id == self.site.id, Resource.kind.in_(CARRIED)))}
            columns = list(session.scalars(select(ColumnRow).where(ColumnRow.site_id == self.site.id)))
            decisions = followed(decisions, site_former_names(session, self.site.id))  # a renamed column's too
            self.records = {row[0]: _Rec(*row[1:]) for row in session.execute(
                select(PushRecord.source_key, *_REC_COLUMNS).where(PushRecord.target == self.exporter.target,
                                                                   PushRecord.site_id == self.site.id))}
        self.fetched_files = None  # made again from these files when first asked
        self.office_rows = self._office_edits()
        return decisions, columns

    def run(self) -> PushSummary:
        """Plan, push columns, files and articles, write the URL map."""
        decisions, columns = self.read_site()
        files = self.files
        full_plan = self._plan(self._site_articles(), decisions)
        plan = self._trial_subset(full_plan)
        self._known_from_records(files)
        if self.dry_run:
            return self._dry_run_summary(plan, full_plan, files, columns, decisions)
        self._push_columns({target for _, target, _ in plan if target})
        self._push_files(plan, files)
        self._plan_links(full_plan, columns, decisions)
        self._push_articles(plan)
        self._say_held()
        self._push_letters()
        self._write_url_map(full_plan, columns, decisions, files)
        self.exporter.finish()
        letters.to_exporter(self.ws, self.exporter)  # interaction records (consolidate/interaction.py), if it keeps them
        if self.exporter.capabilities.browsable_folder:  # with s3:// storage the preview goes to the bucket too
            mirror_output(self.ws.config, self.ws.dir, self.exporter.root, "previews")  # type: ignore[attr-defined]
        with self.ws.store.session() as session:
            row = session.get(SiteRow, self.site.id)
            if row is not None:
                row.pushed_at = utcnow()
        return self.summary

    def _say_held(self) -> None:
        """A message per column whose pushed articles this push left on the portal because it has no decision."""
        for path in sorted(set(self.portal_held.values())):
            self._event("warning", "column_undecided_held", f"the pushed articles of column {path or '(none)'!r} stay on "
                        f"the portal as they are: the column has no decision now (renamed on the old site, or its "
                        f"decision undone); decide it: consolidate map {self.site.id}", None)

    def _push_letters(self) -> None:
        """The site's interaction records (consolidate/letters_push.py), counted only in a dry run; a trial push
        (--limit/--only) sends articles only."""
        if self.limit is None and self.only is None:
            self.summary.letters = letters_push.push_letters(self.ws, self.site.id, self.exporter, self.update,
                                                             dry_run=self.dry_run).to_dict()

    def _site_articles(self) -> Iterator[ArticleRow]:
        """The site's articles in id order, bodies included, read BATCH at a time (keyset pagination by id)."""
        last = -1
        while True:
            with self.ws.store.session() as session:
                batch = session.scalars(select(ArticleRow).where(ArticleRow.site_id == self.site.id,
                                                                 ArticleRow.id > last)
                                        .order_by(ArticleRow.id).limit(BATCH)).all()
            if not batch:
                return
            yield from batch
            last = batch[-1].id

    def _batches(self, plan: list[PlanEntry]
                 ) -> Iterator[list[tuple[ArticleRow | PlannedArticle, str | None, str | None]]]:
        """The plan BATCH entries at a time, the articles it sends read again with their bodies (triage applied):
        the plan itself keeps no bodies."""
        for start in range(0, len(plan), BATCH):
            chunk = plan[start:start + BATCH]
            ids = [article.id for article, target, reason in chunk if target and not reason]
            with self.ws.store.session() as session:
                full = {a.id: a for a in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(ids)))} \
                    if ids else {}
            yield [(self.triage.apply(full[a.id]) if a.id in full else a, t, r) for a, t, r in chunk]

    def _plan(self, articles: Iterable[ArticleRow], decisions: dict[str, ColumnMapping]
              ) -> list[PlanEntry]:
        """(article, target column id, skip reason) for every article; the plan keeps each without its body."""
        return list(self._planned(articles, decisions))

    def _planned(self, articles: Iterable[ArticleRow], decisions: dict[str, ColumnMapping]
                 ) -> Iterator[PlanEntry]:
        """The plan one entry at a time (each article without its body), for a caller that keeps only a part."""
        routing = routing_for(self.ws, self.site.id)
        duplicates = duplicate_links(self.ws, [site.id for site in self.ws.config.sites], self.site.id)
        for article in articles:
            article = self.triage.apply(article)  # a copy when triage changes it: the row read is left as it is
            path = " > ".join(article.column_path or [])
            self.holding.add(path)
            decision = decisions.get(path)
            original = duplicates.get((self.site.id, article.url))
            if article.url in self.vanished and (self.sync or not self._on_portal(article.url)):
                if original is not None:  # its copy still on the legacy site took its place: the old URL leads there
                    self.duplicate_of[article.url] = original
                entry = (article, None, f"vanished: last seen {self.vanished[article.url]}")
            elif decision is None or decision.decision == "unmapped":
                entry = (article, None, f"column not mapped: {path or '(none)'}")
                if self._on_portal(article.url):  # never taken down only because nobody decided its column yet
                    self.portal_held[article.url] = path
            elif decision.decision == "drop":
                entry = (article, None, f"column dropped: {path}")
            elif original is not None and article.url not in self.vanished:  # gone but published: --sync's to take
                self.duplicate_of[article.url] = original
                entry = (article, None, f"duplicate of {original[1]}")
            elif self._held(article.url):
                self.withheld_to[article.url] = decision.target
                entry = (article, None, self._held(article.url))
            else:
                entry = self._routed(article, decision.target, routing)
            yield PlannedArticle(article), entry[1], entry[2]

    def _held(self, url: str) -> str | None:
        """Why triage holds the article back, if it does; a same-body hold never takes down a page an earlier push
        published (which of the two titles is right is the office's to say, and the page is on the portal)."""
        reason = self.triage.skip_reason(url)
        return None if reason and reason.startswith(SAME_BODY) and self._on_portal(url) else reason

    def _kept_by_office(self, url: str) -> bool:
        """True for a page an earlier push published that the office kept as it is on the portal (`kept_by_office`):
        a hold that catches it now neither takes it down nor sends it again (docs/decisions.md)."""
        record = self.records.get(article_key(self.site.id, url))
        return record is not None and record.status in IN_TARGET and \
            kept_by_office(self.office_rows.get(url), record.target_url)

    def _on_portal(self, url: str) -> bool:
        """True when an earlier push put the article in the target: a hold that only keeps back what never went
        there (same body, a picture page's file-name title) leaves it there."""
        record = self.records.get(article_key(self.site.id, url))
        return record is not None and record.status in IN_TARGET

    def _routed(self, article: ArticleRow, column_target: str | None, routing: Any
                ) -> tuple[ArticleRow, str | None, str | None]:
        """The article's target after the routing rules (e.g. documents with a 发文字号 → 政策文件)."""
        fields = {"title": article.title, "doc_no": article.doc_no, "index_no": article.index_no,
                  "publisher": article.publisher, "topic": article.topic, "source": article.source}
        target, _why = route(fields, column_target, routing)
        if target not in self.index:
            return article, None, f"target column {target!r} not in the portal tree"
        if not article.title:
            return article, None, "no title extracted"
        held = hold_reason(article, [self.site.name, self.ws.config.portal.name]) or self._published_hold(article)
        if held and self._kept_by_office(article.url):
            self.office_kept.add(article.url)  # mended on the portal by hand: left as it is there, never sent again
        elif held and not (held.startswith(FILE_TITLE) and self._on_portal(article.url)):
            return article, None, held  # never published unreviewed: an empty page, a template heading, a bad date
        # (a picture page an earlier push published stays on the portal: verify lists it for the office)
        if not article.published and self.undated is not None:
            return article, *self._undated(article, target)
        return article, target, None

    def _published_hold(self, article: ArticleRow) -> str | None:
        """The hold reason of an article whose body as it would be published is empty: the images the crawl could
        not fetch are taken out of it and the attachments it could not fetch are not carried (judged before any
        upload, so a dry run decides as the push does)."""
        if self.fetched_files is None:  # once per push, not per article (files grow with the articles)
            self.fetched_files = {url: url for url, r in self.files.items() if r.status == "fetched" and r.sha256}
        body, unresolved = rewrite_links(article.body_html or "", article.url, self.fetched_files, self.scope)
        carried = sum(1 for a in article.attachments or [] if self._fetched(a.get("url"), article.url))
        files = [link for link in unresolved if link_kind(link) != "page" or self._resource(link) is not None]
        removed = self._unresolved_message(files[0]) + (f" (and {len(files) - 1} more)" if len(files) > 1 else "") \
            if files else ""
        return published_hold_reason(article, body, carried, removed)

    def _crawl_form(self, url: str, base: str | None = None) -> str:
        """A URL as the crawl stored it (`crawl_form`)."""
        return crawl_form(self.scope, url, base)

    def _resource(self, url: str, base: str | None = None) -> _File | None:
        """The crawled file a body or record names, however the page spelt its address."""
        return self.files.get(self._crawl_form(url, base))

    def _fetched(self, url: str | None, base: str | None = None) -> bool:
        """True when the crawl holds the bytes of this file."""
        resource = self._resource(url, base) if url else None
        return resource is not None and resource.status == "fetched" and bool(resource.sha256)

    def _undated(self, article: ArticleRow, target: str) -> tuple[str | None, str | None]:
        """(target, skip reason) of an article without a publish date: held for review, or (undated: estimate)
        pushed with the best recorded evidence, never with the push's own date."""
        if self.undated != "estimate":
            return None, UNDATED_HELD
        estimate = date_evidence(self.ws, self.site.id, article.url)
        if estimate is None:
            return None, f"{UNDATED_HELD} (no date evidence recorded)"
        self.estimated[article.url] = estimate
        return target, None

    def _trial_subset(self, plan: list[PlanEntry]
                      ) -> list[PlanEntry]:
        """The articles a trial (--only / --limit) covers; unknown --only URLs are an error."""
        if self.only is not None:
            known = {article.url for article, _, _ in plan}
            unknown = sorted(self.only - known)
            if unknown:
                raise UsageError(f"not an article of site {self.site.id!r}: {unknown[0]}",
                                 hint=f"list them with `consolidate articles {self.site.id}`")
            plan = [p for p in plan if p[0].url in self.only]
        if self.limit is not None:
            plan = plan[: max(self.limit, 0)]
        return plan

    def _dry_run_summary(self, plan: list[PlanEntry],
                         full_plan: list[PlanEntry], files: dict[str, _File],
                         columns: list[ColumnRow], decisions: dict[str, ColumnMapping]) -> PushSummary:
        """Count what a push would do, exactly as a push decides and counts it, touching nothing (its columns and
        files: every one the planned articles need, put or found in the target)."""
        needed = self._columns_needed({t for _, t, _ in plan if t})
        self.summary.columns = len(needed)
        for column_id in needed:  # a push puts them first: links to the legacy list pages they take resolve
            key, info = column_key(self.index[column_id]), self.index[column_id]
            self.column_refs.setdefault(key, TargetRef(key, self.exporter.planned_url(
                "column", key, column_id=column_id, subsite=info.subsite) or f"{self.exporter.target}#{key}"))
        wanted = self._wanted_files(plan, files)
        self.summary.files = len(wanted)
        for url in wanted:  # a push puts them before the bodies: links to them resolve (the URL is the target's)
            self.links.setdefault(url, f"{self.exporter.target}#file:{files[url].sha256}")
        self._plan_links(full_plan, columns, decisions)
        in_plan = {article.url for article, target, _ in full_plan if target}
        for article, target, reason in (entry for batch in self._batches(plan) for entry in batch):
            key = article_key(self.site.id, article.url)
            record = self.records.get(key)
            if article.url in self.portal_held:
                self.summary.held[COLUMN_UNDECIDED] += 1
                continue
            if reason or target is None:
                self.skips[article.url] = reason or "no target"
                self.summary.skipped[reason_category(reason or "no target")] += 1
                self.summary.removed += record is not None and record.status in IN_TARGET and bool(record.target_id)
                continue
            if article.url in self.office_kept:
                self.summary.unchanged += 1  # the office's page is left as it is
                continue
            job = _Job(article=article, key=key, target=target)
            self._rewrite(job, _Waiting(in_plan, self.links))
            if record is None or record.status not in IN_TARGET:
                self.summary.pushed += 1
            elif self.update or record.content_hash != job.push_hash:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
        self._count_unresolved(self._article_outcomes(full_plan, would_push=True), self._office_edits())
        self._push_letters()
        return self.summary

    def _known_from_records(self, files: dict[str, _File]) -> None:
        """Column and file homes already in the target, from the push map (a trial push and a dry run keep
        what earlier pushes placed): every column's, and of the files those of this site's (a file another site
        put is shared by its digest), asked BATCH keys at a time — not every file the fleet put."""
        keys = sorted({f"file:{r.sha256}" for r in files.values() if r.sha256})
        in_target = (PushRecord.target == self.exporter.target, PushRecord.status.in_(IN_TARGET))
        with self.ws.store.session() as session:
            for key, *fields in session.execute(select(PushRecord.source_key, *_REC_COLUMNS).where(
                    *in_target, PushRecord.kind == "column")):
                record = _Rec(*fields)
                if record.target_id:
                    self.column_refs[key] = TargetRef(record.target_id, record.target_url or "")
            self.file_records = {row[0]: _Rec(*row[1:]) for start in range(0, len(keys), BATCH)
                                 for row in session.execute(select(PushRecord.source_key, *_REC_COLUMNS).where(
                                     *in_target, PushRecord.kind == "file",
                                     PushRecord.source_key.in_(keys[start:start + BATCH])))}
        for url, resource in files.items():
            record = self.file_records.get(f"file:{resource.sha256}")
            if record is not None and record.target_url:
                self.links[url] = record.target_url

    def _wanted_files(self, plan: list[PlanEntry], files: dict[str, _File]) -> set[str]:
        """The fetched files the planned articles carry, by the URL the crawl stored (as `_push_files` counts them:
        a push puts every one, or finds it in the target already)."""
        wanted = set()
        for article, target, _reason in plan:
            if not target or article.url in self.office_kept:
                continue
            for url in [a["url"] for a in article.attachments or []] + list(article.images or []):
                resource = files.get(self._crawl_form(url))
                if resource is not None and resource.status == "fetched" and resource.sha256:
                    wanted.add(resource.url)
        return wanted

    def _columns_needed(self, target_ids: set[str]) -> list[str]:
        """The target columns and their ancestors, parents first."""
        needed: list[str] = []
        for column_id in sorted(target_ids):
            chain = []
            current: str | None = column_id
            while current is not None:
                chain.append(current)
                current = self.index[current].parent_id
            needed.extend(c for c in reversed(chain) if c not in needed)
        return needed

    def _push_columns(self, target_ids: set[str]) -> None:
        """Create the target columns and their ancestors, parents first."""
        for column_id in self._columns_needed(target_ids):
            info = self.index[column_id]
            key = column_key(info)
            parent = self.column_refs.get(column_key(self.index[info.parent_id])) if info.parent_id else None
            export = ExportColumn(source_key=key, column_id=column_id, name=info.column.name, path=info.names,
                                  parent_key=column_key(self.index[info.parent_id]) if info.parent_id else None,
                                  subsite=info.subsite, subsite_name=info.subsite_name)
            # Columns are few and put_column is idempotent: always ask the target, never trust the map alone.
            ref = self._put(key, "column", None, "", lambda e=export, p=parent: self.exporter.put_column(e, p),
                            always=True)
            if ref is not None:
                self.column_refs[key] = ref
                self.summary.columns += 1

    def _push_files(self, plan: list[PlanEntry], files: dict[str, _File]) -> None:
        """Upload every fetched attachment and image of the articles being migrated (not of a page the office kept)."""
        for article, target, _reason in plan:
            if not target or article.url in self.office_kept:
                continue
            subsite = self.index[target].subsite
            wanted = [(a["url"], a.get("name"), "attachment") for a in article.attachments or []]
            wanted += [(u, None, "image") for u in article.images or []]
            for url, name, kind in wanted:
                resource = files.get(self._crawl_form(url))
                if resource is None or resource.status != "fetched" or not resource.sha256:
                    continue
                key = f"file:{resource.sha256}"
                if resource.url in self.pushed_files:
                    continue
                file_name = name if kind == "attachment" and name else url.rsplit("/", 1)[-1].split("?")[0]
                export = ExportFile(source_key=key, source_url=url,
                                    name=document_name(file_name, url, resource.content_type),
                                    sha256=resource.sha256, size=resource.size or 0,
                                    blob_path=self.blobs.path(resource.sha256), kind=kind, subsite=subsite,
                                    content_type=resource.content_type)
                ref = self._put(key, "file", url, resource.sha256, lambda e=export: self.exporter.put_file(e))
                for finding in self.exporter.take_findings():  # e.g. an active type renamed (exporters/common)
                    self._event(finding.level, finding.code, finding.message, finding.url)
                if ref is not None:
                    self.links[resource.url] = ref.url
                    self.pushed_files.add(resource.url)
                    self.file_sizes[resource.url] = resource.size
                    self.summary.files += 1

    def _plan_links(self, plan: list[PlanEntry], columns: list[ColumnRow],
                    decisions: dict[str, ColumnMapping]) -> None:
        """Old URL → new URL for articles and list pages, known before the bodies are rewritten."""
        for article, target, _reason in plan:
            if not target:
                continue
            key = article_key(self.site.id, article.url)
            record = self.records.get(key)
            url = record.target_url if record is not None and record.target_url else None
            if url is None and self.exporter.capabilities.planned_urls:
                info = self.index[target]
                url = self.exporter.planned_url("article", key, column_id=target, subsite=info.subsite)
            if url:
                self.links[article.url] = url
        for column in columns:
            ref = self._column_ref(decisions.get(column.path))
            if column.url and ref is not None:
                self.links.setdefault(column.url, ref.url)
        home = canonical_url(self.site.home_url)
        if home:
            self.links.setdefault(home, self._new_home())  # links to the old home page follow it

    def _push_articles(self, plan: list[PlanEntry]) -> None:
        """Send the articles (concurrently when the exporter allows), then re-send those whose links waited."""
        in_plan = {article.url for article, target, _ in plan if target}
        self.sent = (0, len(plan))
        waited: list[_Waited] = []  # articles whose links waited for later ones
        for batch in self._batches(plan):  # bodies read BATCH at a time, in the plan's (id) order
            self._forget_body_messages([article.url for article, target, reason in batch
                                        if self._portal_target() or (target and not reason)])
            jobs = [job for job in (self._prepare(a, t, r, in_plan) for a, t, r in batch) if job is not None]
            self.sent = (self.sent[0] + len(batch) - len(jobs), len(plan))
            if self.progress is not None:
                self.progress(*self.sent)
            self._send_all(jobs)
            waited += [_Waited(job.article.id, job.article.url, job.target, tuple(job.deferred))
                       for job in jobs if job.deferred]
        self._second_pass([entry for entry in waited if entry.url in self.links])

    def _second_pass(self, waited: list[_Waited]) -> None:
        """Send again the articles whose links waited for articles later in the run (those links resolve now),
        their bodies read again BATCH at a time (triage applied): no body is kept between the passes. Of the links
        still unresolved only those that waited are said: the first pass said the others."""
        for start in range(0, len(waited), BATCH):
            chunk = waited[start:start + BATCH]
            with self.ws.store.session() as session:
                rows = {a.id: a for a in session.scalars(select(ArticleRow).where(
                    ArticleRow.id.in_([entry.id for entry in chunk])))}
            pairs = [(_Job(article=self.triage.apply(rows[entry.id]), key=article_key(self.site.id, entry.url),
                           target=entry.target, second_pass=True), entry.deferred) for entry in chunk
                     if entry.id in rows]
            for job, deferred in pairs:
                self._rewrite(job, set(), say=set(deferred))
            self._send_all([job for job, _ in pairs if job.push_hash != self.records[job.key].content_hash])

    def _prepare(self, article: ArticleRow, target: str | None, reason: str | None,
                 in_plan: set[str]) -> _Job | None:
        """Skip, leave unchanged, or make a job to send; the body's links are rewritten here."""
        key = article_key(self.site.id, article.url)
        if article.url in self.portal_held:
            self.summary.held[COLUMN_UNDECIDED] += 1  # its page stays as pushed, its record as it is
            return None
        if reason or target is None:
            reason = self._retract(key, reason or "no target")
            before = (self.records.get(key) or _NO_RECORD).reason or ""
            held_before = reason_category(before) == reason_category(reason)  # "(removed from the portal)" aside
            self._record(key, "article", article.url, None, None, "skipped", reason)
            if reason.startswith(UNDATED_HELD) and not held_before:  # said once, not at every push
                self._event("warning", "undated_held", f"{reason}: {article.title or article.url}", article.url)
            self.skips[article.url] = reason
            self.summary.skipped[reason_category(reason)] += 1
            return None
        if article.url in self.office_kept:  # mended by hand on the portal: even --update leaves it
            self.summary.unchanged += 1
            return None
        job = _Job(article=article, key=key, target=target)
        self._rewrite(job, _Waiting(in_plan, self.links))
        self._note_missing_attachments(article)  # said at every push, changed or not, as the links are
        record = self.records.get(key)
        if record is not None and record.status in IN_TARGET and record.content_hash == job.push_hash \
                and not self.update:
            self.summary.unchanged += 1
            return None
        return job

    def _retract(self, key: str, reason: str) -> str:
        """An article now skipped that an earlier push put in the target is removed from it (the portal must
        not keep what the office dropped); the reason says so."""
        record = self.records.get(key)
        if record is None or record.status not in IN_TARGET or not record.target_id:
            return reason
        try:
            self.exporter.delete(key, TargetRef(record.target_id, record.target_url or ""))
        except Exception as exc:  # noqa: BLE001 - reported, and the next push tries again
            self._event("error", "retract_failed", f"could not remove {record.target_url}: {exc}", record.source_url)
            return reason
        self.summary.removed += 1
        return f"{reason} (removed from the portal)"

    def _rewrite(self, job: _Job, waiting: Container[str], say: Container[str] | None = None) -> None:
        """Rewrite the job's body links; links to articles not pushed yet wait for the second pass. The links
        taken out are said, each once (only those in `say`, when given)."""
        kept: list[str] = []
        body, unresolved = rewrite_links(job.article.body_html, job.article.url, self.links, self.scope, waiting, kept)
        job.deferred = [u for u in unresolved if u in waiting]
        for level, code, message, count in hotlink_messages(kept, self.legacy) if say is None else []:
            if not self.dry_run:
                self._event(level, code, message, job.article.url)
            self.summary.legacy_hotlinks += count if code == LEGACY_HOTLINK else 0
            self.summary.external_hotlinks += count if code != LEGACY_HOTLINK else 0
        for link in (u for u in dict.fromkeys(unresolved) if u not in waiting and (say is None or u in say)):
            media = media_kind(link) if self._resource(link) is None else None
            if not self.dry_run:
                self._event("warning", "media_not_migrated" if media else "unresolved_link",
                            _media_message(media, link) if media else self._unresolved_message(link), job.article.url)
            self.summary.unresolved_links += 1
            self.summary.media_not_migrated += bool(media)
        job.body = sanitize(body)  # defence in depth: nothing unsafe reaches the portal, whatever the source
        estimate = self.estimated.get(job.article.url)
        # An exporter whose payload's form changed (its payload_version) gets every article again, once.
        version = self.exporter.capabilities.payload_version
        missing = self._attachments_not_carried(job.article)
        job.push_hash = _push_hash(job.article, job.target, body + (f"\x00{estimate}" if estimate else "")
                                   + (f"\x00{version}" if version else "")
                                   + (f"\x00missing:{chr(10).join(missing)}" if missing else ""))

    def _attachments_not_carried(self, article: ArticleRow) -> list[str]:
        """The attachments (by address) the portal page will not carry now: one arriving later (a continued crawl)
        changes the push hash, so the article is sent again; with all present the hash is as it always was."""
        missing = []
        for attachment in article.attachments or []:
            raw = attachment.get("url")
            if raw and not self.links.get(self._crawl_form(raw)):
                missing.append(raw)
        return sorted(missing)

    def _unresolved_message(self, link: str) -> str:
        """Why a link or image was taken out of a body, naming what it was (an image is not a page)."""
        resource = self._resource(link)
        kind = resource.kind if resource is not None else link_kind(link)
        if kind == "page":
            return f"link to a page that was not migrated removed: {link}"
        what = "image" if kind == "image" else "file"
        return f"{what} removed from the body, {_fetch_story(resource, link)}: {link}"

    def _note_missing_attachments(self, article: ArticleRow) -> None:
        """An attachment the portal page will not carry is said, never dropped silently, by verify's rule
        (`lost_attachments`): one no push can carry (no address on the legacy page, or the crawl holds no bytes of
        it: what the crawl found is said) is `attachment_missing`, for the office to add by hand; one the crawl
        fetched that this push could not put in the target is `attachment_not_uploaded`, and the next push tries
        it again."""
        if self.fetched_files is None:
            self.fetched_files = {url: url for url, r in self.files.items() if r.status == "fetched" and r.sha256}
        for lost in lost_attachments(article, self.scope, self.fetched_files):
            self._event("warning", MISSING_CODE, lost_message(lost, self.files.get(lost.url or "")),
                        article.url)
        for name, legacy in dict.fromkeys(_named_attachments(article, self.scope)):  # each once
            resource = self.files.get(legacy or "")
            if legacy in self.fetched_files and legacy not in self.links and resource is not None:
                record = self.records.get(f"file:{resource.sha256}") or _NO_RECORD
                why = f" ({record.reason})" if record.status == "failed" and record.reason else ""
                self._event("warning", NOT_UPLOADED_CODE, f"attachment {name!r} not on the portal page: the crawl "
                            f"fetched it but putting it in {self.exporter.target} failed{why}; the next push tries "
                            f"it again: {legacy}", article.url)

    def _send_all(self, jobs: list[_Job]) -> None:
        """put_article for every job, at the exporter's concurrency; outcomes recorded as they come."""
        workers = max(1, self.exporter.capabilities.concurrency)
        if workers == 1 or len(jobs) < 2:
            for job in jobs:
                self._finish(job, self._send(job))
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(self._send, job): job for job in jobs}
            for future in as_completed(futures):
                self._finish(futures[future], future.result())

    def _send(self, job: _Job) -> TargetRef | str:
        """Create or update one article in the target; an error becomes its message."""
        info = self.index[job.target]
        record = self.records.get(job.key)
        try:
            job.existing = TargetRef(record.target_id, record.target_url or "") \
                if record is not None and record.target_id and record.status in IN_TARGET \
                else self.exporter.find(job.key)
            export = self._export_article(job.article, job.key, info, job.target, job.body, job.push_hash)
            column_ref = self.column_refs.get(column_key(info)) or TargetRef("", "")
            return self.exporter.put_article(export, column_ref, job.existing)
        except ConsolidateError as exc:
            return exc.message
        except Exception as exc:  # noqa: BLE001 - one article's failure is recorded, the push goes on
            return f"{type(exc).__name__}: {exc}"

    def _finish(self, job: _Job, outcome: TargetRef | str) -> None:
        """Record a sent article's outcome."""
        self.lease.renew()
        if self.progress is not None and not job.second_pass:
            self.sent = (self.sent[0] + 1, self.sent[1])
            self.progress(*self.sent)
        if isinstance(outcome, str):
            self._record(job.key, "article", job.article.url, None, job.push_hash, "failed", outcome)
            self.summary.failed += 1
            return
        previous = self.records.get(job.key)
        had_record = previous is not None and previous.status in IN_TARGET and previous.target_id
        # An object adopted from the target (its record lost, e.g. to a killed push) counts as pushed once.
        status = "updated" if had_record else "pushed"
        if job.second_pass:
            status = self.records[job.key].status  # same run: the first pass already counted it
        self._record(job.key, "article", job.article.url, outcome, job.push_hash, status, None)
        self.links[job.article.url] = outcome.url
        if not job.second_pass:
            setattr(self.summary, status, getattr(self.summary, status) + 1)

    def _export_article(self, article: ArticleRow, key: str, info: ColumnPlace, target: str, body: str,
                        push_hash: str) -> ExportArticle:
        """The article as the exporter receives it."""
        attachments = []
        for attachment in article.attachments or []:
            if not attachment.get("url"):
                continue  # said by _note_missing_attachments
            legacy = self._crawl_form(attachment["url"])
            new_url = self.links.get(legacy)
            if new_url:
                attachments.append({"name": attachment.get("name") or new_url.rsplit("/", 1)[-1], "url": new_url,
                                    "source_url": attachment["url"], "size": self.file_sizes.get(legacy)})
        published, estimated_from = self.estimated.get(article.url, (article.published, None))
        return ExportArticle(
            source_key=key, source_url=article.url, site_id=self.site.id, site_name=self.site.name,
            subsite=info.subsite, column_key=column_key(info), column_id=target, title=article.title or "",
            published=published, source=article.source, publisher=article.publisher,
            index_no=article.index_no, doc_no=article.doc_no, written=article.written, topic=article.topic,
            body_html=body, content_hash=push_hash, attachments=attachments, date_estimated=estimated_from,
            validity=article.validity)

    def _put(self, key: str, kind: str, source_url: str | None, content_hash: str,
             action: Callable[[], TargetRef], always: bool = False) -> TargetRef | None:
        """Push a column or file unless the map says it is already there (or `always`)."""
        record = self.records.get(key)
        known = record is not None and record.status in IN_TARGET and record.content_hash == content_hash \
            and record.target_id
        if known and not self.update and not always:
            return TargetRef(record.target_id, record.target_url or "")
        try:
            ref = action()
        except (ConsolidateError, OSError) as exc:
            if not isinstance(exc, ConsolidateError) and (kind != "file" or exc.errno in TARGET_FULL):
                raise  # a column's or the target's own I/O failure (a full or read-only disk) stops the push
            message = exc.message if isinstance(exc, ConsolidateError) else \
                f"copying the file failed ({type(exc).__name__}: {exc})"
            self._record(key, kind, source_url, None, content_hash, "failed", message)
            self._event("error", f"push_{kind}", message, source_url)
            return None
        if not (known and (record.target_id, record.target_url) == (ref.target_id, ref.url)):
            self._record(key, kind, source_url, ref, content_hash, "pushed", None)
        return ref

    def _record(self, key: str, kind: str, source_url: str | None, ref: TargetRef | None, content_hash: str | None,
                status: str, reason: str | None) -> None:
        """Upsert the push map row for a source key."""
        with self.ws.store.session() as session:
            row = session.scalar(select(PushRecord).where(PushRecord.target == self.exporter.target,
                                                          PushRecord.source_key == key))
            if row is None:
                row = PushRecord(target=self.exporter.target, site_id=self.site.id, source_key=key, kind=kind)
                session.add(row)
            row.source_url = source_url
            if ref is not None:
                row.target_id, row.target_url = ref.target_id, ref.url
            row.content_hash, row.status, row.reason, row.pushed_at = content_hash, status, reason, utcnow()
            session.flush()
            self.records[key] = _Rec(row.status, row.target_id, row.target_url, row.content_hash, row.reason,
                                     row.source_url)

    def _new_home(self) -> str:
        """Where the legacy home page goes: the site's sub-site home, else the page of the portal column it merged
        into, else the portal's home."""
        target = self.site.target
        found = self.exporter.home_url(target.subsite) if target.subsite else None
        if found is None and target.column in self.index:
            ref = self.column_refs.get(column_key(self.index[target.column]))
            found = ref.url if ref is not None else None
        return found or self.ws.config.portal.base_url

    def _write_url_map(self, plan: list[PlanEntry], columns: list[ColumnRow],
                       decisions: dict[str, ColumnMapping], files: dict[str, _File]) -> None:
        """Every legacy URL of the site: 301 to where it is now, 410 archived, or unresolved (not pushed yet).

        Outcomes follow the push map, not this run's plan, so a trial push (--limit/--only) changes only what it
        pushed; rows the office edited (`redirects --import`) are kept as they are.
        """
        self.headings = self._heading_outcomes(columns, decisions)
        outcomes: dict[str, tuple[str | None, str, str | None]] = dict(self._page_outcomes(columns, decisions))
        for column in columns:
            if column.url:
                outcomes[column.url] = self._column_outcome(column, decisions.get(column.path))
        outcomes.update(self._article_outcomes(plan))
        outcomes.update(self._part_outcomes(outcomes))
        outcomes.update(letters_push.url_outcomes(self.ws, self.site.id, self.exporter.target))  # letter pages
        home = canonical_url(self.site.home_url)
        if home:
            outcomes[home] = (self.links.get(home) or self._new_home(), "301", "legacy home page")
            for url in [u for u in outcomes if u != home and _index_form(u) == _index_form(home)]:
                outcomes[url] = outcomes[home]  # /index.html is the home page too, whatever column it was read as
        edited = self._office_edits()
        undecided_files = self._files_of_undecided(plan, edited)
        for url, resource in files.items():
            if resource.status == "fetched":
                outcomes[url] = self._file_outcome(resource, undecided_files.get(url), outcomes)
        self._count_unresolved(outcomes, edited)
        if not self._portal_target():
            self._event("info", "url_map_kept", f"the URL map follows the configured exporter "
                        f"({self.ws.config.export.exporter}); this push to {self.exporter.target} left it as it was",
                        None)
            return
        with self.ws.store.session() as session:  # the office's rows are kept by their own note, and read again in
            # this transaction once the delete holds the write lock: an import ended since `edited` was read is kept
            session.execute(delete(UrlMapRow).where(UrlMapRow.site_id == self.site.id, or_(
                UrlMapRow.note.is_(None), UrlMapRow.note.notlike(f"{OFFICE_NOTE}%"))))
            kept = set(session.scalars(select(UrlMapRow.old_url).where(UrlMapRow.site_id == self.site.id)))
            rows = ({"site_id": self.site.id, "old_url": url, "url_hash": url_hash(url), "new_url": new,
                     "status": status, "note": note}
                    for url, (new, status, note) in ((u, public_outcome(*o)) for u, o in outcomes.items())
                    if url not in kept)
            while chunk := list(islice(rows, BATCH)):  # Core inserts, BATCH rows at a time: no ORM row per URL
                session.execute(insert(UrlMapRow), chunk)

    def _portal_target(self) -> bool:
        """True when this push goes to the configured kind of exporter: the URL map (what the office deploys as
        redirects, and what the ledger counts duplicates by) is the portal's; a side export of another kind
        (`--exporter bundle` beside a configured static or WordPress portal) leaves it alone."""
        return type(self.exporter).name == self.ws.config.export.exporter

    def _office_edits(self) -> dict[str, MapRow]:
        """The site's URL-map rows the office edited (`redirects --import`): a push keeps them as they are, and
        its dry run counts by them as the push does."""
        return office_rows(self.ws, self.site.id)

    def _article_outcomes(self, plan: list[PlanEntry], would_push: bool = False
                          ) -> dict[str, tuple[str | None, str, str | None]]:
        """Every article's redirect, duplicates' after every article (an original may come later). With
        `would_push` (a dry run) an article the plan sends counts as moved, as it will once pushed."""
        outcomes = {article.url: (self.links.get(article.url), "301", None) if would_push and target and not reason
                    else self._article_outcome(article, target, reason) for article, target, reason in plan}
        for url, original in self.duplicate_of.items():
            if url in outcomes and outcomes[url][1] != "301":
                outcomes[url] = self._duplicate_outcome(original, outcomes)
        return outcomes

    def _count_unresolved(self, outcomes: dict[str, tuple[str | None, str, str | None]],
                          edited: dict[str, MapRow]) -> None:
        """Count the articles not sent as the ledger counts them on this target (`skipped_outcome`), from the
        URL-map row it reads for each: the row this push writes (`outcomes`; `edited`: the rows the office set,
        kept as they are), or, for a side export that writes none, the row the portal's push stored."""
        rows = self._stored_rows(list(self.skips)) if not self._portal_target() else {
            url: edited.get(url) or _as_map_row(outcomes[url]) for url in self.skips
            if url in edited or url in outcomes}
        for url, reason in self.skips.items():
            group, category = skipped_outcome(rows.get(url), reason, self._original_held(url, outcomes))
            self.summary.judged[group, category] += 1
            if group == "unresolved":
                self.summary.unresolved[reason_category(reason)] += 1

    def _original_held(self, url: str, outcomes: dict[str, tuple[str | None, str, str | None]]) -> bool:
        """True when this target holds (a dry run: would hold) the article a duplicate repeats: its outcome here is
        its own page (a 301 with no note), or, read from another site, its push record here is in the target."""
        original = self.duplicate_of.get(url)
        if original is None:
            return False
        if original[0] == self.site.id:
            found = outcomes.get(original[1])
            return found is not None and found[1] == "301" and found[2] is None
        with self.ws.store.session() as session:
            return session.scalar(select(PushRecord.id).where(
                PushRecord.target == self.exporter.target, PushRecord.source_key == article_key(*original),
                PushRecord.status.in_(IN_TARGET))) is not None

    def _stored_rows(self, urls: list[str]) -> dict[str, MapRow]:
        """The URL-map rows stored for these legacy URLs of the site (as the ledger reads them), by URL."""
        found: dict[str, MapRow] = {}
        with self.ws.store.session() as session:
            for start in range(0, len(urls), BATCH):
                chunk = urls[start:start + BATCH]
                found.update((row.old_url, MapRow(row.status, row.new_url, row.note)) for row in session.execute(
                    select(UrlMapRow.old_url, UrlMapRow.status, UrlMapRow.new_url, UrlMapRow.note).where(
                        UrlMapRow.site_id == self.site.id, UrlMapRow.url_hash.in_([url_hash(u) for u in chunk]),
                        UrlMapRow.old_url.in_(chunk))))
        return found

    def _article_outcome(self, article: ArticleRow, target: str | None, reason: str | None
                         ) -> tuple[str | None, str, str | None]:
        """An article's redirect: its page in the target, its original's (duplicates), or why there is none."""
        record = self.records.get(article_key(self.site.id, article.url))
        if record is not None and record.status in IN_TARGET and record.target_url:
            return record.target_url, "301", None
        original = self._original_url(article.url)
        if original:
            return original, "301", MIGRATED_ORIGINAL
        if target and not reason:
            why = f"push failed: {record.reason}" if record is not None and record.status == "failed" \
                else "not pushed yet"
            return None, "unresolved", why
        if reason and not _decided(reason):
            return None, "unresolved", reason  # nobody decided this article: never 410
        column = self.withheld_to.get(article.url)
        ref = self.column_refs.get(column_key(self.index[column])) if column in self.index else None
        if ref is not None:  # withheld in triage: the old URL leads to the column it would have been in
            return ref.url, "301", f"{reason} (redirected to its column)"
        return None, "410", f"{reason or 'not migrated'} (archived)"

    def _column_ref(self, decision: ColumnMapping | None) -> TargetRef | None:
        """The target's page of the portal column a column decision moves articles into (migrate, or merge into
        the column the merge resolved to: push files a merged column's articles there), once the target has it."""
        if decision is None or decision.decision not in MOVES or decision.target not in self.index:
            return None
        return self.column_refs.get(column_key(self.index[decision.target]))

    def _column_outcome(self, column: ColumnRow, decision: ColumnMapping | None
                        ) -> tuple[str | None, str, str | None]:
        """A legacy column page: 301 to its portal column, 410 when the office dropped it (a dropped section
        heading follows its sub-columns), else unresolved."""
        ref = self._column_ref(decision)  # a column known by its path only has no link of its own
        new = self.links.get(column.url or "") or (ref.url if ref is not None else None)
        if new:
            return new, "301", None
        if column.path in self.headings:
            return self.headings[column.path]
        if decision is not None and decision.decision == "drop":
            return None, "410", "column not migrated (archived)"
        if decision is None or decision.decision == "unmapped":
            return None, "unresolved", f"column not decided: {column.path}"
        return None, "unresolved", "column not pushed yet"

    def _heading_outcomes(self, columns: list[ColumnRow], decisions: dict[str, ColumnMapping]
                          ) -> dict[str, tuple[str | None, str, str | None]]:
        """The outcome of each dropped section heading (a dropped column with sub-columns and no article of its
        own): it follows its sub-columns (`_heading_outcome`)."""
        paths = sorted({c.path for c in columns} | set(decisions))
        headings = {}
        for path in paths:
            decision = decisions.get(path)
            if not path or decision is None or decision.decision != "drop" or path in self.holding:
                continue
            below = [decisions[p] for p in _below(paths, path) if p in decisions]
            if below:
                headings[path] = self._heading_outcome(below)
        return headings

    def _heading_outcome(self, below: list[ColumnMapping]) -> tuple[str | None, str, str | None]:
        """A section heading's old page leads where its sub-columns went: the one portal column that took them,
        else the nearest portal column holding all of them that the target has, else the site's new home; while
        none has moved and some are undecided or not pushed yet it is unresolved; 410 only when all were dropped."""
        moved = {d.target for d in below if self._column_ref(d) is not None}
        if moved:
            common = self._common_column(moved)
            new = self.column_refs[column_key(self.index[common])].url if common else self._new_home()
            names = "、".join(sorted(self.index[t].column.name for t in moved))
            where = self.index[common].column.name if common else "the site's new home"
            return new, "301", f"section heading: its sub-columns went to {names} (→ {where})"
        if any(d.decision != "drop" for d in below):
            return None, "unresolved", "section heading: none of its sub-columns is migrated yet (some are not " \
                                       "decided or not pushed yet)"
        return None, "410", "section heading: all its sub-columns are dropped (archived)"

    def _common_column(self, ids: set[str]) -> str | None:
        """The nearest portal column that is or holds every one of these columns, if the target has its page."""
        chains = [self._ancestry(column_id) for column_id in sorted(ids)]
        shared = set(chains[0]).intersection(*chains[1:])
        return next((c for c in chains[0] if c in shared and column_key(self.index[c]) in self.column_refs), None)

    def _ancestry(self, column_id: str) -> list[str]:
        """A portal column and its ancestors, nearest first."""
        chain = []
        current: str | None = column_id
        while current is not None and current in self.index:
            chain.append(current)
            current = self.index[current].parent_id
        return chain

    def _file_outcome(self, resource: _File, undecided: str | None,
                      pages: dict[str, tuple[str | None, str, str | None]]) -> tuple[str | None, str, str | None]:
        """A legacy file: 301 to its re-hosted copy; unresolved while an article carrying it, or the page linking
        it, is undecided (it may be content of a page nobody has classed or mapped yet); else 410 archived."""
        new = self._file_home(resource)
        if new:
            return new, "301", None
        if undecided:  # the URL of an article carrying it that is migrating, held or undecided
            return None, "unresolved", f"file of an article migrated, held for review or not decided yet: {undecided}"
        referrer = pages.get(resource.referrer or "")
        if referrer is None and not resource.referrer:
            return None, "unresolved", "a file no recorded page links to: give it a 301 or 410 in the redirects CSV"
        if referrer is None or referrer[1] == "unresolved":
            return None, "unresolved", f"file linked from a page not decided yet: {resource.referrer}"
        return None, "410", "file not migrated (archived)"

    def _files_of_undecided(self, plan: list[PlanEntry], edited: dict[str, MapRow] | None = None) -> dict[str, str]:
        """Canonical URLs of the files carried by articles being migrated or not decided yet (held ones too), each
        with the first such article's URL: a file some such article references is never archived. An article not
        sent whose URL the office decided (301/410 in `edited`) no longer keeps its files undecided."""
        urls: dict[str, str] = {}
        for article, target, reason in plan:
            office = (edited or {}).get(article.url)
            if not target and office is not None and office.status in ("301", "410"):
                continue
            if target or (reason and not _decided(reason)):
                for url in [a.get("url") or "" for a in article.attachments or []] + list(article.images or []):
                    urls.setdefault(canonical_url(url) or url, article.url)
            if is_held(reason):  # its extraction is not trusted: whatever its page shows may be its content
                for url in self._files_on_page(article.url):
                    urls.setdefault(url, article.url)
        return urls

    def _files_on_page(self, url: str) -> set[str]:
        """The site's files (images, attachments) the stored legacy page of `url` links or embeds."""
        if self.archived is None:  # read the archive's index once, and only when some article is held
            self.archived = latest_ok(mirror_site_archives(workspace_storage(self.ws.config, self.ws.dir),
                                                           self.ws.dir / "warc", self.site.id))
        response = self.archived.get(url)
        if response is None:
            return set()
        try:
            headers, body = read_response(response)
            html = decode_html(body, headers.get("content-type")).text
        except Exception:  # noqa: BLE001 - an unreadable archived page only means no files are known from it
            return set()
        tree = LexborHTMLParser(html)
        found = {canonical_url(n.attributes.get(attr) or "", url) for sel, attr in
                 (("img[src]", "src"), ("a[href]", "href"), ("source[src]", "src"), ("video[src]", "src"))
                 for n in tree.css(sel)}
        return {u for u in found if u and u in self.files}

    def _file_home(self, resource: _File) -> str | None:
        """Where a legacy file lives in the target, if a push put it there."""
        record = self.records.get(f"file:{resource.sha256}") or self.file_records.get(f"file:{resource.sha256}")
        if record is not None and record.status in IN_TARGET and record.target_url:
            return record.target_url
        return self.links.get(resource.url) if resource.url in self.pushed_files else None

    def _original_url(self, url: str) -> str | None:
        """For a duplicate, the new URL of the article it repeats (once that one is pushed)."""
        original = self.duplicate_of.get(url)
        if original is None:
            return None
        if original[0] == self.site.id and original[1] in self.links:
            return self.links[original[1]]
        with self.ws.store.session() as session:
            record = session.scalar(select(PushRecord).where(
                PushRecord.target == self.exporter.target, PushRecord.source_key == article_key(*original),
                PushRecord.status.in_(IN_TARGET)))
            return record.target_url if record is not None else None

    def _page_outcomes(self, columns: list[ColumnRow], decisions: dict[str, ColumnMapping]
                       ) -> Iterator[tuple[str, tuple[str | None, str, str | None]]]:
        """Other fetched pages: a list page shares its column's outcome (the column its breadcrumb names, else
        the column whose page it is or whose later page it is: `…/18105_2.html` of `…/18105.html`); a page of
        no column is unresolved until the office gives it a 301 or 410."""
        with self.ws.store.session() as session:
            pages = session.execute(select(Resource.url, Resource.hint).where(  # rows, not ORM objects
                Resource.site_id == self.site.id, Resource.status == "fetched",
                Resource.kind.notin_(("attachment", "image", "article", "part")))).all()
        by_path = {c.path: c for c in columns}
        by_index = {_index_form(c.url): c for c in columns if c.url}
        for page in pages:
            path = " > ".join((page.hint or {}).get("column") or [])
            column = by_path.get(path) or next((by_index[u] for u in [_index_form(page.url)] + [
                _index_form(f) for f in first_pages(page.url)] if u in by_index), None)
            if page.url in self.links:
                yield page.url, (self.links[page.url], "301", None)
            elif column is not None or path or path in decisions:  # "" is the column of pages without a breadcrumb
                column = column or ColumnRow(site_id=self.site.id, path=path, url=None)
                yield page.url, self._column_outcome(column, decisions.get(column.path))
            else:
                yield page.url, (None, "unresolved", "a page of no column: give it a 301 or 410 in the redirects "
                                 f"CSV (`consolidate redirects {self.site.id} --import`)")

    def _duplicate_outcome(self, original: tuple[str, str], outcomes: dict[str, tuple[str | None, str, str | None]]
                           ) -> tuple[str | None, str, str | None]:
        """A duplicate whose original has no new URL shares the original's outcome: where it redirects,
        unresolved while it is, 410 only when it is archived."""
        site_id, url = original
        found = outcomes.get(url) if site_id == self.site.id else None
        if site_id != self.site.id:
            with self.ws.store.session() as session:
                row = session.scalar(select(UrlMapRow).where(UrlMapRow.site_id == site_id,
                                                             UrlMapRow.url_hash == url_hash(url)))
                found = (row.new_url, row.status, row.note) if row is not None else None
        if found is None:
            return None, "unresolved", f"duplicate of {url}, which has no outcome yet"
        new, status, note = found
        if status == "410":
            return None, "410", f"duplicate of {url} ({note or 'archived'})"
        return new, status, f"duplicate of {url}" + (f": {note}" if note else "")

    def _part_outcomes(self, outcomes: dict[str, tuple[str | None, str, str | None]]
                       ) -> Iterator[tuple[str, tuple[str | None, str, str | None]]]:
        """The further pages of multi-page articles: each shares its article's outcome (its text is in it)."""
        with self.ws.store.session() as session:
            parts = session.execute(select(Resource.url, Resource.hint, Resource.referrer).where(  # what part_articles
                Resource.site_id == self.site.id, Resource.status == "fetched", Resource.kind == "part")).all()  # reads
        for part in parts:
            article = next((u for u in part_articles(part) if u in outcomes), None)
            if article is None:
                yield part.url, (None, "unresolved", "a further page of an article the crawl did not extract")
                continue
            new, status, note = outcomes[article]
            yield part.url, (new, status, f"a further page of {article}" + (f": {note}" if note else ""))

    def _forget_body_messages(self, urls: list[str]) -> None:
        """Drop what earlier pushes said about these articles' bodies (links taken out, attachments not carried):
        this push judges them again, so `messages` shows each once, in today's words. A side export forgets only
        what it sends (the caller's choice): a page it holds is still the portal's, lost files and all, and the
        checklist counts those by these messages."""
        with self.ws.store.session() as session:
            for start in range(0, len(urls), 500):
                session.execute(delete(EventRow).where(
                    EventRow.site_id == self.site.id, EventRow.stage == "push",
                    EventRow.code.in_(BODY_MESSAGES), EventRow.url.in_(urls[start:start + 500])))

    def _event(self, level: str, code: str, message: str, url: str | None) -> None:
        """Record a push message for the report."""
        with self.ws.store.session() as session:
            session.add(EventRow(site_id=self.site.id, stage="push", level=level, code=code, message=message,
                                 url=url))


class _Waiting:
    """The articles of the plan not pushed yet, judged when asked (a set of them made per article was quadratic)."""

    def __init__(self, in_plan: set[str], links: dict[str, str]) -> None:
        self.in_plan, self.links = in_plan, links

    def __contains__(self, url: object) -> bool:
        """True for an article of the plan that has no new URL yet."""
        return url in self.in_plan and url not in self.links

    def __bool__(self) -> bool:
        """Truthy when the plan has articles (membership says which wait; asking is cheap)."""
        return bool(self.in_plan)


class PlannedArticle:
    """What the plan keeps of an article (it holds every article of a site at once): no body, no ORM row."""

    __slots__ = ("attachments", "id", "images", "title", "url")

    def __init__(self, article: ArticleRow) -> None:
        self.id, self.url, self.title = article.id, article.url, article.title
        self.attachments: tuple[dict[str, Any], ...] = tuple(article.attachments or ())
        self.images: tuple[str, ...] = tuple(article.images or ())


class _Waited(NamedTuple):
    """An article sent in the first pass whose links waited for articles later in the run."""

    id: int
    url: str
    target: str
    deferred: tuple[str, ...]  # the links that waited


class _Rec(NamedTuple):
    """What push needs of a push record (it holds those of every article of a site at once): no ORM row."""

    status: str | None
    target_id: str | None
    target_url: str | None
    content_hash: str | None
    reason: str | None
    source_url: str | None


class _File(NamedTuple):
    """What push needs of a crawled attachment or image (it holds those of a whole site at once): no ORM row."""

    url: str
    kind: str
    status: str
    sha256: str | None
    size: int | None
    content_type: str | None
    error: str | None
    http_status: int | None
    referrer: str | None


_FILE_COLUMNS = (Resource.url, Resource.kind, Resource.status, Resource.sha256, Resource.size, Resource.content_type,
                 Resource.error, Resource.http_status, Resource.referrer)
CARRIED = ("attachment", "image")  # the kinds of crawled file push carries (an attachment may be stored as an image)
AUTOMATIC = SYSTEM_DECIDERS[0]  # who recorded a column decision `map` made on its own ("consolidate")
MOVES = ("migrate", "merge")  # the column decisions whose articles push sends to the decision's target
PlanEntry = tuple[PlannedArticle, str | None, str | None]  # (article, target column id, skip reason)
_REC_COLUMNS = (PushRecord.status, PushRecord.target_id, PushRecord.target_url, PushRecord.content_hash,
                PushRecord.reason, PushRecord.source_url)
_NO_RECORD = _Rec(None, None, None, None, None, None)
BATCH = 500  # articles read (with their bodies) at a time


def _media_message(media: str, link: str) -> str:
    """Why a video or audio file left a body: the crawl does not fetch them (docs/decisions.md)."""
    return f"{media} not migrated (the crawl does not fetch video or audio), removed from the body: copy it to " \
        f"the portal by hand: {link}"


class LostAttachment(NamedTuple):
    """An attachment no push can carry to its portal page: the legacy page gave it no address (`url` None), or
    the crawl holds no bytes of it (`url`: its address as the crawl stores it)."""

    name: str
    url: str | None


def _named_attachments(article: ArticleRow, scope: Scope) -> Iterator[tuple[str, str | None]]:
    """(name, address as the crawl stores it, None when the legacy page gave none) of each of an article's
    attachments."""
    for attachment in article.attachments or []:
        raw = attachment.get("url") or ""
        legacy = crawl_form(scope, raw, article.url) if raw and canonical_url(raw, article.url) else None
        yield attachment.get("name") or raw or "(unnamed)", legacy


def lost_attachments(article: ArticleRow, scope: Scope, fetched: Container[str]) -> list[LostAttachment]:
    """The article's attachments no push can carry, each once (by name and address): no address on the legacy
    page, or not among the files the crawl holds bytes of (`fetched`: never fetched, or the legacy site could not
    serve it). One rule for push's messages, verify's lost files and the checklist's count: a file the crawl
    fetched is not lost (a push puts it, or tries again)."""
    lost: dict[tuple[str, str | None], LostAttachment] = {}
    for name, legacy in _named_attachments(article, scope):
        if legacy is None or legacy not in fetched:
            lost.setdefault((name, legacy), LostAttachment(name, legacy))
    return list(lost.values())


def lost_message(lost: LostAttachment, resource: _File | None) -> str:
    """push's message for an attachment no push can carry, saying what the crawl found at its address."""
    if lost.url is None:
        return f"attachment {lost.name!r} has no address on the legacy page: not on the portal page, add it by hand"
    return f"attachment {lost.name!r} not on the portal page, {_fetch_story(resource, lost.url)}: {lost.url}"


def _fetch_story(resource: _File | None, link: str) -> str:
    """What the crawl found at a file's address, for the message saying why the push took it out."""
    if resource is None:
        return "the crawl never fetched it"
    where = f" (as {resource.url})" if resource.url != link else ""
    if resource.status == "error" and resource.http_status:
        return f"the crawl fetched it{where} and the legacy site answered HTTP {resource.http_status}"
    if resource.status == "error":
        return f"the crawl could not fetch it{where}: {resource.error or 'fetch failed'}"
    if resource.status != "fetched":
        return f"the crawl has not fetched it{where}: {resource.status}"
    if not resource.sha256:
        return f"the crawl fetched it{where} but kept no bytes of it"
    return "it is not among the article's images and attachments"


def link_kind(url: str) -> str:
    """'image', 'file' or 'page', from the URL's file name (for messages about links that were removed)."""
    guessed = mimetypes.guess_type(urlsplit(url).path)[0] or ""
    if guessed.startswith("image/"):
        return "image"
    return "file" if guessed and guessed not in ("text/html", "application/xhtml+xml") else "page"


def _below(paths: list[str], path: str) -> Iterator[str]:
    """The sub-columns of `path`, at any depth, in a sorted list of column paths (they sort right after it)."""
    prefix = path + " > "
    for other in islice(paths, bisect_left(paths, prefix), None):
        if not other.startswith(prefix):
            return
        yield other


def _index_form(url: str) -> str:
    """A column URL and its directory form compare equal: '/a/b/index.html' and '/a/b/' → '/a/b/'."""
    if "?" in url:
        return url
    return re.sub(r"/(?:index|default)\.[A-Za-z]{2,5}$", "/", url)


def office_rows(ws: Workspace, site_id: str) -> dict[str, MapRow]:
    """The site's URL-map rows the office set (`redirects --import`, note 'office:'), by legacy URL."""
    with ws.store.session() as session:
        return {row.old_url: MapRow(row.status, row.new_url, row.note) for row in session.execute(
            select(UrlMapRow.old_url, UrlMapRow.status, UrlMapRow.new_url, UrlMapRow.note).where(
                UrlMapRow.site_id == site_id, UrlMapRow.note.like(f"{OFFICE_NOTE}%")))}


def kept_by_office(row: MapRow | None, page: str | None) -> bool:
    """True when the office's URL-map row (`redirects SITE --import`, note 'office:') leads the legacy URL to its
    published `page` itself: the office has mended that page on the portal by hand (or accepts it as it is), so a
    hold that catches it later leaves it there and push never sends it again (docs/decisions.md)."""
    return row is not None and (row.note or "").startswith(OFFICE_NOTE) and row.status == "301" \
        and bool(page) and row.new_url == page


def skipped_outcome(row: MapRow | None, reason: str, original_here: bool = False) -> tuple[str, str]:
    """(skipped | unresolved | failed, reason code) of an article a push did not send, as the ledger counts it from
    its URL-map `row` (and, for a duplicate, whether the target holds its original: `original_here`): a URL the
    office gave a 301 or 410 is decided by the office ('office'), whatever push's own reason; else the ledger's
    skip rule (`skip_disposition`) says whether it waits, or is a failure to fix (no title, a column not in the
    portal tree: 'failed', as status names it)."""
    if row is not None and (row.note or "").startswith(OFFICE_NOTE) and row.status in ("301", "410"):
        return "skipped", reason_category(row.note or OFFICE_NOTE)
    disposition, _new, why = skip_disposition(row, reason, original_here)
    group = disposition if disposition in ("unresolved", "failed") else "skipped"
    return group, reason_category(why)


def _as_map_row(outcome: tuple[str | None, str, str | None]) -> MapRow:
    """A (new URL, status, note) outcome as the URL-map row push writes for it (a 301 to no public address is
    unresolved: `public_outcome`)."""
    new, status, note = public_outcome(*outcome)
    return MapRow(status, new, note)


def _decided(reason: str) -> bool:
    """False for a skip that waits on a decision (the article's column is not mapped yet, its personal data
    is not triaged yet, or it is held for review)."""
    return reason_category(reason) not in ("column not mapped", UNTRIAGED) and not is_held(reason)


UNDATED_HELD = "undated: held for review"
PUSH_ERROR = "push error"  # the reason code of articles the target did not take (failed push records)
NOT_UPLOADED_CODE = "attachment_not_uploaded"  # fetched, but its upload failed: the next push tries it again
BODY_MESSAGES = ("unresolved_link", MISSING_CODE, NOT_UPLOADED_CODE, *HOTLINK_CODES)  # re-judged at every push of
# the article
LAST_MODIFIED_SLACK_DAYS = 1  # a Last-Modified this close to the fetch is the server's clock, not the article's


def date_evidence(ws: Workspace, site_id: str, url: str) -> tuple[str, str] | None:
    """(date, source) for an undated article from what the crawl recorded: its list-page date, else an HTTP
    Last-Modified clearly older than the fetch (converted to Beijing time); None without evidence."""
    import datetime as dt
    from email.utils import parsedate_to_datetime

    from consolidate.core.legacy_time import LEGACY_ZONE

    with ws.store.session() as session:
        resource = session.scalar(select(Resource).where(Resource.site_id == site_id,
                                                         Resource.url_hash == url_hash(url)))
    if resource is None:
        return None
    listed = (resource.hint or {}).get("date")
    if isinstance(listed, str) and re.match(r"^\d{4}-\d{2}-\d{2}", listed):
        return listed, "list page"
    try:
        modified = parsedate_to_datetime(resource.last_modified or "")
    except (TypeError, ValueError, IndexError):
        return None
    if modified.tzinfo is None or resource.fetched_at is None:
        return None
    fetched = resource.fetched_at.replace(tzinfo=dt.UTC)
    if (fetched - modified).days < LAST_MODIFIED_SLACK_DAYS:
        return None
    return modified.astimezone(LEGACY_ZONE).strftime("%Y-%m-%dT%H:%M:%S"), "HTTP Last-Modified"


def _push_hash(article: ArticleRow, target: str, body: str) -> str:
    """What must be equal for a pushed article to count as unchanged."""
    digest = hashlib.sha256()
    for part in (article.content_hash or "", target, body):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def rewrite_links(html: str, page_url: str, links: dict[str, str], scope: Scope,
                  waiting: set[str] | None = None, kept: list[str] | None = None) -> tuple[str, list[str]]:
    """Point links and images at their new homes; unwrap links (drop images) to legacy pages not migrated.

    Links to URLs in `waiting` (pushed later in the same run) are kept as they are and reported. Images and files
    left pointing at another server are added to `kept`, when given.
    """
    if not html:
        return html, []
    tree = LexborHTMLParser(f"<div id='__root'>{html}</div>")
    root = tree.css_first("#__root")
    if root is None:
        return html, []
    unresolved: list[str] = []
    for node, attr in [(n, "href") for n in root.css("a[href]")] + [(n, "src") for n in root.css("img[src]")]:
        value = node.attributes.get(attr) or ""
        absolute = canonical_url(value, page_url)
        if absolute is None:
            continue
        absolute = scope.on_site(absolute)  # as the crawl stored it: an alias host or the other scheme moved home
        known = links.get(absolute) or links.get(_index_form(absolute))  # '/x/index.html' is '/x/'
        if known:
            node.attrs[attr] = known
        elif waiting and absolute in waiting:
            unresolved.append(absolute)
        elif scope.admits(absolute, "image" if attr == "src" else resource_kind(absolute)):
            unresolved.append(absolute)
            if attr == "href":
                node.unwrap()
            else:
                node.decompose()
        else:
            node.attrs[attr] = absolute
            if kept is not None and (attr == "src" or resource_kind(absolute) in FILE_KINDS):
                kept.append(absolute)
    return root.inner_html, unresolved
