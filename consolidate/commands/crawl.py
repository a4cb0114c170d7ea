"""Commands of the crawl stage: crawl, articles."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from consolidate import pipeline
from consolidate.cli_common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    err_console,
    friendly_errors,
    open_workspace,
    select_sites,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""

    @app.command()
    @friendly_errors
    def crawl(sites: Annotated[list[str] | None, typer.Argument(help="Site ids from migrations.yaml.")] = None,
              all_sites: Annotated[bool, typer.Option("--all", help="Crawl every configured site at once.")] = False,
              config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None) -> None:
        """Crawl legacy sites politely into the state store (resumes where a previous run stopped)."""
        ws = open_workspace(config, db)
        ids = select_sites(ws, sites, all_sites)
        interactive = sys.stderr.isatty()
        last_line: dict[str, int] = {}

        def progress(p: Any) -> None:
            if interactive or p.fetched - last_line.get(p.site_id, 0) >= 100:
                last_line[p.site_id] = p.fetched
                err_console.print(f"{p.site_id}: {p.fetched} fetched, {p.articles} articles, {p.errors} errors, "
                                  f"{p.rate:.1f} pages/s", highlight=False, end="\r" if interactive else "\n")

        summaries = pipeline.crawl(ws, ids, progress)
        for s in summaries:
            new = s.articles_new + s.articles_changed
            note = " (page budget reached; run again to continue)" if s.budget_reached else ""
            console.print(f"{s.site_id}: {s.fetched} fetched, {new} new/changed articles, "
                          f"{s.articles_unchanged} unchanged, {s.errors} errors, {s.skipped} skipped, "
                          f"{s.seconds:.1f}s{note}" + (f"\n  archive: {s.warc}" if s.warc else ""), highlight=False)


    @app.command()
    @friendly_errors
    def articles(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
                 db: DbOption = None, as_json: JsonOption = False,
                 limit: Annotated[int | None, typer.Option(help="Show at most N articles.")] = None) -> None:
        """The articles extracted from a site (--json: one object per line with every field)."""
        from consolidate.records_io import article_records

        ws = open_workspace(config, db)
        records = article_records(ws, ws.site(site).id, limit)
        if as_json:
            for record in records:
                print(json.dumps(record, ensure_ascii=False))
            return
        table = Table(title=f"{site}: {len(records)} articles")
        for header in ("published", "column", "title", "files", "url"):
            table.add_column(header)
        for r in records:
            table.add_row(r["published"] or "—", " > ".join(r["column_path"]), r["title"] or "—",
                          str(len(r["attachments"])), r["url"])
        console.print(table)
