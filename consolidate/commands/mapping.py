"""Commands of the map stage: columns, map (with the office's sheet), audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from consolidate import cli_common as common
from consolidate import pipeline
from consolidate.cli_common import console, print_rows
from consolidate.core.errors import UsageError
from consolidate.pipeline import column_standing, renamed_lines

if TYPE_CHECKING:
    from consolidate.pipeline import Decision, LegacyColumn

WIDE_MAP = 120  # below this many terminal columns `map` stacks each legacy column as a block, not a wide table
DECISION_STYLES = {"unmapped": "yellow", "drop": "dim"}
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Judge staleness at this date (YYYY-MM-DD; "
                                                                "default: the crawl date).")]


@common.friendly_errors
def columns(sites: Annotated[list[str] | None, typer.Argument(help="Site ids (or --all).")] = None,
            all_sites: common.AllOption = False,
            config: common.ConfigOption = common.DEFAULT_CONFIG,
            db: common.DbOption = None, as_json: common.JsonOption = False, as_csv: common.CsvOption = False) -> None:
    """The legacy columns found on a site, with article counts and last update."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    found = [(site_id, c) for site_id in ids for c in pipeline.legacy_columns(ws, site_id)]
    if print_rows([{"site": site_id, "path": c.path, "name": c.name, "url": c.url, "articles": c.article_count,
                    "records": c.record_count, "last_published": c.last_published, "kind": c.kind,
                    "flags": c.flags}
                   for site_id, c in found],
                  as_json, as_csv):
        return
    rows = [c for _, c in found]
    table = Table(title=f"{', '.join(ids)}: {len(rows)} columns")
    for header in ("column", "articles", "last update", "flags", "url"):
        table.add_column(header)
    for c in rows:
        table.add_row(*(Text(cell) for cell in (c.path, str(c.article_count), c.last_published or "",
                                                 ",".join(c.flags), c.url or "")))  # text, not markup
    console.print(table)


@common.friendly_errors
def map_(site: Annotated[str | None, typer.Argument(help="Site id (or --all).")] = None,
         all_sites: Annotated[bool, typer.Option("--all", help="Every crawled site; with --export/--import one "
                                                              "workbook for the fleet.")] = False,
         config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
         as_json: common.JsonOption = False,
         as_csv: common.CsvOption = False,
         unmapped: Annotated[bool, typer.Option("--unmapped", help="Only columns left for review.")] = False,
         flagged: Annotated[bool, typer.Option("--flagged", help="Only flagged columns (empty, stale, "
                                                                 "container).")] = False,
         export: Annotated[Path | None, typer.Option("--export", help="Write the sign-off sheet for the "
                                                                      "office (.xlsx or .csv).")] = None,
         import_: common.SheetImportOption = None, lang: common.SheetLangOption = "zh",
         as_of: AsOfOption = None) -> None:
    """Decide where every legacy column goes: rules in migrations.yaml, the office's signed sheet, suggestions."""
    ws = common.open_workspace(config, db)
    when = common.parse_as_of(as_of)
    pipeline.require_language(lang)  # a bad --lang is a usage error (exit 2), as triage's
    if all_sites or site is None:
        if as_csv:
            raise UsageError("--csv lists one site's decisions", hint="name the site, or use --json with --all")
        _map_fleet(ws, site, export, import_, lang, when, as_json)
        return
    site_id = ws.site(site).id
    if import_ is not None:
        changes = pipeline.import_mapping_sheet(ws, site_id, import_)
        console.print(pipeline.import_summary(import_.name, changes), highlight=False)
        if export is None:
            return
    if export is not None:
        written = pipeline.export_mapping_sheet(ws, site_id, export, lang, when)
        decision, target, signer, signed_on = (pipeline.header_text(k, lang) for k in ("decision", "target", "signer",
                                                                              "signed_on"))
        console.print(f"wrote {export} ({written} columns) — the office fills in {decision}/{target} and signs "
                      f"{signer}/{signed_on}, then `consolidate map {site_id} --import {export}`",
                      highlight=False)
        return
    rows = pipeline.map_site(ws, site_id, when)
    if unmapped:
        rows = [(c, d) for c, d in rows if d.decision == "unmapped"]
    if flagged:
        rows = [(c, d) for c, d in rows if c.flags]
    if print_rows([{"site": site_id, "column": c.path, "articles": c.article_count, "records": c.record_count,
                    "last_published": c.last_published, "kind": c.kind, "flags": c.flags, "decision": d.decision,
                    "target": d.target, "merge_into": d.merge_into, "suggested": d.suggested,
                    "confidence": round(d.confidence, 2), "reason": d.reason, "reason_zh": d.reason_zh,
                    "decided_by": d.decided_by} for c, d in rows], as_json, as_csv):
        return
    _print_decisions(f"{site}: column decisions", rows)
    for line in renamed_lines(column_standing(ws, site_id)):
        console.print(f"{site_id}: {line}", highlight=False)


@common.friendly_errors
def audit(sites: common.SitesArgument = None,
          all_sites: common.AllOption = False,
          config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
          as_json: common.JsonOption = False,
          as_csv: common.CsvOption = False, as_of: AsOfOption = None) -> None:
    """National inspection rules on crawled sites: empty/stale columns, home page, dead links, 暗链, scripts."""
    ws = common.open_workspace(config, db)
    when = common.parse_as_of(as_of)
    any_veto = False
    listed: list[dict] = []
    for site_id in common.select_sites(ws, sites, all_sites):
        findings = pipeline.site_findings(ws, site_id, when)
        summary = pipeline.audit_summary(findings)
        any_veto = any_veto or bool(summary["vetoes"])
        if as_json or as_csv:
            listed += [{"site": site_id, **item} for item in findings]
            continue
        _print_findings(site_id, findings, summary)
    if print_rows(listed, as_json, as_csv):
        return
    if any_veto:
        console.print("[bold red]at least one site would fail a national veto[/]")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(columns)
    app.command("map")(map_)
    app.command()(audit)


def _map_fleet(ws: pipeline.Workspace, site: str | None, export: Path | None, import_: Path | None, lang: str,
               when: dt.date | None, as_json: bool) -> None:
    """map --all: every crawled site; --export/--import use one workbook (a summary and a sheet per site)."""
    if site is not None:
        raise UsageError("give a site id or --all, not both", hint="e.g. consolidate map --all --export "
                                                                           "fleet.xlsx")
    if not ws.config.sites:
        raise UsageError("no sites in the config", hint="add sites to migrations.yaml")
    if import_ is not None:
        changes = pipeline.import_fleet_sheet(ws, import_)
        console.print(pipeline.import_summary(import_.name, changes), highlight=False)
        if export is None:
            return  # the counts, not the fleet table: `consolidate map --all` shows it
    if export is not None:
        written = pipeline.export_fleet_sheet(ws, export, lang, when)
        console.print(f"wrote {export} ({written} columns, one sheet per site) — the office decides the yellow "
                      f"rows, signs, then `consolidate map --all --import {export}`")
        return
    table = Table(title="column decisions of the fleet")
    for header in ("site", "columns", "by rule", "automatic", "signed", "undecided", "undecided articles"):
        table.add_column(header)
    decided = {}
    for item in ws.config.sites:
        if pipeline.crawled_on(ws, item.id) is None:
            continue
        rows = decided[item.id] = pipeline.map_site(ws, item.id, when)
        undecided = [(c, d) for c, d in rows if d.decision == "unmapped"]
        figures = {"site": item.id, "columns": len(rows),
                   "by_rule": sum(d.decided_by == "migrations.yaml" for _, d in rows),
                   "automatic": sum(d.decided_by == "consolidate" and d.decision != "unmapped" for _, d in rows),
                   "signed": sum(d.decided_by not in pipeline.SYSTEM_DECIDERS for _, d in rows),
                   "undecided": len(undecided), "undecided_articles": sum(c.article_count for c, _ in undecided)}
        if as_json:
            print(json.dumps(figures, ensure_ascii=False))
        else:
            table.add_row(*(str(v) for v in figures.values()))
    findings = pipeline.portal_findings(ws.config, decided, when or dt.date.today())
    if as_json:
        for finding in findings:
            print(json.dumps(finding, ensure_ascii=False))
        return
    console.print(table)
    for finding in findings:
        style = "red" if finding["severity"] == "veto" else "yellow"
        console.print(Text.assemble((finding["rule"], style), ": ", finding["message"]))  # text, not markup


def _print_decisions(title: str, rows: list[tuple[LegacyColumn, Decision]]) -> None:
    """A site's decisions: one wide table on a terminal of WIDE_MAP columns or more, else a block per column."""
    if console.width < WIDE_MAP:
        _print_stacked_decisions(title, rows)
    else:
        _print_decision_table(title, rows)


def _print_decision_table(title: str, rows: list[tuple[LegacyColumn, Decision]]) -> None:
    """The decisions as one table; only the reason wraps, short cells never shrink, long names fold (never cut)."""
    table = Table(title=title)
    table.add_column("legacy column", overflow="fold")
    table.add_column("articles", justify="right", no_wrap=True)
    table.add_column("last update", no_wrap=True)
    table.add_column("flags", overflow="fold")
    table.add_column("decision", no_wrap=True)
    table.add_column("target", overflow="fold")
    table.add_column("conf.", no_wrap=True)
    table.add_column("reason", ratio=1, overflow="fold")
    for c, d in rows:  # Text, not markup: a reason's '[content of 8 articles: …]' must not vanish as a tag
        table.add_row(*(Text(cell) for cell in (c.path, str(c.article_count), (c.last_published or "")[:10],
                                                 ",".join(c.flags), d.decision, _target_text(d),
                                                 f"{d.confidence:.2f}", reason_text(d))),
                      style=DECISION_STYLES.get(d.decision, ""))
    console.print(table)


def _print_stacked_decisions(title: str, rows: list[tuple[LegacyColumn, Decision]]) -> None:
    """The decisions for a narrow terminal: per column a line of path, decision, target and confidence, a line of
    its figures, then the reason wrapped over the full width (text wraps or folds; nothing is cut)."""
    console.print(Text(title, style="bold"))
    for c, d in rows:
        target = _target_text(d)
        head = Text.assemble("\n", (c.path or c.name, "bold"), "  ", (d.decision, DECISION_STYLES.get(d.decision) or
                                                                      "bold"),
                             *((" → ", target) if target else ()), f"  {d.confidence:.2f}")
        console.print(head)
        figures = [f"{c.article_count} article" + ("" if c.article_count == 1 else "s")] + ([f"last {c.last_published[:10]}"] if c.last_published else []) \
            + ([", ".join(c.flags)] if c.flags else [])
        _print_indented(Text(" · ".join(figures), style="dim"))
        _print_indented(Text(reason_text(d)))


def _print_indented(text: Text, indent: int = 2) -> None:
    """Text wrapped at the terminal's width less an indent, each line indented (no padding after it)."""
    for line in text.wrap(console, max(console.width - indent, 20)):
        line.rstrip()
        console.print(Text(" " * indent).append_text(line), soft_wrap=True)


def _target_text(decision: Decision) -> str:
    """The target cell: the portal column id, and the legacy column a merge goes through."""
    target = decision.target or ""
    return f"{target} (via {decision.merge_into})" if decision.merge_into else target


def reason_text(decision: Decision) -> str:
    """The reason with who decided in brackets, unless the reason already names them (an office signature)."""
    if decision.decided_by and decision.decided_by in decision.reason:
        return decision.reason
    return f"{decision.reason} [{decision.decided_by}]"


FINDINGS_SHOWN = 5  # rows of one rule shown in the table; --json / --csv list every one


def _print_findings(site_id: str, findings: list[dict], summary: dict) -> None:
    """One site's findings as a table, at most FINDINGS_SHOWN rows a rule and a line saying how many more."""
    vetoes = ", ".join(summary["vetoes"]) or "none"
    table = Table(title=f"{site_id}: {summary['findings']} finding(s); vetoes triggered: {vetoes}")
    for header in ("severity", "rule", "veto", "finding"):
        table.add_column(header)
    for items in _by_rule(findings).values():
        style = {"veto": "red", "warning": "yellow"}.get(items[0]["severity"], "")
        for item in items[:FINDINGS_SHOWN]:
            table.add_row(*(Text(cell) for cell in (item["severity"], item["rule"], item["veto"] or "",
                                                    item["message"])), style=style)  # text, not markup
        if len(items) > FINDINGS_SHOWN:
            table.add_row("", items[0]["rule"], "", Text(f"… and {len(items) - FINDINGS_SHOWN} more of this rule "
                                                         f"({len(items)} in all; --csv or --json lists every one)"),
                          style=style)
    console.print(table)


def _by_rule(findings: list[dict]) -> dict[tuple[str, str, str], list[dict]]:
    """Findings grouped by (severity, rule, veto), in the order they first appear."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for item in findings:
        groups.setdefault((item["severity"], item["rule"], item["veto"] or ""), []).append(item)
    return groups
