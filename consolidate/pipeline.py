"""The one front door: every stage (crawl, map, push, verify, cutover, report) in one place for the CLI, the demo,
scripts and tests — the commands call these and nothing below them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from consolidate.checklist import fleet_checklist, parse_date, record_step
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.leases import active_leases
from consolidate.mapping import legacy_columns, map_site
from consolidate.messages import site_messages
from consolidate.monitor import CATEGORIES as MONITOR_CATEGORIES
from consolidate.monitor import monitor_site
from consolidate.notice import render_notice
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
from consolidate.report import FleetReport, fleet_report
from consolidate.report_formats import (
    check_lang,
    reconciliation_text,
    render_html,
    render_json,
    render_markdown,
    render_xlsx,
)
from crawlers.crawler import CrawlProgress, CrawlSummary, SiteCrawler
from crawlers.frontier import live_workers

__all__ = [
    # crawl, map, push
    "IN_TARGET", "PushSummary", "Workspace", "article_key", "column_key", "crawl", "legacy_columns", "map_site",
    "open_exporter", "portal_index", "push_site", "require_crawled", "rewrite_links",
    # the office: status, report, checklist, notice, monitor, messages
    "MONITOR_CATEGORIES", "FleetReport", "check_lang", "fleet_checklist", "fleet_report", "monitor_site",
    "parse_date", "reconciliation_text", "record_step", "render_html", "render_json", "render_markdown",
    "render_notice", "render_xlsx", "site_messages", "workers",
]


def crawl(ws: Workspace, site_ids: list[str] | None,
          progress: Callable[[CrawlProgress], None] | None = None) -> list[CrawlSummary]:
    """Crawl the sites concurrently, each under its own politeness limits."""
    sites = ws.sites(site_ids)

    async def run_all() -> list[CrawlSummary]:
        crawlers = [SiteCrawler(ws.store, site, ws.config.crawl_settings(site), ws.dir, progress) for site in sites]
        return list(await asyncio.gather(*(c.run() for c in crawlers)))

    return asyncio.run(run_all())


def workers(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Live crawl workers with their frontier leases (times as ISO text), and the sites leased per stage (push)."""
    crawlers = [{k: (v.isoformat(timespec="seconds") if hasattr(v, "isoformat") else v) for k, v in w.items()}
                for w in live_workers(ws.store)]
    return {"crawl": crawlers, "leases": active_leases(ws.store)}
