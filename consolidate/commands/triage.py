"""The triage command: personal data, repealed documents and dying links, with the office's decision sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from consolidate import cli_common as common
from consolidate import pipeline
from consolidate.cli_common import console, print_rows
from consolidate.core.errors import ConsolidateError, UsageError


@common.friendly_errors
def triage(sites: common.SitesArgument = None,
           all_sites: common.AllOption = False,
           config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
           as_json: common.JsonOption = False,
           as_csv: common.CsvOption = False,
           export: Annotated[Path | None, typer.Option("--export", help="Write the decision sheet for the "
                                                                        "office (.xlsx).")] = None,
           import_: common.SheetImportOption = None, lang: common.SheetLangOption = "zh",
           as_of: Annotated[str | None, typer.Option("--as-of", help="Judge 有效期 at this date (YYYY-MM-DD; "
                                                                     "default: today).")] = None) -> None:
    """Personal data (身份证号, mobiles, bank cards, names beside them), repealed or expired documents and
    dying links in articles and attachments, before anything is republished; decisions via the office's sheet."""
    ws = common.open_workspace(config, db)
    if import_ is not None:  # each row names its site: `triage --import FILE` needs no site (as the hints say)
        changes = pipeline.import_triage_sheet(ws, import_)
        console.print(pipeline.triage_import_summary(import_.name, changes), highlight=False)
        return
    ids = common.select_sites(ws, sites, all_sites)
    when = common.parse_as_of(as_of)
    if export is not None:  # checked before the triage runs, not after
        pipeline.require_language(lang)
        if export.suffix.lower() != ".xlsx":
            raise UsageError(f"--export {export.name}: the triage sheet is written as .xlsx",
                             hint="give a file name ending in .xlsx")
    for site_id in ids:
        try:
            pipeline.require_crawled(ws, site_id)
        except ConsolidateError as exc:
            console.print(f"{site_id}: skipped — {exc.message}", highlight=False)
            continue
        summary = pipeline.triage_site(ws, site_id, when)
        if not (as_json or as_csv):
            kinds = ", ".join(f"{pipeline.TRIAGE_KIND_TEXTS['en'].get(k, k)} ({pipeline.TRIAGE_KIND_LABELS[k]}) {n}"
                              for k, n in sorted(summary.findings.items())) or "none"
            console.print(f"{site_id}: {summary.articles} articles, {summary.attachments} attachments read "
                          f"({summary.unreadable} unreadable, {summary.reused} unchanged since read); findings: {kinds}; "
                          f"{summary.undecided_personal} personal-data finding(s) undecided", highlight=False)
    if export is not None:
        written = pipeline.export_triage_sheet(ws, ids, export, lang)
        console.print(pipeline.triage_export_note(export, written, lang), highlight=False)
        return
    _show(ws, ids, as_json, as_csv)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(triage)


def _show(ws: object, ids: list[str], as_json: bool, as_csv: bool = False) -> None:
    """Every finding as JSON Lines, CSV, or one table per site (masked excerpts only)."""
    found = {site_id: pipeline.stored_findings(ws, site_id) for site_id in ids}  # type: ignore[arg-type]
    if print_rows([{"site": site_id, "key": f.key, "url": pipeline.mask_text(f.url), "location": f.location,
                    "category": f.category, "kind": f.kind, "label": pipeline.TRIAGE_KIND_LABELS[f.kind],
                    "excerpt": f.excerpt,
                    "count": f.count, "detail": f.detail, "decision": f.decision, "reason": f.reason,
                    "decided_by": f.decided_by or None} for site_id, rows in found.items() for f in rows],
                  as_json, as_csv):
        return
    for site_id, rows in found.items():
        if not rows:
            continue
        table = Table(title=f"{site_id}: {len(rows)} finding(s)")
        for header in ("kind", "where", "excerpt (masked)", "n", "decision", "article"):
            table.add_column(header)
        for f in rows:
            style = "red" if f.category == "personal" and not f.decision else ""
            table.add_row(pipeline.TRIAGE_KIND_LABELS[f.kind], f.location, f.excerpt, str(f.count), f.decision or "—",
                          pipeline.mask_text(f.url), style=style)
        console.print(table)
