"""Commands of the crawl stage: crawl, articles, extract."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from consolidate import cli_common as common
from consolidate import pipeline
from consolidate.cli_common import console, err_console, print_document, print_rows
from consolidate.core.config import CrawlSettings, load_config
from consolidate.core.errors import ConsolidateError, UsageError
from consolidate.core.workspace import home_page_problem


@contextmanager
def crawl_progress(quiet: bool = False) -> Iterator[Callable[[Any], None] | None]:
    """A progress callback: a live rich display when stderr is a terminal; none otherwise or with --json.
    The bar counts URLs done against URLs known (done + queued), a total that never shrinks: a URL leaves the
    queue only by being fetched, failed or skipped; the line says those fetched and the errors apart."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    columns = (TextColumn("[bold]{task.description}"), BarColumn(bar_width=None),
               TextColumn("{task.fields[fetched]} fetched · {task.fields[queued]} queued · {task.fields[rate]:.1f}/s · "
                          "{task.fields[articles]} articles · [red]{task.fields[errors]} errors[/]"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as display:
        tasks: dict[str, Any] = {}
        known: dict[str, int] = {}

        def update(p: Any) -> None:
            run = p.summary
            if run.site_id not in tasks:
                tasks[run.site_id] = display.add_task(run.site_id, total=None, fetched=0, rate=0.0, articles=0,
                                                      errors=0, queued=0)
            known[run.site_id] = max(known.get(run.site_id, 0), run.fetched + p.queued)
            display.update(tasks[run.site_id], completed=run.fetched, total=known[run.site_id], fetched=p.fetched,
                           rate=p.rate, articles=p.articles, errors=run.errors, queued=p.queued)

        yield update


def _recheck_count(value: str | None) -> int | Literal["all"]:
    """--recheck as the crawler takes it: a positive number of articles, or "all"."""
    if value is None:
        return 0
    if value.strip().lower() == "all":
        return "all"
    if value.strip().isdigit() and int(value) > 0:
        return int(value)
    raise UsageError(f"--recheck takes a positive number of articles or 'all', not {value!r}",
                     hint="e.g. consolidate crawl fgw --incremental --recheck 500 (the longest unchecked first)")


def _errors_line(site_id: str, run_errors: int, failed: list[pipeline.ErrorGroup]) -> str:
    """The site's failed URLs by cause, and where each is listed: the legacy site's own dead links (404) apart
    from the crawl's trouble (timeouts, 5xx …). Counted from the store, so a resumed run says both figures."""
    total = sum(g.count for g in failed)
    head = f"{total} errors" if total == run_errors else f"{total} URLs failed in all ({run_errors} in this run)"
    return f"  {head}: {pipeline.describe_errors(failed)} — `consolidate messages {site_id} --stage crawl`"


def _queued_again(s: Any) -> str:
    """How many of a run's errors got no answer and are queued again (said after the errors figure)."""
    return f" ({s.unanswered_left} of them no answer: queued again)" if s.unanswered_left else ""


def _unfinished_line(s: Any, left: int) -> str:
    """Why a crawl is not finished: URLs whose server gave no answer (it went away), queued for the next run."""
    paused = f"; paused {', '.join(s.paused_hosts)} (stopped answering)" if s.paused_hosts else ""
    return (f"{s.site_id}: crawl not finished: {s.unanswered} URLs got no answer in this run (connection refused, "
            f"reset or timed out){paused}; {left} URLs stay queued: run `consolidate crawl {s.site_id}` again when "
            "the server answers")


def _say_resumed(ws: Any, site_ids: list[str]) -> None:
    """One line per site whose crawl has URLs still queued: what this run resumes, or joins when another worker
    is crawling the site now (round-11 trial: a second worker said it resumed a crawl that was running)."""
    running = pipeline.crawled_elsewhere(ws, site_ids)
    for site_id, (done, left) in pipeline.resumable(ws, site_ids).items():
        what = "joining the crawl another worker is running" if site_id in running else \
            "resuming the crawl stopped earlier"
        err_console.print(f"{site_id}: {what} — {done} URLs already done, {left} still queued", highlight=False)


def _unlinked_counted(site_id: str, split: dict[str, int]) -> str:
    """How the checklist's count of entries that link nowhere follows from the site's: 'Of the site's 454 (every
    page, each once), 348 are in dropped columns; `consolidate checklist zjgztb` counts the other 106'."""
    parts = [f"{split['dropped']} are in dropped columns" if split["dropped"] else "",
             f"{split['undecided']} in undecided columns that show nothing else (a checklist line of their own)"
             if split["undecided"] else ""]
    said = [p for p in parts if p]
    if not said:
        return f"`consolidate checklist {site_id}` counts the site's {split['all']} (every page, each once)"
    return (f"Of the site's {split['all']} (every page, each once), {' and '.join(said)}; `consolidate checklist "
            f"{site_id}` counts the other {split['counted']}")


@common.friendly_errors
def crawl(sites: Annotated[list[str] | None, typer.Argument(help="Site ids from migrations.yaml.")] = None,
          all_sites: Annotated[bool, typer.Option("--all", help="Crawl every configured site at once.")] = False,
          incremental: Annotated[bool, typer.Option(
              "--incremental", help="Re-check a crawled site with conditional requests and list diffing; "
                                    "mark new, changed and vanished articles.")] = False,
          recheck: Annotated[str | None, typer.Option(
              "--recheck", metavar="N|all",
              help="With an incremental run (implied): also re-request N stored articles per site, the longest "
                   "unchecked first, or all, to find articles edited in place (a 304 costs no body).")] = None,
          config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
          as_json: common.SummaryJsonOption = False) -> None:
    """Crawl legacy sites politely into the state store (resumes where a previous run stopped)."""
    articles = _recheck_count(recheck)
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    if not as_json:
        _say_resumed(ws, ids)
    with crawl_progress(quiet=as_json) as progress:
        summaries = pipeline.crawl_fleet(ws, ids, progress, incremental or bool(articles), articles,
                                         notice=lambda line: err_console.print(line, style="yellow", markup=False,
                                                                               highlight=False))
    left = pipeline.resumable(ws, ids)
    unreachable = []
    unfinished = []
    documents = []
    for s in summaries:
        problem = home_page_problem(ws, s.site_id) or s.robots_unreachable
        failed = pipeline.crawl_errors(ws, s.site_id)
        documents.append({**{k: v for k, v in vars(s).items() if not k.startswith("_")},
                          "warc": str(s.warc) if s.warc else None, "problem": problem or None,
                          "errors_recorded": sum(g.count for g in failed),
                          "error_causes": [g.as_dict() for g in failed]})
        if problem:
            unreachable.append(s.site_id)
        elif s.unanswered_left or s.paused_hosts:
            unfinished.append(_unfinished_line(s, left.get(s.site_id, (0, 0))[1]))
        if as_json:
            continue
        new = s.articles_new + s.articles_changed
        note = " (page budget reached; run again to continue)" if s.budget_reached else ""
        judged = "" if not s.incremental else \
            f" ({s.articles_rechecked} re-requested, the rest judged by their list entries)" if s.articles_rechecked \
            else " (judged by their list entries)"
        delta = (f", {s.not_modified} pages not modified (304), {s.articles_new} new, {s.articles_changed} changed, "
                 f"{s.articles_vanished} vanished" if s.incremental else "")
        console.print(f"{s.site_id}: {s.fetched} requests, {new} new/changed articles, "
                      f"{s.articles_unchanged} unchanged{judged}, {s.errors} errors{_queued_again(s)}, {s.skipped} skipped{delta}, "
                      f"{s.bytes / 1e6:.1f} MB, {s.seconds:.1f}s{note}", highlight=False)
        if failed:
            console.print(_errors_line(s.site_id, max(0, s.errors - s.unanswered_left), failed), highlight=False)
        if s.entries_without_address:
            console.print(f"  {s.entries_without_address} entries of the pages fetched in this run (list pages, the "
                          f"home page) link nowhere (javascript:;, # or empty) and cannot be fetched: `consolidate "
                          f"messages {s.site_id} --stage crawl` names them by page. "
                          f"{_unlinked_counted(s.site_id, pipeline.unlinked_split(ws, s.site_id))}", highlight=False)
        if s.warc:
            console.print(f"  archive: {s.warc}", highlight=False)
        if problem:
            err_console.print(f"[bold red]error:[/] {s.site_id}: {problem}", highlight=False)
    if as_json:
        print_document({"incremental": incremental or bool(articles), "sites": documents})
    for line in unfinished:
        err_console.print(f"[bold red]error:[/] {line}", highlight=False)
    if unreachable:
        err_console.print(f"[dim]hint:[/] check home_url of {', '.join(unreachable)} and that the server "
                          "answers; the crawl resumes when run again")
    if unreachable or unfinished:
        raise typer.Exit(1)


@common.friendly_errors
def articles(sites: Annotated[list[str] | None, typer.Argument(help="Site ids (or --all).")] = None,
             all_sites: common.AllOption = False,
             config: common.ConfigOption = common.DEFAULT_CONFIG,
             db: common.DbOption = None, as_json: common.JsonOption = False, as_csv: common.CsvOption = False,
             limit: Annotated[int | None, typer.Option(help="Show at most N articles per site.")] = None) -> None:
    """The articles extracted from a site (--json: one object per line with every field)."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    records = [r for site_id in ids for r in pipeline.article_records(ws, site_id, limit)]
    if print_rows(records, as_json, as_csv):
        return
    table = Table(title=f"{', '.join(ids)}: {len(records)} articles")
    for header in ("published", "column", "title", "files", "url"):
        table.add_column(header)
    for r in records:
        table.add_row(r["published"] or "—", " > ".join(r["column_path"]), r["title"] or "—",
                      str(len(r["attachments"])), r["url"])
    console.print(table)


@common.friendly_errors
def extract(target: Annotated[str, typer.Argument(help="An HTML file or URL; with --from-archive a site id.")],
            from_archive: Annotated[bool, typer.Option(
                "--from-archive", help="Re-extract every article of the site from its WARC files.")] = False,
            url: Annotated[str | None, typer.Option(
                "--url", help="Where the page lived (resolves links and URL dates of a saved file).")] = None,
            as_json: common.JsonOption = False, config: common.ConfigOption = common.DEFAULT_CONFIG,
            db: common.DbOption = None) -> None:
    """Extract one page into an article record, or re-extract a crawled site from its archive."""
    if from_archive:
        _extract_archive(target, config, db, as_json)
        return
    record = _extract_one(target, url, config)
    if as_json:
        print(json.dumps(record.to_public_dict(), ensure_ascii=False))
        return
    table = Table(show_header=False, title=record.url)
    for key, value in record.to_public_dict().items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        table.add_row(key, (text or "—")[:300])
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    register_urls(app)
    app.command()(crawl)
    app.command()(articles)
    app.command()(extract)


def _extract_one(target: str, original_url: str | None, config: Path) -> Any:
    """The record of one file or URL (crawl settings from the config when there is one)."""
    if "://" in target and not target.startswith("file://"):
        loaded = load_config(config).config if config.exists() else None
        site = loaded.site_for_url(original_url or target) if loaded is not None else None
        settings = (loaded.crawl_settings(site) if site else loaded.crawl) if loaded is not None else CrawlSettings()
        record = pipeline.extract_url(target, settings, original_url)
        record.site = site.id if site is not None else None
        return record
    path = Path(target.removeprefix("file://"))
    if not path.is_file():
        raise ConsolidateError(f"no such file: {target}", hint="give an HTML file, an http(s) URL, "
                                                               "or a site id with --from-archive")
    return pipeline.extract_file(path, original_url)


def _extract_archive(site_id: str, config: Path, db: str | None, as_json: bool) -> None:
    """Re-extract a site from its WARC files and print what changed."""
    ws = common.open_workspace(config, db)
    summary = pipeline.reextract_archive(ws, site_id)
    if as_json:
        print(json.dumps(summary.__dict__, ensure_ascii=False))
        return
    console.print(f"{summary.site_id}: {summary.articles} articles re-extracted from {summary.archives} archive "
                  f"file(s): {summary.new} new, {summary.changed} changed, {summary.unchanged} unchanged, "
                  f"{summary.missing} not in the archive, {summary.failed} undecodable"
                  + (f"; {summary.damaged} damaged archive record(s) skipped (see events)" if summary.damaged else ""),
                  highlight=False)


@common.friendly_errors
def import_log(site: Annotated[str, typer.Argument(help="Site id.")],
               logs: Annotated[list[Path], typer.Argument(help="Access logs: nginx/Apache combined, IIS W3C or "
                                                               "CSV (path[,hits]); .gz too.")],
               config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
               top: Annotated[int, typer.Option(help="How many unresolved URLs to list.", min=0)] = 20) -> None:
    """Count requested legacy paths from server logs into the ledger; list the top unresolved URLs by hits."""
    ws = common.open_workspace(config, db)
    site_id = ws.site(site).id

    def said(r: Any) -> None:
        if r.already:
            console.print(f"{r.name}: already imported (same content), not counted again", highlight=False)
        else:
            console.print(f"{r.name} ({r.log_format}): {r.requests} requests to {r.urls} URLs"
                          + (f", {r.unreadable} lines not understood (skipped)" if r.unreadable else ""),
                          highlight=False)

    pipeline.import_logs(ws, site_id, logs, said)
    entries = pipeline.site_ledger(ws, site_id)
    threshold = ws.config.programme.hit_threshold
    hot = [e for e in entries if e.disposition == "unresolved" and e.hits >= threshold]
    console.print(f"{site_id}: {len(hot)} unresolved URLs with ≥ {threshold} hits block sign-off", highlight=False)
    for e in pipeline.top_unresolved(entries, top):
        console.print(f"  {e.hits:>8}  {e.url}  ({e.url_class}: {e.reason})", highlight=False)


@common.friendly_errors
def list_urls(sites: Annotated[list[str] | None, typer.Argument(help="Site ids (or --all).")] = None,
              all_sites: common.AllOption = False,
              config: common.ConfigOption = common.DEFAULT_CONFIG,
              db: common.DbOption = None, as_json: common.JsonOption = False, as_csv: common.CsvOption = False,
              disposition: Annotated[str | None, typer.Option(help="Only this disposition (e.g. unresolved).")]
              = None,
              target: Annotated[str | None, typer.Option(help="Judge articles on this exporter target "
                                                             "(default: the configured one).")] = None) -> None:
    """Every legacy URL with its class, disposition, new URL, reason and logged hits."""
    if disposition is not None and disposition not in pipeline.DISPOSITIONS:
        raise UsageError(f"unknown disposition {disposition!r}", hint=f"use one of: "
                                                                       f"{', '.join(pipeline.DISPOSITIONS)}")
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    known = sorted({t for site_id in ids for t in pipeline.site_targets(ws, site_id)})
    if target is not None and target not in known:
        raise UsageError(f"--target {target!r}: nothing of these sites was pushed there",
                         hint=f"targets pushed to: {', '.join(known)}" if known else "no site here is pushed yet")
    pairs = [(site_id, e) for site_id in ids for e in pipeline.site_ledger(ws, site_id, target)]
    entries = [e for _, e in pairs]
    shown = [e for e in entries if disposition is None or e.disposition == disposition]
    if print_rows([{"site": site_id, **e.as_dict()} for site_id, e in pairs
                   if disposition is None or e.disposition == disposition], as_json, as_csv):
        return
    for e in shown:
        console.print(f"{e.disposition:<10} {e.url_class:<11} {e.hits:>6}  {e.url}"
                      + (f" → {e.new_url}" if e.new_url else "") + (f"  ({e.reason})" if e.reason else ""),
                      highlight=False, soft_wrap=True)
    console.print(", ".join(f"{k} {v}" for k, v in pipeline.counts(entries).items() if v), highlight=False)


def register_urls(app: typer.Typer) -> None:
    """Add the `urls` group: the ledger of legacy URLs and server-log import."""
    urls_app = typer.Typer(help="The ledger of legacy URLs: every URL seen, with one disposition each.",
                           no_args_is_help=True)
    app.add_typer(urls_app, name="urls")
    urls_app.command("import-log")(import_log)
    urls_app.command("list")(list_urls)
