"""Crawl one legacy site into the state store: leased frontier, polite fetching, discovery, extraction, archive."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import os
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from protego import Protego
from sqlalchemy import DateTime, Integer, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from consolidate.core.blobs import BlobStore
from consolidate.core.config import CrawlSettings, Site
from consolidate.core.records import ArticleRecord
from consolidate.core.storage import open_storage
from consolidate.core.store import ArticleRow, ColumnRow, EventRow, Resource, SiteRow, Store, url_hash, utcnow
from crawlers import incremental as inc
from crawlers import interaction_store
from crawlers.cms import CmsId
from crawlers.columns import stored_aliases, unified, unify_columns
from crawlers.discover import ListItem, PageInfo, feed_entries
from crawlers.encoding import decode_html
from crawlers.extract import apply_list_hint, extract_article, join_parts
from crawlers.fetch import (
    MEMORY_BODY_CAP,
    Fetcher,
    FetchPolicy,
    FetchResult,
    open_client,
    parse_pins,
    shared_context,
)
from crawlers.frontier import HEARTBEAT_SECONDS, LEASE_DONE, LEASE_SECONDS, Frontier, new_worker_id
from crawlers.pageparse import ParsedPage, canonical_links, parse_page
from crawlers.pageparse import page_kind as page_kind  # re-exported: archive.py and tests look here
from crawlers.pageparse import undecodable as undecodable
from crawlers.parsers import ParserPool
from crawlers.urls import FILE_KINDS, Scope, canonical_url
from crawlers.warc import (
    INSERT_PENDING,
    OPEN_SEGMENTS,
    WarcArchive,
    forget_segment,
    forget_worker,
    pending_row,
    requeue_unstored,
    requeue_unstored_in,
)
from crawlers.writer import Deferred, deferred, shared_writer

MAX_CRAWL_DELAY = 10.0
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: at least the first 500 KiB of a robots.txt are parsed
ROBOTS_RETRY_WAITS = (30.0, 120.0)  # seconds before asking an unreachable robots.txt again (then give up this run)
CLAIM_BATCH = 20  # small enough that several workers of one site share its frontier
WORKERS_PER_SLOT = 2  # workers per host slot: one page is parsed and stored while the slot fetches the next
IDLE_POLL = 0.05  # seconds between looks at the frontier while other workers still hold leases
QUEUED_MEMORY = 16384  # URL hashes the crawlers of one process remember as queued, shared out between them
QUEUED_MEMORY_MIN = 64  # ...but each remembers at least this many (a site's menus)
HELD_PAGE_BYTES = 4 << 20  # bodies of pages fetched and not yet stored, and fetches under way at the mean page
# size, in all crawls of a process: past it new page fetches wait. When the parser or the store is behind, pages
# waiting for it (582 at 7k pages of a 200-host crawl) set the heap's high-water mark, which crept up as the
# article phase brought 100-400 KiB table pages (bench/README.md, Round 7, crawl memory). Room is taken when the
# host's turn comes (HeldPage), so workers waiting for their host's turn do not use it up: 4 MiB keeps the
# crawler's peak flat (+9.4 % from 10k to 101k pages, round 11). 8 MiB was tried against it on a quiet machine:
# 0.77-0.92 of N·r against 0.78-0.86 at 4 MiB, within this machine's run-to-run spread (bench/README.md)
MEAN_PAGE_GUESS = 32 * 1024  # the mean page size before any page was fetched
RESOURCES = Resource.__table__
COLUMNS = ColumnRow.__table__
ARTICLES = ArticleRow.__table__
GONE_STATUSES = (404, 410)
GC_YOUNG_THRESHOLD = 700  # allocations between collections of the youngest objects while crawling (Python's own:
# 10 000 saved ~0.25 ms of CPU a page but let cyclic garbage pile up: 410 MB peak at 100k real-weight pages)
ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
# A host is paused (not asked again this run, its URLs left queued) after this many URLs in a row got no answer
# (each already retried `retries` times with backoff) over at least this long, with no answer between: a blip
# shorter than a URL's retries fails nothing; a longer one fails the few URLs in flight and a few more at a fast
# rate, so the count alone would pause a local copy crawled at 20 req/s after 5 s; the time alone would pause a
# server that dropped 2 connections a minute apart (docs/decisions.md, round 12)
PAUSE_AFTER_URLS = 5
PAUSE_AFTER_SECONDS = 60.0
UNANSWERED_PREFIX = "transient:"  # how the fetcher begins a failure with no HTTP answer (refused, reset, timeout)
CUT_OFF_PREFIX = "transient: truncated body"  # ...but this one had an answer, its body cut short: the server is up
UNANSWERED_CRAWLS = 3  # crawls in a row a URL may go unanswered and be queued again; then it is filed as failed

PartSource = Callable[[str], Awaitable[str | None]]


def _param(name: str, type_: Any = None) -> Any:
    """A bound parameter of the fixed statements below (prefixed: column names are reserved in SET)."""
    return bindparam(f"v_{name}", type_=type_)


_BY_ID = RESOURCES.c.id == bindparam("rid")
_ADD_ATTEMPTS = func.coalesce(RESOURCES.c.attempts, 0) + _param("attempts", Integer())
# One statement per way a URL ends, the same for every page, so a group of pages runs each as one executemany.
FINISH_FETCHED = update(RESOURCES).where(_BY_ID).values(
    status=_param("status"), error=_param("error"), kind=_param("kind"), http_status=_param("http_status"),
    content_type=_param("content_type"), size=_param("size"), sha256=_param("sha256"), etag=_param("etag"),
    last_modified=_param("last_modified"), encoding=func.coalesce(_param("encoding"), RESOURCES.c.encoding),
    attempts=_ADD_ATTEMPTS, fetched_at=_param("fetched_at", DateTime()))
FINISH_STATE = update(RESOURCES).where(_BY_ID).values(status=_param("status"), error=_param("error"))
# A fetched HTML page's class (article/list/column-home/other), the rule that decided it and the CMS profile read,
# kept in the hint with what the linking page said (title/date/column of a list entry).
FINISH_CLASS = update(RESOURCES).where(_BY_ID).values(hint=_param("hint", RESOURCES.c.hint.type))
FINISH_NOT_MODIFIED = update(RESOURCES).where(_BY_ID).values(
    status="fetched", error=None, fetched_at=_param("fetched_at", DateTime()), attempts=_ADD_ATTEMPTS,
    etag=func.coalesce(_param("etag"), RESOURCES.c.etag),
    last_modified=func.coalesce(_param("last_modified"), RESOURCES.c.last_modified))
INSERT_EVENTS = insert(EventRow.__table__)
INSERT_ARTICLES = insert(ARTICLES)
COLUMN_LISTED = update(COLUMNS).where(COLUMNS.c.site_id == bindparam("w_site"), COLUMNS.c.path == bindparam("w_path")) \
    .values(listed_items=func.coalesce(COLUMNS.c.listed_items, 0) + _param("listed", Integer()))
COLUMN_LISTED_AT = COLUMN_LISTED.values(url=func.coalesce(COLUMNS.c.url, _param("url")))
# Look-ups run for many pages, built once (building and keying a statement costs more than SQLite running it).
ARTICLE_BY_URL = select(ARTICLES.c.id, ARTICLES.c.content_hash, ARTICLES.c.column_path).where(
    ARTICLES.c.site_id == bindparam("w_site"), ARTICLES.c.url_hash == bindparam("w_key"))
COLUMNS_KNOWN = select(COLUMNS.c.path).where(COLUMNS.c.site_id == bindparam("w_site"),
                                             COLUMNS.c.path.in_(bindparam("w_paths", expanding=True)))


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
    articles_rechecked: int = 0  # stored articles re-requested conditionally (incremental runs with a recheck)
    entries_without_address: int = 0  # list entries shown whose link goes nowhere (javascript:;): never fetched
    bytes: int = 0
    seconds: float = 0.0
    budget_reached: bool = False
    incremental: bool = False
    worker_id: str = ""
    warc: str | None = None
    robots_unreachable: str | None = None  # why nothing was fetched (RFC 9309: an unreachable robots.txt disallows)
    failed: int = 0  # URLs of `fetched` that came back with no page (no answer, or an HTTP error)
    unanswered: int = 0  # URLs whose requests got no answer at all in this run (refused, reset, timed out)
    unanswered_left: int = 0  # URLs queued again for the next run: no answer yet (the server went away)
    paused_hosts: list[str] = field(default_factory=list)  # hosts this run stopped asking (PAUSE_AFTER_URLS)


@dataclass
class CrawlProgress:
    """Live figures of a running crawl, handed to a progress callback: the run's counts are its summary's."""

    summary: CrawlSummary
    articles: int = 0
    queued: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """URLs requested per second so far."""
        elapsed = time.monotonic() - self.started
        return self.summary.fetched / elapsed if elapsed > 0 else 0.0

    @property
    def fetched(self) -> int:
        """URLs fetched so far: requested, failures apart."""
        return self.summary.fetched - self.summary.failed


@dataclass
class PageWrites:
    """Everything processing one URL writes, applied by the store writer in one job (after the fetch)."""

    ops: list[Callable[[Session], Any]] = field(default_factory=list)
    batched: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)  # fixed statements and their rows
    links: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    columns: list[tuple[str, ...]] = field(default_factory=list)  # column paths the writes make sure exist
    article_outcome: str | None = None
    requeued: bool = False

    def apply(self, session: Session, insert_links: Any) -> None:
        """Write this page's effects: row updates at once; resource states, new URLs and events deferred."""
        for op in self.ops:
            op(session)
        later = deferred(session)
        if self.links:
            later.add(insert_links, self.links, order=_link_order)
        for statement, row in self.batched:
            later.add(statement, row)
        if self.events:
            later.add(INSERT_EVENTS, self.events)

    def finish(self, statement: Any, resource_id: int, values: dict[str, Any]) -> None:
        """Write a URL's final state with one of the fixed statements, and drop its lease."""
        self.batched.append((statement, {"rid": resource_id, **{f"v_{k}": v for k, v in values.items()}}))
        self.batched.append((LEASE_DONE, {"rid": resource_id}))


class SiteCrawler:
    """Crawls one site; safe to re-run, to interrupt, and to run as several workers on one store."""

    robots_retry_waits: tuple[float, ...] = ROBOTS_RETRY_WAITS
    pause_after_urls: int = PAUSE_AFTER_URLS
    pause_after_seconds: float = PAUSE_AFTER_SECONDS

    def __init__(self, store: Store, site: Site, settings: CrawlSettings, workspace: Path,
                 progress: Callable[[CrawlProgress], None] | None = None,
                 client: aiohttp.ClientSession | None = None, incremental: bool = False,
                 lease_seconds: float = LEASE_SECONDS, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 recheck: int | Literal["all"] = 0) -> None:
        self.store = store
        self.site = site
        self.settings = settings
        self.workspace = workspace
        self.storage = open_storage(settings._workspace, workspace)  # local folder or s3://… (consolidate.core.storage)
        self.blobs = BlobStore(workspace / "blobs", self.storage)
        self.scope = Scope.for_site(site.home_url, site.aliases, settings.include, settings.exclude,
                                    settings._siblings)
        self.home = canonical_url(site.home_url) or site.home_url
        self.incremental = incremental or bool(recheck)  # re-requesting stored articles is an incremental run
        self.recheck = recheck
        self.worker_id = new_worker_id()
        self.frontier = Frontier(store, site.id, self.worker_id, lease_seconds)
        self.heartbeat_seconds = heartbeat_seconds
        self._site_rate = settings.rate_per_host  # lowered by robots.txt Crawl-delay
        self._sharing = 1  # live workers on this site (they split the site's rate)
        self.on_progress = progress
        self.summary = CrawlSummary(site.id, incremental=self.incremental, worker_id=self.worker_id)
        self._addressless_bodies: set[str] = set()  # digests of the pages whose entries that link nowhere were said
        self.progress = CrawlProgress(self.summary)
        self._client = client
        self._robots: Protego | None = None
        self._claimed: deque[Any] = deque()  # claimed rows of `resources`, not yet processed
        self._active = 0
        self._claiming = False
        self._budget_left = settings.max_pages
        self._budget_counted = False  # whether this drain has counted what the spent budget left queued
        self._frontier_dirty = True
        self._changed = asyncio.Event()
        self._queued_counted_at = 0.0  # when the queue was last counted for the progress display
        self._finishing: set[asyncio.Task] = set()
        self._uploads: set[asyncio.Task] = set()  # WARC segments being uploaded (remote storage)
        self._upload_failed = False
        self._archived_before: set[str] = set()  # URLs whose record a dead worker stored (crawlers.warc)
        # URLs this run put in the frontier, most recently linked last: the menus every page links to stay in
        # it, so their INSERTs (ignored by the store anyway) are not sent again; bounded, so memory stays flat.
        self._queued_hashes: OrderedDict[str, None] = OrderedDict()
        self.queued_memory = QUEUED_MEMORY  # crawl_sites shares QUEUED_MEMORY out among the sites it crawls
        self._link_keys: dict[str, tuple[str, str]] = {}  # a link as found -> (its URL on the site, hash or '': out
        # of scope), at most queued_memory of them (then forgotten at once)
        self._known_columns: set[tuple[str, ...]] = set()
        self._site_cms: str | None = None
        self._site_facts: dict[str, Any] = {}
        self._column_aliases: dict[tuple[str, ...], tuple[str, ...]] = {}  # spellings of one column (crawlers.columns)
        self.parser: ParserPool | None = None  # parser processes for parse_page (crawl_sites sets them)
        self.held = HeldPages()  # crawl_sites shares one among the sites it crawls
        self.preparing: asyncio.Lock | None = None  # crawl_sites: the sites' start-ups one a loop turn (see run)
        self._insert_links = _insert_links(store.engine.dialect.name)
        self._pins = parse_pins(settings.resolve)
        self._silence: dict[str, tuple[int, float, str, float]] = {}  # host -> (URLs unanswered in a row, when the
        # first was, the first's URL, when its first request started)
        self._answered_at: dict[str, float] = {}  # host -> when it last answered
        self._alone: set[str] = set()  # URLs unanswered while their host answered others: the page's fault
        self._held_back: list[int] = []  # claimed URLs of paused hosts: queued again when the worker retires
        self.on_notice: Callable[[str], None] | None = None  # one line when a host is paused (crawl_sites sets it)

    async def run(self) -> CrawlSummary:
        """Crawl until the frontier is empty or the page budget is spent."""
        started = time.monotonic()
        listed_before = await self._prepare_in_turn()
        owns_client = self._client is None
        client = self._client or open_client(self.settings.concurrency, self._pins)
        try:
            return await self._run(client, started, listed_before)
        finally:  # whatever stops the crawl (Ctrl-C cancels it anywhere): no unclosed session left behind
            if owns_client and not client.closed:
                await asyncio.shield(client.close())

    async def _prepare_in_turn(self) -> set[str]:
        """_prepare_site, in a fleet crawl one site at a time with a turn of the event loop after each: the sites
        already started fetch while the others start up (all at once, 200 start-ups held every fetch back for
        3-12 s)."""
        if self.preparing is None:
            return self._prepare_site()
        async with self.preparing:
            listed_before = self._prepare_site()
            await asyncio.sleep(0)  # the next site waits on the lock while the loop serves the started ones
        return listed_before

    async def _run(self, client: aiohttp.ClientSession, started: float, listed_before: set[str]) -> CrawlSummary:
        """The crawl of run() with its client open."""
        self.archive = self._open_archive()
        self.fetcher = Fetcher(await self._policy(), client, self.scope, self.workspace / "spool",
                               shared_context(self.settings.concurrency))
        state = "interrupted"
        async with shared_writer(self.store) as self.writer:
            heartbeat = asyncio.create_task(self._heartbeat())
            try:
                await self._share_politeness()
                if await self._load_robots():
                    await self._drain()
                    if self.incremental:
                        await self._recheck_unlisted(listed_before)
                    state = "finished"
            finally:
                heartbeat.cancel()
                if self._finishing:  # pages fetched before a cancel: finish and store them
                    await asyncio.gather(*self._finishing, return_exceptions=True)
                claimed = [r.id for r in self._claimed] + self._held_back
                self._claimed.clear()
                fetched = self.summary.fetched
                await asyncio.shield(self._close_archive())  # before retiring: stored while this worker is live
                await asyncio.shield(self.writer.run(lambda s: self._retire(s, claimed, state, fetched)))
        self._queued_hashes.clear()
        self._link_keys.clear()
        self.summary.seconds = time.monotonic() - started
        self.summary.warc = str(self.archive.path) if self.archive.records else None
        self._finish_site()
        return self.summary

    def _retire(self, session: Session, claimed: list[int], state: str, fetched: int) -> None:
        """Give back unprocessed claims, queue again the URLs that got no answer, and retire the worker."""
        self.frontier.release_in(session, claimed)
        self.summary.unanswered_left = requeue_unanswered(session, self.site.id, count_crawl=True,
                                                          failed=self._alone | self._trailing_alone())
        self.frontier.retire_in(session, state, fetched)

    async def _policy(self) -> FetchPolicy:
        """Fetch policy from the settings; private addresses allowed only when the site itself is on one."""
        return await FetchPolicy.for_home(self.settings, self.home, self._pins)

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
                self._site_cms, self._site_facts = row.cms, dict(row.facts or {})
                self._column_aliases = stored_aliases(row.facts)
        self.frontier.register()
        with self.store.session() as session:  # no answer last time (the server was away): asked again now
            requeue_unanswered(session, self.site.id, count_crawl=False)
        reclaimed = self.frontier.reclaim()
        requeued, self._archived_before = requeue_unstored(self.store, self.site.id, self.frontier.lease_seconds,
                                                           self.storage)
        reclaimed += requeued
        if reclaimed:
            self._event_now("info", "reclaimed", f"{reclaimed} URLs left in flight by a stopped worker queued again")
        with self.store.session() as session:
            seeds = [self.home, *(canonical_url(u) or u for u in self.settings.start_urls)]
            session.execute(self._insert_links, self._link_rows([(url, "page", 0, None, {}) for url in seeds]))
        if not self.incremental:
            return set()
        requeued = inc.requeue_for_recheck(self.store, self.site.id)
        self.summary.articles_rechecked = inc.requeue_articles(self.store, self.site.id, self.recheck)
        articles = f" and {self.summary.articles_rechecked} articles" if self.summary.articles_rechecked else ""
        self._event_now("info", "incremental",
                        f"incremental crawl: {requeued} pages{articles} re-checked with conditional requests")
        return inc.listed_hashes(self.store, self.site.id)

    def _finish_site(self) -> None:
        """Recount columns and stamp the crawl time (not while URLs wait for a server that stopped answering: the
        crawl is not finished)."""
        with self.store.session() as session:
            unify_columns(session, self.site.id)  # one legacy column, one node (crawlers.columns)
            recount_columns(session, self.site.id)
            row = session.get(SiteRow, self.site.id)
            if row is not None and not self.unfinished:
                row.crawled_at = utcnow()

    def _trailing_alone(self) -> set[str]:
        """The last URL a host left unanswered as the run ended, alone, while the host answered other URLs after it
        was first asked: the page's fault too (a crawl's last page the server hangs on)."""
        return {first for host, (count, _, first, asked) in self._silence.items()
                if count == 1 and self._answered_at.get(host, 0.0) > asked}

    @property
    def unfinished(self) -> bool:
        """True when the run left URLs queued because their server did not answer (paused or unanswered)."""
        return bool(self.summary.unanswered_left or self.summary.paused_hosts)

    async def _heartbeat(self) -> None:
        """Renew this worker's leases until the crawl ends."""
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            fetched = self.summary.fetched
            with contextlib.suppress(Exception):  # a busy store must not kill the crawl; leases just age
                await self.writer.run(lambda s, n=fetched: self.frontier.heartbeat_in(s, n))
                await self._share_politeness()

    async def _share_politeness(self) -> None:
        """Workers crawling the same site split its per-host rate, so the old server never sees more than it."""
        workers = await self.writer.run(self.frontier.site_workers_in)
        if workers != self._sharing:
            self._sharing = workers
            self.fetcher.set_rate(self.home, self._site_rate / workers)

    async def _load_robots(self) -> bool:
        """Fetch robots.txt (its first 500 KiB) and honour Crawl-delay up to a cap; False when it stays unreachable
        (RFC 9309: a 5xx or no answer disallows everything for now; the queue is kept for a later run)."""
        if not self.settings.obey_robots:
            await self._event_soon("info", "robots_ignored", "robots.txt not consulted (obey_robots: false)")
            return True
        url = urljoin(self.home, "/robots.txt")
        for wait in (*self.robots_retry_waits, None):
            result = await self.fetcher.fetch_prefix(url, ROBOTS_MAX_BYTES)
            why = _robots_unreachable(result)
            if why is None:
                break
            if wait is None or result.status is None:  # no HTTP answer at all: the fetcher has retried already
                self.summary.robots_unreachable = (f"robots.txt {why}: nothing fetched (RFC 9309: an unreachable "
                                                   "robots.txt disallows all); run the crawl again later")
                await self._event_soon("warning", "robots_unreachable", self.summary.robots_unreachable, url)
                if result.status is None:  # the server does not answer: its home page is not fetched either
                    await self.writer.run(self._home_not_fetched)
                return False
            await self._event_soon("info", "robots_retry", f"robots.txt {why}; asking again in {wait:g}s", url)
            await asyncio.sleep(wait)
        if not result.ok or not result.body:  # 4xx or empty: no rules
            return True
        if result.partial:
            await self._event_soon("info", "robots_truncated", f"robots.txt is larger than {ROBOTS_MAX_BYTES // 1024} "
                                   "KiB: its first part is obeyed (RFC 9309)", url)
        self._robots = Protego.parse(result.body.decode("utf-8", errors="replace"))
        await self._queue_sitemaps(result.body.decode("utf-8", errors="replace"), url)
        delay = self._robots.crawl_delay(self.settings.user_agent)
        if delay:
            effective = min(float(delay), MAX_CRAWL_DELAY)
            self._site_rate = min(self.settings.rate_per_host, 1.0 / effective)
            self.fetcher.set_rate(self.home, self._site_rate / self._sharing)
            await self._event_soon("info", "crawl_delay", f"robots.txt Crawl-delay {delay}s honoured as {effective:g}s")
        return True

    async def _queue_sitemaps(self, robots: str, robots_url: str) -> None:
        """Queue the sitemaps robots.txt names (their URLs reach sections nothing links to; discover reads them)."""
        found = [canonical_url(u, robots_url) for u in ROBOTS_SITEMAP.findall(robots)[:50]]
        rows = self._link_rows([(u, "page", 1, robots_url, {"sitemap": True}) for u in found if u])
        if rows:
            await self.writer.run(lambda s: s.execute(self._insert_links, rows))

    def _home_not_fetched(self, session: Session) -> None:
        """Record the still queued home page as not fetched, with the reason (a transient error: re-checked)."""
        session.execute(update(Resource).where(
            Resource.site_id == self.site.id, Resource.url_hash == url_hash(self.home), Resource.status == "queued")
            .values(status="error", error=self.summary.robots_unreachable))

    async def _recheck_unlisted(self, listed_before: set[str]) -> None:
        """Articles no list shows any more get a conditional request: 404/410 marks them vanished."""
        unlisted = inc.unlisted_articles(self.store, self.site.id, listed_before)
        if unlisted:
            await self.writer.run(lambda s: inc.requeue_urls(s, self.site.id, unlisted))
            self._frontier_dirty = True
            await self._drain()

    async def _drain(self) -> None:
        """Run the fetch workers until the frontier is done (or the budget spent)."""
        workers = max(1, min(self.settings.concurrency, self.settings.concurrency_per_host * WORKERS_PER_SLOT))
        self._budget_counted = False
        await asyncio.gather(*(self._worker() for _ in range(workers)))

    async def _worker(self) -> None:
        """Take URLs from the frontier and process them until nothing is left for anyone."""
        while True:
            resource = await self._next_resource()
            if resource is None:
                if self._budget_left > 0:
                    queued, others_busy = await self.writer.run(self._frontier_state)
                    if queued:  # another worker queued URLs since this one last looked
                        self._frontier_dirty = True
                        continue
                if self._budget_left <= 0 or not others_busy:
                    self._notify()
                    return
                await asyncio.sleep(IDLE_POLL)
                await self.writer.run(self.frontier.reclaim_in)
                if self.storage.remote:  # a dead worker's unstored records: fetched again, stored ones not twice
                    _, stored = await self.writer.run(lambda s: requeue_unstored_in(
                        s, self.site.id, self.frontier.lease_seconds, self.storage))
                    self.archive.skip |= stored
                self._frontier_dirty = True
                continue
            self._active += 1
            try:
                await self._process(resource)
            finally:
                self._active -= 1
                self._notify()

    def _frontier_state(self, session: Session) -> tuple[bool, bool]:
        """Whether URLs of the site are queued, and whether other workers hold leases on it."""
        return self.frontier.has_queued_in(session), self.frontier.others_busy_in(session)

    def _notify(self) -> None:
        """Wake the workers waiting for the frontier or for pages in progress."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _next_resource(self) -> Resource | None:
        """The next leased URL (claimed in batches, lowest depth first); None when this worker has nothing to do."""
        while not self._claimed:
            if self._claiming:
                await self._changed.wait()  # another worker is claiming for this crawler
            elif self._frontier_dirty and self._budget_left > 0:
                await self._claim_batch()
            elif self._active:
                await self._changed.wait()  # pages in progress may queue more URLs
            else:
                if self._budget_left <= 0 and not self._budget_counted:  # counted once per drain, not per worker
                    self._budget_counted = True
                    self.summary.budget_reached = await self.writer.run(self.frontier.has_queued_in)
                return None
        return self._claimed.popleft()

    async def _claim_batch(self) -> None:
        """Lease the next batch of URLs (one worker at a time)."""
        self._claiming = True
        self._frontier_dirty = False
        try:
            rows, queued = await self.writer.run(self._claim_job)
        finally:
            self._claiming = False
            self._notify()
        self._claimed.extend(rows)
        self._budget_left -= len(rows)
        if rows:
            self.progress.queued = queued

    def _claim_job(self, session: Session) -> tuple[list[Any], int]:
        """Claim rows and, for a progress display at most once a second, count what stays queued."""
        rows = self.frontier.claim_in(session, min(CLAIM_BATCH, self._budget_left))
        if not rows or self.on_progress is None or time.monotonic() - self._queued_counted_at < 1.0:
            return rows, self.progress.queued
        self._queued_counted_at = time.monotonic()
        return rows, self.frontier.queued_in(session)

    async def _process(self, resource: Resource) -> None:
        """Fetch one URL and record what it yielded; never raises for bad input."""
        writes = PageWrites()
        if self._robots is not None and not self._robots.can_fetch(resource.url, self.settings.user_agent):
            self._finish_resource(writes, resource, status="skipped", error="disallowed by robots.txt")
            self.summary.skipped += 1
            await self._commit(writes)
            return
        if urlsplit(resource.url).netloc.lower() in self.fetcher.paused:
            self._held_back.append(resource.id)  # stays leased until the worker retires, then queued again
            self._budget_left += 1
            return
        spool = resource.kind in ("attachment", "image")
        page = HeldPage(self.held)
        size = 0
        asked_at = time.monotonic()
        try:
            result = await self.fetcher.fetch(resource.url, self._conditional_headers(resource), spool=spool,
                                              admit=page.admit)
            size = len(result.body)
        finally:
            page.fetched(size)
        self._archive(result, resource.url)
        self._count_fetch(result)
        await self._note_answer(resource.url, result, asked_at)
        # A page once fetched is finished and stored even if the crawl is cancelled meanwhile (run() waits).
        task = asyncio.create_task(self._record_fetch(resource, result))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)
        task.add_done_callback(lambda _: page.release())
        await asyncio.shield(task)

    async def _record_fetch(self, resource: Resource, result: FetchResult) -> None:
        """Analyse a fetched URL and commit what it yielded; never raises for bad input."""
        writes = PageWrites()
        try:
            await self._handle(writes, resource, result)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the crawl
            writes = PageWrites()
            self._record_error(writes, resource, result, f"could not process: {type(exc).__name__}: {exc}")
        finally:
            if result.body_file:
                result.body_file.unlink(missing_ok=True)
        try:
            await self._commit(writes)
        except Exception as exc:  # noqa: BLE001 - e.g. a value the store refuses: record it on the URL
            writes = PageWrites()  # the state and the reason only: the HTTP facts may be what the store refused
            self._record_error(writes, resource, None, f"could not store: {type(exc).__name__}: {exc}")
            try:
                await self._commit(writes)
            except Exception:  # noqa: BLE001 - the store itself fails: the lease expires, the URL is tried again
                self.summary.errors += 1
        if self.on_progress:
            self.on_progress(self.progress)

    async def _commit(self, writes: PageWrites) -> None:
        """Hand a page's writes to the store writer and account for what they did."""
        # Pages of a first crawl only write: their statements wait for the group's executemany. Incremental
        # runs read what earlier pages wrote (list diffs, requeues), so each page sees the one before it.
        await self.writer.run(lambda s: writes.apply(s, self._insert_links), batched=not self.incremental)
        if writes.links:
            self._remember_queued(row["url_hash"] for row in writes.links)
            self._frontier_dirty = True
        if writes.requeued:
            self._frontier_dirty = True
        self._known_columns.update(writes.columns)  # committed: no need to look these columns up again
        outcome = writes.article_outcome
        if outcome:
            setattr(self.summary, f"articles_{outcome}", getattr(self.summary, f"articles_{outcome}") + 1)
            self.progress.articles += 1

    def _remember_queued(self, hashes: Iterable[str]) -> None:
        """Note URLs now in the frontier, forgetting the least recently linked past the bound."""
        remembered = self._queued_hashes
        for key in hashes:
            remembered[key] = None
        while len(remembered) > self.queued_memory:
            remembered.popitem(last=False)

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
        self.summary.fetched += 1
        self.summary.bytes += body_bytes
        if result.status == 304:
            self.summary.not_modified += 1
        elif not result.ok and not result.too_large:
            self.summary.failed += 1
        if unanswered(result):
            self.summary.unanswered += 1

    async def _note_answer(self, url: str, result: FetchResult, asked_at: float) -> None:
        """Follow the URLs in a row a host left unanswered; past PAUSE_AFTER_URLS over PAUSE_AFTER_SECONDS the host
        is paused: not asked again this run, its URLs left queued, one line said."""
        host = urlsplit(url).netloc.lower()
        if not unanswered(result):
            self._answered_at[host] = time.monotonic()
            count, _, first, _ = self._silence.pop(host, (0, 0.0, "", 0.0))
            if count == 1:  # the host answered on both sides of it: this page alone gets no answer
                self._alone.add(first)
            return
        if host in self.fetcher.paused:
            return
        count, since, first, first_asked = self._silence.get(host, (0, time.monotonic(), url, asked_at))
        self._silence[host] = (count + 1, since, first, first_asked)
        quiet = time.monotonic() - since
        if count + 1 < self.pause_after_urls or quiet < self.pause_after_seconds:
            return
        self.fetcher.paused.add(host)
        self.summary.paused_hosts.append(host)
        line = (f"{self.site.id}: {host} paused: {count + 1} URLs in a row got no answer over {quiet:.0f}s (each "
                f"tried {self.settings.retries + 1} times); its URLs stay queued: run `consolidate crawl "
                f"{self.site.id}` again when the server is back")
        await self._event_soon("warning", "host_paused", line, url)
        if self.on_notice is not None:
            self.on_notice(line)

    async def _handle(self, writes: PageWrites, resource: Resource, result: FetchResult) -> None:
        """Route a fetch result: unchanged, too large, error, stored file, or HTML to analyse."""
        if result.status == 304 and result.error is None:
            self._not_modified(writes, resource, result)
            return
        if result.too_large:
            self._finish_resource(writes, resource, status="skipped", result=result,
                                  error=f"larger than max_bytes ({result.size} bytes); recorded, not fetched whole")
            self.summary.skipped += 1
            self._event(writes, "warning", "too_large", f"response larger than max_bytes ({result.size} bytes)",
                        resource.url)
            return
        if not result.ok:
            await self._record_failure(writes, resource, result)
            return
        if resource.kind == "list" and _looks_like_feed(result) and self._handle_feed(writes, resource, result):
            return
        if resource.kind in ("attachment", "image") or not _looks_like_html(result):
            await self._store_file(writes, resource, result)
            return
        if await self._same_article_page(resource, result):
            self._not_modified(writes, resource, result)
            return
        if result.body_file is not None:
            await self._store_file(writes, resource, result, note=f"page of {result.size} bytes stored as a file, "
                                                                  f"not parsed (over {MEMORY_BODY_CAP} bytes)")
            return
        await self._handle_html(writes, resource, result)

    def _handle_feed(self, writes: PageWrites, resource: Resource, result: FetchResult) -> bool:
        """A JSON "load more" feed queued as a list page: its entries queued as articles, its further pages as
        lists, the column the linking list page gave kept; False when the body is no JSON feed."""
        text = decode_html(result.body, result.headers.get("content-type")).text
        found = feed_entries(text, result.final_url)
        if found is None:
            return False
        items, pages = found
        column = list(resource.hint.get("column") or [])
        info = canonical_links(PageInfo(cms=CmsId.GENERIC, kind="list", breadcrumb=column, list_items=items,
                                        pagination=pages, page_class="list",
                                        reason=f"a JSON feed of {len(items)} entries"))
        self._save_list(writes, resource, info, result.sha256)
        self._finish_resource(writes, resource, status="fetched", result=result, kind="list")
        self._record_class(writes, resource, ParsedPage("utf-8", [], info=info, kind="list"))
        self._enqueue_links(writes, resource, info)
        return True

    async def _same_article_page(self, resource: Resource, result: FetchResult) -> bool:
        """True when a re-requested article's page came back byte for byte as stored: the page did not change, so
        its stored article stands — a second extraction may differ (no learned template yet, another parser
        process) and must not pass for an edit (`extract SITE --from-archive` re-extracts on purpose)."""
        if not (self.incremental and resource.kind == "article" and resource.sha256
                and resource.sha256 == result.sha256):
            return False
        return bool(await self.writer.run(lambda s: _has_article(s, self.site.id, resource.url)))

    def _not_modified(self, writes: PageWrites, resource: Resource, result: FetchResult) -> None:
        """A 304: the stored copy is current; only the validators and fetch time move."""
        writes.finish(FINISH_NOT_MODIFIED, resource.id, {
            "fetched_at": utcnow(), "attempts": max(result.attempts, 1),
            "etag": result.headers.get("etag") or None, "last_modified": result.headers.get("last-modified") or None})
        if resource.kind == "article":
            self.summary.articles_unchanged += 1

    async def _record_failure(self, writes: PageWrites, resource: Resource, result: FetchResult) -> None:
        """An HTTP error or a network failure; in incremental runs a gone article is marked vanished."""
        self._record_error(writes, resource, result, result.error or f"HTTP {result.status}")
        if result.status not in GONE_STATUSES:
            return
        if resource.kind == "list":
            writes.ops.append(lambda s: inc.forget_list(s, self.site.id, resource.url))
        if not self.incremental:
            return
        if await self.writer.run(lambda s: _has_article(s, self.site.id, resource.url)):
            writes.ops.append(lambda s: inc.note_change(s, self.site.id, resource.url, "vanished", self.worker_id))
            self.summary.articles_vanished += 1
        if resource.kind == "article":
            self._event(writes, "warning", "article_vanished",
                        f"article gone from the legacy site (HTTP {result.status})", resource.url)

    async def _store_file(self, writes: PageWrites, resource: Resource, result: FetchResult,
                          note: str | None = None) -> None:
        """Keep an attachment, image or unparsed body in the blob store (remote storage: uploaded in a thread;
        the URL is recorded as fetched only after its PUT returned)."""
        if result.body_file and result.sha256:
            await self.blobs.store_soon(None, result.body_file, result.sha256)
            result.body_file = None
        elif result.sha256:
            await self.blobs.store_soon(result.body, None, result.sha256)
        kind = resource.kind if resource.kind in ("attachment", "image") else "file"
        if note:
            self._finish_resource(writes, resource, status="skipped", result=result, kind=kind, error=note)
            self.summary.skipped += 1
            self._event(writes, "warning", "not_parsed", note, resource.url)
            return
        self._finish_resource(writes, resource, status="fetched", result=result, kind=kind)

    async def _handle_html(self, writes: PageWrites, resource: Resource, result: FetchResult) -> None:
        """Decode, analyse and extract an HTML page, then queue what it links to."""
        parsed = await self._parse(result, resource.kind)
        for warning in parsed.warnings:
            self._event(writes, "warning", "encoding", warning, resource.url)
        if parsed.problem or parsed.info is None:
            problem = parsed.problem or "page could not be analysed"
            if parsed.encoding == "binary":
                await self._store_file(writes, resource, result,
                                       note=f"{problem} (served as {result.content_type or 'no type'})")
            else:
                self._record_error(writes, resource, result, problem)
            return
        info = parsed.info
        result.body = b""  # archived and parsed: not held while the page's parts and store writes are awaited
        self._note_site(writes, info)
        if parsed.kind == "article" and parsed.record is not None:
            await self._save_article(writes, resource, parsed.record, info)
        elif parsed.kind == "list":
            self._save_list(writes, resource, info, result.sha256)
        elif info.addressless:  # the home page's (or another page's) entries that link nowhere, said as a list's
            self._note_addressless(writes, resource, info.addressless, result.sha256, "page")
        if parsed.interaction is not None:
            interaction_store.keep(writes.ops, self.site.id, resource.url, resource.hint, parsed.interaction)
            if "form" in parsed.interaction:
                self._event(writes, "info", "interaction_form", parsed.interaction["form"], resource.url)
        self._finish_resource(writes, resource, status="fetched", result=result, kind=parsed.kind,
                              encoding=parsed.encoding)
        self._record_class(writes, resource, parsed)
        self._enqueue_links(writes, resource, info)

    def _record_class(self, writes: PageWrites, resource: Resource, parsed: ParsedPage) -> None:
        """Store the page's class and the reason for it on its resource row; an article page that yielded no
        record is reported, never dropped silently."""
        info = parsed.info
        page_class, reason = (info.page_class, info.reason) if info is not None else ("other", "not analysed")
        if parsed.kind == "article" and parsed.record is None:
            reason = f"{reason}; no article could be extracted from it"
            self._event(writes, "warning", "article_not_extracted", f"page classed article but nothing extracted "
                                                                     f"({info.reason if info else ''})", resource.url)
        if info is not None and info.unreachable:
            self._event(writes, "warning", "pager_unreachable", info.unreachable, resource.url)
        hint = {**(resource.hint or {}), "class": page_class, "class_reason": reason,
                "cms": str(info.cms) if info is not None else None,
                **({"unreachable": info.unreachable} if info is not None and info.unreachable else {}),
                **({"unlinked": len(info.addressless)} if info is not None and info.addressless else {})}
        if info is None or not info.addressless:
            hint.pop("unlinked", None)  # a page whose dead entries the site has since fixed
        writes.batched.append((FINISH_CLASS, {"rid": resource.id, "v_hint": hint}))

    async def _parse(self, result: FetchResult, queued_as: str) -> ParsedPage:
        """parse_page in the parser processes when there are any (the site's own one: it learns the site's
        templates once), else here."""
        args = (result.body, result.headers.get("content-type"), result.final_url, self.site.id, queued_as)
        if self.parser is not None:
            try:
                return await self.parser.call(parse_page, *args, site=self.site.id)
            except BrokenExecutor:  # a parser process died: parse here from now on
                self.parser = None
                await self._event_soon("warning", "parser_lost", "a parser process stopped; pages parsed here")
        return parse_page(*args)

    async def _save_article(self, writes: PageWrites, resource: Resource, first: ArticleRecord,
                            info: PageInfo) -> None:
        """Join the article's further parts (if any), then upsert it."""
        record = await complete_article(first, resource.url, self.site.id, resource.hint, info,
                                        lambda url: self._fetch_part(url, resource.depth, resource.url))
        record.column_path = unified(record.column_path, self._column_aliases)
        column = tuple(p for p in record.column_path if p)
        known = column in self._known_columns
        writes.columns.append(column)

        def upsert(session: Session) -> None:
            later = None if self.incremental else deferred(session)
            writes.article_outcome = upsert_article(session, record, later)
            if not known:
                ensure_column(session, self.site.id, record.column_path)
            if self.incremental and writes.article_outcome in ("new", "changed"):
                inc.note_change(session, self.site.id, record.url, writes.article_outcome, self.worker_id)

        writes.ops.append(upsert)
        for spam in record.spam_links:
            self._event(writes, "warning", "spam_link", f"hidden spam link removed: {spam}", resource.url)
        for warning in record.warnings:
            self._event(writes, "warning", "extract", warning, resource.url)
        for att in record.attachments:
            if att.status == "unreachable":  # named on the page, no address to fetch: the office must supply it
                self._event(writes, "warning", "attachment_unreachable", f"{att.name}: {att.reason}", resource.url)
        files = [(a.url, "attachment") for a in record.attachments] + [(u, "image") for u in record.images]
        self._enqueue(writes, [(url, kind, resource.depth + 1, resource.url, {}) for url, kind in _canonical(files)])

    async def _fetch_part(self, url: str, depth: int, article: str) -> str | None:
        """Fetch one further page of the multi-page article at `article`; its decoded HTML, or None (recorded)."""
        if not self.scope(url):
            return None
        # Bookkeeping of parts is queued, not awaited: between the page's fetch and its commit the only waits
        # are the part fetches themselves, so a cancelled crawl leaves as little as possible half done.
        self.writer.submit(lambda s: self.frontier.claim_url_in(s, url, "part", depth + 1, article))
        result = await self.fetcher.fetch(url)
        self._archive(result, url)
        self._count_fetch(result)
        self.writer.submit(lambda s: self._record_part(s, url, result, article))
        if not result.ok:
            message = f"article part not fetched: {result.error or result.status}"
            self.writer.submit(lambda s: s.add(EventRow(**self._event_values("error", "part_missing", message, url))))
            return None
        return decode_html(result.body, result.headers.get("content-type")).text

    def _record_part(self, session: Session, url: str, result: FetchResult, article: str) -> None:
        """Write the fetch of an article part onto its resource row (naming its article: the part shares its
        outcome) and drop its lease."""
        row = session.scalar(select(Resource).where(Resource.site_id == self.site.id,
                                                    Resource.url_hash == url_hash(url)))
        if row is not None:
            _apply_result(row, result, "fetched" if result.ok else "error", "part")
            row.referrer = row.referrer or article
            row.hint = {**(row.hint or {}), "class": "other", "class_reason": f"a further page of the article {article}"}
            self.frontier.done(session, row.id)

    def _save_list(self, writes: PageWrites, resource: Resource, info: PageInfo, digest: str | None = None) -> None:
        """Register the column a list page belongs to and diff what it lists against last time."""
        path = unified(info.breadcrumb or ([info.column_name] if info.column_name else []), self._column_aliases)
        column_path = path
        items = [(item.url, item.title, item.date) for item in info.list_items]
        listed = len(info.list_items) + len(info.addressless)  # an entry shown is listed, reachable or not
        if info.addressless:
            self._note_addressless(writes, resource, info.addressless, digest)
        pagination = bool(resource.hint.get("pagination"))
        column = tuple(p for p in path if p)
        known = column in self._known_columns
        writes.columns.append(column)

        def save(session: Session) -> None:
            if path:
                if not known:
                    ensure_column(session, self.site.id, path)
                key = " > ".join(p for p in path if p)
                counted = {"w_site": self.site.id, "w_path": key, "v_listed": listed}
                if pagination:
                    deferred(session).add(COLUMN_LISTED, counted)
                else:
                    deferred(session).add(COLUMN_LISTED_AT, {**counted, "v_url": resource.url})
            changed = inc.record_list(session, self.site.id, resource.url, items, diff=self.incremental,
                                      later=None if self.incremental else deferred(session))
            if self.incremental and changed:
                hints = {url: {"column": column_path, "title": title, "date": date} for url, title, date in items}
                inc.requeue_urls(session, self.site.id, changed, hints)
                writes.requeued = True

        writes.ops.append(save)

    def _note_addressless(self, writes: PageWrites, resource: Resource, entries: list[ListItem],
                          digest: str | None, where: str = "list") -> None:
        """Count and say a page's entries that link nowhere, once a body (the home page at `/` and `/index.html`
        is one page, as the checklist counts it)."""
        if digest is not None:
            if digest in self._addressless_bodies:
                return
            self._addressless_bodies.add(digest)
        self.summary.entries_without_address += len(entries)
        self._event(writes, "warning", "items_without_address", addressless_message(entries, where), resource.url)

    def _enqueue_links(self, writes: PageWrites, resource: Resource, info: PageInfo) -> None:
        """Queue in-scope links: list items as articles, pagination as lists, the rest by URL kind."""
        depth = resource.depth + 1
        column = info.breadcrumb or ([info.column_name] if info.column_name else [])
        entries: list[tuple[str, str, int, str | None, dict[str, Any]]] = []
        for item in info.list_items:
            hint = {"column": column, "title": item.title, "date": item.date}
            entries.append((item.url, "article", depth, resource.url, hint))
        for url in info.pagination:
            entries.append((url, "list", resource.depth, resource.url, {"pagination": True, "column": column}))
        for link in info.links:  # canonical already, 'kind' set by URL (parse_page)
            if link.kind != "asset":
                entries.append((link.url, link.kind, depth, resource.url, {}))
        self._enqueue(writes, entries)

    def _enqueue(self, writes: PageWrites, entries: list[tuple[str, str, int, str | None, dict[str, Any]]]) -> None:
        """Add new in-scope URLs to the frontier (existing ones are left as they are)."""
        writes.links.extend(self._link_rows(entries))

    def _link_rows(self, entries: list[tuple[str, str, int, str | None, dict[str, Any]]]) -> list[dict[str, Any]]:
        """Frontier rows for the in-scope URLs not yet queued by this run (first mention of a URL wins)."""
        rows: dict[str, dict[str, Any]] = {}
        spelt = self._link_keys
        for alias_url, kind, depth, referrer, hint in entries:
            found = spelt.get(alias_url)
            if found is None:  # the site's menus recur on every page: their URL, scope and hash are known
                url = self.scope.on_site(alias_url)
                found = (url, url_hash(url) if self.scope(url) else "")
                if len(spelt) >= self.queued_memory:
                    spelt.clear()
                spelt[alias_url] = found
            url, key = found
            if not key and kind in FILE_KINDS and self.scope.admits(url, kind):
                key = url_hash(url)  # a file on the site's host name at another port: the site's own
            if not key:  # out of scope
                continue
            if depth > self.settings.max_depth and kind not in ("attachment", "image"):
                continue
            if key in self._queued_hashes:
                self._queued_hashes.move_to_end(key)
            elif key not in rows:
                rows[key] = {"site_id": self.site.id, "url": url, "url_hash": key, "kind": kind, "status": "queued",
                             "depth": depth, "referrer": referrer, "hint": hint, "attempts": 0}
        return [rows[key] for key in sorted(rows)]  # one order for every worker: no lock-order deadlocks

    def _note_site(self, writes: PageWrites, info: PageInfo) -> None:
        """Remember the CMS family and footer facts (主办单位, ICP, 标识码) seen on the site."""
        cms = info.cms if info.cms != "generic" and info.cms != self._site_cms else None
        facts = {**info.site_facts, **self._site_facts}
        if cms is None and facts == self._site_facts:
            return  # nothing new: no store work at all
        self._site_cms = cms or self._site_cms
        self._site_facts = facts

        def note(session: Session) -> None:
            row = session.get(SiteRow, self.site.id)
            if row is None:
                return
            if cms and row.cms != cms:
                row.cms = cms
            stored = dict(row.facts or {})
            merged = {**facts, **stored}
            if merged != stored:
                row.facts = merged

        writes.ops.append(note)

    def _open_archive(self) -> WarcArchive:
        """The run's WARC: written in place, or (remote storage) in segments uploaded when closed, whose records
        the store notes as pending until then, so a killed worker's unstored records are fetched again."""
        if not self.storage.remote:
            return WarcArchive(self.workspace / "warc", self.site.id)
        options = self.settings._workspace

        def on_record(segment: str, url: str) -> None:
            row = pending_row(self.site.id, self.worker_id, segment, url)
            self.writer.submit(lambda s: deferred(s).add(INSERT_PENDING, row), batched=True)  # with the page's rows

        def on_stored(segment: str) -> None:
            self.writer.submit(lambda s: forget_segment(s, segment))

        return WarcArchive(self.workspace / OPEN_SEGMENTS, self.site.id, self.storage, self.workspace / "warc",
                           options.segment_records, options.segment_mb << 20, on_record, on_stored,
                           self._archived_before)

    async def _store_segments(self) -> None:
        """Upload the sealed WARC segments once the store holds the pending notes of their records (a worker
        killed after an upload then never leaves a stored record unnoted); uploads run beside the crawl."""
        sealed = self.archive.take_sealed()
        if not sealed:
            return
        await self.writer.run(lambda s: None)  # every note submitted so far is committed
        for path in sealed:
            try:
                await asyncio.to_thread(self.archive.upload, path)
            except Exception as exc:  # noqa: BLE001 - its records stay pending: fetched again after this run
                self._upload_failed = True
                values = self._event_values("error", "segment_not_stored", f"{path.name} not uploaded: "
                                                                           f"{type(exc).__name__}: {exc}", None)
                self.writer.submit(lambda s, v=values: s.add(EventRow(**v)))

    async def _close_archive(self) -> None:
        """Close the WARC; with remote storage, upload the last segments and drop this worker's notes."""
        self.archive.close()
        if not self.storage.remote:
            return
        await asyncio.gather(*self._uploads, return_exceptions=True)
        await self._store_segments()
        if not self._upload_failed:
            self.writer.submit(lambda s: forget_worker(s, self.worker_id))

    def _archive(self, result: FetchResult, requested_url: str) -> None:
        """Write a response to the site's WARC; a response the archive cannot take is reported, not fatal."""
        try:
            self.archive.write(result, requested_url=requested_url)
            if self.archive.sealed:
                task = asyncio.create_task(self._store_segments())
                self._uploads.add(task)
                task.add_done_callback(self._uploads.discard)
        except Exception as exc:  # noqa: BLE001 - e.g. a header warcio cannot encode
            values = self._event_values("error", "not_archived", f"response not archived: {type(exc).__name__}: "
                                                                 f"{exc}", requested_url)
            self.writer.submit(lambda s: s.add(EventRow(**values)))

    def _record_error(self, writes: PageWrites, resource: Resource, result: FetchResult | None,
                      message: str) -> None:
        """Mark a URL failed with its reason, and log it for the report."""
        self._finish_resource(writes, resource, status="error", result=result, error=message)
        self.summary.errors += 1
        self._event(writes, "error", "fetch", message, resource.url)

    def _finish_resource(self, writes: PageWrites, resource: Resource, status: str,
                         result: FetchResult | None = None, error: str | None = None, kind: str | None = None,
                         encoding: str | None = None) -> None:
        """Write a URL's final state and drop its lease."""
        if result is None:
            writes.finish(FINISH_STATE, resource.id, {"status": status, "error": error})
            return
        values = _result_values(result, kind or resource.kind)
        values.update(status=status, error=error, encoding=encoding or None)
        writes.finish(FINISH_FETCHED, resource.id, values)

    def _event_values(self, level: str, code: str, message: str, url: str | None) -> dict[str, Any]:
        """Column values of an event row of this crawl."""
        return {"site_id": self.site.id, "stage": "crawl", "level": level, "code": code, "message": message,
                "url": url, "created_at": utcnow()}

    def _event(self, writes: PageWrites, level: str, code: str, message: str, url: str | None = None) -> None:
        """Record a message for the report, written with the page."""
        writes.events.append(self._event_values(level, code, message, url))

    async def _event_soon(self, level: str, code: str, message: str, url: str | None = None) -> None:
        """Record a message for the report through the store writer (while the crawl runs)."""
        values = self._event_values(level, code, message, url)
        await self.writer.run(lambda s: s.add(EventRow(**values)))

    def _event_now(self, level: str, code: str, message: str, url: str | None = None) -> None:
        """Record a message for the report at once (outside page processing)."""
        with self.store.session() as session:
            session.add(EventRow(**self._event_values(level, code, message, url)))


def addressless_message(entries: list[ListItem], where: str = "list") -> str:
    """What the report says of a page's entries whose link goes nowhere (`where`: list, or page for the home page
    and other pages that are not lists)."""
    shown = "; ".join(f"《{e.title}》{' ' + e.date if e.date else ''}" for e in entries[:3])
    more = f" and {len(entries) - 3} more" if len(entries) > 3 else ""
    return (f"{len(entries)} entries of this {where} link nowhere (javascript:;, # or empty): their text cannot be "
            f"fetched from the legacy site, ask the department for the originals: {shown}{more}")


async def crawl_sites(store: Store, sites: list[tuple[Site, CrawlSettings]], workspace: Path,
                      progress: Callable[[CrawlProgress], None] | None = None,
                      incremental: bool = False, parse_processes: int | None = None,
                      recheck: int | Literal["all"] = 0,
                      notice: Callable[[str], None] | None = None) -> list[CrawlSummary]:
    """Fleet mode: crawl many sites at once in this event loop, one global request cap, per-host politeness.

    parse_processes: processes that decode, analyse and extract pages beside the event loop (None: one when
    several sites are crawled on a machine with more than one core, growing to `parser_limit()` while the parsers
    cannot keep up; 0: parse in this process).
    recheck: stored articles of each site to re-request conditionally (a number, the longest unchecked first, or
    "all"); implies an incremental run.
    notice: told one line when a site's host is paused (it stopped answering).
    """
    most = parse_processes
    if parse_processes is None:
        parse_processes = 1 if len(sites) > 1 and (os.cpu_count() or 1) > 1 else 0
        most = parser_limit(os.cpu_count() or 1) if parse_processes else 0
    crawlers = [SiteCrawler(store, site, settings, workspace, progress, incremental=incremental, recheck=recheck)
                for site, settings in sites]
    for crawler in crawlers:
        crawler.on_notice = notice
    parser = ParserPool(parse_processes, most) if parse_processes > 0 else None
    held = HeldPages()
    try:
        if parser is not None:
            await parser.connect()
        preparing = asyncio.Lock()
        for crawler in crawlers:
            crawler.parser = parser
            crawler.held = held
            crawler.preparing = preparing
            crawler.queued_memory = max(QUEUED_MEMORY_MIN, QUEUED_MEMORY // len(crawlers))
        with collecting_young():
            return list(await asyncio.gather(*(c.run() for c in crawlers)))
    finally:
        if parser is not None:
            parser.close()


class HeldPages:
    """The bytes of fetched pages not yet stored (each page's body, counted until its writes are committed) and the
    fetches under way, each counted at the mean page size so far: a new page fetch waits while one more would pass
    `most` (nothing held and nothing under way: it never waits). Waiting fetches go in the order they came."""

    def __init__(self, most: int | None = None) -> None:
        self.most = HELD_PAGE_BYTES if most is None else most
        self.held = 0
        self.fetching = 0
        self.mean = float(MEAN_PAGE_GUESS)
        self.waited = 0  # fetches that had to wait
        self._waiters: deque[asyncio.Future[None]] = deque()

    def _fits(self) -> bool:
        """True when one more fetch fits."""
        planned = self.held + self.fetching * self.mean
        return planned <= 0 or planned + self.mean <= self.most

    async def reserve(self) -> None:
        """Wait for room for one more page fetch, then count it as under way."""
        if not self._waiters and self._fits():
            self.fetching += 1
            return
        self.waited += 1
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # _admit counts the fetch before it wakes this one
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # admitted, then cancelled: give the place back
                self.fetched(0)
            raise

    def fetched(self, size: int) -> None:
        """A fetch under way ended, `size` bytes of its body now held."""
        self.fetching -= 1
        self.held += size
        if size:
            self.mean += (size - self.mean) / 64
        self._admit()

    def release(self, size: int) -> None:
        """A fetched page's writes are committed (or it failed): its bytes are no longer held."""
        self.held -= size
        self._admit()

    def _admit(self) -> None:
        """Wake the waiting fetches that fit now, in order."""
        while self._waiters and self._fits():
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.fetching += 1
                waiter.set_result(None)


class HeldPage:
    """One page's part in the crawl's HeldPages: room reserved when its host's turn comes (Fetcher.fetch's
    `admit`: a worker waiting for its host's turn holds none), once for all its redirects and retries; its body's
    bytes counted from the fetch's end until `release`."""

    def __init__(self, pages: HeldPages) -> None:
        self.pages = pages
        self.reserved = False
        self.size = 0

    async def admit(self) -> None:
        """Reserve room for the page's fetch (at the first call only)."""
        if not self.reserved:
            await self.pages.reserve()
            self.reserved = True

    def fetched(self, size: int) -> None:
        """The fetch ended with `size` bytes of body (nothing counted when it never got as far as its turn)."""
        if self.reserved:
            self.pages.fetched(size)
            self.size = size

    def release(self) -> None:
        """The page's writes are committed (or it failed): its bytes are no longer held."""
        self.pages.release(self.size)
        self.size = 0


class _Collecting:
    """The garbage collector's settings before the first of the process's running crawls, and how many run (crawls
    in several threads of one process share them: the lock makes counting and changing the settings one step)."""

    lock = threading.Lock()
    crawls = 0
    threshold: tuple[int, int, int] = gc.get_threshold()
    froze = False  # whether the crawls froze the heap (not when the process had frozen it itself)


@contextlib.contextmanager
def collecting_young() -> Iterator[None]:
    """While crawls run, the garbage collector leaves out what existed before (modules, the ORM's, aiohttp's and
    the crawlers' own objects: gc.freeze) and looks at young objects no less often than GC_YOUNG_THRESHOLD says;
    both undone when the last crawl of the process ends, whichever thread runs it. A page's work allocates
    thousands of short-lived objects, and each full collection walked the whole heap again (~0.25 ms of CPU a page
    of a 40-host fleet crawl)."""
    with _Collecting.lock:
        _Collecting.crawls += 1
        if _Collecting.crawls == 1:
            _Collecting.threshold = young, *older = gc.get_threshold()
            _Collecting.froze = gc.get_freeze_count() == 0
            if _Collecting.froze:
                gc.freeze()
            gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), *older)
    try:
        yield
    finally:
        with _Collecting.lock:
            _Collecting.crawls -= 1
            if _Collecting.crawls == 0:
                gc.set_threshold(*_Collecting.threshold)
                if _Collecting.froze:
                    gc.unfreeze()


def parser_limit(cores: int) -> int:
    """Parser processes a crawl may grow to on a machine with `cores` cores: one core is left to the event loop
    (fetching, storing, archiving), but two on two cores, where one parser alone tops out below what the event
    loop and 200 hosts at 1 req/s need (the loop uses about half a core; the second parser only starts if the
    first stays saturated)."""
    return max(2, cores - 1) if cores > 1 else 1


async def build_article(html: str, url: str, final_url: str, site_id: str, hint: dict[str, Any] | None,
                        info: PageInfo, part_source: PartSource) -> ArticleRecord:
    """The article record of a page as the crawl stores it (multi-page parts joined, column path filled in)."""
    return await complete_article(extract_article(html, final_url, site_id), url, site_id, hint, info, part_source)


async def complete_article(record: ArticleRecord, url: str, site_id: str, hint: dict[str, Any] | None,
                           info: PageInfo, part_source: PartSource) -> ArticleRecord:
    """An extracted first page made the stored record: parts joined, URL, site and column path set, hashed."""
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
    apply_list_hint(record, hint)
    if not record.column_path:
        record.column_path = list((hint or {}).get("column") or info.breadcrumb or [])
    record.compute_hash()
    return record


def unanswered(result: FetchResult) -> bool:
    """True when a URL's requests got no HTTP answer at all (refused, reset, timed out, cut off): the server is
    away, which is temporary, unlike any answer it gives (a 404, a 500 after retries, a body cut short)."""
    error = result.error or ""
    return result.status is None and error.startswith(UNANSWERED_PREFIX) and not error.startswith(CUT_OFF_PREFIX)


def requeue_unanswered(session: Session, site_id: str, count_crawl: bool, failed: set[str] | None = None) -> int:
    """Queue again the site's URLs that got no answer (their server was away), keeping the reason, except those
    in `failed` (unanswered while their host answered around them: the page's own fault); with `count_crawl` (a
    crawl ends) each counts one more crawl unanswered, and one unanswered UNANSWERED_CRAWLS crawls in a row stays
    failed. How many are queued again."""
    rows = session.execute(select(RESOURCES.c.id, RESOURCES.c.url, RESOURCES.c.hint).where(
        RESOURCES.c.site_id == site_id, RESOURCES.c.status == "error", RESOURCES.c.http_status.is_(None),
        RESOURCES.c.error.like(f"{UNANSWERED_PREFIX}%"), RESOURCES.c.error.not_like(f"{CUT_OFF_PREFIX}%"))).all()
    again = 0
    for rid, url, hint in rows:
        stored = int((hint or {}).get("unanswered_crawls", 0))
        if stored >= UNANSWERED_CRAWLS:
            continue  # filed failed by an earlier crawl
        crawls = UNANSWERED_CRAWLS if failed and url in failed else stored + count_crawl
        left = crawls < UNANSWERED_CRAWLS
        again += left
        session.execute(update(RESOURCES).where(RESOURCES.c.id == rid).values(
            status="queued" if left else "error", hint={**(hint or {}), "unanswered_crawls": crawls}))
    return again


def _robots_unreachable(result: FetchResult) -> str | None:
    """Why a robots.txt answer means "unreachable" (a 5xx, 429 or no answer at all), or None."""
    if result.status is None:
        return f"could not be fetched ({result.error or 'no answer'})"
    if result.status >= 500 or result.status == 429:
        return f"answered HTTP {result.status}"
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


def _result_values(result: FetchResult, kind: str) -> dict[str, Any]:
    """FINISH_FETCHED values from the HTTP facts of a fetch (status, error and encoding set by the caller)."""
    return {"kind": kind, "http_status": result.status,
            "content_type": (result.headers.get("content-type") or "")[:200] or None, "size": result.size,
            "sha256": result.sha256, "etag": result.headers.get("etag"),
            "last_modified": result.headers.get("last-modified"), "attempts": max(result.attempts, 1),
            "fetched_at": utcnow()}


@functools.cache
def _insert_links(dialect: str) -> Any:
    """INSERT of new frontier URLs that leaves URLs already known as they are (one statement per dialect)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(RESOURCES).on_conflict_do_nothing(index_elements=["site_id", "url_hash"])


def _link_order(row: dict[str, Any]) -> tuple[str, str]:
    """The order new frontier rows are inserted in by every worker (no lock-order deadlocks on PostgreSQL)."""
    return row["site_id"], row["url_hash"]


def _canonical(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Canonicalise (url, kind) pairs, dropping non-HTTP URLs."""
    out = []
    for url, kind in pairs:
        canonical = canonical_url(url)
        if canonical:
            out.append((canonical, kind))
    return out


def _looks_like_feed(result: FetchResult) -> bool:
    """True when a response may be a JSON/JSONP list feed (a JSON type, or a .json URL)."""
    content_type = result.content_type.split(";")[0].strip().lower()
    return "json" in content_type or urlsplit(result.final_url).path.lower().endswith(".json")


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


def ensure_column(session: Any, site_id: str, path: list[str]) -> None:
    """Make sure the column of a breadcrumb path exists, with its ancestors (one look-up for all of them)."""
    path = [p for p in path if p]
    keys = [" > ".join(path[:depth]) for depth in range(1, len(path) + 1)]
    if not keys:
        return
    connection = session.connection()
    known = set(connection.execute(COLUMNS_KNOWN, {"w_site": site_id, "w_paths": keys}).scalars())
    missing = [{"site_id": site_id, "path": key, "name": path[depth], "listed_items": 0, "article_count": 0}
               for depth, key in enumerate(keys) if key not in known]
    if missing:
        connection.execute(insert(COLUMNS), missing)


def upsert_article(session: Any, record: ArticleRecord, later: Deferred | None = None) -> str:
    """Insert or update an article by URL; return 'new', 'changed' or 'unchanged'.

    later: where to queue the INSERT of a new article (a batched crawl job), instead of running it now.
    """
    key = url_hash(record.url)
    connection = session.connection()
    found = connection.execute(ARTICLE_BY_URL, {"w_site": record.site, "w_key": key}).first()
    values = _article_values(record)
    if found is None:
        row = {"site_id": record.site, "url": record.url, "url_hash": key, "extracted_at": utcnow(), **values}
        if later is not None:
            later.add(INSERT_ARTICLES, row)
        else:
            connection.execute(INSERT_ARTICLES, row)
        return "new"
    if found.content_hash == record.content_hash and found.column_path == record.column_path:
        return "unchanged"
    connection.execute(update(ARTICLES).where(ARTICLES.c.id == found.id).values(extracted_at=utcnow(), **values))
    return "changed"


def _article_values(record: ArticleRecord) -> dict[str, Any]:
    """Column values of an article row from a record."""
    return {
        "column_path": record.column_path, "title": record.title, "published": record.published,
        "source": record.source, "publisher": record.publisher, "index_no": record.index_no,
        "doc_no": record.doc_no, "written": record.written, "topic": record.topic,
        "validity": record.validity, "published_source": record.published_source,
        "body_html": record.body_html, "body_text": record.body_text,
        "attachments": [{"url": a.url, "name": a.name, "status": a.status, "reason": a.reason}
                        for a in record.attachments],
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
