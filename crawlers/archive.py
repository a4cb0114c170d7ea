"""Working from the archive: re-extract a site's articles from its WARC files, or extract one page."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from consolidate.core.config import CrawlSettings, Site
from consolidate.core.errors import ConsolidateError
from consolidate.core.records import ArticleRecord
from consolidate.core.storage import Storage
from consolidate.core.store import EventRow, Resource, Store
from crawlers.crawler import build_article, ensure_column, recount_columns, undecodable, upsert_article
from crawlers.discover import analyse_page
from crawlers.encoding import decode_html
from crawlers.extract import extract_article
from crawlers.fetch import Fetcher, FetchPolicy, open_client, parse_pins
from crawlers.urls import Scope, canonical_url
from crawlers.warc import (
    READ_ERRORS,
    ArchivedResponse,
    DamagedMember,
    latest_ok,
    mirror_site_archives,
    read_response,
)

BATCH = 200


@dataclass
class ReextractSummary:
    """What re-extracting a site from its archive did."""

    site_id: str
    articles: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    missing: int = 0  # article URLs the archive holds no 200 response for
    failed: int = 0
    archives: int = 0
    damaged: int = 0  # unreadable gzip members skipped (each reported as an event)


def reextract_site(store: Store, site: Site, workspace: Path, storage: Storage | None = None) -> ReextractSummary:
    """Re-extract every article of a crawled site from its WARC files, without fetching anything (with remote
    storage, the segments stored there, downloaded into the workspace's `warc/` cache when missing)."""
    paths = mirror_site_archives(storage, workspace / "warc", site.id)
    if not paths:
        where = storage.location if storage is not None and storage.remote else workspace / "warc"
        raise ConsolidateError(f"no WARC archive for site {site.id!r} in {where}",
                               hint=f"run `consolidate crawl {site.id}` first")
    summary = ReextractSummary(site.id, archives=len(paths))
    damaged: list[DamagedMember] = []
    latest = latest_ok(paths, damaged)
    summary.damaged = len(damaged)
    noted = {(member.path, member.offset) for member in damaged}  # counted once: not again when its body is read
    latest = {url: r for url, r in latest.items() if (r.path, r.offset) not in noted}
    for member in damaged:
        _event(store, site.id, "warning", "archive_damaged",
               f"{member.path.name} at byte {member.offset}: unreadable record skipped ({member.error})", None)
    by_final = {r.final_url: r for r in latest.values()}
    asyncio.run(_reextract(store, site.id, latest, by_final, summary))
    with store.session() as session:
        recount_columns(session, site.id)
    return summary


async def _reextract(store: Store, site_id: str, latest: dict[str, ArchivedResponse],
                     by_final: dict[str, ArchivedResponse], summary: ReextractSummary) -> None:
    """Walk the site's article resources in batches and rebuild each article from the archive."""
    last_id = 0
    while True:
        with store.session() as session:
            batch = session.execute(select(Resource.id, Resource.url, Resource.hint).where(
                Resource.site_id == site_id, Resource.kind == "article", Resource.status == "fetched",
                Resource.id > last_id).order_by(Resource.id).limit(BATCH)).all()
        if not batch:
            return
        for resource_id, url, hint in batch:
            last_id = resource_id
            response = latest.get(url)
            if response is None:
                summary.missing += 1
                _event(store, site_id, "warning", "archive_missing", "no archived response for this article", url)
                continue
            await _reextract_one(store, site_id, url, hint or {}, response, latest, by_final, summary)


async def _reextract_one(store: Store, site_id: str, url: str, hint: dict, response: ArchivedResponse,
                         latest: dict[str, ArchivedResponse], by_final: dict[str, ArchivedResponse],
                         summary: ReextractSummary) -> None:
    """Rebuild and upsert one article from its archived response."""

    async def part_source(part_url: str) -> str | None:
        part = latest.get(part_url) or by_final.get(part_url)
        if part is None:
            return None
        try:
            part_headers, part_body = read_response(part)
        except READ_ERRORS:
            return None
        return decode_html(part_body, part_headers.get("content-type")).text

    try:
        headers, body = read_response(response)
    except READ_ERRORS as exc:  # its gzip member is damaged inside the body: counted with the damaged members
        summary.damaged += 1
        _event(store, site_id, "warning", "archive_damaged", f"archived response unreadable: {exc!s:.120}", url)
        return
    page = decode_html(body, headers.get("content-type"))
    if undecodable(page):
        summary.failed += 1
        return
    info = analyse_page(page.text, response.final_url)
    record = await build_article(page.text, url, response.final_url, site_id, hint, info, part_source)
    with store.session() as session:
        outcome = upsert_article(session, record)
        ensure_column(session, site_id, record.column_path)
    summary.articles += 1
    setattr(summary, outcome, getattr(summary, outcome) + 1)


def _event(store: Store, site_id: str, level: str, code: str, message: str, url: str | None) -> None:
    """Record a message of the extract stage for the report."""
    with store.session() as session:
        session.add(EventRow(site_id=site_id, stage="extract", level=level, code=code, message=message, url=url))


# ---------------------------------------------------------------- one page


def extract_file(path: Path, url: str | None = None) -> ArticleRecord:
    """The article record of a saved HTML file (url: where the page lived, for links and dates)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ConsolidateError(f"cannot read {path}: {exc.strerror or exc}", hint="give an HTML file or a URL") from None
    return extract_bytes(body, None, url or path.resolve().as_uri())


def extract_url(url: str, settings: CrawlSettings, original_url: str | None = None) -> ArticleRecord:
    """Fetch one page (politely, one request) and extract it."""
    canonical = canonical_url(url)
    if canonical is None:
        raise ConsolidateError(f"not an http(s) URL: {url}", hint="give an HTML file or an http(s) URL")
    body, content_type, final_url = asyncio.run(_fetch_one(canonical, settings))
    return extract_bytes(body, content_type, original_url or final_url)


def extract_bytes(body: bytes, content_type: str | None, url: str) -> ArticleRecord:
    """Decode and extract one page; a page that cannot be decoded is an error, never mojibake."""
    page = decode_html(body, content_type)
    problem = undecodable(page)
    if problem:
        raise ConsolidateError(f"{url}: {problem}", hint="check this is an HTML page")
    record = extract_article(page.text, url)
    record.compute_hash()
    return record


async def _fetch_one(url: str, settings: CrawlSettings) -> tuple[bytes, str | None, str]:
    """GET one URL under the crawl settings; a failure is a ConsolidateError."""
    pins = parse_pins(settings.resolve)  # crawl.resolve: the old server by its address, as the crawl reaches it
    policy = await FetchPolicy.for_home(settings, url, pins)
    async with open_client(2, pins) as client:
        fetcher = Fetcher(policy, client, Scope.for_site(url, [], [], []), Path(tempfile.gettempdir()) / "consolidate-spool")
        result = await fetcher.fetch(url)
    if not result.ok:
        reason = "larger than max_bytes" if result.too_large else (result.error or f"HTTP {result.status}")
        raise ConsolidateError(f"cannot fetch {url}: {reason}", hint="check the URL, or save the page and give the file")
    return result.body, result.headers.get("content-type"), result.final_url
