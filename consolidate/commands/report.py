"""Commands for the office: status, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from consolidate.cli_common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    friendly_errors,
    open_workspace,
)
from consolidate.errors import ConsolidateError


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""

    @app.command()
    @friendly_errors
    def status(config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None, as_json: JsonOption = False) -> None:
        """Fleet table: stage and counts per site."""
        from consolidate.report import fleet_report

        report = fleet_report(open_workspace(config, db))
        if as_json:
            print(json.dumps(report, ensure_ascii=False, indent=2))
            return
        table = Table(title=f"{report['programme']} — {len(report['sites'])} sites")
        for header in ("site", "name", "disposition", "stage", "fetched", "errors", "articles", "columns",
                       "unmapped", "pushed", "skipped", "failed"):
            table.add_column(header, justify="right" if header not in ("site", "name", "disposition", "stage")
                             else "left")
        for f in report["sites"]:
            table.add_row(f["id"], f["name"], f["disposition"], f["stage"], str(f["crawl"]["fetched"]),
                          str(f["crawl"]["errors"]), str(f["articles"]), str(f["columns"]),
                          str(f["mapping"]["unmapped"]), str(f["push"]["in_target"]), str(f["push"]["skipped"]),
                          str(f["push"]["failed"]))
        console.print(table)


    @app.command()
    @friendly_errors
    def report(sites: Annotated[list[str] | None, typer.Argument(help="Site ids (default: the whole fleet).")] = None,
               config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None,
               fmt: Annotated[str, typer.Option("--format", "-f", help="md or json.")] = "md",
               output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None) -> None:
        """The office's report: per site and fleet-wide figures with the reconciliation line."""
        from consolidate.report import fleet_report, render_json, render_markdown

        renderers = {"md": render_markdown, "json": render_json}
        if fmt not in renderers:
            raise ConsolidateError(f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(renderers)}")
        text = renderers[fmt](fleet_report(open_workspace(config, db), sites or None))
        if output:
            output.write_text(text, encoding="utf-8")
            console.print(f"wrote {output}")
        else:
            print(text)
