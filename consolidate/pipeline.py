"""The stages end to end (crawl, map, push), re-exported in one place for the CLI, the demo and tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from consolidate.core.workspace import Workspace, require_crawled
from consolidate.mapping import legacy_columns, map_site
from consolidate.push import (
    IN_TARGET,
    PushSummary,
    article_key,
    column_key,
    open_exporter,
    portal_index,
    push_site,
    rewrite_links,
)
from crawlers.crawler import CrawlProgress, CrawlSummary, SiteCrawler

__all__ = [
    "IN_TARGET", "PushSummary", "Workspace", "article_key", "column_key", "crawl", "legacy_columns", "map_site",
    "open_exporter", "portal_index", "push_site", "require_crawled", "rewrite_links",
]


def crawl(ws: Workspace, site_ids: list[str] | None,
          progress: Callable[[CrawlProgress], None] | None = None) -> list[CrawlSummary]:
    """Crawl the sites concurrently, each under its own politeness limits."""
    sites = ws.sites(site_ids)

    async def run_all() -> list[CrawlSummary]:
        crawlers = [SiteCrawler(ws.store, site, ws.config.crawl_settings(site), ws.dir, progress) for site in sites]
        return list(await asyncio.gather(*(c.run() for c in crawlers)))

    return asyncio.run(run_all())
