"""The audit stage: national inspection rules on a crawled legacy site, from the store and the WARC archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from consolidate.core.storage import workspace_storage
from consolidate.core.store import ArticleRow, ColumnRow, Resource
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.interaction import summarise
from consolidate.mapping import audit_settings, default_as_of, legacy_columns
from crawlers.defects import PageDefects, page_defects, page_links
from crawlers.encoding import decode_html
from crawlers.urls import canonical_url
from crawlers.warc import READ_ERRORS, ArchivedResponse, iter_responses, mirror_site_archives, read_response
from mappers.audit import (
    ColumnFacts,
    broken_link_findings,
    column_findings,
    defect_findings,
    homepage_finding,
    letter_findings,
    undated_findings,
)

SEVERITY_ORDER = {"veto": 0, "warning": 1, "info": 2}


def site_findings(ws: Workspace, site_id: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """Every finding of the national inspection rules on a crawled site, most severe first."""
    site = ws.site(site_id)
    require_crawled(ws, site_id)
    when = as_of or default_as_of(ws, site_id)
    settings = audit_settings(ws.config)
    archives = mirror_site_archives(workspace_storage(ws.config, ws.dir), ws.dir / "warc", site_id)  # S3: all
    home = canonical_url(site.home_url) or site.home_url
    home_html, defects = _page_defects(archived_pages(archives), home, settings.script_hosts)
    found = column_findings(site_id, _column_facts(ws, site_id, when), when, settings)
    home_dates = _home_dates(ws, site_id, home, home_html)
    stale_home = homepage_finding(site_id, home, home_dates, when, settings)
    if stale_home is not None:
        found.append(stale_home)
    found += undated_findings(site_id, _undated(ws, site_id))
    found += broken_link_findings(site_id, _broken(ws, site_id))
    letters = summarise(ws, site_id, when).found
    found += letter_findings(site_id, [(f.url, f.kind, f.working_days, f.reply_unit) for f in letters])
    own = frozenset(h.lower() for h in (urlsplit(u if "://" in u else f"http://{u}").hostname
                                        for u in (site.home_url, *site.aliases)) if h)
    found += defect_findings(site_id, defects, _article_spam(ws, site_id), own)
    return sorted(found, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["rule"],
                                        str(f["evidence"].get("url", ""))))


def audit_summary(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per rule and the vetoes the site would fail."""
    rules: dict[str, int] = {}
    for item in findings:
        rules[item["rule"]] = rules.get(item["rule"], 0) + 1
    vetoes = sorted({f["veto"] for f in findings if f["severity"] == "veto" and f["veto"]})
    return {"findings": len(findings), "rules": rules, "vetoes": vetoes}


def _column_facts(ws: Workspace, site_id: str, as_of: dt.date) -> list[ColumnFacts]:
    """Columns with the kind the map stage estimates (from the mapped target, the name or the content)."""
    with ws.store.session() as session:
        listed = {r.path: r.listed_items or 0 for r in session.scalars(
            select(ColumnRow).where(ColumnRow.site_id == site_id))}
    return [ColumnFacts(path=c.path, url=c.url, kind=c.kind, listed_items=listed.get(c.path, 0),
                        articles=c.article_count, last_published=c.last_published,
                        container="container" in c.flags, records=c.record_count)
            for c in legacy_columns(ws, site_id, as_of) if c.path]


def _page_defects(pages: Iterable[tuple[str, str]], home: str,
                  script_hosts: list[str]) -> tuple[str | None, list[PageDefects]]:
    """The home page's HTML and the defects (spam links, foreign scripts) of the pages that have any, reading the
    pages one at a time: only the home page's HTML and the defective pages' findings are held, never every page."""
    home_html, defects = None, []
    for url, html in pages:
        if url == home:
            home_html = html
        found = page_defects(html, url, script_hosts)
        if found.spam or found.scripts:
            defects.append(found)
    return home_html, defects


def archived_pages(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """(canonical final url, decoded HTML) of every 200 HTML response in the archives; later runs win."""
    latest: dict[str, ArchivedResponse] = {}
    for response in iter_responses(paths):  # a damaged member is skipped, the records after it still read
        url = canonical_url(response.final_url)
        if url and response.status == 200 and "html" in response.content_type.lower():
            latest[url] = response
    for url, response in latest.items():
        try:
            body = read_response(response)[1]
        except READ_ERRORS:  # damaged inside its body: skipped like a damaged member above
            continue
        yield url, decode_html(body, response.content_type).text


def _home_dates(ws: Workspace, site_id: str, home: str, html: str | None) -> list[str | None]:
    """Publish dates of the articles the home page links to (None for undated ones)."""
    links = set(_links(html, home)) if html else set()
    with ws.store.session() as session:
        if not links:
            links = {r.url for r in session.scalars(select(Resource).where(
                Resource.site_id == site_id, Resource.referrer == home, Resource.kind == "article"))}
        return [published for url, published in session.execute(  # streamed, not all held
            select(ArticleRow.url, ArticleRow.published).where(ArticleRow.site_id == site_id)
            .execution_options(yield_per=1000)) if url in links]


def _links(html: str, base: str) -> list[str]:
    """Canonical URLs of a page's links."""
    return [canonical for url in page_links(html, base) if (canonical := canonical_url(url))]


def _undated(ws: Workspace, site_id: str) -> list[str]:
    """Articles without a publish date."""
    with ws.store.session() as session:
        return list(session.scalars(select(ArticleRow.url).where(ArticleRow.site_id == site_id,
                                                                 ArticleRow.published.is_(None))
                                    .order_by(ArticleRow.url)))


def _broken(ws: Workspace, site_id: str) -> list[tuple[str, str, int | None, str | None]]:
    """Internal URLs that answered 4xx/5xx or could not be fetched."""
    with ws.store.session() as session:
        rows = session.scalars(select(Resource).where(Resource.site_id == site_id, Resource.status == "error")
                               .order_by(Resource.url)).all()
    return [(r.url, r.kind, r.http_status, r.referrer) for r in rows
            if r.http_status is None or r.http_status >= 400]


def _article_spam(ws: Workspace, site_id: str) -> dict[str, list[str]]:
    """Spam links the crawl found in article bodies."""
    with ws.store.session() as session:
        return {url: list(links) for url, links in session.execute(  # streamed, not all held
            select(ArticleRow.url, ArticleRow.spam_links).where(ArticleRow.site_id == site_id)
            .execution_options(yield_per=1000)) if links}


__all__ = ["PageDefects", "archived_pages", "audit_summary", "site_findings"]
