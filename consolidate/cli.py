"""The `consolidate` command line: parses options, calls the library, reports errors in one line."""

from __future__ import annotations

# First of all, before the modules that take a second or more to load: where this process is the `consolidate`
# command, a Ctrl-C or SIGTERM from here until the command's own handling takes over is one line and exit 130/143,
# not a traceback (a program importing this module as a library keeps its own signal handling).
from consolidate import startup  # isort: skip

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from consolidate.cli_common import (
    DEFAULT_CONFIG,
    EXIT_CODES,
    HELP_OPTIONS,
    ConfigOption,
    DbOption,
    add_exit_codes,
    console,
    friendly_errors,
    package_version,
)
from consolidate.commands import crawl as crawl_commands
from consolidate.commands import interaction as interaction_commands
from consolidate.commands import mapping as mapping_commands
from consolidate.commands import push as push_commands
from consolidate.commands import report as report_commands
from consolidate.commands import triage as triage_commands
from consolidate.core.errors import ConsolidateError, UsageError

app = typer.Typer(
    name="consolidate",
    help="Move a city's legacy government websites into one central portal (政府网站集约化): "
         "crawl, map, push, cut over.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=HELP_OPTIONS,
    epilog=EXIT_CODES.format(failure="the work failed") + " --json everywhere: JSON Lines (one object per line) "
           "for per-item listings, one JSON document for summaries.",
)
fleet_app = typer.Typer(help="The built-in sample legacy fleet (for trying the tool and for tests).",
                        no_args_is_help=True, context_settings=HELP_OPTIONS)
app.add_typer(fleet_app, name="fleet")


def _print_version(value: bool) -> None:
    """--version: print the installed version and stop."""
    if value:
        print(f"consolidate {package_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True,
                                                callback=_print_version)] = False) -> None:
    """Move a city's legacy government websites into one central portal (政府网站集约化): crawl, map, push, cut over."""


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



for commands in (report_commands, crawl_commands, mapping_commands, push_commands, triage_commands,
                 interaction_commands):
    commands.register(app)


@app.command()
@friendly_errors
def upgrade(config: ConfigOption = DEFAULT_CONFIG, db: DbOption = None) -> None:
    """Upgrade the state store's schema to this release."""
    from consolidate.core.config import load_config
    from consolidate.core.store import SCHEMA_VERSION, Store

    loaded = load_config(config)
    store = Store.for_workspace(loaded.workspace, db, allow_old_schema=True)
    reached = store.upgrade()
    console.print(f"schema at version {SCHEMA_VERSION}" + (f" (upgraded through {reached})" if reached else
                                                          " (nothing to do)"))


class PageWeight(StrEnum):
    """Page-weight profiles of the sample fleet (consolidate/samplefleet/weights.py)."""

    light = "light"
    real = "real"


@app.command()
@friendly_errors
def demo(workdir: Annotated[Path | None, typer.Option(help="Keep the demo workspace here (default: a temporary "
                                                           "folder, removed at the end).")]
         = None,
         articles: Annotated[int | None, typer.Option(help="Articles per sample site (default: a few hundred "
                                                            "pages in all).")] = None,
         rate: Annotated[float, typer.Option(help="Requests/s per host for the local sample servers.")] = 50.0,
         weight: Annotated[PageWeight, typer.Option(help="Page weight: light (~3 KiB pages) or real (as heavy as "
                                                         "real legacy sites, with 100–400 KiB table pages).")]
         = PageWeight.light
         ) -> None:
    """Run the whole job on the built-in sample fleet: serve, crawl, map, push to a static preview, report."""
    from consolidate.demo import run_demo

    result = run_demo(workdir, articles_per_site=articles, rate=rate, weight=weight.value,
                      echo=lambda m: console.print(m, highlight=False))
    console.print(f"\n[bold]demo done[/] in {result.seconds:.1f}s: {result.pushed}/{result.articles} articles "
                  f"in the preview, reconciliation {'OK' if result.reconciled else 'FAILED'}")
    if result.kept:
        console.print(f"  workspace: {result.workdir}\n  preview:   {result.preview / 'index.html'}\n"
                      f"  report:    {result.report}", highlight=False)
    else:
        console.print(f"  the temporary workspace {result.workdir} was removed; run `consolidate demo --workdir DIR` "
                      "to keep the workspace, preview and report and try the other commands on it", highlight=False)
    if not result.reconciled:
        raise typer.Exit(1)


@fleet_app.command("serve")
@friendly_errors
def fleet_serve(port_base: Annotated[int, typer.Option(help="First port; sites get consecutive ports.")] = 8701,
                seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
                articles: Annotated[int | None, typer.Option(help="Articles per site.")] = None,
                weight: Annotated[PageWeight, typer.Option(help="Page weight: light (~3 KiB pages) or real (as "
                                                                "heavy as real legacy sites).")]
                = PageWeight.light) -> None:
    """Serve the sample legacy fleet on 127.0.0.1 (the example migrations.yaml points here)."""
    import time

    from consolidate.samplefleet import FleetServer, build_fleet

    fleet = build_fleet(seed=seed, articles_per_site=articles, weight=weight.value)
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


@fleet_app.command("serve-samples")
@friendly_errors
def fleet_serve_samples(
        config_out: Annotated[Path, typer.Option("--config-out", help="Where to write the migrations.yaml that pins "
                                                 "the sites' host names to the servers.")] = Path("migrations.yaml"),
        samples: Annotated[Path | None, typer.Option(help="The real samples folder (default: CONSOLIDATE_SAMPLES, "
                                                     "else ../shared/samples beside the checkout).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --config-out.")] = False,
        rate: Annotated[float, typer.Option(help="crawl.rate_per_host of the written config (requests/s per "
                                            "host): polite by default, as for a real old server; the local "
                                            "copies take more, e.g. 20.", min=0.01)] = 1.0) -> None:
    """Serve the restored real legacy sites (a development checkout's ../shared/samples) on free 127.0.0.1 ports
    and write a migrations.yaml crawling them under their original host names (crawl.resolve)."""
    import time

    from consolidate.samplefleet.realsites import RealSitesServer, present_sites, samples_dir

    root = samples or samples_dir()
    sites = present_sites(root) if root is not None and root.is_dir() else ()
    if not sites:
        raise UsageError(f"no real sample sites at {root or '../shared/samples'}",
                         hint="pass --samples PATH or set CONSOLIDATE_SAMPLES (they come with a development "
                              "checkout, not with the package)")
    if config_out.exists() and not force:
        raise UsageError(f"{config_out} exists", hint="choose another --config-out, or pass --force")
    with RealSitesServer(root, sites) as server:
        config_out.write_text(server.config_text(rate=rate), encoding="utf-8")
        for site in server.sites:
            console.print(f"{site.id}\thttp://127.0.0.1:{server.ports[site.id]}/\t{site.name} ({site.cms}) as "
                          f"{site.home_url}", highlight=False, soft_wrap=True)
        console.print(f"config: {config_out} — in another terminal: consolidate crawl --all -c {config_out}; "
                      "serving; Ctrl-C to stop", highlight=False, soft_wrap=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


add_exit_codes(app)


def main() -> None:
    """Console-script entry point: the start-up guard (raised when this module loaded, or here when a program
    calls main() itself) stays up while the options are parsed."""
    startup.guard()
    app()


if __name__ == "__main__":
    main()
