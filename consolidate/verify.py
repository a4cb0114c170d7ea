"""Read pushed objects back from the target (verify), and remove what this tool created (rollback)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update

from consolidate.core.config import ColumnPlace
from consolidate.core.errors import ConsolidateError
from consolidate.core.legacy_time import same_legacy_moment
from consolidate.core.store import ArticleRow, EventRow, PushRecord, Resource, SiteRow, UrlMapRow, utcnow
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.holds import bare, face_problems, lost_content
from consolidate.missing_files import missing_files_acknowledged
from consolidate.push import (
    BATCH,
    CARRIED,
    IN_TARGET,
    article_key,
    column_key,
    crawl_form,
    kept_by_office,
    lost_attachments,
    office_rows,
    planned_targets,
    portal_index,
    site_scope,
)
from consolidate.triage import PushGate, push_gate
from consolidate.wording import counted
from crawlers.text import html_to_text, normalize_space
from crawlers.urls import Scope, canonical_url
from exporters.base import Exporter, TargetRef

LOST_PREFIX = "attachments lost: "  # a difference no push can mend (the office acknowledges it)
BARE_PREFIX = "empty body without files: "  # a page the next push holds and takes off the portal
T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)  # one per article verified, all of a site's kept until they are stored
class VerifyResult:
    """The outcome of reading one pushed article back."""

    source_url: str
    status: str  # ok | mismatch | missing
    differences: list[str] = field(default_factory=list)
    record_id: int | None = field(default=None, compare=False, repr=False)  # the push record it is stored on
    kept: bool = False  # a page the office mended on the portal and kept: read back, not compared
    lost: int = 0  # attachments no push can carry (no address on the legacy page, or the crawl could not get it)


@dataclass
class VerifySummary:
    """Verification figures of one site."""

    site_id: str
    ok: int = 0
    mismatch: int = 0
    missing: int = 0
    results: list[VerifyResult] = field(default_factory=list)
    suspect: list[tuple[str, list[str]]] = field(default_factory=list)  # (legacy URL, what looks wrong)
    office_kept: int = 0  # pages the office mended on the portal and kept (read back, not compared)
    lost_acknowledged: bool = False  # the office acknowledged the attachments no push can carry

    @property
    def lost_files(self) -> int:
        """Attachments of the verified articles that are not on their portal pages, each once."""
        return sum(r.lost for r in self.results)

    @property
    def lost_pages(self) -> int:
        """The verified articles that lost an attachment."""
        return sum(1 for r in self.results if r.lost)

    @property
    def resendable(self) -> int:
        """Articles not verified that a push --update could send again (not those that only lost attachments)."""
        return sum(1 for r in self.results if r.status == "missing" or any(
            not d.startswith((LOST_PREFIX, BARE_PREFIX)) for d in r.differences))

    @property
    def bare(self) -> int:
        """Published articles bare by push's hold rule (the next push takes them back)."""
        return sum(1 for r in self.results if any(d.startswith(BARE_PREFIX) for d in r.differences))

    def kept_line(self) -> str | None:
        """What verify says of the pages the office kept as they are on the portal (None when there are none)."""
        if not self.office_kept:
            return None
        return f"{counted(self.office_kept, 'page')} the office mended on the portal and kept (its redirects row " \
               "leads the old URL to the page itself): read back, not compared with the legacy page; push leaves " \
               "them as they are"

    def lost_line(self) -> str | None:
        """What verify says of the attachments no push can carry (None when there are none)."""
        if not self.lost_files:
            return None
        what = f"{counted(self.lost_files, 'attachment')} on {counted(self.lost_pages, 'page')} not on the portal " \
               "(no address on the legacy page, or the crawl could not get the file)"
        if self.lost_acknowledged:
            return f"{what}: acknowledged by the office (checklist --accept-missing-files), not counted as differences"
        return f"{what}: not verified; add them to the portal pages by hand, then acknowledge them with " \
               f"`consolidate checklist {self.site_id} --accept-missing-files --ref EVIDENCE` and verify again"


def verify_site(ws: Workspace, site_id: str, exporter: Exporter,
                progress: Callable[[int, int], None] | None = None) -> VerifySummary:
    """Compare every pushed article of a site with what the target holds: title, date, body, column, files
    (`progress(done, total)` after each article read back)."""
    require_crawled(ws, site_id)
    summary = VerifySummary(site_id)
    pushed = (PushRecord.target == exporter.target, PushRecord.site_id == site_id, PushRecord.kind == "article",
              PushRecord.status.in_(IN_TARGET))
    with ws.store.session() as session:
        total = session.scalar(select(func.count()).select_from(PushRecord).where(*pushed)) or 0
        # compare with what push sent (triage masks and 失效 notices); the plan shares the gate, so a site crawled
        # since its last triage is scanned once, in memory
        gate = push_gate(ws, site_id, allow_untriaged=True, dry_run=True)
        files = {r.url: r.sha256 for r in session.scalars(select(Resource).where(  # those push carries: an
            Resource.site_id == site_id, Resource.kind.in_(CARRIED), Resource.status == "fetched"))}  # image too
    targets = planned_targets(ws, site_id, exporter, allow_untriaged=True, gate=gate)  # push's plan of what it sent
    site = ws.site(site_id)
    scope = site_scope(site, ws.config.sibling_hosts(site))  # as push reads a body's files
    summary.lost_acknowledged = missing_files_acknowledged(ws, site_id)
    office = office_rows(ws, site_id)
    done = 0

    def check(pair: tuple[PushRecord, ArticleRow | None]) -> VerifyResult | None:
        """One record read back and compared (None: its article is no longer stored); a page the office kept is
        only read back."""
        record, article = pair
        if article is None:
            return None
        if kept_by_office(office.get(article.url), record.target_url):
            return _read_back(exporter, record, article)
        result = _verify_one(exporter, record, article, targets.get(article.url), files, scope)
        return _with_lost(result, article, files, scope, summary.lost_acknowledged)

    with _Pool(exporter.capabilities.concurrency) as pool:
        for chunk in _record_batches(ws, pushed):  # push records and the articles compared, BATCH at a time
            articles = _articles_of(ws, site_id, chunk, gate)
            pairs = [(record, articles.get(record.source_key)) for record in chunk]
            for (record, article), result in zip(pairs, pool.map(check, pairs), strict=True):  # in record order
                done += 1
                if progress is not None:
                    progress(done, total)
                if article is None or result is None:
                    continue
                result.record_id = record.id
                summary.results.append(result)
                setattr(summary, result.status, getattr(summary, result.status) + 1)
                if result.kept:
                    summary.office_kept += 1
                    continue  # the office's page, not the legacy record, is what the portal shows
                problems = face_problems(article, [site.name, ws.config.portal.name])
                if problems:
                    summary.suspect.append((article.url, problems))
    _record_results(ws, exporter.target, summary)
    return summary


class _Pool:
    """`map` in order, on `workers` threads (the exporter's concurrency; in this thread when 1): the target's
    round trips overlap as push's do, and at most one batch of results is held."""

    def __init__(self, workers: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)

    def map(self, function: Callable[[T], R], items: list[T]) -> Iterator[R]:
        """function(item) for every item, yielded in the items' order."""
        if self.executor is None:
            return map(function, items)
        return self.executor.map(function, items)


def _record_batches(ws: Workspace, where: tuple[Any, ...]) -> Iterator[list[PushRecord]]:
    """The push records matching `where` in id order, BATCH at a time (keyset pagination by id)."""
    last = -1
    while True:
        with ws.store.session() as session:
            batch = session.scalars(select(PushRecord).where(*where, PushRecord.id > last)
                                    .order_by(PushRecord.id).limit(BATCH)).all()
        if not batch:
            return
        yield list(batch)
        last = batch[-1].id


def _articles_of(ws: Workspace, site_id: str, records: list[PushRecord], gate: PushGate) -> dict[str, ArticleRow]:
    """Source key → the stored article (triage masks and 失效 notices applied) of these push records."""
    hashes = [record.source_key.rsplit(":", 1)[-1] for record in records]
    with ws.store.session() as session:
        return {article_key(site_id, a.url): gate.apply(a) for a in session.scalars(
            select(ArticleRow).where(ArticleRow.site_id == site_id, ArticleRow.url_hash.in_(hashes)))}


def _verify_one(exporter: Exporter, record: PushRecord, article: ArticleRow, target: str | None,
                files: dict[str, str | None], scope: Scope) -> VerifyResult:
    """Read one article back and list what differs."""
    ref = TargetRef(record.target_id or "", record.target_url or "")
    try:
        snapshot = exporter.read(record.source_key, ref)
    except Exception as exc:  # noqa: BLE001 - a target failure is a finding, not a crash
        return VerifyResult(article.url, "missing", [f"could not read back: {exc}"])
    if snapshot is None:
        return VerifyResult(article.url, "missing", ["not found in the target"])
    differences = _differences(snapshot, article, target, files, scope)
    return VerifyResult(article.url, "mismatch" if differences else "ok", differences)


def _read_back(exporter: Exporter, record: PushRecord, article: ArticleRow) -> VerifyResult:
    """A page the office kept as it is on the portal: still there, or missing; not compared with the legacy page."""
    ref = TargetRef(record.target_id or "", record.target_url or "")
    try:
        snapshot = exporter.read(record.source_key, ref)
    except Exception as exc:  # noqa: BLE001 - a target failure is a finding, not a crash
        return VerifyResult(article.url, "missing", [f"could not read back: {exc}"], kept=True)
    if snapshot is None:
        return VerifyResult(article.url, "missing", ["kept by the office but not found in the target"], kept=True)
    return VerifyResult(article.url, "ok", kept=True)


def _with_lost(result: VerifyResult, article: ArticleRow, files: dict[str, str | None], scope: Scope,
               acknowledged: bool) -> VerifyResult:
    """The result with the article's attachments no push can carry: counted, and (unless the office acknowledged
    them) a difference that leaves the article not verified."""
    lost = lost_attachments(article, scope, {url for url, sha in files.items() if sha})
    result.lost = len(lost)
    if lost and not acknowledged and result.status != "missing":
        said = "; ".join(f"{a.name!r} has no address on the legacy page" if a.url is None
                         else f"{a.name!r}, which the crawl could not get: {a.url}" for a in lost)
        result.differences.append(f"{LOST_PREFIX}{len(lost)} not on the portal page ({said})")
        result.status = "mismatch"
    return result


def _bare_as_published(snapshot: Any, article: ArticleRow, published_text: str) -> bool:
    """True when the published page carries nothing a reader could see, by push's hold rule: its title, file names
    and labels do not count, nor a few words beside the images or files it lost."""
    carried = len(snapshot.attachments or [])
    names = [a.get("name") or "" for a in article.attachments or []]
    lost = lost_content(article, snapshot.body_html or "", carried)
    return bare(published_text, snapshot.body_html or "", carried, title=article.title or "", names=names, lost=lost)


def _differences(snapshot: Any, article: ArticleRow, target: str | None,
                 files: dict[str, str | None], scope: Scope) -> list[str]:
    """Field-by-field comparison of a target snapshot with the legacy article (its files found as push finds
    them, `crawl_form`)."""
    differences = []
    if normalize_space(snapshot.title or "") != normalize_space(article.title or ""):
        differences.append(f"title: {snapshot.title!r} ≠ {article.title!r}")
    if article.published and not _same_moment(snapshot.published, article.published):
        differences.append(f"date: {snapshot.published!r} ≠ {article.published!r}")
    published_text = html_to_text(snapshot.body_html or "")
    if _text(published_text) != _text(article.body_text or ""):
        differences.append("body text differs")
    if _bare_as_published(snapshot, article, published_text):
        differences.append(f"{BARE_PREFIX}the published page shows nothing of its own (its title, file names, "
                           "download labels, or a few words beside the images or files it lost): the next push holds "
                           "it and takes it off the portal")
    if target and target not in (snapshot.column_ids or []):
        differences.append(f"column: {snapshot.column_ids} does not include {target}")
    wanted = {files.get(crawl_form(scope, a["url"], article.url)) for a in article.attachments or []} - {None}
    held = {sha for _name, sha, _size in snapshot.attachments or []}
    missing = wanted - held
    if missing:
        differences.append(f"attachments: {len(missing)} of {len(wanted)} missing or with other bytes")
    return differences


def _same_moment(stored: str | None, original: str) -> bool:
    """True when the target's date is the original's instant (legacy times are Beijing time; a target date
    with an offset is compared as an instant, one without as wall time), to the precision the original has."""
    return same_legacy_moment(stored, original)


def _text(text: str) -> str:
    """Text compared without any whitespace (targets re-wrap paragraphs)."""
    return "".join(text.split())


def _record_results(ws: Workspace, target: str, summary: VerifySummary) -> None:
    """Store each article's verification status on its push record (by the record's id, BATCH updates at a
    time, no record loaded), and differences as events."""
    with ws.store.session() as session:
        session.execute(delete(EventRow).where(EventRow.site_id == summary.site_id, EventRow.stage == "verify",
                                               EventRow.code == "suspect_record"))
        session.add_all(EventRow(site_id=summary.site_id, stage="verify", level="warning", code="suspect_record",
                                 message="; ".join(problems), url=url) for url, problems in summary.suspect)
        now = utcnow()
        for start in range(0, len(summary.results), BATCH):
            chunk = [r for r in summary.results[start:start + BATCH] if r.record_id is not None]
            if chunk:
                session.execute(update(PushRecord), [
                    {"id": r.record_id, "verify_status": r.status, "verify_note": _note(r), "verified_at": now}
                    for r in chunk])
            session.add_all(EventRow(site_id=summary.site_id, stage="verify", level="error", code=r.status,
                                     message="; ".join(r.differences)[:2000], url=r.source_url)
                            for r in chunk if r.differences)


def _note(result: VerifyResult) -> str | None:
    """The push record's verify note: the differences, or the attachments the office acknowledged as lost."""
    if result.differences:
        return "; ".join(result.differences)
    return f"{counted(result.lost, 'attachment')} not on the portal page, acknowledged" if result.lost else None


@dataclass
class RollbackSummary:
    """What a rollback removed."""

    site_id: str
    articles: int = 0
    files: int = 0
    columns: int = 0
    kept_shared: int = 0
    failed: list[str] = field(default_factory=list)
    letters: int = 0  # interaction records (consolidate/letters_push.py)
    kept_subsites: list[str] = field(default_factory=list)  # homes of the sub-sites still in the target: a
    # rollback removes what was pushed, never a sub-site (WordPress keeps them; the office removes them by hand)


def rollback_site(ws: Workspace, site_id: str, exporter: Exporter, only: list[str] | None = None,
                  fleet: RollbackFleet | None = None) -> RollbackSummary:
    """Remove from the target what this tool pushed for a site (articles, then unshared files and columns).
    `fleet` carries what the target still holds of every site from one rollback to the next of a command
    (`rollback_sites`): without it the fleet is read once for this site."""
    ws.site(site_id)
    fleet = fleet if fleet is not None else RollbackFleet(ws, exporter)
    summary = RollbackSummary(site_id)
    only_keys = {article_key(site_id, canonical_url(u) or u) for u in only} if only else None
    records = _site_records(ws, exporter.target, site_id)
    mine = [r for r in records if r.site_id == site_id and r.kind == "article"
            and (only_keys is None or r.source_key in only_keys)]
    if only_keys is not None and len(mine) < len(only_keys):
        missing = sorted(set(only) - {r.source_url for r in mine}) if only else []
        raise ConsolidateError(f"not a pushed article of site {site_id!r}: {missing[0] if missing else only}",
                               hint=f"see `consolidate articles {site_id}`; only pushed articles can be rolled back")
    homes = _subsite_homes(ws, exporter)
    filed_under = fleet.columns_of(site_id) if only_keys is None else set()  # before its articles go
    with _Pool(exporter.capabilities.concurrency) as pool:
        _delete_all(ws, pool, exporter, mine, summary, "articles")
        if only_keys is None:
            letters = [r for r in records if r.site_id == site_id and r.kind == "letter"]
            _delete_all(ws, pool, exporter, letters, summary, "letters")
            fleet.refresh(site_id)  # what its articles still in the target (those not removed) use
            still_used = fleet.files_in_use()
            files = [r for r in records if r.site_id == site_id and r.kind == "file"]
            summary.kept_shared += sum(1 for r in files if r.source_key in still_used)
            _delete_all(ws, pool, exporter, [r for r in files if r.source_key not in still_used], summary, "files")
    if only_keys is None:
        _rollback_columns(ws, exporter, site_id, records, summary, fleet, filed_under)  # children before parents
        with ws.store.session() as session:
            site = session.get(SiteRow, site_id)
            if site is not None:
                site.pushed_at = None
    exporter.finish()
    gone = _removed_urls(ws, [r.id for r in records])
    kept = _subsite_homes(ws, exporter)
    gone |= homes - kept  # a sub-site's home page goes with its last column
    summary.kept_subsites = _homes_of_site(ws, exporter, site_id, records)
    _unredirect(ws, gone, fleet)
    return summary


def rollback_sites(ws: Workspace, site_ids: list[str], exporter: Exporter, only: list[str] | None = None
                   ) -> Iterator[RollbackSummary]:
    """Roll back these sites one after another (`rollback --all`), each summary as its site is done: what the
    target still holds of the fleet is read once for them all and updated site by site (linear in the fleet)."""
    fleet = RollbackFleet(ws, exporter)
    for site_id in site_ids:
        yield rollback_site(ws, site_id, exporter, only, fleet)


@dataclass(slots=True)
class _SiteUse:
    """What one site's articles still in the target use: files, columns (with their ancestors), and whether the
    place of one of them cannot be told (then every column of the target counts as used)."""

    articles: int = 0
    files: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)
    untold: bool = False


class RollbackFleet:
    """What the target still holds of every site, as a rollback asks it (files and columns still used, the 301s
    of the URL map by the page they lead to): found once for a command and updated as each site is rolled back,
    so `rollback --all` reads the fleet once, not once per site. Only rollback may write the push map meanwhile."""

    def __init__(self, ws: Workspace, exporter: Exporter) -> None:
        self.ws, self.exporter = ws, exporter
        self.uses: dict[str, _SiteUse] | None = None  # site → its use, for the sites with articles in the target
        self.files: Counter[str] = Counter()  # file key → sites using it
        self.columns: Counter[str] = Counter()  # column key → sites using it
        self.redirects: tuple[array, array] | None = None  # (digest of a 301's new URL, its row id), by digest

    def columns_of(self, site_id: str) -> set[str]:
        """The columns (with their ancestors) the site's articles in the target are filed under, asked before they
        are removed; the first call finds every site's use."""
        self._read()
        assert self.uses is not None
        use = self.uses.get(site_id)
        return set(use.columns) if use is not None else set()

    def refresh(self, site_id: str) -> None:
        """Find the site's use again (its objects were just removed); the first call finds every site's."""
        if not self._read():
            self._set(site_id, _site_use(self.ws, self.exporter, site_id))

    def _read(self) -> bool:
        """Find every site's use, once; whether it was found now."""
        if self.uses is not None:
            return False
        self.uses = {}
        with self.ws.store.session() as session:
            holding = sorted(set(session.scalars(select(PushRecord.site_id).distinct().where(
                PushRecord.target == self.exporter.target, PushRecord.kind == "article",
                PushRecord.status.in_(IN_TARGET)))))
        for other in holding:
            self._set(other, _site_use(self.ws, self.exporter, other))
        return True

    def _set(self, site_id: str, use: _SiteUse) -> None:
        """Replace a site's use and the counts of the files and columns it uses."""
        assert self.uses is not None
        old = self.uses.pop(site_id, None)
        if old is not None:
            self.files.subtract(old.files)
            self.columns.subtract(old.columns)
        if use.articles:
            self.uses[site_id] = use
            self.files.update(use.files)
            self.columns.update(use.columns)
        self.files, self.columns = +self.files, +self.columns  # keys no site uses any more dropped

    def files_in_use(self) -> set[str]:
        """File keys referenced by articles of any site that remain in the target."""
        return set(self.files)

    def holding(self) -> set[str]:
        """The sites with articles in the target."""
        return set(self.uses or {})

    def columns_in_use(self) -> set[str]:
        """Column keys (with their ancestors) the target's remaining articles are filed under (push's plan, else
        read back from the target); while an article's place cannot be told even so, every column of the target
        (it may sit in a column another site recorded)."""
        if not any(use.untold for use in (self.uses or {}).values()):
            return set(self.columns)
        with self.ws.store.session() as session:
            pushed = session.scalars(select(PushRecord.source_key).where(*_column_records(self.exporter.target)))
            return set(self.columns) | set(pushed)

    def redirect_ids(self, urls: set[str]) -> list[int]:
        """Ids of the URL map's rows that were 301 to one of these URLs when first asked (by a digest: the caller
        compares the URL and status)."""
        if self.redirects is None:
            with self.ws.store.session() as session:
                pairs = sorted((hash(url), row_id) for row_id, url in session.execute(
                    select(UrlMapRow.id, UrlMapRow.new_url).where(UrlMapRow.status == "301")) if url)
            self.redirects = array("q", (h for h, _ in pairs)), array("q", (i for _, i in pairs))
        digests, ids = self.redirects
        found = []
        for url in urls:
            at = bisect_left(digests, hash(url))
            while at < len(digests) and digests[at] == hash(url):
                found.append(ids[at])
                at += 1
        return sorted(found)


def _site_use(ws: Workspace, exporter: Exporter, site_id: str) -> _SiteUse:
    """What the site's articles still in the target use (files found as push found them, columns by push's
    plan)."""
    with ws.store.session() as session:
        remaining = session.execute(select(PushRecord.source_key, PushRecord.source_url, PushRecord.target_id,
                                           PushRecord.target_url).where(
            PushRecord.site_id == site_id, PushRecord.target == exporter.target, PushRecord.kind == "article",
            PushRecord.status.in_(IN_TARGET))).all()
        if not remaining:
            return _SiteUse()
        use, keys = _SiteUse(len(remaining)), {row.source_key for row in remaining}
        site = next((s for s in ws.config.sites if s.id == site_id), None)
        scope = site_scope(site) if site is not None else Scope.for_site("", [], [], [])
        shas = dict(session.execute(select(Resource.url, Resource.sha256).where(
            Resource.site_id == site_id, Resource.kind.in_(("attachment", "image")), Resource.status == "fetched")
                                    ).all())
        for url, attachments, images in session.execute(select(ArticleRow.url, ArticleRow.attachments,
                                                               ArticleRow.images).where(ArticleRow.site_id == site_id)):
            if article_key(site_id, url) not in keys:
                continue
            for file_url in [a["url"] for a in attachments or []] + list(images or []):
                sha = shas.get(crawl_form(scope, file_url))
                if sha:
                    use.files.add(f"file:{sha}")
    index = portal_index(ws.config)
    unplaced = list(remaining)
    if site is not None:
        targets = planned_targets(ws, site_id, exporter, allow_untriaged=True)
        unplaced = []
        for row in remaining:
            info = index.get(targets.get(row.source_url or "") or "")
            if info is None:
                unplaced.append(row)
            else:
                _add_column(use, index, info)
    for row in unplaced:  # the plan cannot place it now (its column remapped since, its site no longer configured)
        _place_by_reading(exporter, index, row, use)
    return use


def _add_column(use: _SiteUse, index: dict[str, ColumnPlace], info: ColumnPlace | None) -> None:
    """A column and its ancestors as used."""
    while info is not None:
        use.columns.add(column_key(info))
        info = index.get(info.parent_id) if info.parent_id else None


def _place_by_reading(exporter: Exporter, index: dict[str, ColumnPlace], row: Any, use: _SiteUse) -> None:
    """The columns the target files an article under, read back from it; untold when it cannot be read or its
    columns are not the portal's (an article gone from the target uses none)."""
    try:
        snapshot = exporter.read(row.source_key, TargetRef(row.target_id or "", row.target_url or ""))
    except Exception:  # noqa: BLE001 - not known where it sits: every column is kept for it
        use.untold = True
        return
    if snapshot is None:
        return
    infos = [index[column_id] for column_id in snapshot.column_ids or [] if column_id in index]
    use.untold = use.untold or not infos
    for info in infos:
        _add_column(use, index, info)


def _column_records(target: str) -> tuple[Any, ...]:
    """The conditions of the target's column records in it (read by the push map's (target, key) index: a column's
    key starts `column:`)."""
    return (PushRecord.target == target, PushRecord.source_key >= "column:", PushRecord.source_key < "column;",
            PushRecord.kind == "column", PushRecord.status.in_(IN_TARGET))


def _site_records(ws: Workspace, target: str, site_id: str) -> list[PushRecord]:
    """The site's push records in the target, and every column record of the target (a site's rollback removes
    columns another site rolled back kept for it)."""
    with ws.store.session() as session:
        own = session.scalars(select(PushRecord).where(PushRecord.target == target, PushRecord.site_id == site_id,
                                                       PushRecord.status.in_(IN_TARGET))).all()
        columns = session.scalars(select(PushRecord).where(*_column_records(target),
                                                           PushRecord.site_id != site_id)).all()
    return sorted([*own, *columns], key=lambda r: r.id)


def _subsite_homes(ws: Workspace, exporter: Exporter) -> set[str]:
    """The home pages the target holds of the portal's sub-sites."""
    return {url for url in (exporter.home_url(sub.id) for sub in ws.config.portal.subsites) if url}


def _homes_of_site(ws: Workspace, exporter: Exporter, site_id: str, records: list[PushRecord]) -> list[str]:
    """The home pages the target still holds of the sub-sites this site's columns were pushed into."""
    columns = {r.source_key for r in records if r.site_id == site_id and r.kind == "column"}
    subsites = {info.subsite for info in portal_index(ws.config).values() if column_key(info) in columns}
    return sorted(url for url in (exporter.home_url(sub) for sub in subsites if sub) if url)


def _removed_urls(ws: Workspace, ids: list[int]) -> set[str]:
    """The target URLs of these push records that rollback removed."""
    with ws.store.session() as session:
        return {url for start in range(0, len(ids), BATCH) for url in session.scalars(select(PushRecord.target_url)
                .where(PushRecord.id.in_(ids[start:start + BATCH]), PushRecord.status == "rolled_back")) if url}


def _unredirect(ws: Workspace, gone: set[str], fleet: RollbackFleet) -> None:
    """Legacy URLs of any site that were 301 to a page rollback removed become unresolved (not pushed): the URL
    ledger, the redirect rules, status and the report then say what the target holds."""
    if not gone:
        return
    ids = fleet.redirect_ids(gone)
    with ws.store.session() as session:
        for start in range(0, len(ids), BATCH):
            for row in session.scalars(select(UrlMapRow).where(UrlMapRow.id.in_(ids[start:start + BATCH]))):
                if row.status == "301" and row.new_url in gone:
                    row.new_url, row.status, row.note = None, "unresolved", \
                        "not pushed: removed from the target by rollback"


def _rollback_columns(ws: Workspace, exporter: Exporter, site_id: str, records: list[PushRecord],
                      summary: RollbackSummary, fleet: RollbackFleet, filed_under: set[str]) -> None:
    """Delete the site's columns (children first) that no article remaining in the target files under, and those
    a site already rolled back kept for it: a column two sites filled is recorded once, under the first one. Kept
    shared: the site's columns still in use, and those recorded under another site that its articles filled."""
    in_use, holding = fleet.columns_in_use(), fleet.holding()
    for record in sorted((r for r in records if r.kind == "column" and (r.site_id == site_id or r.site_id
                          not in holding)), key=lambda r: -r.source_key.count(":")):
        if record.source_key not in in_use:
            _delete(ws, exporter, record, summary, "columns")
    summary.kept_shared += len({r.source_key for r in records if r.kind == "column" and r.source_key in in_use
                                and (r.site_id == site_id or r.source_key in filed_under)})


def _delete_all(ws: Workspace, pool: _Pool, exporter: Exporter, records: list[PushRecord], summary: RollbackSummary,
                field_name: str) -> None:
    """Delete these objects from the target on the pool's threads, marking their push records rolled back BATCH
    at a time (an object deleted but not marked is found gone, and marked, by the next rollback)."""
    for start in range(0, len(records), BATCH):
        chunk = records[start:start + BATCH]
        errors = list(pool.map(lambda record: _removal_error(exporter, record), chunk))
        summary.failed += [f"{r.source_key}: {error}" for r, error in zip(chunk, errors, strict=True) if error]
        gone = [r.id for r, error in zip(chunk, errors, strict=True) if error is None]
        if gone:
            with ws.store.session() as session:
                session.execute(update(PushRecord).where(PushRecord.id.in_(gone)).values(
                    status="rolled_back", reason="removed by rollback", pushed_at=utcnow()))
        setattr(summary, field_name, getattr(summary, field_name) + len(gone))


def _removal_error(exporter: Exporter, record: PushRecord) -> Exception | None:
    """Delete one object from the target; the failure, if any (reported, the rest go on)."""
    try:
        exporter.delete(record.source_key, TargetRef(record.target_id or "", record.target_url or ""))
    except Exception as exc:  # noqa: BLE001 - report and go on with the rest
        return exc
    return None


def _delete(ws: Workspace, exporter: Exporter, record: PushRecord, summary: RollbackSummary, field_name: str) -> None:
    """Delete one object from the target and mark its push record rolled back."""
    try:
        exporter.delete(record.source_key, TargetRef(record.target_id or "", record.target_url or ""))
    except Exception as exc:  # noqa: BLE001 - report and go on with the rest
        summary.failed.append(f"{record.source_key}: {exc}")
        return
    with ws.store.session() as session:
        row = session.get(PushRecord, record.id)
        if row is not None:
            row.status, row.reason, row.pushed_at = "rolled_back", "removed by rollback", utcnow()
    setattr(summary, field_name, getattr(summary, field_name) + 1)
