"""The triage stage: personal data, repealed documents and dying links found before anything is republished.

Runs over a site's stored articles and their fetched attachment blobs (read here, never sent anywhere), records one
row per finding with a masked excerpt (never the value), and keeps the office's decision on each: mask, withhold,
publish as is (with the signer's reason) or mark as 失效. `push` asks `push_gate` which articles it must hold back
(an undecided personal-data finding) and applies the decisions to what it sends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, func, select

from consolidate.attachment_text import Unreadable, read_attachment
from consolidate.core.blobs import BlobStore
from consolidate.core.storage import workspace_storage
from consolidate.core.store import (
    ArticleRow,
    EventRow,
    Resource,
    SiteRow,
    Store,
    TriageBlob,
    TriageFinding,
    TriageScan,
    UrlMapRow,
    url_hash,
    utcnow,
)
from consolidate.core.urls import canonical_url
from consolidate.core.workspace import Workspace
from consolidate.mapping import duplicate_holds
from crawlers.urls import Scope
from mappers import triage as checks
from mappers.triage import PERSONAL, Finding

if TYPE_CHECKING:
    from mappers.sheet import SignedChanges
    from mappers.triage_sheet import SheetDecision

UNTRIAGED = "personal data undecided"  # a push skip-reason code (未完成个人信息审查 in Chinese output)
WITHHELD = "withheld in triage"
VALIDITY_NOTICE = ('<p class="consolidate-validity" data-validity="失效"><strong>【已失效】</strong>'
                   '本文件已失效（{detail}），仅供查阅，不再作为执行依据。</p>')
VALIDITY_LINE = "【已失效】本文件已失效（{detail}），仅供查阅，不再作为执行依据。\n"  # the notice in the body's text
# the tool's own notices at the start of a body (a store written by an older version kept them): never legacy text
_OWN_HTML = re.compile(r'(?:\s*<p class="consolidate-validity"[^>]*>.*?</p>)+', re.S)
_OWN_TEXT = re.compile(r"(?:\s*【已失效】本文件已失效（[^\n]*?），仅供查阅，不再作为执行依据。\n?)+")
_COLUMNS = [c.key for c in ArticleRow.__table__.columns]


@dataclass
class TriageSummary:
    """What one triage run found on a site."""

    site_id: str
    articles: int = 0
    attachments: int = 0
    unreadable: int = 0
    reused: int = 0  # attachment files whose earlier reading was reused
    findings: Counter[str] = field(default_factory=Counter)  # kind → findings
    undecided_personal: int = 0


def legacy_article(article: ArticleRow) -> ArticleRow:
    """The article as the legacy site said it: a copy without the tool's own 失效 notices, or itself when it has
    none (the row is never changed)."""
    html, text = _OWN_HTML.match(article.body_html or ""), _OWN_TEXT.match(article.body_text or "")
    if not html and not text:
        return article
    legacy = ArticleRow(**{name: getattr(article, name) for name in _COLUMNS})
    if html:
        legacy.body_html = (article.body_html or "")[html.end():]
    if text:
        legacy.body_text = (article.body_text or "")[text.end():]
    return legacy


def finding_key(url: str, finding: Finding) -> str:
    """The stable key of a finding (masked excerpt only, so the key never encodes a value)."""
    raw = "\x00".join((url, finding.location, finding.kind, finding.excerpt))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def triage_site(ws: Workspace, site_id: str, as_of: dt.date | None = None) -> TriageSummary:
    """Read every stored article of a site and its fetched attachments; record the findings, keeping decisions."""
    summary, scanned, found, reader = _scan(ws, site_id, as_of)
    _record(ws, site_id, scanned, found)
    reader.save()
    for findings in found.values():
        summary.findings.update(f.kind for f in findings)
    summary.undecided_personal = len(undecided_personal(ws, site_id))
    return summary


def unrecorded_findings(ws: Workspace, site_id: str) -> list[TriageFinding]:
    """The findings a triage run would record now, the office's decisions kept, made in memory and never stored
    (a dry run's gate writes nothing): the stored rows still found, new ones as unsaved rows."""
    _summary, _scanned, found, _reader = _scan(ws, site_id, None)
    existing = {r.key: r for r in stored_findings(ws, site_id)}
    rows: dict[str, TriageFinding] = {}
    for url in sorted(found):
        for finding in found[url]:
            key = finding_key(url, finding)
            rows.setdefault(key, existing.get(key) or TriageFinding(
                site_id=site_id, key=key, url=url, url_hash=url_hash(url), location=finding.location,
                category=finding.category, kind=finding.kind, excerpt=finding.excerpt, detail=finding.detail,
                count=finding.count, decision=None))
    return list(rows.values())


def _scan(ws: Workspace, site_id: str, as_of: dt.date | None
          ) -> tuple[TriageSummary, list[tuple[str, str | None]], dict[str, list[Finding]], _AttachmentReader]:
    """Read a site's articles and attachments into findings, storing nothing: (summary so far, what was read as
    (url hash, content hash), article URL → findings, the attachment reader holding its new readings)."""
    site = ws.site(site_id)
    when = as_of or dt.date.today()
    with ws.store.session() as session:
        ids = list(session.scalars(select(ArticleRow.id).where(ArticleRow.site_id == site.id).order_by(ArticleRow.id)))
        files = {r.url: r for r in session.scalars(select(Resource).where(
            Resource.site_id == site.id, Resource.kind == "attachment", Resource.status == "fetched"))}
    context = _LinkContext.build(ws, site.id)
    reader = _AttachmentReader(ws.store, BlobStore(ws.dir / "blobs", workspace_storage(ws.config, ws.dir)), files)
    superseded = checks.superseded([checks.DocInfo(a.url, a.title or "", a.doc_no, a.written or a.published,
                                                   a.body_text or "") for a in _articles(ws, site.id, numbered=True)])
    summary = TriageSummary(site.id, articles=len(ids))
    found: dict[str, list[Finding]] = {}
    scanned: list[tuple[str, str | None]] = []  # (url hash, content hash): what this run read
    for article in _articles(ws, site.id, ids=ids):  # a batch of rows in memory at a time, bodies included
        found[article.url] = article_findings(article, when, context, reader, superseded.get(article.url))
        scanned.append((article.url_hash, article.content_hash))
    summary.attachments, summary.unreadable, summary.reused = reader.read, reader.unreadable, reader.reused
    return summary, scanned, found, reader


TRIAGE_BATCH = 500  # articles read from the store at a time


def _articles(ws: Workspace, site_id: str, ids: list[int] | None = None, numbered: bool = False
              ) -> Iterator[ArticleRow]:
    """The site's articles as the legacy site said them (legacy_article), TRIAGE_BATCH rows at a time: those of
    `ids`, in that order, or (`numbered`) those with a 发文字号."""
    if numbered:
        with ws.store.session() as session:
            ids = list(session.scalars(select(ArticleRow.id).where(ArticleRow.site_id == site_id,
                                                                   ArticleRow.doc_no.is_not(None),
                                                                   ArticleRow.doc_no != "")
                                       .order_by(ArticleRow.id)))
    for start in range(0, len(ids or []), TRIAGE_BATCH):
        with ws.store.session() as session:
            rows = session.scalars(select(ArticleRow).where(ArticleRow.id.in_(ids[start:start + TRIAGE_BATCH]))
                                   .order_by(ArticleRow.id)).all()
            session.expunge_all()
        yield from (legacy_article(row) for row in rows)


def article_findings(article: ArticleRow, as_of: dt.date, links: _LinkContext, reader: _AttachmentReader,
                     superseded_by: tuple[str, str] | None = None) -> list[Finding]:
    """Every finding on one article: its title, body, tables, links, 暗链 and attachments."""
    findings = checks.personal_findings(article.title or "", "title")
    findings += checks.personal_findings(article.body_text or "", "body")
    names = checks.names_beside(checks.html_tables(article.body_html or ""), article.body_text or "")
    findings += checks.name_findings(names, "body")
    findings += checks.validity_findings(article.title or "", article.body_text or "", article.validity, article.written,
                                         article.published, as_of)
    if superseded_by is not None:
        findings.append(Finding("superseded", "body", article.doc_no or "", detail=f"{superseded_by[1]}：{superseded_by[0]}"))
    findings += links.findings(article)
    for attachment in article.attachments or []:
        findings += reader.findings(attachment)
    return _merged(findings)


def _merged(findings: list[Finding]) -> list[Finding]:
    """Findings with the same location, kind and excerpt counted once."""
    merged: dict[tuple[str, str, str], Finding] = {}
    for finding in findings:
        key = (finding.location, finding.kind, finding.excerpt)
        if key in merged:
            merged[key].count += finding.count
        else:
            merged[key] = finding
    return list(merged.values())


READER_VERSION = 2  # bump when attachment reading or the checks change: cached results are then read again


@dataclass
class _BlobResult:
    """One attachment file's findings (without a location) or why it could not be read."""

    findings: list[list[Any]]
    unread: str | None = None
    method: str = ""


class _AttachmentReader:
    """Reads each fetched attachment file once (results kept by content hash across runs) into findings."""

    def __init__(self, store: Store, blobs: BlobStore, files: dict[str, Resource]) -> None:
        self.store, self.blobs, self.files = store, blobs, files
        self.cache: dict[str, _BlobResult] = {}
        self.new: dict[str, _BlobResult] = {}
        self.read = self.unreadable = self.reused = 0
        shas = sorted({r.sha256 for r in files.values() if r.sha256})
        with store.session() as session:
            for start in range(0, len(shas), 500):
                for row in session.scalars(select(TriageBlob).where(TriageBlob.sha256.in_(shas[start:start + 500]),
                                                                    TriageBlob.reader == READER_VERSION)):
                    self.cache[row.sha256] = _BlobResult(list(row.findings or []), row.unread, row.method)

    def findings(self, attachment: dict[str, Any]) -> list[Finding]:
        """Findings in one attachment of an article (none when it was never fetched)."""
        url = attachment.get("url") or ""
        resource = self.files.get(canonical_url(url) or url)
        if resource is None or not resource.sha256:
            return []
        name = attachment.get("name") or url.rsplit("/", 1)[-1] or "附件"
        location = f"attachment:{checks.mask_text(name)}"
        result = self._result(resource.sha256, name)
        if result is None:
            return []
        if result.unread is not None:
            return [Finding("unread_attachment", location, checks.mask_text(name), detail=result.unread)]
        return [Finding(kind, location, excerpt, detail=detail, count=count)
                for kind, excerpt, count, detail in result.findings]

    def _result(self, sha256: str, name: str) -> _BlobResult | None:
        """The file's result: cached, or read now (None when the stored file is missing)."""
        if sha256 in self.cache:
            if sha256 not in self.new:
                self.reused += 1
            return self.cache[sha256]
        try:
            data = self.blobs.read(sha256)
        except OSError:
            return None  # not in the blob store (a partial copy of the workspace): nothing to read, nothing cached
        try:
            content = read_attachment(data, name)
        except Unreadable as exc:
            result = _BlobResult([], str(exc))
            self.unreadable += 1
        else:
            found = checks.personal_findings(content.text, "")
            found += checks.name_findings(checks.names_beside(content.tables, content.text), "")
            result = _BlobResult([[f.kind, f.excerpt, f.count, f.detail] for f in found], None, content.method)
            self.read += 1
        self.cache[sha256] = self.new[sha256] = result
        return result

    def save(self) -> None:
        """Keep this run's new results for the next run."""
        if not self.new:
            return
        with self.store.session() as session:
            for sha, result in self.new.items():
                session.merge(TriageBlob(sha256=sha, reader=READER_VERSION, method=result.method,
                                         unread=result.unread, findings=result.findings, read_at=utcnow()))
        self.new = {}


@dataclass
class _LinkContext:
    """What link checks need: the hosts of legacy sites being shut down, and which URLs will redirect (asked of
    the URL map only for the links to those hosts a site's bodies hold, by the map's (site, URL hash) index: the
    fleet's whole map is never read for one site)."""

    own_hosts: set[str]
    closing_hosts: set[str]
    legacy_hosts: set[str]
    store: Store
    site_ids: list[str]  # every stored site: the URL map's index is (site, URL hash)
    redirected: dict[str, bool] = field(default_factory=dict)  # closing-host URL → has a 301, as asked so far

    @classmethod
    def build(cls, ws: Workspace, site_id: str) -> _LinkContext:
        """From the config (dispositions, hosts, aliases); the URL map is asked link by link."""
        own, closing, legacy = set(), set(), set()
        for site in ws.config.sites:
            hosts = Scope.for_site(site.home_url, site.aliases, [], []).hosts
            legacy |= hosts
            if site.id == site_id:
                own |= hosts
            elif site.disposition != "retain":
                closing |= hosts
        with ws.store.session() as session:
            stored = list(session.scalars(select(SiteRow.id)))  # every site the map can hold rows of
        return cls(own, closing, legacy, ws.store, stored)

    def findings(self, article: ArticleRow) -> list[Finding]:
        """Links to intranet addresses and to shut-down sites without a redirect; the crawler's 暗链."""
        out = []
        links = [(absolute, _netloc(absolute)) for absolute in (canonical_url(value, article.url)
                 for value in checks.body_links(article.body_html or "")) if absolute is not None]
        self._ask({absolute for absolute, netloc in links if netloc in self.closing_hosts})
        for absolute, netloc in links:
            shown = checks.mask_text(absolute)
            if netloc in self.own_hosts:
                continue
            if netloc in self.closing_hosts and not self.redirected[absolute]:
                out.append(Finding("dead_link", "body", shown, detail="链接到将关停的网站，迁移台账中没有跳转"))
            elif netloc not in self.legacy_hosts and checks.private_host(checks.host_of(absolute)):
                out.append(Finding("private_link", "body", shown, detail="内网或私有地址，公众无法访问"))
        for spam in article.spam_links or []:
            out.append(Finding("spam_link", "body", checks.mask_text(str(spam)), detail="采集时发现的暗链（已从正文移除）"))
        return out

    def _ask(self, urls: set[str]) -> None:
        """Learn which of these URLs (not asked before) any site's URL map redirects (301)."""
        wanted = {url_hash(url): url for url in urls if url not in self.redirected}
        if not wanted:
            return
        hashes = list(wanted)  # TRIAGE_BATCH at a time: a body may link more pages than SQLite allows variables
        with self.store.session() as session:
            found = {url for start in range(0, len(hashes), TRIAGE_BATCH) for url in session.scalars(
                select(UrlMapRow.old_url).where(UrlMapRow.site_id.in_(self.site_ids), UrlMapRow.status == "301",
                                                UrlMapRow.url_hash.in_(hashes[start:start + TRIAGE_BATCH])))}
        self.redirected.update((url, url in found) for url in wanted.values())


def _netloc(url: str) -> str:
    """host[:port] of a canonical URL, lower-cased."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1].lower()


def _record(ws: Workspace, site_id: str, scanned: list[tuple[str, str | None]],
            found: dict[str, list[Finding]]) -> None:
    """Upsert the findings (decisions kept), drop those no longer found, and note which version was read."""
    with ws.store.session() as session:
        existing = {r.key: r for r in session.scalars(select(TriageFinding).where(TriageFinding.site_id == site_id))}
        keep: set[str] = set()
        for url, findings in found.items():
            for finding in findings:
                key = finding_key(url, finding)
                keep.add(key)
                row = existing.get(key)
                if row is None:
                    row = TriageFinding(site_id=site_id, key=key, url=url, url_hash=url_hash(url),
                                        location=finding.location, category=finding.category, kind=finding.kind,
                                        excerpt=finding.excerpt)
                    session.add(row)
                    existing[key] = row
                row.detail, row.count = finding.detail, finding.count
        gone = [k for k in existing if k not in keep]
        for start in range(0, len(gone), 500):
            session.execute(delete(TriageFinding).where(TriageFinding.site_id == site_id,
                                                        TriageFinding.key.in_(gone[start:start + 500])))
        session.execute(delete(TriageScan).where(TriageScan.site_id == site_id))
        session.add_all(TriageScan(site_id=site_id, url_hash=key, content_hash=content) for key, content in scanned)


def stored_findings(ws: Workspace, site_id: str) -> list[TriageFinding]:
    """The site's recorded findings, article by article."""
    with ws.store.session() as session:
        return list(session.scalars(select(TriageFinding).where(TriageFinding.site_id == site_id)
                                    .order_by(TriageFinding.url, TriageFinding.id)))


def undecided_personal(ws: Workspace, site_id: str) -> list[TriageFinding]:
    """Personal-data findings nobody has decided yet."""
    return [f for f in stored_findings(ws, site_id) if f.category == PERSONAL and not f.decision]


def needs_scan(ws: Workspace, site_id: str) -> bool:
    """True when some article of the site was never triaged at its current content (or a scan is of an article no
    longer stored): compared in the store, one row of each per URL."""
    same = and_(TriageScan.site_id == ArticleRow.site_id, TriageScan.url_hash == ArticleRow.url_hash,
                TriageScan.content_hash.is_not_distinct_from(ArticleRow.content_hash))
    with ws.store.session() as session:
        articles = session.scalar(select(func.count()).select_from(ArticleRow).where(ArticleRow.site_id == site_id))
        scans = session.scalar(select(func.count()).select_from(TriageScan).where(TriageScan.site_id == site_id))
        unscanned = session.scalar(select(ArticleRow.id).outerjoin(TriageScan, same)
                                   .where(ArticleRow.site_id == site_id, TriageScan.id.is_(None)).limit(1))
    return articles != scans or unscanned is not None


@dataclass
class Decision:
    """An office decision on one finding, as read from the sheet."""

    site_id: str
    key: str
    decision: str
    reason: str
    signer: str
    signed_on: dt.date | None = None


def record_decisions(ws: Workspace, decisions: list[Decision]) -> int:
    """Store decisions (already validated); return how many changed."""
    changed = 0
    with ws.store.session() as session:
        for d in decisions:
            row = session.scalar(select(TriageFinding).where(TriageFinding.site_id == d.site_id,
                                                             TriageFinding.key == d.key))
            if row is None or (row.decision, row.reason, row.decided_by) == (d.decision, d.reason, d.signer):
                continue
            row.decision, row.reason, row.decided_by = d.decision, d.reason, d.signer
            row.decided_at = dt.datetime.combine(d.signed_on, dt.time()) if d.signed_on else utcnow()
            changed += 1
    return changed


def export_sheet(ws: Workspace, site_ids: list[str], path: Path, lang: str = "zh") -> int:
    """Write the sites' findings as the office's XLSX sheet in a language (zh or en; masked excerpts only); a
    decided finding shows its signer and day under 原签署 and leaves 审核人/审核日期 empty, so that any signature the
    sheet comes back with was written by a person (a correction by the same signer too). Return rows written."""
    from mappers.triage_sheet import TriageRow, write_triage_sheet

    rows = []
    for site_id in site_ids:
        titles = _titles(ws, site_id)
        for f in stored_findings(ws, site_id):
            rows.append(TriageRow(key=f.key, site=site_id, title=checks.mask_text(titles.get(f.url, "")),
                                  url=checks.mask_text(f.url), location=f.location, category=f.category,
                                  kind=f.kind, excerpt=f.excerpt, count=f.count, detail=f.detail,
                                  decision=f.decision, reason=f.reason, signer="", signed_on="",
                                  signed_before=_signed_before(f)))
    write_triage_sheet(path, rows, lang)
    return len(rows)


def _signed_before(finding: TriageFinding) -> str:
    """Who signed a finding's decision and when ('李四 2026-12-07'); empty when it is undecided."""
    if not (finding.decision and finding.decided_by):
        return ""
    return f"{finding.decided_by} {finding.decided_at.date().isoformat() if finding.decided_at else ''}".strip()


def import_sheet(ws: Workspace, path: Path) -> SignedChanges:
    """Validate a filled-in triage sheet against the recorded findings and record its decisions, all or nothing;
    return the decisions that changed something, with the sheet's language (`.lang`) to tell them in and the
    findings of its sites it has no row for (`.missing`: they stay as they were)."""
    from mappers.triage_sheet import RecordedDecision, read_triage_sheet

    findings = {(f.site_id, f.key): f for s in ws.config.sites for f in stored_findings(ws, s.id)}
    changes = read_triage_sheet(path, {k: (f.category, f.location) for k, f in findings.items()},
                                {k: RecordedDecision(f.decision, f.decided_by or "",
                                                     f.decided_at.date() if f.decided_at else None, f.reason or "")
                                 for k, f in findings.items()})
    changes[:] = [d for d in changes if _differs(findings[(d.site, d.key)], d)]
    record_decisions(ws, [Decision(d.site, d.key, d.decision, d.reason, d.signer, d.signed_on) for d in changes])
    return changes


def _differs(finding: TriageFinding, sheet: SheetDecision) -> bool:
    """True when a sheet row's decision, reason or signer is not the one recorded on its finding."""
    return (finding.decision, finding.reason, finding.decided_by) != (sheet.decision, sheet.reason, sheet.signer)


def _titles(ws: Workspace, site_id: str) -> dict[str, str]:
    """Article URL → title for a site."""
    with ws.store.session() as session:
        return dict(session.execute(select(ArticleRow.url, ArticleRow.title).where(ArticleRow.site_id == site_id))
                    .all())


# --- the push gate ---------------------------------------------------------------------------------------------

@dataclass
class PushGate:
    """What push must do with a site's articles after triage: hold back, withhold, mask, mark as 失效."""

    blocked: dict[str, str] = field(default_factory=dict)  # url → reason (undecided personal data)
    held: dict[str, str] = field(default_factory=dict)  # url → reason (the same body as another under another title)
    withheld: dict[str, str] = field(default_factory=dict)  # url → reason (the office said: do not publish)
    masks: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # url → (kind, masked excerpt) to mask
    invalid: dict[str, str] = field(default_factory=dict)  # url → the validity detail shown in the notice
    allowed_untriaged: int = 0
    # the articles already changed, held weakly: an id() could be reused by a row read later (push reads in batches)
    _applied: weakref.WeakSet[ArticleRow] = field(default_factory=weakref.WeakSet)

    def skip_reason(self, url: str) -> str | None:
        """Why push must not send this article (None: it may)."""
        return self.withheld.get(url) or self.blocked.get(url) or self.held.get(url)

    def apply(self, article: ArticleRow) -> ArticleRow:
        """The article as push sends it: the legacy body with masked values masked and one validity notice for 失效.
        A copy when anything changes: the article itself is never changed (a row read in a session still open would
        be written back, and the next push would add one more notice)."""
        if article in self._applied:
            return article
        legacy = legacy_article(article)
        if legacy is article and article.url not in self.masks and article.url not in self.invalid:
            return article
        article = ArticleRow(**{name: getattr(legacy, name) for name in _COLUMNS}) if legacy is article else legacy
        self._applied.add(article)
        wanted = self.masks.get(article.url)
        if wanted:
            names = {n for n in checks.names_beside(checks.html_tables(article.body_html or ""),
                                                   article.body_text or "")
                     if ("name", checks.mask("name", n)) in wanted}
            article.title = checks.mask_names(checks.mask_text(article.title or "", wanted), names) or article.title
            article.body_html = checks.mask_names(checks.mask_text(article.body_html or "", wanted), names)
            article.body_text = checks.mask_names(checks.mask_text(article.body_text or "", wanted), names)
        if article.url in self.invalid:
            notice = VALIDITY_NOTICE.format(detail=self.invalid[article.url])
            article.body_html = notice + (article.body_html or "")
            article.body_text = VALIDITY_LINE.format(detail=self.invalid[article.url]) + (article.body_text or "")
        return article


def push_gate(ws: Workspace, site_id: str, allow_untriaged: bool = False, dry_run: bool = False) -> PushGate:
    """The triage decisions push applies to a site (triaging first what was never read at its current content).
    Articles with an undecided personal-data finding are blocked unless `allow_untriaged`, which is recorded.
    A dry run triages in memory and stores nothing."""
    unscanned = needs_scan(ws, site_id)
    if unscanned and not dry_run:
        triage_site(ws, site_id)
    holds = duplicate_holds(ws, [s.id for s in ws.config.sites], site_id)  # groups found once per store state
    gate = PushGate(held={url: reason for (site, url), reason in holds.items() if site == site_id})
    pending: dict[str, Counter[str]] = {}
    for f in unrecorded_findings(ws, site_id) if unscanned and dry_run else stored_findings(ws, site_id):
        if f.decision == "withhold":
            gate.withheld[f.url] = f"{WITHHELD}: {f.reason or checks.KIND_LABELS[f.kind]}"
        elif f.decision == "mask" and f.location in ("title", "body"):
            gate.masks.setdefault(f.url, set()).add((f.kind, f.excerpt))
        elif f.decision == "invalid":
            gate.invalid.setdefault(f.url, f.detail or checks.KIND_LABELS[f.kind])
        elif f.decision is None and f.category == PERSONAL:
            pending.setdefault(f.url, Counter())[checks.KIND_LABELS[f.kind]] += 1
    for url, kinds in pending.items():
        if allow_untriaged:
            gate.allowed_untriaged += 1
        else:
            gate.blocked[url] = f"{UNTRIAGED}: {sum(kinds.values())} 项个人信息未决定（" + \
                "、".join(f"{k} {n}" for k, n in sorted(kinds.items())) + "）"
    if gate.allowed_untriaged and not dry_run:
        with ws.store.session() as session:
            session.add(EventRow(site_id=site_id, stage="push", level="warning", code="untriaged_allowed",
                                 message=f"{gate.allowed_untriaged} article(s) with undecided personal-data findings "
                                         "pushed as they are (--allow-untriaged)", url=None))
    return gate


def blocked_urls(ws: Workspace, site_id: str) -> dict[str, str]:
    """Article URL → why push must hold it back (undecided personal data, or withheld by the office)."""
    gate = push_gate(ws, site_id, dry_run=True)
    return {**gate.blocked, **gate.withheld}


def site_counts(ws: Workspace, site_id: str) -> dict[str, Any]:
    """Findings per category and kind, decided or not, for reports and the checklist."""
    rows = stored_findings(ws, site_id)
    by_kind = Counter(r.kind for r in rows)
    return {"site": site_id, "findings": len(rows),
            "by_kind": {checks.KIND_LABELS[k]: n for k, n in sorted(by_kind.items())},
            "undecided_personal": sum(1 for r in rows if r.category == PERSONAL and not r.decision),
            "undecided": sum(1 for r in rows if not r.decision),
            "articles_with_personal": len({r.url for r in rows if r.category == PERSONAL}),
            "scanned": not needs_scan(ws, site_id)}


DECISION_NAMES = {"mask": "遮盖", "withhold": "不发布", "publish": "原样发布", "invalid": "标记失效", None: "待定"}
CATEGORY_NAMES = {checks.PERSONAL: "个人信息", checks.VALIDITY: "有效性", checks.LINK: "链接", checks.REVIEW: "需人工查看"}


def triage_figures(ws: Workspace, site_id: str) -> dict[str, Any]:
    """The report's 个人信息与有效性 figures of a site: findings per category, kind and decision; undecided personal
    data; pushes made with --allow-untriaged. Counts only, never values."""
    with ws.store.session() as session:
        counts = Counter(session.execute(select(TriageFinding.category, TriageFinding.kind, TriageFinding.decision)
                                         .where(TriageFinding.site_id == site_id)).all())
        allowed = session.scalars(select(EventRow.message).where(
            EventRow.site_id == site_id, EventRow.code == "untriaged_allowed")).all()
    rows = [[CATEGORY_NAMES[c], checks.KIND_LABELS[k], DECISION_NAMES.get(d, d), n]
            for (c, k, d), n in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or ""))]
    if allowed:
        rows.append([CATEGORY_NAMES[checks.PERSONAL], "—", "未审查即发布（--allow-untriaged）", len(allowed)])
    return {"rows": rows, "findings": sum(counts.values()),
            "undecided_personal": sum(n for (c, _k, d), n in counts.items() if c == checks.PERSONAL and d is None),
            "untriaged_pushes": len(allowed), "scanned": not needs_scan(ws, site_id)}


def review_blockers(ws: Workspace, site_id: str) -> list[str]:
    """Why the checklist's 发布前个人信息审查 is not done: triage not run on the current content, undecided
    personal-data findings (empty for a site without articles)."""
    with ws.store.session() as session:
        if not session.scalar(select(ArticleRow.id).where(ArticleRow.site_id == site_id).limit(1)):
            return []
    blockers = []
    if needs_scan(ws, site_id):
        blockers.append(f"triage not run on the current content (consolidate triage {site_id})")
    undecided = len(undecided_personal(ws, site_id))
    if undecided:
        blockers.append(f"{undecided} personal-data findings undecided")
    return blockers


def review_done_on(ws: Workspace, site_id: str) -> dt.date | None:
    """When the personal-data review was complete: the later of the last triage and the last decision (None while
    it is not, or for a site without articles)."""
    if review_blockers(ws, site_id):
        return None
    with ws.store.session() as session:
        scanned = session.scalar(select(func.max(TriageScan.scanned_at)).where(TriageScan.site_id == site_id))
        decided = session.scalar(select(func.max(TriageFinding.decided_at)).where(TriageFinding.site_id == site_id))
    moments = [m for m in (scanned, decided) if m is not None]
    return max(moments).date() if moments else None
