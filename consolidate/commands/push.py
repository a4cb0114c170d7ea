"""Commands of the push stage: push, verify, rollback, redirects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consolidate import pipeline
from consolidate.cli_common import (
    DEFAULT_CONFIG,
    ConfigOption,
    DbOption,
    console,
    emit,
    err_console,
    friendly_errors,
    open_workspace,
    select_sites,
)
from consolidate.leases import SiteBusyError


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
             limit: Annotated[int | None, typer.Option(min=0, help="Push at most N articles per site (trials).")]
             = None,
             only: Annotated[list[str] | None, typer.Option(help="Push only this legacy article URL (repeatable).")]
             = None,
             sync: Annotated[bool, typer.Option("--sync", help="Also retract from the target the articles an "
                                                            "incremental crawl found gone from the legacy site.")]
             = False,
             allow_untriaged: Annotated[bool, typer.Option("--allow-untriaged", help="Push articles whose personal "
                                                           "data nobody has decided on in `consolidate triage` "
                                                           "(the report states it).")] = False) -> None:
        """Push mapped columns, articles and files into the portal target, idempotently."""
        ws = open_workspace(config, db)
        ids = select_sites(ws, sites, all_sites)
        target = pipeline.open_exporter(ws, exporter)
        busy_sites: list[str] = []
        try:
            for site_id in ids:
                try:
                    s = pipeline.push_site(ws, site_id, target, update=update, dry_run=dry_run, limit=limit,
                                           only=only, sync=sync, allow_untriaged=allow_untriaged)
                except SiteBusyError as busy:
                    console.print(f"{site_id}: skipped — {busy.message}", highlight=False)
                    busy_sites.append(site_id)
                    continue
                skipped = ", ".join(f"{k}: {v}" for k, v in sorted(s.skipped.items())) or "0"
                prefix = "would push" if dry_run else "pushed"
                console.print(f"{site_id}: {prefix} {s.pushed} new, {s.updated} updated, {s.unchanged} unchanged, "
                              f"skipped {skipped}, {s.failed} failed; {s.files} files, {s.columns} columns"
                              + (f", {s.removed} removed" if s.removed else "") + f" → {s.target}", highlight=False)
                if s.failed or s.skipped:
                    console.print(f"  reasons per article: consolidate messages {site_id} --stage push",
                                  highlight=False)
        finally:
            target.close()
        if busy_sites:  # a skipped site is work not done: never exit 0
            raise SiteBusyError(f"not pushed, another worker holds: {', '.join(busy_sites)}",
                                hint="run the same command again once that worker is done")

    @app.command()
    @friendly_errors
    def verify(sites: Annotated[list[str] | None, typer.Argument(help="Site ids.")] = None,
               all_sites: Annotated[bool, typer.Option("--all", help="Verify every configured site.")] = False,
               config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None,
               exporter: Annotated[str | None, typer.Option(help="Exporter to read from.")] = None,
               as_json: Annotated[bool, typer.Option("--json", help="One JSON object per article.")] = False) -> None:
        """Read every pushed article back from the target and compare title, date, body, column and files."""
        from consolidate.verify import verify_site

        ws = open_workspace(config, db)
        target = pipeline.open_exporter(ws, exporter)
        failed = False
        try:
            for site_id in select_sites(ws, sites, all_sites):
                summary = verify_site(ws, site_id, target)
                failed = failed or summary.mismatch > 0 or summary.missing > 0
                if as_json:
                    for r in summary.results:
                        print(json.dumps({"site": site_id, "url": r.source_url, "status": r.status,
                                          "differences": r.differences}, ensure_ascii=False))
                    continue
                console.print(f"{site_id}: {summary.ok} ok, {summary.mismatch} differ, {summary.missing} missing",
                              highlight=False)
                for r in summary.results:
                    if r.status != "ok":
                        console.print(f"  {r.status}: {r.source_url}: {'; '.join(r.differences)}", highlight=False)
                for url, problems in summary.suspect:
                    console.print(f"  suspect: {url}: {'; '.join(problems)}", highlight=False)
                if summary.suspect:
                    console.print(f"  {len(summary.suspect)} records look wrong on their face; check them before "
                                  f"sign-off (consolidate messages {site_id} --stage verify)", highlight=False)
        finally:
            target.close()
        if failed:
            raise typer.Exit(1)

    @app.command()
    @friendly_errors
    def rollback(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
                 db: DbOption = None,
                 exporter: Annotated[str | None, typer.Option(help="Exporter to remove from.")] = None,
                 only: Annotated[list[str] | None, typer.Option(help="Remove only this legacy article URL "
                                                                     "(repeatable).")] = None) -> None:
        """Remove from the target what this tool created for a site (and only that); the push map is updated."""
        from consolidate.verify import rollback_site

        ws = open_workspace(config, db)
        target = pipeline.open_exporter(ws, exporter)
        try:
            s = rollback_site(ws, ws.site(site).id, target, only)
        finally:
            target.close()
        console.print(f"{site}: removed {s.articles} articles, {s.files} files, {s.columns} columns; "
                      f"kept {s.kept_shared} shared with other sites", highlight=False)
        for failure in s.failed:
            err_console.print(f"  could not remove {failure}", highlight=False)
        if s.failed:
            raise typer.Exit(1)

    @app.command()
    @friendly_errors
    def redirects(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
                  db: DbOption = None,
                  fmt: Annotated[str, typer.Option("--format", "-f", help="nginx, apache or csv.")] = "csv",
                  output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
                  gone_page: Annotated[str | None, typer.Option(help="File served with 410 answers (the "
                                                                     "'site has moved' page).")] = None,
                  import_file: Annotated[Path | None, typer.Option("--import", help="Apply an edited CSV.")]
                  = None,
                  unresolved: Annotated[str, typer.Option("--unresolved", help="refuse (default): no server config "
                                                          "while URLs are undecided; home: answer them with a "
                                                          "temporary 302 to the site's new home.")] = "refuse"
                  ) -> None:
        """Every legacy URL's outcome (301 / 410 archived / unresolved) as nginx or Apache config, or CSV."""
        from consolidate.redirects import count_redirects, import_csv, load_redirects, render

        ws = open_workspace(config, db)
        if import_file is not None:
            result = import_csv(ws, ws.site(site).id, import_file)
            console.print(f"{site}: {result.changed} URL outcomes changed, {result.unchanged} unchanged")
            return
        tally = count_redirects(load_redirects(ws, ws.site(site).id))
        err_console.print(f"{site}: {tally.text()}", highlight=False)
        text = render(ws, ws.site(site).id, fmt, gone_page, unresolved)
        if tally.unresolved and fmt != "csv":
            err_console.print(f"{site}: {tally.unresolved} unresolved URLs answer a temporary 302 to the site's new "
                              "home until decided", highlight=False)
        emit(text, output)
