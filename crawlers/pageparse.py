"""Parsing one fetched page: decode, analyse, route and (for articles) extract; what a parser process runs.

Apart from crawlers.crawler so that a parser process (crawlers.parsers), which imports the module of the function
it is called with, loads the extraction modules only, not the crawl's HTTP client, store and settings: 51 MB of
modules against 81 MB before.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from consolidate.core.records import ArticleRecord
from crawlers import interaction
from crawlers.discover import Link, ListItem, PageInfo, analyse_parsed
from crawlers.encoding import DecodedPage, decode_html
from crawlers.extract import SiteExtractor
from crawlers.urls import canonical_url, resource_kind

UNDECODABLE_SHARE = 0.005  # more replacement characters than this share of the text: the page did not decode
EMPTY_LIST_MARKERS = ("createPageHTML(", "暂无信息", "暂无数据", "没有记录")


@dataclass
class ParsedPage:
    """What the CPU-heavy part of handling a page found: encoding, problems, analysis, first-page article."""

    encoding: str
    warnings: list[str]
    problem: str | None = None
    info: PageInfo | None = None
    kind: str = ""
    record: ArticleRecord | None = None
    interaction: dict[str, Any] | None = None  # an interaction record or form (crawlers.interaction.route)


_SITE_EXTRACTORS: dict[str, SiteExtractor] = {}  # one per site in each process that parses pages


def _site_extractor(site_id: str) -> SiteExtractor:
    """The site's extractor: generic for its first pages, then its learned templates (same records, faster)."""
    if site_id not in _SITE_EXTRACTORS:
        _SITE_EXTRACTORS[site_id] = SiteExtractor(site_id)
    return _SITE_EXTRACTORS[site_id]


def parse_page(body: bytes, content_type: str | None, final_url: str, site_id: str, queued_as: str) -> ParsedPage:
    """Decode, analyse and (for articles) extract one page; pure, so it can run in a parser process."""
    page = decode_html(body, content_type)
    problem = undecodable(page)
    if problem:
        return ParsedPage(page.encoding, list(page.warnings), problem)
    info, tree = analyse_parsed(page.text, final_url)
    info = canonical_links(info)
    kind, found = interaction.route(info, page.text, final_url, site_id, page_kind(info, page.text, queued_as))
    record = _site_extractor(site_id).extract(page.text, final_url, tree) if kind == "article" else None  # the
    # analysis's tree: it leaves the parse as it was
    return ParsedPage(page.encoding, list(page.warnings), None, info, kind, record, found)


@functools.lru_cache(maxsize=32768)  # a site's navigation, column and pager links recur on every one of its pages
def _canonical_link(url: str) -> tuple[str, str] | None:
    """(canonical URL, resource kind) of a link's absolute URL, or None when it has no canonical form."""
    canonical = canonical_url(url)
    return (canonical, resource_kind(canonical)) if canonical else None


def canonical_links(info: PageInfo) -> PageInfo:
    """The page's links, list items and pagination as canonical URLs (others dropped), each link once, its kind
    the kind of resource its URL names, its text left out (the crawl does not use it); done where pages are
    parsed, so the crawl loop only queues them and less crosses from the parser process."""
    links, seen = [], set()
    for link in info.links:
        found = _canonical_link(link.url)
        if found and found[0] not in seen:
            seen.add(found[0])
            links.append(Link(found[0], "", found[1]))
    info.links = links
    info.list_items = [ListItem(found[0], item.title, item.date) for item in info.list_items
                       for found in (_canonical_link(item.url),) if found]
    info.pagination = [found[0] for found in map(_canonical_link, info.pagination) if found]
    return info


def page_kind(info: PageInfo, text: str, queued_as: str) -> str:
    """The kind a page is stored as: the analyser's verdict, with the crawler's knowledge of how it was linked
    (the page's class and reason follow the verdict)."""
    if info.kind == "other" and queued_as == "article" and info.page_class != "column-home":
        info.page_class, info.reason = "article", f"linked as an entry of a list page ({info.reason})"
        return "article"
    if info.kind == "other" and info.breadcrumb and any(marker in text for marker in EMPTY_LIST_MARKERS):
        info.page_class = "column-home" if info.page_class == "column-home" else "list"
        info.reason = f"an empty list page: a pager script or 暂无信息 and no rows ({info.reason})"
        return "list"  # an empty TRS list page: createPageHTML(1,0,…) and 暂无信息, no items
    return info.kind


def undecodable(page: DecodedPage) -> str | None:
    """Why a decoded page cannot be used (binary, mostly replacement characters, or garbled), or None."""
    if page.encoding == "binary":
        return "binary content served as a page"
    if page.garbled:
        return f"page could not be decoded ({page.garbled})"
    bad = page.text.count("\ufffd")
    if bad > max(16, len(page.text) * UNDECODABLE_SHARE):
        return f"page could not be decoded ({bad} undecodable characters as {page.encoding})"
    return None
