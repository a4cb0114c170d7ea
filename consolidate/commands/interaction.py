"""The letters command: interaction records (letters, consultations, complaints, suggestions, surveys) of the
legacy sites, judged by the national rules, counted per site and unit, exported for the interaction platform."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from consolidate import cli_common as common
from consolidate import pipeline
from consolidate.cli_common import console
from consolidate.core.errors import UsageError


@common.friendly_errors
def letters(sites: common.SitesArgument = None,
            all_sites: common.AllOption = False,
            config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
            as_json: common.JsonOption = False,
            as_of: Annotated[str | None, typer.Option("--as-of", help="Judge at this date (YYYY-MM-DD; "
                                                                      "default: today).")] = None,
            export: Annotated[Path | None, typer.Option("--export", help="Write letters.jsonl and letters.xlsx "
                                                                         "(names and contacts masked) into "
                                                                         "this folder.")] = None,
            unanswered_months: Annotated[int, typer.Option(help="Unanswered longer than this: a veto.")] = 3,
            window_months: Annotated[int, typer.Option(help="The veto counts letters of this many past "
                                                            "months.")] = 12,
            reply_days: Annotated[int, typer.Option(help="Working days a reply is due within.")] = 7,
            complex_days: Annotated[int, typer.Option(help="Working days for a complex case.")] = 15) -> None:
    """Letters, consultations, complaints, suggestions and surveys found by the crawl: unanswered over three
    months (a single veto), late replies in working days (programme.holidays skipped), counts per unit."""
    if min(unanswered_months, window_months, reply_days, complex_days) < 1 or complex_days < reply_days:
        raise UsageError("thresholds must be positive and --complex-days at least --reply-days",
                         hint="e.g. --reply-days 7 --complex-days 15")
    rules = pipeline.Rules(unanswered_months, window_months, reply_days, complex_days)
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    when = common.parse_as_of(as_of) or dt.date.today()
    summaries = [pipeline.summarise(ws, site_id, when, rules) for site_id in ids]
    if export is not None:
        written = pipeline.export_letters(ws, ids, export, when, rules)
        console.print(f"wrote {export / 'letters.jsonl'} and {export / 'letters.xlsx'} ({written} records; "
                      f"writers and contact details masked)", highlight=False)
    if as_json:
        for summary in summaries:
            print(json.dumps({**summary.to_dict(), "as_of": when.isoformat(),
                              "found": [{"url": f.url, "kind": f.kind, "label": pipeline.LETTER_FINDING_LABELS[f.kind],
                                         "veto": f.veto, "working_days": f.working_days,
                                         "beyond_complex": f.beyond_complex, "reply_unit": f.reply_unit,
                                         "detail": f.detail} for f in summary.found]},
                             ensure_ascii=False))
        return
    for summary in summaries:
        _show(summary)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(letters)


def _show(summary: object) -> None:
    """One site's counts, its findings and its per-unit table."""
    assert isinstance(summary, pipeline.LetterSummary)
    statuses = ", ".join(f"{k} {n}" for k, n in sorted(summary.statuses.items())) or "none"
    found = ", ".join(f"{pipeline.LETTER_FINDING_LABELS[k]} {n}" for k, n in sorted(summary.findings.items())) or "none"
    verdict = "[red]VETO 互动回应差[/]" if summary.vetoes else "no veto"
    console.print(f"{summary.site_id}: {summary.records} interaction record(s) ({statuses}); findings: {found}; "
                  f"{verdict}")
    if summary.forms:
        console.print(f"  {len(summary.forms)} mailbox form/template page(s) whose records are not in the pages "
                      f"(filled by a script or behind a query): ask the vendor for a database export — "
                      f"{', '.join(summary.forms[:3])}{' …' if len(summary.forms) > 3 else ''}", highlight=False)
    if not summary.units:
        return
    table = Table(title=f"{summary.site_id}: per handling unit")
    columns = ("records", "replied", "unreplied", "refused", "unknown", "late", "overdue", "veto_unanswered")
    table.add_column("unit")
    for name in columns:
        table.add_column(name, justify="right")
    for unit, counts in sorted(summary.units.items()):
        table.add_row(unit, *(str(counts.get(name, 0)) for name in columns))
    console.print(table)
