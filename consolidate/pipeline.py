"""The one front door: every stage (crawl, map, push, verify, cutover, report) in one place for the CLI, the demo,
scripts and tests — the commands call these and nothing below them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import func, select

from consolidate.audit import audit_summary, site_findings
from consolidate.checklist import SPECS as CHECKLIST_STEPS
from consolidate.checklist import (
    UNTRIAGED,
    accept_unlinked,
    fleet_checklist,
    parse_date,
    record_step,
    unlinked_split,
)
from consolidate.core.storage import workspace_storage
from consolidate.core.store import Resource
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.crawl_figures import ErrorGroup, crawl_errors, describe_errors
from consolidate.figures import split_skips
from consolidate.hotlinks import accept_hotlinks
from consolidate.interaction import FINDING_LABELS as LETTER_FINDING_LABELS
from consolidate.interaction import LetterSummary, Rules, export_letters, summarise
from consolidate.leases import SiteBusyError, active_leases
from consolidate.ledger import (
    DISPOSITIONS,
    counts,
    import_logs,
    settle_incremental,
    site_ledger,
    site_targets,
    top_unresolved,
    vanished_on_portal,
)
from consolidate.mapping import (
    SYSTEM_DECIDERS,
    crawled_on,
    export_fleet_sheet,
    import_fleet_sheet,
    import_summary,
    legacy_columns,
    map_site,
    outdated_decisions,
    portal_findings,
)
from consolidate.mapping import export_sheet as export_mapping_sheet
from consolidate.mapping import import_sheet as import_mapping_sheet
from consolidate.messages import site_messages
from consolidate.missing_files import accept_missing_files
from consolidate.monitor import CATEGORIES as MONITOR_CATEGORIES
from consolidate.monitor import monitor_site
from consolidate.notice import notice_refusal, notice_warning, render_notice
from consolidate.push import (
    IN_TARGET,
    NotMappedError,
    PushSummary,
    article_key,
    column_key,
    open_exporter,
    portal_index,
    push_site,
    rewrite_links,
)
from consolidate.readiness import nothing_to_roll_back, nothing_to_verify
from consolidate.records_io import article_records
from consolidate.redirects import FORMATS as REDIRECT_FORMATS
from consolidate.redirects import (
    NGINX_HTTP_FILE,
    UNRESOLVED_MODES,
    count_redirects,
    import_csv,
    load_redirects,
    nginx_http_settings,
)
from consolidate.redirects import render as render_redirects
from consolidate.renames import column_standing, renamed_lines
from consolidate.report import FleetReport, fleet_report
from consolidate.report_formats import (
    check_lang,
    reconciliation_text,
    render_html,
    render_json,
    render_markdown,
    render_xlsx,
)
from consolidate.triage import export_sheet as export_triage_sheet
from consolidate.triage import import_sheet as import_triage_sheet
from consolidate.triage import stored_findings, triage_site
from consolidate.verify import VerifySummary, rollback_site, rollback_sites, verify_site
from consolidate.wording import counted
from crawlers.archive import extract_file, extract_url, reextract_site
from crawlers.crawler import CrawlProgress, CrawlSummary, SiteCrawler, crawl_sites
from crawlers.frontier import live_workers
from mappers.columns import Decision, LegacyColumn
from mappers.sheet import header_text
from mappers.sheet_language import require_language
from mappers.triage import KIND_LABELS as TRIAGE_KIND_LABELS
from mappers.triage import mask_text
from mappers.triage_sheet import KIND_TEXTS as TRIAGE_KIND_TEXTS
from mappers.triage_sheet import export_note as triage_export_note
from mappers.triage_sheet import import_summary as triage_import_summary

__all__ = [
    "column_standing",
    "renamed_lines",
    # crawl and extract
    "Workspace", "article_records", "crawl", "crawl_fleet", "extract_file", "extract_url", "reextract_archive",
    "require_crawled", "resumable", "crawled_elsewhere", "ErrorGroup", "crawl_errors", "describe_errors",
    # map and audit
    "SYSTEM_DECIDERS", "Decision", "LegacyColumn", "audit_summary", "crawled_on", "export_fleet_sheet",
    "export_mapping_sheet", "header_text", "import_fleet_sheet", "import_mapping_sheet", "import_summary",
    "legacy_columns", "map_site", "outdated_decisions", "portal_findings", "site_findings",
    # triage and letters
    "LETTER_FINDING_LABELS", "TRIAGE_KIND_LABELS", "TRIAGE_KIND_TEXTS", "LetterSummary", "Rules", "export_letters", "export_triage_sheet",
    "import_triage_sheet", "mask_text", "stored_findings", "summarise", "triage_site", "require_language",
    "triage_export_note", "triage_import_summary",
    # push, verify, rollback, redirects
    "IN_TARGET", "NotMappedError", "PushSummary", "SiteBusyError", "article_key", "column_key", "count_redirects", "import_csv",
    "load_redirects", "split_skips", "NGINX_HTTP_FILE", "nginx_http_settings", "REDIRECT_FORMATS", "UNRESOLVED_MODES",
    "open_exporter", "portal_index", "push_site", "render_redirects", "rewrite_links", "rollback_site",
    "rollback_sites",
    "VerifySummary", "verify_site", "nothing_to_roll_back", "nothing_to_verify",
    # the legacy URL ledger
    "DISPOSITIONS", "counts", "import_logs", "site_ledger", "site_targets", "top_unresolved", "vanished_on_portal",
    # the office: status, report, checklist, notice, monitor, messages
    "CHECKLIST_STEPS", "UNTRIAGED", "accept_unlinked", "unlinked_split", "accept_hotlinks", "accept_missing_files", "MONITOR_CATEGORIES", "FleetReport", "check_lang", "fleet_checklist", "fleet_report", "monitor_site",
    "counted", "parse_date", "reconciliation_text", "record_step", "render_html", "render_json", "render_markdown",
    "notice_refusal", "notice_warning", "render_notice", "render_xlsx", "site_messages", "workers",
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


def crawl_fleet(ws: Workspace, site_ids: list[str], progress: Callable[[CrawlProgress], None] | None = None,
                incremental: bool = False, recheck: int | Literal["all"] = 0,
                notice: Callable[[str], None] | None = None) -> list[CrawlSummary]:
    """What `consolidate crawl` runs: the sites at once under one request cap, each summary settled against the
    ledger (an incremental crawl marks vanished articles; `recheck` re-requests stored articles too); `notice` is
    told one line when a host stops answering and is paused."""
    pairs = [(ws.site(i), ws.config.crawl_settings(ws.site(i))) for i in site_ids]
    summaries = asyncio.run(crawl_sites(ws.store, pairs, ws.dir, progress, incremental=incremental, recheck=recheck,
                                        notice=notice))
    return [settle_incremental(ws, s) for s in summaries]


def resumable(ws: Workspace, site_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Site → (URLs done, URLs still queued or leased) for the sites a crawl stopped part-way."""
    with ws.store.session() as session:
        rows = session.execute(select(Resource.site_id, Resource.status, func.count()).where(
            Resource.site_id.in_(site_ids)).group_by(Resource.site_id, Resource.status)).all()
    by_site: dict[str, dict[str, int]] = {}
    for site_id, status, n in rows:
        by_site.setdefault(site_id, {})[status] = n
    found = {}
    for site_id in site_ids:
        by_status = by_site.get(site_id, {})
        left = by_status.get("queued", 0) + by_status.get("fetching", 0)
        done = sum(by_status.values()) - left
        if left and done:
            found[site_id] = (done, left)
    return found


def crawled_elsewhere(ws: Workspace, site_ids: list[str]) -> set[str]:
    """The sites a live crawl worker is crawling now: a crawl of them joins that one, it resumes nothing."""
    return {site for worker in live_workers(ws.store) for site in worker["sites"] if site in site_ids}


def reextract_archive(ws: Workspace, site_id: str) -> Any:
    """Re-extract every article of a site from its WARC files (wherever the workspace stores them)."""
    return reextract_site(ws.store, ws.site(site_id), ws.dir, storage=workspace_storage(ws.config, ws.dir))
