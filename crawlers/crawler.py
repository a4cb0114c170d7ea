"""Crawl one legacy site into the state store: leased frontier, polite fetching, discovery, extraction, archive."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from sqlalchemy import func, select

from consolidate.blobs import BlobStore
from consolidate.config import CrawlSettings, Site
from consolidate.records import ArticleRecord
from consolidate.store import ArticleRow, ColumnRow, EventRow, Resource, SiteRow, Store, url_hash, utcnow
from crawlers import incremental as inc
from crawlers.discover import PageInfo, analyse_page
from crawlers.encoding import DecodedPage, decode_html
from crawlers.extract import extract_article, join_parts
from crawlers.fetch import MEMORY_BODY_CAP, Fetcher, FetchPolicy, FetchResult, host_is_private, shared_context
from crawlers.frontier import HEARTBEAT_SECONDS, LEASE_SECONDS, Frontier, new_worker_id
from crawlers.urls import Scope, canonical_url, resource_kind
from crawlers.warc import WarcArchive

MAX_CRAWL_DELAY = 10.0
CLAIM_BATCH = 50
IDLE_POLL = 0.25  # seconds between looks at the frontier while other workers still hold leases
UNDECODABLE_SHARE = 0.005  # more replacement characters than this share of the text: the page did not decode
EMPTY_LIST_MARKERS = ("createPageHTML(", "暂无信息", "暂无数据", "没有记录")
GONE_STATUSES = (404, 410)

PartSource = Callable[[str], Awaitable[str | None]]


@dataclass
class CrawlProgress:
    """Live figures of a running crawl, handed to a progress callback."""

    site_id: str
    fetched: int = 0
    errors: int = 0
    articles: int = 0
    queued: int = 0
    bytes: int = 0
    not_modified: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Pages fetched per second so far."""
        elapsed = time.monotonic() - self.started
        return self.fetched / elapsed if elapsed > 0 else 0.0


@dataclass
class CrawlSummary:
    """What a crawl run did."""

    site_id: str
    fetched: int = 0
    errors: int = 0
    skipped: int = 0
    not_modified: int = 0
    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    articles_vanished: int = 0
    bytes: int = 0
    seconds: float = 0.0
    budget_reached: bool = False
    incremental: bool = False
    worker_id: str = ""
    warc: str | None = None


class SiteCrawler:
    """Crawls one site; safe to re-run, to interrupt, and to run as several workers on one store."""

    def __init__(self, store: Store, site: Site, settings: CrawlSettings, workspace: Path,
                 progress: Callable[[CrawlProgress], None] | None = None,
                 client: httpx.AsyncClient | None = None, incremental: bool = False,
                 lease_seconds: float = LEASE_SECONDS, heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        self.store = store
        self.site = site
        self.settings = settings
        self.workspace = workspace
        self.blobs = BlobStore(workspace / "blobs")
        self.scope = Scope.for_site(site.home_url, site.aliases, settings.include, settings.exclude)
        self.home = canonical_url(site.home_url) or site.home_url
        self.incremental = incremental
        self.worker_id = new_worker_id()
        self.frontier = Frontier(store, site.id, self.worker_id, lease_seconds)
        self.heartbeat_seconds = heartbeat_seconds
        self.on_progress = progress
        self.progress = CrawlProgress(site.id)
        self.summary = CrawlSummary(site.id, incremental=incremental, worker_id=self.worker_id)
        self._client = client
        self._robots: Protego | None = None
        self._claimed: deque[Resource] = deque()
        self._active = 0
        self._budget_left = settings.max_pages
        self._frontier_dirty = True
        self._last_empty_claim = 0.0

    async def run(self) -> CrawlSummary:
        """Crawl until the frontier is empty or the page budget is spent."""
        started = time.monotonic()
        listed_before = self._prepare_site()
        owns_client = self._client is None
        client = self._client or httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                                   limits=httpx.Limits(max_connections=self.settings.concurrency))
        self.archive = WarcArchive(self.workspace / "warc", self.site.id)
        self.fetcher = Fetcher(await self._policy(), client, self.scope, self.workspace / "spool",
                               shared_context(self.settings.concurrency))
        heartbeat = asyncio.create_task(self._heartbeat())
        state = "interrupted"
        try:
            await self._load_robots()
            await self._drain()
            if self.incremental:
                await self._recheck_unlisted(listed_before)
            state = "finished"
        finally:
            heartbeat.cancel()
            self.frontier.release([r.id for r in self._claimed])
            self._claimed.clear()
            self.frontier.retire(state, self.summary.fetched)
            self.archive.close()
            if owns_client:
                await client.aclose()
        self.summary.seconds = time.monotonic() - started
        self.summary.warc = str(self.archive.path) if self.archive.records else None
        self._finish_site()
        return self.summary

    async def _policy(self) -> FetchPolicy:
        """Fetch policy from the settings; private addresses allowed only when the site itself is on one."""
        own_host_private = await host_is_private(urlsplit(self.home).hostname or "")
        return FetchPolicy(user_agent=self.settings.user_agent, rate_per_host=self.settings.rate_per_host,
                           concurrency_per_host=self.settings.concurrency_per_host, timeout=self.settings.timeout,
                           retries=self.settings.retries, max_bytes=self.settings.max_bytes,
                           allow_private=own_host_private)

    def _prepare_site(self) -> set[str]:
        """Register site and worker, reclaim URLs dead workers left in flight, seed the home page."""
        with self.store.session() as session:  # insert-or-ignore: another worker may register it at once
            self.store.insert_ignore(session, SiteRow, [{"id": self.site.id, "name": self.site.name,
                                                         "home_url": self.site.home_url,
                                                         "disposition": self.site.disposition, "facts": {}}], ["id"])
        with self.store.session() as session:
            row = session.get(SiteRow, self.site.id)
            if row is not None:
                row.name, row.home_url, row.disposition = self.site.name, self.site.home_url, self.site.disposition
        self.frontier.register()
        reclaimed = self.frontier.reclaim()
        if reclaimed:
            self._event("info", "reclaimed", f"{reclaimed} URLs left in flight by a stopped worker queued again")
        self._enqueue([(self.home, "page", 0, None, {})])
        if not self.incremental:
            return set()
        requeued = inc.requeue_for_recheck(self.store, self.site.id)
        self._event("info", "incremental", f"incremental crawl: {requeued} pages re-checked with conditional requests")
        return inc.listed_hashes(self.store, self.site.id)

    def _finish_site(self) -> None:
        """Recount columns and stamp the crawl time."""
        with self.store.session() as session:
            recount_columns(session, self.site.id)
            row = session.get(SiteRow, self.site.id)
            if row is not None:
                row.crawled_at = utcnow()

    async def _heartbeat(self) -> None:
        """Renew this worker's leases until the crawl ends."""
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            with contextlib.suppress(Exception):  # a busy store must not kill the crawl; leases just age
                self.frontier.heartbeat(self.summary.fetched)

    async def _load_robots(self) -> None:
        """Fetch robots.txt; honour Crawl-delay up to a cap."""
        if not self.settings.obey_robots:
            self._event("info", "robots_ignored", "robots.txt not consulted (obey_robots: false)")
            return
        result = await self.fetcher.fetch(urljoin(self.home, "/robots.txt"))
        if not result.ok or not result.body:
            return
        self._robots = Protego.parse(result.body[:500_000].decode("utf-8", errors="replace"))
        delay = self._robots.crawl_delay(self.settings.user_agent)
        if delay:
            effective = min(float(delay), MAX_CRAWL_DELAY)
            self.fetcher.set_rate(self.home, min(self.settings.rate_per_host, 1.0 / effective))
            self._event("info", "crawl_delay", f"robots.txt Crawl-delay {delay}s honoured as {effective:g}s")

    async def _recheck_unlisted(self, listed_before: set[str]) -> None:
        """Articles no list shows any more get a conditional request: 404/410 marks them vanished."""
        unlisted = inc.unlisted_articles(self.store, self.site.id, listed_before)
        if unlisted:
            with self.store.session() as session:
                inc.requeue_urls(session, self.site.id, unlisted)
            self._frontier_dirty = True
            await self._drain()

    async def _drain(self) -> None:
        """Run the fetch workers until the frontier is done (or the budget spent)."""
        workers = max(1, min(self.settings.concurrency, self.settings.concurrency_per_host * 2))
        await asyncio.gather(*(self._worker() for _ in range(workers)))

    async def _worker(self) -> None:
        """Take URLs from the frontier and process them until nothing is left for anyone."""
        while True:
            resource = self._claim()
            if resource is None:
                if self._active:
                    await asyncio.sleep(0.02)
                    continue
                if self._budget_left <= 0 or not self.frontier.others_busy():
                    return
                await asyncio.sleep(IDLE_POLL)
                self.frontier.reclaim()
                continue
            self._active += 1
            try:
                await self._process(resource)
            finally:
                self._active -= 1

    def _claim(self) -> Resource | None:
        """The next leased URL (claimed in batches, lowest depth first)."""
        if not self._claimed:
            if self._budget_left <= 0:
                self.summary.budget_reached = self.frontier.queued() > 0
                return None
            if not self._frontier_dirty and time.monotonic() - self._last_empty_claim < IDLE_POLL:
                return None  # nothing was queued since the frontier was last found empty
            self._frontier_dirty = False
            rows = self.frontier.claim(min(CLAIM_BATCH, self._budget_left))
            if not rows:
                self._last_empty_claim = time.monotonic()
            self._claimed.extend(rows)
            self._budget_left -= len(rows)
            if rows:
                self.progress.queued = self.frontier.queued()
        return self._claimed.popleft() if self._claimed else None

    async def _process(self, resource: Resource) -> None:
        """Fetch one URL and record what it yielded; never raises for bad input."""
        if self._robots is not None and not self._robots.can_fetch(resource.url, self.settings.user_agent):
            self._finish_resource(resource, status="skipped", error="disallowed by robots.txt")
            self.summary.skipped += 1
            return
        spool = resource.kind in ("attachment", "image")
        result = await self.fetcher.fetch(resource.url, self._conditional_headers(resource), spool=spool)
        self.archive.write(result, requested_url=resource.url)
        self._count_fetch(result)
        try:
            await self._handle(resource, result)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the crawl
            self._record_error(resource, result, f"could not process: {type(exc).__name__}: {exc}")
        finally:
            if result.body_file:
                result.body_file.unlink(missing_ok=True)
        if self.on_progress:
            self.on_progress(self.progress)

    def _conditional_headers(self, resource: Resource) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the stored validators (incremental runs only)."""
        if not self.incremental:
            return {}
        headers = {}
        if resource.etag:
            headers["If-None-Match"] = resource.etag
        if resource.last_modified:
            headers["If-Modified-Since"] = resource.last_modified
        return headers

    def _count_fetch(self, result: FetchResult) -> None:
        """Add one response to the live figures and the summary."""
        body_bytes = 0 if result.too_large else result.size
        self.progress.fetched += 1
        self.progress.bytes += body_bytes
        self.summary.fetched += 1
        self.summary.bytes += body_bytes
        if result.status == 304:
            self.summary.not_modified += 1
            self.progress.not_modified += 1

    async def _handle(self, resource: Resource, result: FetchResult) -> None:
        """Route a fetch result: unchanged, too large, error, stored file, or HTML to analyse."""
        if result.status == 304 and result.error is None:
            self._not_modified(resource, result)
            return
        if result.too_large:
            self._finish_resource(resource, status="skipped", result=result,
                                  error=f"larger than max_bytes ({result.size} bytes); recorded, not fetched whole")
            self.summary.skipped += 1
            self._event("warning", "too_large", f"response larger than max_bytes ({result.size} bytes)", resource.url)
            return
        if not result.ok:
            self._record_failure(resource, result)
            return
        if resource.kind in ("attachment", "image") or not _looks_like_html(result):
            self._store_file(resource, result)
            return
        if result.body_file is not None:
            self._store_file(resource, result, note=f"page of {result.size} bytes stored as a file, not parsed "
                                                    f"(over {MEMORY_BODY_CAP} bytes)")
            return
        await self._handle_html(resource, result)

    def _not_modified(self, resource: Resource, result: FetchResult) -> None:
        """A 304: the stored copy is current; only the validators and fetch time move."""
        with self.store.session() as session:
            row = session.get(Resource, resource.id)
            if row is not None:
                row.status, row.error, row.fetched_at = "fetched", None, utcnow()
                row.attempts = (row.attempts or 0) + max(result.attempts, 1)
                row.etag = result.headers.get("etag") or row.etag
                row.last_modified = result.headers.get("last-modified") or row.last_modified
                self.frontier.done(session, resource.id)
        if resource.kind == "article":
            self.summary.articles_unchanged += 1

    def _record_failure(self, resource: Resource, result: FetchResult) -> None:
        """An HTTP error or a network failure; in incremental runs a gone article is marked vanished."""
        self._record_error(resource, result, result.error or f"HTTP {result.status}")
        if result.status not in GONE_STATUSES:
            return
        with self.store.session() as session:
            if resource.kind == "list":
                inc.forget_list(session, self.site.id, resource.url)
            if self.incremental and _has_article(session, self.site.id, resource.url):
                inc.note_change(session, self.site.id, resource.url, "vanished", self.worker_id)
                self.summary.articles_vanished += 1
        if self.incremental and resource.kind == "article":
            self._event("warning", "article_vanished", f"article gone from the legacy site (HTTP {result.status})",
                        resource.url)

    def _store_file(self, resource: Resource, result: FetchResult, note: str | None = None) -> None:
        """Keep an attachment, image or unparsed body in the blob store."""
        if result.body_file and result.sha256:
            self.blobs.put_file(result.body_file, result.sha256)
            result.body_file = None
        elif result.sha256:
            self.blobs.put_bytes(result.body)
        kind = resource.kind if resource.kind in ("attachment", "image") else "file"
        if note:
            self._finish_resource(resource, status="skipped", result=result, kind=kind, error=note)
            self.summary.skipped += 1
            self._event("warning", "not_parsed", note, resource.url)
            return
        self._finish_resource(resource, status="fetched", result=result, kind=kind)

    async def _handle_html(self, resource: Resource, result: FetchResult) -> None:
        """Decode, analyse and extract an HTML page, then queue what it links to."""
        page = decode_html(result.body, result.headers.get("content-type"))
        for warning in page.warnings:
            self._event("warning", "encoding", warning, resource.url)
        problem = undecodable(page)
        if problem:
            if page.encoding == "binary":
                self._store_file(resource, result, note=f"{problem} (served as {result.content_type or 'no type'})")
            else:
                self._record_error(resource, result, problem)
            return
        info = analyse_page(page.text, result.final_url)
        self._note_site(info)
        kind = page_kind(info, page.text, resource.kind)
        if kind == "article":
            await self._save_article(resource, page.text, result, info)
        elif kind == "list":
            self._save_list(resource, info)
        self._finish_resource(resource, status="fetched", result=result, kind=kind, encoding=page.encoding)
        self._enqueue_links(resource, info)

    async def _save_article(self, resource: Resource, html: str, result: FetchResult, info: PageInfo) -> None:
        """Extract the article (joining multi-page parts) and upsert it."""
        record = await build_article(html, resource.url, result.final_url, self.site.id, resource.hint, info,
                                     lambda url: self._fetch_part(url, resource.depth))
        with self.store.session() as session:
            outcome = upsert_article(session, record)
            ensure_column(session, self.site.id, record.column_path)
            if self.incremental and outcome in ("new", "changed"):
                inc.note_change(session, self.site.id, record.url, outcome, self.worker_id)
        setattr(self.summary, f"articles_{outcome}", getattr(self.summary, f"articles_{outcome}") + 1)
        self.progress.articles += 1
        for spam in record.spam_links:
            self._event("warning", "spam_link", f"hidden spam link removed: {spam}", resource.url)
        for warning in record.warnings:
            self._event("warning", "extract", warning, resource.url)
        files = [(a.url, "attachment") for a in record.attachments] + [(u, "image") for u in record.images]
        self._enqueue([(url, kind, resource.depth + 1, resource.url, {}) for url, kind in _canonical(files)])

    async def _fetch_part(self, url: str, depth: int) -> str | None:
        """Fetch one further page of a multi-page article; its decoded HTML, or None (recorded)."""
        if not self.scope(url):
            return None
        self.frontier.claim_url(url, "part", depth + 1, None)
        result = await self.fetcher.fetch(url)
        self.archive.write(result, requested_url=url)
        self._count_fetch(result)
        with self.store.session() as session:
            row = session.scalar(select(Resource).where(Resource.site_id == self.site.id,
                                                        Resource.url_hash == url_hash(url)))
            if row is not None:
                _apply_result(row, result, "fetched" if result.ok else "error", "part")
                self.frontier.done(session, row.id)
        if not result.ok:
            self._event("error", "part_missing", f"article part not fetched: {result.error or result.status}", url)
            return None
        return decode_html(result.body, result.headers.get("content-type")).text

    def _save_list(self, resource: Resource, info: PageInfo) -> None:
        """Register the column a list page belongs to and diff what it lists against last time."""
        path = info.breadcrumb or ([info.column_name] if info.column_name else [])
        column_path = path
        items = [(url, item.title, item.date) for item in info.list_items
                 for url, _ in _canonical([(item.url, "")])]
        with self.store.session() as session:
            if path:
                column = ensure_column(session, self.site.id, path)
                if column is not None:
                    if not resource.hint.get("pagination"):
                        column.url = column.url or resource.url
                    column.listed_items = (column.listed_items or 0) + len(info.list_items)
            changed = inc.record_list(session, self.site.id, resource.url, items)
            if self.incremental and changed:
                hints = {url: {"column": column_path, "title": title, "date": date} for url, title, date in items}
                inc.requeue_urls(session, self.site.id, changed, hints)
                self._frontier_dirty = True

    def _enqueue_links(self, resource: Resource, info: PageInfo) -> None:
        """Queue in-scope links: list items as articles, pagination as lists, the rest by URL kind."""
        depth = resource.depth + 1
        column = info.breadcrumb or ([info.column_name] if info.column_name else [])
        entries: list[tuple[str, str, int, str | None, dict[str, Any]]] = []
        for item in info.list_items:
            hint = {"column": column, "title": item.title, "date": item.date}
            entries.extend((url, "article", depth, resource.url, hint) for url, _ in _canonical([(item.url, "")]))
        for url, _ in _canonical([(u, "") for u in info.pagination]):
            entries.append((url, "list", resource.depth, resource.url, {"pagination": True, "column": column}))
        for url, kind in _canonical([(link.url, resource_kind(link.url)) for link in info.links]):
            if kind != "asset":
                entries.append((url, kind, depth, resource.url, {}))
        self._enqueue(entries)

    def _enqueue(self, entries: list[tuple[str, str, int, str | None, dict[str, Any]]]) -> None:
        """Add new in-scope URLs to the frontier (existing ones are left as they are)."""
        rows: dict[str, dict[str, Any]] = {}
        for url, kind, depth, referrer, hint in entries:
            if not self.scope(url):
                continue
            if depth > self.settings.max_depth and kind not in ("attachment", "image"):
                continue
            key = url_hash(url)
            if key not in rows:
                rows[key] = {"site_id": self.site.id, "url": url, "url_hash": key, "kind": kind, "status": "queued",
                             "depth": depth, "referrer": referrer, "hint": hint, "attempts": 0}
        if not rows:
            return
        with self.store.session() as session:
            self.store.insert_ignore(session, Resource, list(rows.values()), ["site_id", "url_hash"])
        self._frontier_dirty = True

    def _note_site(self, info: PageInfo) -> None:
        """Remember the CMS family and footer facts (主办单位, ICP, 标识码) seen on the site."""
        if info.cms == "generic" and not info.site_facts:
            return
        with self.store.session() as session:
            row = session.get(SiteRow, self.site.id)
            if row is None:
                return
            if info.cms != "generic" and row.cms != info.cms:
                row.cms = info.cms
            facts = dict(row.facts or {})
            merged = {**info.site_facts, **facts}
            if merged != facts:
                row.facts = merged

    def _record_error(self, resource: Resource, result: FetchResult, message: str) -> None:
        """Mark a URL failed with its reason, and log it for the report."""
        self._finish_resource(resource, status="error", result=result, error=message)
        self.summary.errors += 1
        self.progress.errors += 1
        self._event("error", "fetch", message, resource.url)

    def _finish_resource(self, resource: Resource, status: str, result: FetchResult | None = None,
                         error: str | None = None, kind: str | None = None, encoding: str | None = None) -> None:
        """Write a URL's final state and drop its lease."""
        with self.store.session() as session:
            row = session.get(Resource, resource.id)
            if row is None:
                return
            if result is not None:
                _apply_result(row, result, status, kind or row.kind)
            row.status, row.error = status, error
            if encoding:
                row.encoding = encoding
            self.frontier.done(session, resource.id)

    def _event(self, level: str, code: str, message: str, url: str | None = None) -> None:
        """Record a message for the report."""
        with self.store.session() as session:
            session.add(EventRow(site_id=self.site.id, stage="crawl", level=level, code=code, message=message,
                                 url=url))


async def crawl_sites(store: Store, sites: list[tuple[Site, CrawlSettings]], workspace: Path,
                      progress: Callable[[CrawlProgress], None] | None = None,
                      incremental: bool = False) -> list[CrawlSummary]:
    """Fleet mode: crawl many sites at once in this event loop, one global request cap, per-host politeness."""
    crawlers = [SiteCrawler(store, site, settings, workspace, progress, incremental=incremental)
                for site, settings in sites]
    return list(await asyncio.gather(*(c.run() for c in crawlers)))


async def build_article(html: str, url: str, final_url: str, site_id: str, hint: dict[str, Any] | None,
                        info: PageInfo, part_source: PartSource) -> ArticleRecord:
    """The article record of a page as the crawl stores it (multi-page parts joined, column path filled in)."""
    record = extract_article(html, final_url, site_id)
    if record.part_urls:
        parts = []
        for part_url in record.part_urls:
            canonical = canonical_url(part_url)
            if canonical is None:
                continue
            part_html = await part_source(canonical)
            if part_html is not None:
                parts.append(extract_article(part_html, canonical, site_id))
        record = join_parts(record, parts)
    record.url = url
    record.site = site_id
    if not record.column_path:
        record.column_path = list((hint or {}).get("column") or info.breadcrumb or [])
    record.compute_hash()
    return record


def page_kind(info: PageInfo, text: str, queued_as: str) -> str:
    """The kind a page is stored as: the analyser's verdict, with the crawler's knowledge of how it was linked."""
    if info.kind == "article" or (info.kind == "other" and queued_as == "article"):
        return "article"
    if info.kind == "other" and info.breadcrumb and any(marker in text for marker in EMPTY_LIST_MARKERS):
        return "list"  # an empty TRS list page: createPageHTML(1,0,…) and 暂无信息, no items
    return info.kind


def undecodable(page: DecodedPage) -> str | None:
    """Why a decoded page cannot be used (binary, or mostly replacement characters), or None."""
    if page.encoding == "binary":
        return "binary content served as a page"
    bad = page.text.count("\ufffd")
    if bad > max(16, len(page.text) * UNDECODABLE_SHARE):
        return f"page could not be decoded ({bad} undecodable characters as {page.encoding})"
    return None


def _has_article(session: Any, site_id: str, url: str) -> bool:
    """True when an article was extracted from this URL."""
    return session.scalar(select(func.count()).select_from(ArticleRow).where(
        ArticleRow.site_id == site_id, ArticleRow.url_hash == url_hash(url))) > 0


def _apply_result(row: Resource, result: FetchResult, status: str, kind: str) -> None:
    """Copy HTTP facts of a fetch onto its resource row."""
    row.status = status
    row.kind = kind
    row.http_status = result.status
    row.content_type = (result.headers.get("content-type") or "")[:200] or None
    row.size = result.size
    row.sha256 = result.sha256
    row.etag = result.headers.get("etag")
    row.last_modified = result.headers.get("last-modified")
    row.attempts = (row.attempts or 0) + max(result.attempts, 1)
    row.fetched_at = utcnow()
    if status != "fetched":
        row.error = result.error


def _canonical(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Canonicalise (url, kind) pairs, dropping non-HTTP URLs."""
    out = []
    for url, kind in pairs:
        canonical = canonical_url(url)
        if canonical:
            out.append((canonical, kind))
    return out


def _looks_like_html(result: FetchResult) -> bool:
    """True when a response should be parsed as a page (HTML, or Hanweb's XML list answers)."""
    content_type = result.content_type.split(";")[0].strip()
    if content_type.startswith("text/html") or content_type in ("application/xhtml+xml", "text/xml",
                                                                  "application/xml"):
        return True
    if content_type not in ("", "text/plain", "application/octet-stream"):
        return False
    head = result.body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<datastore", b"<head", b"<body"))


def ensure_column(session: Any, site_id: str, path: list[str]) -> ColumnRow | None:
    """The column row for a breadcrumb path, created with its ancestors when new."""
    path = [p for p in path if p]
    if not path:
        return None
    column = None
    for depth in range(1, len(path) + 1):
        key = " > ".join(path[:depth])
        column = session.scalar(select(ColumnRow).where(ColumnRow.site_id == site_id, ColumnRow.path == key))
        if column is None:
            column = ColumnRow(site_id=site_id, path=key, name=path[depth - 1], listed_items=0, article_count=0)
            session.add(column)
            session.flush()
    return column


def upsert_article(session: Any, record: ArticleRecord) -> str:
    """Insert or update an article by URL; return 'new', 'changed' or 'unchanged'."""
    key = url_hash(record.url)
    row = session.scalar(select(ArticleRow).where(ArticleRow.site_id == record.site, ArticleRow.url_hash == key))
    values = _article_values(record)
    if row is None:
        session.add(ArticleRow(site_id=record.site, url=record.url, url_hash=key, **values))
        return "new"
    if row.content_hash == record.content_hash and row.column_path == record.column_path:
        return "unchanged"
    for name, value in values.items():
        setattr(row, name, value)
    row.extracted_at = utcnow()
    return "changed"


def _article_values(record: ArticleRecord) -> dict[str, Any]:
    """Column values of an article row from a record."""
    return {
        "column_path": record.column_path, "title": record.title, "published": record.published,
        "source": record.source, "publisher": record.publisher, "index_no": record.index_no,
        "doc_no": record.doc_no, "written": record.written, "topic": record.topic,
        "body_html": record.body_html, "body_text": record.body_text,
        "attachments": [{"url": a.url, "name": a.name} for a in record.attachments],
        "images": list(record.images), "spam_links": list(record.spam_links), "warnings": list(record.warnings),
        "content_hash": record.content_hash,
    }


def recount_columns(session: Any, site_id: str) -> None:
    """Set each column's article count and newest date from the articles below it."""
    counts: dict[str, int] = {}
    newest: dict[str, str] = {}
    for path, published in session.execute(select(ArticleRow.column_path, ArticleRow.published)
                                           .where(ArticleRow.site_id == site_id)):
        for depth in range(1, len(path or []) + 1):
            key = " > ".join(path[:depth])
            counts[key] = counts.get(key, 0) + 1
            if published and published > newest.get(key, ""):
                newest[key] = published
    for column in session.scalars(select(ColumnRow).where(ColumnRow.site_id == site_id)):
        column.article_count = counts.get(column.path, 0)
        column.last_published = newest.get(column.path)


def crawl_totals(store: Store, site_id: str) -> dict[str, int]:
    """Counts of URLs per status for a site."""
    with store.session() as session:
        rows = session.execute(select(Resource.status, func.count()).where(Resource.site_id == site_id)
                               .group_by(Resource.status)).all()
    return {status: count for status, count in rows}
