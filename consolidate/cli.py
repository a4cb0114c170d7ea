"""The `consolidate` command line: parses options, calls the library, reports errors in one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from consolidate import pipeline
from consolidate.errors import ConsolidateError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="consolidate",
    help="Move a city's legacy government websites into one central portal (政府网站集约化): "
         "crawl, map, push, cut over.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
fleet_app = typer.Typer(help="The built-in sample legacy fleet (for trying the tool and for tests).",
                        no_args_is_help=True)
app.add_typer(fleet_app, name="fleet")

console = Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", envvar="CONSOLIDATE_CONFIG",
                                            help="Path to migrations.yaml.")]
DbOption = Annotated[str | None, typer.Option("--db", envvar="CONSOLIDATE_DB", show_envvar=True,
                                              help="State store URL (default: SQLite in .consolidate/ beside "
                                                   "the config); e.g. postgresql+psycopg://user@host/db.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DEFAULT_CONFIG = Path("migrations.yaml")


def friendly_errors(func: F) -> F:
    """Turn library errors into one red line plus a hint, with the error's exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConsolidateError as exc:
            err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
            if exc.hint:
                err_console.print(f"[dim]hint:[/] {exc.hint}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/] — progress is saved; run the same command again to resume")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _workspace(config: Path, db: str | None) -> pipeline.Workspace:
    """Open the workspace named by the options."""
    return pipeline.Workspace.open(config, db)


def _site_ids(ws: pipeline.Workspace, sites: list[str] | None, all_sites: bool) -> list[str]:
    """Site ids from the arguments: the named ones, or every site with --all."""
    if all_sites or not sites:
        if not all_sites:
            raise ConsolidateError("name one or more sites, or use --all",
                                   hint=f"configured sites: {', '.join(s.id for s in ws.config.sites)}")
        return [s.id for s in ws.config.sites]
    return [ws.site(s).id for s in sites]


@app.command()
@friendly_errors
def init(path: Annotated[Path, typer.Argument(help="Where to write the example config.")] = DEFAULT_CONFIG,
         force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False) -> None:
    """Write a commented example migrations.yaml to start from."""
    from consolidate.demo import example_config_text

    if path.exists() and not force:
        raise ConsolidateError(f"{path} already exists", hint="use --force to overwrite it")
    path.write_text(example_config_text(), encoding="utf-8")
    console.print(f"wrote {path} — edit the portal, sites and export sections, then run "
                  f"`consolidate crawl --all`")


@app.command()
@friendly_errors
def status(config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Fleet table: stage and counts per site."""
    from consolidate.report import fleet_report

    report = fleet_report(_workspace(config, db))
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
def crawl(sites: Annotated[list[str] | None, typer.Argument(help="Site ids from migrations.yaml.")] = None,
          all_sites: Annotated[bool, typer.Option("--all", help="Crawl every configured site at once.")] = False,
          config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None) -> None:
    """Crawl legacy sites politely into the state store (resumes where a previous run stopped)."""
    ws = _workspace(config, db)
    ids = _site_ids(ws, sites, all_sites)
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
def columns(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
            db: DbOption = None, as_json: JsonOption = False) -> None:
    """The legacy columns found on a site, with article counts and last update."""
    ws = _workspace(config, db)
    rows = pipeline.legacy_columns(ws, ws.site(site).id)
    if as_json:
        for c in rows:
            print(json.dumps({"path": c.path, "name": c.name, "url": c.url, "articles": c.article_count,
                              "last_published": c.last_published, "flags": c.flags}, ensure_ascii=False))
        return
    table = Table(title=f"{site}: {len(rows)} columns")
    for header in ("column", "articles", "last update", "flags", "url"):
        table.add_column(header)
    for c in rows:
        table.add_row(c.path, str(c.article_count), c.last_published or "", ",".join(c.flags), c.url or "")
    console.print(table)


@app.command()
@friendly_errors
def articles(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
             db: DbOption = None, as_json: JsonOption = False,
             limit: Annotated[int | None, typer.Option(help="Show at most N articles.")] = None) -> None:
    """The articles extracted from a site (--json: one object per line with every field)."""
    from consolidate.records_io import article_records

    ws = _workspace(config, db)
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


@app.command("map")
@friendly_errors
def map_(site: Annotated[str, typer.Argument(help="Site id.")], config: ConfigOption = DEFAULT_CONFIG,
         db: DbOption = None, as_json: JsonOption = False,
         unmapped: Annotated[bool, typer.Option("--unmapped", help="Only columns without a decision.")] = False,
         flagged: Annotated[bool, typer.Option("--flagged", help="Only flagged columns (empty …).")] = False) -> None:
    """Decide where every legacy column goes (rules in migrations.yaml, then name/alias matches)."""
    ws = _workspace(config, db)
    rows = pipeline.map_site(ws, ws.site(site).id)
    if unmapped:
        rows = [(c, d) for c, d in rows if d.decision == "unmapped"]
    if flagged:
        rows = [(c, d) for c, d in rows if c.flags]
    if as_json:
        for c, d in rows:
            print(json.dumps({"column": c.path, "articles": c.article_count, "last_published": c.last_published,
                              "flags": c.flags, "decision": d.decision, "target": d.target,
                              "confidence": d.confidence, "reason": d.reason, "decided_by": d.decided_by},
                             ensure_ascii=False))
        return
    table = Table(title=f"{site}: column decisions")
    for header in ("legacy column", "articles", "last update", "flags", "decision", "target", "conf.", "reason"):
        table.add_column(header)
    for c, d in rows:
        style = {"unmapped": "yellow", "drop": "dim"}.get(d.decision, "")
        table.add_row(c.path, str(c.article_count), c.last_published or "", ",".join(c.flags), d.decision,
                      d.target or "", f"{d.confidence:.2f}", d.reason, style=style)
    console.print(table)


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
    ws = _workspace(config, db)
    ids = _site_ids(ws, sites, all_sites)
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
    text = renderers[fmt](fleet_report(_workspace(config, db), sites or None))
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        print(text)


@app.command()
@friendly_errors
def upgrade(config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None) -> None:
    """Upgrade the state store's schema to this release."""
    from consolidate.config import load_config
    from consolidate.store import SCHEMA_VERSION, Store

    loaded = load_config(config)
    store = Store.for_workspace(loaded.workspace, db, allow_old_schema=True)
    reached = store.upgrade()
    console.print(f"schema at version {SCHEMA_VERSION}" + (f" (upgraded through {reached})" if reached else
                                                          " (nothing to do)"))


@app.command()
@friendly_errors
def demo(workdir: Annotated[Path | None, typer.Option(help="Keep the demo workspace here (default: a temp dir).")]
         = None,
         articles: Annotated[int | None, typer.Option(help="Articles per sample site (default: a few hundred "
                                                            "pages in all).")] = None,
         rate: Annotated[float, typer.Option(help="Requests/s per host for the local sample servers.")] = 50.0
         ) -> None:
    """Run the whole job on the built-in sample fleet: serve, crawl, map, push to a static preview, report."""
    from consolidate.demo import run_demo

    result = run_demo(workdir, articles_per_site=articles, rate=rate, echo=lambda m: console.print(m,
                                                                                                 highlight=False))
    console.print(f"\n[bold]demo done[/] in {result.seconds:.1f}s: {result.pushed}/{result.articles} articles "
                  f"in the preview, reconciliation {'OK' if result.reconciled else 'FAILED'}")
    console.print(f"  workspace: {result.workdir}\n  preview:   {result.preview / 'index.html'}\n"
                  f"  report:    {result.report}")
    if not result.reconciled:
        raise typer.Exit(1)


@fleet_app.command("serve")
@friendly_errors
def fleet_serve(port_base: Annotated[int, typer.Option(help="First port; sites get consecutive ports.")] = 8701,
                seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
                articles: Annotated[int | None, typer.Option(help="Articles per site.")] = None) -> None:
    """Serve the sample legacy fleet on 127.0.0.1 (the example migrations.yaml points here)."""
    import time

    from consolidate.samplefleet import FleetServer, build_fleet

    fleet = build_fleet(seed=seed, articles_per_site=articles)
    ports = {site.site_id: port_base + i for i, site in enumerate(fleet.sites)}
    try:
        server = FleetServer(fleet, ports=ports).start()
    except OSError as exc:
        raise ConsolidateError(f"cannot listen on ports {port_base}…: {exc}",
                               hint="choose another --port-base") from None
    for site in fleet.sites:
        console.print(f"{site.site_id}\t{server.urls[site.site_id]}\t{site.name} ({site.cms}, {site.encoding})")
    console.print("serving; Ctrl-C to stop")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
