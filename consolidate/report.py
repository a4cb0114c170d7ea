"""Figures per site and for the fleet: status table, reconciliation, and the report formats."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from consolidate.audit import site_findings
from consolidate.checklist import retention_check, site_checklist
from consolidate.core.errors import ConsolidateError
from consolidate.core.store import ColumnMapping, SiteRow
from consolidate.core.workspace import Workspace
from consolidate.figures import (
    FleetReport,
    SiteDetails,
    SiteFigures,
    ledger_counts,
    message_counts,
    site_figures,
    suspect_count,
    verified_on,
)
from consolidate.ledger import is_vanished, ledger_entries
from consolidate.mapping import SYSTEM_DECIDERS, learned_decisions, legacy_columns, office_reason_zh
from consolidate.report_formats import reconciliation_text, render_json, render_markdown
from mappers.columns import decide

__all__ = ["FleetReport", "SiteFigures", "fleet_report", "ledger_counts", "message_counts", "reconciliation_text",
           "render_json", "render_markdown", "site_details", "site_figures", "suspect_count", "verified_on"]


def site_details(ws: Workspace, site_id: str) -> SiteDetails:
    """What the full report adds to the status figures: inventory, decisions and audit findings."""
    site = ws.site(site_id)
    with ws.store.session() as session:
        decisions = session.execute(select(ColumnMapping.column_path, ColumnMapping.decision, ColumnMapping.target,
                                           ColumnMapping.confidence, ColumnMapping.reason, ColumnMapping.decided_by)
                                    .where(ColumnMapping.site_id == site_id).order_by(ColumnMapping.column_path)
                                    ).all()
    findings, audit_note = _audit_findings(ws, site_id)
    zh = _reasons_zh(ws, site_id, [(p, r, b) for p, _d, _t, _c, r, b in decisions])
    return SiteDetails(
        inventory={"name": site.name, "home_url": site.home_url,
                   "supervisor": site.supervisor, "badge": site.badge, **_filings(ws, site_id),
                   "contact": site.contact.model_dump() if site.contact else None,
                   "disposition": site.disposition, "target": site.target.model_dump(exclude_none=True)},
        decisions=[{"column_path": p, "decision": d, "target": t, "confidence": round(c or 0.0, 3),
                    "reason": r, "reason_zh": zh.get(p), "decided_by": b} for p, d, t, c, r, b in decisions],
        audit={"available": findings is not None, "note": audit_note, "findings": findings or []},
        vanished=[{"url": e.url, "last_seen": e.last_seen, "new_url": e.new_url, "reason": e.reason}
                  for e in sorted((e for e in ledger_entries(ws, site_id) if is_vanished(e)),
                                  key=lambda e: e.url)],
    )


# 主办单位, 网站标识码, ICP备案号, 公安机关备案号: the config's, else the crawl's (a config may leave 主办单位 empty)
FILINGS = ("organiser", "site_code", "icp", "psb")


def _filings(ws: Workspace, site_id: str) -> dict[str, Any]:
    """The site's organiser, codes and filings as the register shows them: the office's config value, else what the
    crawl read on the legacy site's pages (their footers), else empty — never guessed; `sources` says where each
    came from (config or crawl) and `crawl_organiser` the 主办单位 the pages name when it differs from the config's."""
    site = ws.site(site_id)
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        seen = dict(row.facts or {}) if row is not None else {}
    found: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in FILINGS:
        configured, crawled = getattr(site, key), seen.get(key)
        found[key] = configured or (crawled if isinstance(crawled, str) and crawled else None)
        if found[key] is not None:
            sources[key] = "config" if configured else "crawl"
    organiser = seen.get("organiser")
    return {**found, "sources": sources,
            "crawl_organiser": organiser if site.organiser and isinstance(organiser, str) and organiser
            and organiser != site.organiser else None}


def _reasons_zh(ws: Workspace, site_id: str, stored: list[tuple[str, str, str]]) -> dict[str, str]:
    """Column path → the stored decision's reason in Chinese (the Chinese report and sheets use it): an office
    decision's own words, or the system's Chinese reason when deciding again gives the same reason."""
    try:
        fresh = {d.column_path: d for d in decide(ws.config, ws.site(site_id), legacy_columns(ws, site_id), None,
                                                  learned_decisions(ws, site_id))}
    except ConsolidateError:
        fresh = {}
    found = {}
    for path, reason, decided_by in stored:
        again = fresh.get(path)
        if decided_by not in SYSTEM_DECIDERS:
            found[path] = office_reason_zh(reason)
        elif again is not None and again.reason == reason and again.reason_zh:
            found[path] = again.reason_zh
    return found


def _audit_findings(ws: Workspace, site_id: str) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The audit stage's findings; (None, why) when the audit cannot run or fails."""
    try:
        return [dict(f) for f in site_findings(ws, site_id)], None
    except ConsolidateError as exc:
        return None, f"audit not run: {exc.message}"
    except Exception as exc:  # noqa: BLE001 - another stage's failure must not sink the whole report
        return None, f"audit failed: {type(exc).__name__}: {exc}"


def fleet_report(ws: Workspace, site_ids: list[str] | None = None, as_of: dt.date | None = None,
                 details: bool = False, progress: Callable[[int, int], None] | None = None) -> FleetReport:
    """The report for the named sites (or the fleet) with totals, checklist state and the retention check
    (`progress(done, total)` after each site); every site's figures are read once."""
    as_of = as_of or dt.date.today()
    chosen = ws.sites(site_ids)
    sites = []
    for s in chosen:
        figures = site_figures(ws, s.id)
        sites.append(figures)
        if progress is not None:
            progress(len(sites), len(chosen) * 2)
    for done, figures in enumerate(sites, start=len(chosen) + 1):
        _add_checklist(ws, figures, as_of)
        if details:
            figures.details = site_details(ws, figures.id)
        if progress is not None:
            progress(done, len(chosen) * 2)
    return FleetReport(
        programme=ws.config.programme.name, office=ws.config.programme.office, portal=ws.config.portal.name,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), as_of=as_of.isoformat(),
        sites=sites, totals=_totals(sites), stages=dict(Counter(f.stage for f in sites)),
        reconciled=all(f.reconciliation.ok for f in sites if f.stage == "pushed"),
        behind_schedule=[f.id for f in sites if f.behind],
        retention=retention_check(ws),
    )


def _add_checklist(ws: Workspace, figures: SiteFigures, as_of: dt.date) -> None:
    """The site's shutdown checklist (from the figures already read), its next step and due date."""
    checklist = site_checklist(ws, figures.id, as_of, figures)
    figures.checklist = checklist
    figures.next_step, figures.next_due, figures.behind = checklist["next_step"], checklist["next_due"], \
        checklist["behind"]


def _totals(sites: list[SiteFigures]) -> dict[str, int]:
    """The fleet's reconciliation and crawl counts, summed over the sites."""
    totals: Counter[str] = Counter()
    for figures in sites:
        line, crawl = figures.reconciliation, figures.crawl
        totals["articles"] += line.crawled
        totals["pushed"] += line.pushed
        totals["skipped"] += line.skipped
        totals["failed"] += line.failed
        totals["unresolved"] += line.unresolved
        totals["held"] += line.held
        totals["fetched"] += crawl.fetched
        totals["unfetchable_files"] += crawl.unfetchable_files
        totals["errors"] += crawl.errors
        for problem, n in crawl.problems.items():  # the errors by kind, adding up to them
            totals[f"errors_{problem}"] += n
        for loss in (figures.checklist or {}).get("acknowledged") or []:  # what the office signed off as lost
            totals[f"acknowledged_{loss['kind']}"] += loss["count"]
    return dict(totals)
