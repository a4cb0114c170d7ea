"""Figures per site and for the fleet: status table, reconciliation, and the report formats."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from consolidate.checklist import retention_check, site_checklist
from consolidate.core.errors import ConsolidateError
from consolidate.core.store import (
    ArticleRow,
    ColumnMapping,
    ColumnRow,
    EventRow,
    PushRecord,
    Resource,
    SiteRow,
    UrlMapRow,
)
from consolidate.core.workspace import Workspace
from consolidate.interaction import letter_figures
from consolidate.ledger import (
    SKIPPED,
    Entry,
    counts,
    hot_unresolved,
    primary_target,
    reconcile,
    site_ledger,
    site_targets,
)
from consolidate.push import IN_TARGET, column_key, portal_index, reason_category
from consolidate.triage import triage_figures

AUDIT_MODULE = "consolidate.audit"


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
        records = session.execute(select(PushRecord.target, PushRecord.kind, PushRecord.status, PushRecord.reason,
                                         PushRecord.verify_status, PushRecord.verified_at, PushRecord.pushed_at,
                                         PushRecord.source_url)
                                  .where(PushRecord.site_id == site_id)).all()
        redirects = dict(session.execute(select(UrlMapRow.status, func.count()).where(UrlMapRow.site_id == site_id)
                                         .group_by(UrlMapRow.status)).all())
        errors = session.execute(select(EventRow.code, EventRow.message, EventRow.url)
                                 .where(EventRow.site_id == site_id, EventRow.level == "error")
                                 .order_by(EventRow.id).limit(20)).all()
        spam = session.scalar(select(func.count()).select_from(EventRow)
                              .where(EventRow.site_id == site_id, EventRow.code == "spam_link")) or 0
        monitor = dict(session.execute(select(EventRow.code, func.count())
                                       .where(EventRow.site_id == site_id, EventRow.stage == "monitor",
                                              EventRow.code != "monitor_summary")
                                       .group_by(EventRow.code)).all())
    primary = primary_target(ws, site_id)
    mine = [r for r in records if r.target == primary]
    push = _push_figures(mine)
    entries = site_ledger(ws, site_id, primary)
    targets = [_target_figures(ws, site_id, target, [r for r in records if r.target == target],
                               entries if target == primary else None)
               for target in site_targets(ws, site_id)] or [_target_figures(ws, site_id, None, [], entries)]
    reconciliation = next(t["reconciliation"] for t in targets if t["target"] == primary)
    ledger = ledger_counts(ws, entries)
    push.update(_article_counts(reconciliation, entries))  # one computation: the ledger's reconciliation
    push["columns"] = _target_columns(ws, site_id, primary)
    verification = _verification(mine)
    if "article" in verification:  # 迁移核验 shows the same article and column counts as status and push
        verification["article"] = {k: v for k, v in (("pushed", push["in_target"]), ("skipped", push["skipped"]),
                                                     ("failed", push["failed"]), ("unresolved", push["unresolved"]))
                                   if v}
    if "column" in verification or push["columns"]:
        verification["column"] = {"pushed": push["columns"]}
    return {
        "id": site.id, "name": site.name, "organiser": site.organiser, "disposition": site.disposition,
        "home_url": site.home_url, "cms": row.cms if row else None,
        "stage": _stage(row, push),
        "target": primary, "targets": targets, "ledger": ledger,
        "crawl": {"fetched": reconciliation["pages"].get("fetched", 0),  # fetched HTML pages, everywhere
                  "files_fetched": resources.get("fetched", 0) - reconciliation["pages"].get("fetched", 0),
                  "unfetchable_files": reconciliation["unfetchable_files"],
                  "errors": resources.get("error", 0),
                  "skipped": resources.get("skipped", 0), "queued": resources.get("queued", 0),
                  "bytes": int(bytes_fetched)},
        "articles": articles, "columns": columns,
        "mapping": {"migrate": decisions.get("migrate", 0), "drop": decisions.get("drop", 0),
                    "unmapped": decisions.get("unmapped", 0)},
        "push": push,
        "redirects": _redirect_figures(redirects),
        "verification": dict(sorted({**verification, **_suspects(ws, site_id, mine)}.items())),
        "monitor": monitor,
        "spam_links_removed": spam,
        "triage": triage_figures(ws, site_id),
        "letters": letter_figures(ws, site_id),
        "reconciliation": reconciliation,
        "messages": message_counts(ws, site_id, entries),
        "errors": [{"code": c, "message": m, "url": u} for c, m, u in errors],
    }


def site_details(ws: Workspace, site_id: str) -> dict[str, Any]:
    """What the full report adds to the status figures: inventory, decisions and audit findings."""
    site = ws.site(site_id)
    with ws.store.session() as session:
        decisions = session.execute(select(ColumnMapping.column_path, ColumnMapping.decision, ColumnMapping.target,
                                           ColumnMapping.confidence, ColumnMapping.reason, ColumnMapping.decided_by)
                                    .where(ColumnMapping.site_id == site_id).order_by(ColumnMapping.column_path)
                                    ).all()
    findings, audit_note = _audit_findings(ws, site_id)
    zh = _reasons_zh(ws, site_id, [(p, r, b) for p, _d, _t, _c, r, b in decisions])
    return {
        "inventory": {"name": site.name, "site_code": site.site_code, "home_url": site.home_url,
                      "organiser": site.organiser, "supervisor": site.supervisor, "icp": site.icp,
                      "psb": site.psb, "badge": site.badge,
                      "contact": site.contact.model_dump() if site.contact else None,
                      "disposition": site.disposition, "target": site.target.model_dump(exclude_none=True)},
        "decisions": [{"column_path": p, "decision": d, "target": t, "confidence": round(c or 0.0, 3),
                       "reason": r, "reason_zh": zh.get(p), "decided_by": b} for p, d, t, c, r, b in decisions],
        "audit": {"available": findings is not None, "note": audit_note, "findings": findings or []},
        "vanished": [{"url": e.url, "last_seen": e.last_seen, "new_url": e.new_url, "reason": e.reason}
                     for e in site_ledger(ws, site_id) if e.disposition == "vanished"],
    }


def _reasons_zh(ws: Workspace, site_id: str, stored: list[tuple[str, str, str]]) -> dict[str, str]:
    """Column path → the stored decision's reason in Chinese (the Chinese report and sheets use it): an office
    decision's own words, or the system's Chinese reason when deciding again gives the same reason."""
    from consolidate.mapping import SYSTEM_DECIDERS, learned_decisions, legacy_columns, office_reason_zh
    from mappers.columns import decide

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
    """Findings of consolidate.audit when that module exists; (None, why) otherwise."""
    import importlib

    try:
        audit = importlib.import_module(AUDIT_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != AUDIT_MODULE:
            return None, f"audit module unavailable: {exc}"
        return None, "no audit module installed"
    finder = getattr(audit, "site_findings", None)
    if finder is None:
        return None, "the audit module has no site_findings()"
    try:
        return [dict(f) for f in finder(ws, site_id)], None
    except ConsolidateError as exc:
        return None, f"audit not run: {exc.message}"
    except Exception as exc:  # noqa: BLE001 - another stage's failure must not sink the whole report
        return None, f"audit failed: {type(exc).__name__}: {exc}"


def _redirect_figures(redirects: dict[str, int]) -> dict[str, Any]:
    """URL-map rows per status and the share of legacy URLs with a decision."""
    figures = {"301": redirects.get("301", 0), "410": redirects.get("410", 0),
               "unresolved": redirects.get("unresolved", 0)}
    total = sum(figures.values())
    figures["total"] = total
    figures["coverage"] = round((figures["301"] + figures["410"]) / total, 4) if total else None
    return figures


def _verification(records: list[Any]) -> dict[str, dict[str, int]]:
    """Push-map statuses per kind of object, and `verify`'s verdict on the articles in the target."""
    table: dict[str, Counter[str]] = {}
    for record in records:
        table.setdefault(record.kind, Counter())[record.status] += 1
    verdicts = Counter(_verdict(r) for r in records if r.kind == "article" and r.status in IN_TARGET)
    if verdicts:
        table["verify"] = verdicts
    return {kind: dict(sorted(counts.items())) for kind, counts in sorted(table.items())}


SUSPECT_KINDS = (("site's name", "title is the site's name"), ("future", "date in the future"),
                 ("before", "date before 1990"), ("empty body", "empty body"))


def _suspects(ws: Workspace, site_id: str, records: list[Any]) -> dict[str, dict[str, int]]:
    """verify's records that look wrong on their face and are still in the target, per problem:
    {'suspect': {'empty body': 3}} (nothing when there are none)."""
    with ws.store.session() as session:
        flagged = session.execute(select(EventRow.url, EventRow.message).where(
            EventRow.site_id == site_id, EventRow.stage == "verify", EventRow.code == "suspect_record")).all()
    if not flagged:
        return {}
    live = {r.source_url for r in records if r.kind == "article" and r.status in IN_TARGET and r.source_url}
    found: Counter[str] = Counter()
    for url, message in flagged:
        if url in live:
            for problem in (message or "").split("; "):
                found[next((kind for key, kind in SUSPECT_KINDS if key in problem), problem)] += 1
    return {"suspect": dict(sorted(found.items()))} if found else {}


def suspect_count(verification: dict[str, dict[str, int]]) -> int:
    """Problems verify found on records still in the target (a record may have more than one)."""
    return sum((verification.get("suspect") or {}).values())


def _verdict(record: Any) -> str:
    """ok / mismatch / missing from the last `verify`, or 'not verified' (never, or before the last push)."""
    if record.verify_status is None or record.verified_at is None or record.verified_at < record.pushed_at:
        return "not verified"
    return record.verify_status


def verified_on(verification: dict[str, dict[str, int]]) -> bool:
    """True when `verify` found every article in the target equal to the legacy one."""
    verdicts = verification.get("verify", {})
    return bool(verdicts) and set(verdicts) == {"ok"}


def _push_figures(records: list[Any]) -> dict[str, Any]:
    """Article outcomes and skip reasons from the push map."""
    articles = [r for r in records if r.kind == "article"]
    reasons = Counter(reason_category(r.reason or "") for r in articles if r.status == "skipped")
    failures = Counter(reason_category(r.reason or "") for r in articles if r.status == "failed")
    return {
        "in_target": sum(1 for r in articles if r.status in IN_TARGET),
        "skipped": sum(1 for r in articles if r.status == "skipped"),
        "failed": sum(1 for r in articles if r.status == "failed"),
        "skip_reasons": dict(sorted(reasons.items())),
        "fail_reasons": dict(sorted(failures.items())),
        "files": sum(1 for r in records if r.kind == "file" and r.status in IN_TARGET),
        "failed_objects": sum(1 for r in records if r.kind != "article" and r.status == "failed"),
        "columns": sum(1 for r in records if r.kind == "column" and r.status in IN_TARGET),
    }


def _article_counts(line: dict[str, Any], entries: list[Entry]) -> dict[str, Any]:
    """The push figures' article counts and reasons, read from the reconciliation line and the ledger so that
    status, the overview, the push table and 数量核对 show the same numbers (跳过 never holds unresolved)."""
    articles = [e for e in entries if e.url_class == "article"]
    skipped = Counter(_category(e) for e in articles if e.disposition in SKIPPED)
    return {"in_target": line["pushed"], "skipped": line["skipped"], "failed": line["failed"],
            "unresolved": line["unresolved"], "held": line.get("held", 0),
            "skip_reasons": dict(sorted(skipped.items())),
            "fail_reasons": dict(sorted(Counter(_category(e) for e in articles if e.disposition == "failed").items())),
            "unresolved_reasons": dict(sorted(Counter(_category(e) for e in articles
                                                      if e.disposition == "unresolved").items()))}


def _category(entry: Entry) -> str:
    """The kind of an article's disposition reason, for counting."""
    if entry.disposition == "vanished":
        return "vanished"
    return reason_category(entry.reason or entry.disposition)


def _target_columns(ws: Workspace, site_id: str, target: str | None) -> int:
    """Portal columns (with their ancestors) the site's decisions migrate into that the target holds — the
    same columns a push of the site creates or confirms, whichever site's push created them first."""
    if target is None:
        return 0
    index = portal_index(ws.config)
    with ws.store.session() as session:
        wanted = set(session.scalars(select(ColumnMapping.target).where(
            ColumnMapping.site_id == site_id, ColumnMapping.decision == "migrate")))
        held = set(session.scalars(select(PushRecord.source_key).where(
            PushRecord.target == target, PushRecord.kind == "column", PushRecord.status.in_(IN_TARGET))))
    keys = set()
    for column_id in wanted:
        while column_id in index:
            keys.add(column_key(index[column_id]))
            column_id = index[column_id].parent_id
    return len(keys & held)


def _target_figures(ws: Workspace, site_id: str, target: str | None, records: list[Any],
                    entries: list[Entry] | None) -> dict[str, Any]:
    """One exporter target's push outcome and its reconciliation line from the ledger."""
    line = _line(reconcile(ws, site_id, target, entries))
    return {"target": target, **_push_figures(records), "reconciliation": line}


def _line(ledger: dict[str, Any]) -> dict[str, Any]:
    """The reconciliation line: articles = migrated + skipped + failed + unresolved (from the ledger)."""
    a = ledger["articles"]
    accounted = a["migrated"] + a["skipped"] + a["failed"] + a["unresolved"]
    return {"target": ledger["target"], "crawled": a["total"], "pushed": a["migrated"], "skipped": a["skipped"],
            "failed": a["failed"], "unresolved": a["unresolved"], "skipped_by": a["skipped_by"],
            "held": a.get("held", 0), "unaccounted": a["total"] - accounted, "pages": ledger["pages"],
            "unfetchable_files": (ledger.get("files") or {}).get("unfetchable", 0), "notes": ledger["notes"],
            "ok": ledger["ok"]}


def ledger_counts(ws: Workspace, entries: list[Entry]) -> dict[str, Any]:
    """Legacy URLs per disposition, and the unresolved ones with enough logged hits to block sign-off."""
    threshold = getattr(ws.config.programme, "hit_threshold", 10)
    hot = hot_unresolved(entries, threshold)
    return {"urls": len(entries), **counts(entries), "hit_threshold": threshold, "hot_unresolved": len(hot),
            "logged_hits": sum(e.hits for e in entries)}


def message_counts(ws: Workspace, site_id: str, entries: list[Entry]) -> dict[str, int]:
    """Per-item messages of a site by stage (what `consolidate messages` lists)."""
    from consolidate.messages import message_counts as counted

    return counted(ws, site_id, entries)


def _stage(row: SiteRow | None, push: dict[str, Any]) -> str:
    """The furthest stage a site has reached; never 'pushed' while nothing is in the target."""
    if row is None or row.crawled_at is None:
        return "configured"
    if row.pushed_at is not None and push["in_target"] > 0:
        return "pushed"
    if row.pushed_at is not None:
        return "mapped"
    if row.mapped_at is not None:
        return "mapped"
    return "crawled"


def fleet_report(ws: Workspace, site_ids: list[str] | None = None, as_of: dt.date | None = None,
                 details: bool = False, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The report for the named sites (or the fleet) with totals, checklist state and the retention check
    (`progress(done, total)` after each site)."""
    as_of = as_of or dt.date.today()
    chosen = ws.sites(site_ids)
    sites = []
    for s in chosen:
        sites.append(site_figures(ws, s.id))
        if progress is not None:
            progress(len(sites), len(chosen) * 2)
    for figures in sites:
        checklist = site_checklist(ws, figures["id"], as_of, figures)
        figures["checklist"] = checklist
        figures["next_step"], figures["next_due"] = checklist["next_step"], checklist["next_due"]
        figures["behind"] = checklist["behind"]
        if details:
            figures.update(site_details(ws, figures["id"]))
        if progress is not None:
            progress(len(chosen) + sites.index(figures) + 1, len(chosen) * 2)
    totals: Counter[str] = Counter()
    for figures in sites:
        line = figures["reconciliation"]
        totals["articles"] += line["crawled"]
        totals["pushed"] += line["pushed"]
        totals["skipped"] += line["skipped"]
        totals["failed"] += line["failed"]
        totals["unresolved"] += line["unresolved"]
        totals["held"] += line.get("held", 0)
        totals["fetched"] += figures["crawl"]["fetched"]
        totals["unfetchable_files"] += figures["crawl"]["unfetchable_files"]
        totals["errors"] += figures["crawl"]["errors"]
    stages = Counter(f["stage"] for f in sites)
    return {
        "programme": ws.config.programme.name, "office": ws.config.programme.office,
        "portal": ws.config.portal.name,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "sites": sites, "totals": dict(totals), "stages": dict(stages),
        "reconciled": all(f["reconciliation"]["ok"] for f in sites if f["stage"] == "pushed"),
        "behind_schedule": [f["id"] for f in sites if f["behind"]],
        "retention": retention_check(ws, [s.id for s in chosen]),
    }


def reconciliation_text(line: dict[str, Any], lang: str = "zh") -> str:
    """One target's line, e.g. '文章 130 = 已迁移 120 + 跳过 5 + 失败 0 + 未定 5 — 是'."""
    from consolidate.report_formats import label, value

    pages = line.get("pages") or {}
    text = (f"{label('articles', lang)} {line['crawled']} = {label('pushed', lang)} {line['pushed']} + "
            f"{label('skipped', lang)} {line['skipped']} + {label('failed', lang)} {line['failed']} + "
            f"{label('unresolved', lang)} {line['unresolved']} — {value(line['ok'], lang)}")
    if pages:
        text += (f"; {label('fetched', lang)} {pages['fetched']} = {label('articles', lang)} {pages['article']} + "
                 f"{label('lists', lang)} {pages['list']} + {label('column_homes', lang)} {pages['column_home']} + "
                 f"{label('other_pages', lang)} {pages['other']}")
    if line.get("notes"):
        text += f" ({'; '.join(line['notes'])})"
    return text


def render_json(report: dict[str, Any]) -> str:
    """The report as JSON."""
    return json.dumps(report, ensure_ascii=False, indent=2)


def render_markdown(report: dict[str, Any], lang: str = "zh") -> str:
    """The report as Markdown an office can paste into a memo."""
    from consolidate.report_formats import all_sections, check_lang, label, local_time_text, markdown_table

    check_lang(lang)
    totals = report["totals"]
    lines = [f"# {report['programme']} — {label('title', lang)}", "",
             f"{label('office', lang)}: {report['office']} · {label('portal', lang)}: {report['portal']} · "
             f"{label('generated_at', lang)}: {local_time_text(report['generated_at'], lang)}", "",
             f"**{label('reconciliation_line', lang)}**: {label('articles', lang)} {totals.get('articles', 0)} = "
             f"{label('pushed', lang)} {totals.get('pushed', 0)} + {label('skipped', lang)} "
             f"{totals.get('skipped', 0)} + {label('failed', lang)} {totals.get('failed', 0)} + "
             f"{label('unresolved', lang)} {totals.get('unresolved', 0)}", ""]
    for figures in report["sites"]:
        for t in figures.get("targets", []):
            lines += [f"- {figures['id']} → {t['target'] or '—'}: {reconciliation_text(t['reconciliation'], lang)}"]
    lines.append("")
    retention = report.get("retention") or {}
    if retention.get("violation"):
        lines += [f"**{label('violation', lang)}**: {retention['message']}", ""]
    if report.get("behind_schedule"):
        lines += [f"**{label('behind', lang)}**: {', '.join(report['behind_schedule'])}", ""]
    for section in all_sections(report, lang):
        lines += [f"## {section.title}", ""]
        lines += markdown_table(section) if section.rows else ["—"]
        lines.append("")
    return "\n".join(lines)
