"""Figures per site and for the fleet: status table, reconciliation, and the report formats."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from consolidate.push import IN_TARGET
from consolidate.store import (
    ArticleRow,
    ColumnMapping,
    ColumnRow,
    EventRow,
    PushRecord,
    Resource,
    SiteRow,
    UrlMapRow,
)
from consolidate.workspace import Workspace


def site_figures(ws: Workspace, site_id: str) -> dict[str, Any]:
    """Every number the status table and the reports show for one site."""
    site = ws.site(site_id)
    with ws.store.session() as session:
        row = session.get(SiteRow, site_id)
        resources = dict(session.execute(select(Resource.status, func.count()).where(Resource.site_id == site_id)
                                          .group_by(Resource.status)).all())
        bytes_fetched = session.scalar(select(func.coalesce(func.sum(Resource.size), 0))
                                       .where(Resource.site_id == site_id, Resource.status == "fetched")) or 0
        articles = session.scalar(select(func.count()).select_from(ArticleRow)
                                  .where(ArticleRow.site_id == site_id)) or 0
        columns = session.scalar(select(func.count()).select_from(ColumnRow).where(ColumnRow.site_id == site_id)) or 0
        decisions = dict(session.execute(select(ColumnMapping.decision, func.count())
                                         .where(ColumnMapping.site_id == site_id)
                                         .group_by(ColumnMapping.decision)).all())
        records = session.execute(select(PushRecord.kind, PushRecord.status, PushRecord.reason)
                                  .where(PushRecord.site_id == site_id)).all()
        redirects = dict(session.execute(select(UrlMapRow.status, func.count()).where(UrlMapRow.site_id == site_id)
                                         .group_by(UrlMapRow.status)).all())
        errors = session.execute(select(EventRow.code, EventRow.message, EventRow.url)
                                 .where(EventRow.site_id == site_id, EventRow.level == "error")
                                 .order_by(EventRow.id).limit(20)).all()
        spam = session.scalar(select(func.count()).select_from(EventRow)
                              .where(EventRow.site_id == site_id, EventRow.code == "spam_link")) or 0
    push = _push_figures(records)
    accounted = push["in_target"] + push["skipped"] + push["failed"]
    return {
        "id": site.id, "name": site.name, "organiser": site.organiser, "disposition": site.disposition,
        "home_url": site.home_url, "cms": row.cms if row else None,
        "stage": _stage(row, push),
        "crawl": {"fetched": resources.get("fetched", 0), "errors": resources.get("error", 0),
                  "skipped": resources.get("skipped", 0), "queued": resources.get("queued", 0),
                  "bytes": int(bytes_fetched)},
        "articles": articles, "columns": columns,
        "mapping": {"migrate": decisions.get("migrate", 0), "drop": decisions.get("drop", 0),
                    "unmapped": decisions.get("unmapped", 0)},
        "push": push,
        "redirects": {"301": redirects.get("301", 0), "410": redirects.get("410", 0),
                      "unresolved": redirects.get("unresolved", 0)},
        "spam_links_removed": spam,
        "reconciliation": {"crawled": articles, "pushed": push["in_target"], "skipped": push["skipped"],
                           "failed": push["failed"], "unaccounted": articles - accounted,
                           "ok": articles == accounted},
        "errors": [{"code": c, "message": m, "url": u} for c, m, u in errors],
    }


def _push_figures(records: list[Any]) -> dict[str, Any]:
    """Article outcomes and skip reasons from the push map."""
    articles = [r for r in records if r.kind == "article"]
    reasons = Counter((r.reason or "").split(":")[0] for r in articles if r.status == "skipped")
    return {
        "in_target": sum(1 for r in articles if r.status in IN_TARGET),
        "skipped": sum(1 for r in articles if r.status == "skipped"),
        "failed": sum(1 for r in articles if r.status == "failed"),
        "skip_reasons": dict(sorted(reasons.items())),
        "files": sum(1 for r in records if r.kind == "file" and r.status in IN_TARGET),
        "columns": sum(1 for r in records if r.kind == "column" and r.status in IN_TARGET),
    }


def _stage(row: SiteRow | None, push: dict[str, Any]) -> str:
    """The furthest stage a site has reached."""
    if row is None or row.crawled_at is None:
        return "configured"
    if row.pushed_at is not None:
        return "pushed"
    if row.mapped_at is not None:
        return "mapped"
    return "crawled"


def fleet_report(ws: Workspace, site_ids: list[str] | None = None) -> dict[str, Any]:
    """The report for the named sites (or the fleet) with totals."""
    sites = [site_figures(ws, s.id) for s in ws.sites(site_ids)]
    totals = Counter()
    for figures in sites:
        totals["articles"] += figures["articles"]
        totals["pushed"] += figures["push"]["in_target"]
        totals["skipped"] += figures["push"]["skipped"]
        totals["failed"] += figures["push"]["failed"]
        totals["fetched"] += figures["crawl"]["fetched"]
        totals["errors"] += figures["crawl"]["errors"]
    stages = Counter(f["stage"] for f in sites)
    return {
        "programme": ws.config.programme.name, "office": ws.config.programme.office,
        "portal": ws.config.portal.name,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sites": sites, "totals": dict(totals), "stages": dict(stages),
        "reconciled": all(f["reconciliation"]["ok"] for f in sites if f["stage"] == "pushed"),
    }


def render_json(report: dict[str, Any]) -> str:
    """The report as JSON."""
    return json.dumps(report, ensure_ascii=False, indent=2)


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown an office can paste into a memo."""
    lines = [f"# {report['programme']} — 迁移报告 / migration report", "",
             f"主办: {report['office']} · 门户: {report['portal']} · 生成时间: {report['generated_at']}", "",
             "| 站点 site | 处置 disposition | 阶段 stage | 抓取页面 fetched | 错误 errors | 文章 articles "
             "| 已迁移 pushed | 跳过 skipped | 失败 failed | 核对 reconciled |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for f in report["sites"]:
        rec = f["reconciliation"]
        lines.append(f"| {f['name']} ({f['id']}) | {f['disposition']} | {f['stage']} | {f['crawl']['fetched']} | "
                     f"{f['crawl']['errors']} | {f['articles']} | {rec['pushed']} | {rec['skipped']} | "
                     f"{rec['failed']} | {'✓' if rec['ok'] else '✗ ' + str(rec['unaccounted'])} |")
    totals = report["totals"]
    lines += ["", f"**合计 totals**: {totals.get('articles', 0)} articles crawled = {totals.get('pushed', 0)} pushed"
              f" + {totals.get('skipped', 0)} skipped + {totals.get('failed', 0)} failed", ""]
    for f in report["sites"]:
        lines += [f"## {f['name']} ({f['id']})", "",
                  f"- crawl: {f['crawl']['fetched']} fetched, {f['crawl']['errors']} errors, "
                  f"{f['crawl']['skipped']} skipped, {f['crawl']['bytes']} bytes; CMS: {f['cms'] or 'unknown'}",
                  f"- columns: {f['columns']} (migrate {f['mapping']['migrate']}, drop {f['mapping']['drop']}, "
                  f"unmapped {f['mapping']['unmapped']})",
                  f"- push: {f['push']['in_target']} in target, {f['push']['files']} files, "
                  f"skipped {f['push']['skip_reasons'] or 0}, failed {f['push']['failed']}",
                  f"- redirects: {f['redirects']['301']} × 301, {f['redirects']['410']} × 410",
                  f"- hidden spam links removed: {f['spam_links_removed']}", ""]
        if f["errors"]:
            lines += ["| error | url |", "|---|---|"]
            lines += [f"| {e['message']} | {e['url'] or ''} |" for e in f["errors"]]
            lines.append("")
    return "\n".join(lines)
