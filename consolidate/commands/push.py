"""Commands of the push stage: push."""

from __future__ import annotations

from typing import Annotated

import typer

from consolidate import pipeline
from consolidate.cli_common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DbOption,
    console,
    friendly_errors,
    open_workspace,
    select_sites,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""

    @app.command()
    @friendly_errors
    def push(sites: Annotated[list[str] | None, typer.Argument(help="Site ids.")] = None,
             all_sites: Annotated[bool, typer.Option("--all", help="Push every configured site.")] = False,
             config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None,
             exporter: Annotated[str | None, typer.Option(help="Exporter to use instead of export.exporter.")] = None,
             update: Annotated[bool, typer.Option("--update", help="Re-send articles even when unchanged.")] = False,
             dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")] = False,
             limit: Annotated[int | None, typer.Option(help="Push at most N articles per site (trials).")] = None,
             only: Annotated[list[str] | None, typer.Option(help="Push only this legacy article URL (repeatable).")]
             = None) -> None:
        """Push mapped columns, articles and files into the portal target, idempotently."""
        ws = open_workspace(config, db)
        ids = select_sites(ws, sites, all_sites)
        target = pipeline.open_exporter(ws, exporter)
        try:
            for site_id in ids:
                s = pipeline.push_site(ws, site_id, target, update=update, dry_run=dry_run, limit=limit, only=only)
                skipped = ", ".join(f"{k}: {v}" for k, v in sorted(s.skipped.items())) or "0"
                prefix = "would push" if dry_run else "pushed"
                console.print(f"{site_id}: {prefix} {s.pushed} new, {s.updated} updated, {s.unchanged} unchanged, "
                              f"skipped {skipped}, {s.failed} failed; {s.files} files, {s.columns} columns "
                              f"→ {s.target}", highlight=False)
        finally:
            target.close()
