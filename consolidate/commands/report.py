"""Commands for the office: status, report, checklist, notice, monitor."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from consolidate import cli_common as common
from consolidate import pipeline
from consolidate.cli_common import StepProgress, console, emit, err_console, per_site_file, print_rows
from consolidate.core.errors import ConsolidateError, UsageError
from consolidate.core.outputs import save_output
from consolidate.core.storage import describe_status, storage_status, store_outputs
from consolidate.pipeline import counted

AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Judge deadlines as of this date (YYYY-MM-DD; "
                                                                 "default today).")]
REPORT_FORMATS = ("md", "json", "html", "xlsx")
# every monitor category but ok exits 1: an old URL nobody could reach, or one nobody decided, is not checked fine
MONITOR_PROBLEMS = tuple(c for c in pipeline.MONITOR_CATEGORIES if c != "ok")
WIDE_STATUS = 120  # below this many columns `status` stacks each site's figures instead of one wide table


def _as_of(text: str | None) -> dt.date | None:
    """The --as-of date, parsed."""
    return pipeline.parse_date(text, "--as-of") if text else None


def _print_retention(retention: dict[str, Any]) -> None:
    """One line on the retention cap; red when it is exceeded."""
    if retention["violation"]:
        console.print(f"[bold red]retention cap violated:[/] {retention['message']}", highlight=False)
    else:
        console.print(f"retained {retention['retained']} of the fleet's {retention['in_scope']} sites "
                      f"(cap {retention['cap']:.0%}, at most {retention['allowed']})", highlight=False)


@common.friendly_errors
def status(config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
           as_json: common.JsonOption = False,
           as_of: AsOfOption = None) -> None:
    """Fleet table: stage, counts, next checklist step and due date per site."""
    ws = common.open_workspace(config, db)
    report = pipeline.fleet_report(ws, as_of=_as_of(as_of))
    workers = pipeline.workers(ws)
    storage = storage_status(ws.config, ws.dir)
    if as_json:
        print(json.dumps({**report.as_dict(), "workers": workers, "storage": storage}, ensure_ascii=False,
                         indent=2))
        return
    if console.width < WIDE_STATUS:
        _print_stacked_status(report)
    else:
        _print_status_table(report)
    _print_pointers(report.sites)
    _print_retention(report.retention)
    _print_workers(workers)
    console.print(describe_status(storage), highlight=False)


def _print_stacked_status(report: pipeline.FleetReport) -> None:
    """The fleet status for a narrow terminal: a few short lines per site."""
    console.print(f"[bold]{report.programme}[/] — {_sites(len(report.sites))}", highlight=False)
    for f in report.sites:
        due = f.next_due or ""
        if f.behind:
            due = f"[red]{due} (behind)[/]"
        console.print(f"\n[bold]{f.id}[/] {f.name} · {f.disposition} · {f.stage}", highlight=False)
        console.print(f"  crawl   {f.crawl.fetched} fetched, {f.crawl.errors} errors{_queued(f)}; {f.articles} "
                      f"articles, {_columns_text(f)}", highlight=False)
        console.print(f"  push    {f.push.in_target} in target, {f.push.skipped} skipped{_why(f.push.skip_reasons)}, "
                      f"{f.push.failed} failed, {f.reconciliation.unresolved} unresolved"
                      f"{_why(f.push.unresolved_reasons)}", highlight=False)
        console.print(f"  next    {_step_text(f.next_step)}" + (f", due {due}" if due else ""), highlight=False)
    console.print()


def _columns_text(f: Any) -> str:
    """'32 columns incl. (no column) of 65 articles (20 unmapped)': the rows `map` decides, counted as it does."""
    rows = "1 column" if f.columns == 1 else f"{f.columns} columns"
    if f.mapping.no_column_articles:
        n = f.mapping.no_column_articles
        rows += f" incl. (no column) of {n} article{'' if n == 1 else 's'}"
    return f"{rows} ({f.mapping.text(f.columns)})"


def _sites(n: int) -> str:
    """'1 site' / '6 sites'."""
    return f"{n} site" if n == 1 else f"{n} sites"


def _step_text(step: str | None) -> str:
    """A checklist step as the checklist and report name it: 'content_migrated 内容迁移完成并核验'; 'done' for none."""
    if step is None:
        return "done"
    spec = pipeline.CHECKLIST_STEPS.get(step)
    return f"{step} {spec.zh}" if spec else step


def _queued(f: Any) -> str:
    """', 324 queued (crawl not finished: consolidate crawl jspn)' for a site whose crawl left URLs to fetch; ''
    when it has none."""
    n = f.crawl.queued
    return f", [yellow]{n} queued[/] (crawl not finished: consolidate crawl {f.id})" if n else ""


def _why(reasons: dict[str, int] | None) -> str:
    """' (empty body 28, personal data undecided 8)': counts per reason code, in push's words; '' for none."""
    return f" ({', '.join(f'{reason} {n}' for reason, n in reasons.items())})" if reasons else ""


def _print_status_table(report: pipeline.FleetReport) -> None:
    """The fleet status as one wide table (a terminal of at least WIDE_STATUS columns)."""
    table = Table(title=f"{report.programme} — {_sites(len(report.sites))}")
    queued = any(f.crawl.queued for f in report.sites)  # the column only while some crawl is unfinished
    for header in ("site", "name", "disposition", "stage", "fetched", *(("queued",) if queued else ()), "errors",
                   "articles", "columns", "unmapped", "pushed", "skipped", "failed", "unresolved", "next step", "due"):
        table.add_column(header, justify="left" if header in ("site", "name", "disposition", "stage",
                                                               "next step", "due") else "right")
    for f in report.sites:
        due = f"[red]{f.next_due} (behind)[/]" if f.behind else (f.next_due or "")
        table.add_row(f.id, f.name, f.disposition, f.stage, str(f.crawl.fetched),
                      *((f"[yellow]{f.crawl.queued}[/]" if f.crawl.queued else "",) if queued else ()),
                      str(f.crawl.errors),
                      str(f.articles), str(f.columns), str(f.mapping.unmapped) if f.mapping.recorded or not f.columns else "—", str(f.push.in_target),
                      str(f.push.skipped), str(f.push.failed), str(f.reconciliation.unresolved),
                      _step_text(f.next_step), due)
    console.print(table)
    for f in report.sites:
        if f.crawl.queued:
            console.print(f"{f.id}: {f.crawl.queued} queued — crawl not finished: consolidate crawl {f.id}",
                          highlight=False)


def _print_pointers(sites: list[Any]) -> None:
    """Per site with something to read: where the per-item reasons are, a line per target that does not add up
    and one per target behind the last crawl (changed or gone articles the next push sends or retracts)."""
    for f in sites:
        targets = f.targets
        for t in targets:
            line = t.reconciliation
            if len(targets) > 1 or not line.ok or line.unresolved:
                colour = "red" if not line.ok else "yellow" if line.unresolved else "green"
                where = f"{f.id} → {t.target}" if t.target else f"{f.id} (not pushed yet)"
                console.print(f"[{colour}]{where}: {pipeline.reconciliation_text(line, 'en')}[/]",
                              highlight=False)  # wrapped at the terminal's width
        for line in f.renamed_columns or []:  # the decision follows; the office signs it again
            console.print(f"[yellow]{f.id}: {escape(line)}[/]: consolidate map {f.id}", highlight=False)
        for pending in (f.checklist or {}).get("pending_push") or []:  # a target behind the last crawl
            console.print(f"[yellow]{f.id}: not up to date: {escape(pending['text'])}[/]", highlight=False)
        undecided = (f.triage or {}).get("undecided_personal", 0)
        if undecided:
            held = (f.push.unresolved_reasons or {}).get(pipeline.UNTRIAGED, 0)
            console.print(f"[yellow]{f.id}: {counted(undecided, 'personal-data finding')} undecided"
                          + (f" ({counted(held, 'article')} not pushed)" if held else "") + "[/] — decide them: "
                          f"consolidate triage {f.id} --export triage-{f.id}.xlsx, then consolidate triage --import "
                          f"triage-{f.id}.xlsx", highlight=False)
        found = f.messages or {}
        if any(found.values()):
            counts = ", ".join(f"{stage} {n}" for stage, n in sorted(found.items()))
            console.print(f"{f.id}: {sum(found.values())} messages ({counts}) — consolidate messages {f.id}",
                          highlight=False)


@common.friendly_errors
def messages(sites: common.SitesArgument = None, all_sites: common.AllOption = False,
             config: common.ConfigOption = common.DEFAULT_CONFIG,
             db: common.DbOption = None, as_json: common.JsonOption = False, as_csv: common.CsvOption = False,
             stage: Annotated[str | None, typer.Option(help="crawl, map, push or verify.")] = None,
             limit: Annotated[int | None, typer.Option(help="Show at most N (text output).", min=1)] = None
             ) -> None:
    """Every per-item message of a site with its reason: fetch errors, page classes, undecided columns,
    skips and duplicates, push failures, verify differences, vanished articles."""
    ws = common.open_workspace(config, db)
    found = [{"site": site_id, **m} for site_id in common.select_sites(ws, sites, all_sites)
             for m in pipeline.site_messages(ws, site_id, stage)]
    if print_rows(found, as_json, as_csv):
        return
    colours = {"error": "red", "warning": "yellow", "info": "dim"}
    for m in found[:limit]:
        where = f" {m['url']}" if m.get("url") else ""
        target = f" [{m['target']}]" if m.get("target") else ""  # escaped: '[wordpress]' is no markup tag
        console.print(f"[{colours.get(m['level'], 'dim')}]{m['stage']:<6} {m['level']:<7}[/] "
                      + escape(f"{m['code']}{target}:{where} — {m['message']}"), highlight=False, soft_wrap=True)
    console.print(f"{len(found)} messages" + (f" (showing {limit})" if limit and len(found) > limit else ""),
                  highlight=False)


def _print_workers(workers: dict[str, list[dict[str, Any]]]) -> None:
    """One line per live worker and per leased site."""
    for w in workers["crawl"]:
        console.print(f"crawl worker {w['id']}: sites {', '.join(w['sites'])}, {w['fetched']} fetched, "
                      f"{w['leases']} URLs leased, heartbeat {w['heartbeat_at']}", highlight=False)
    for lease in workers["leases"]:
        console.print(f"{lease['stage']} lease: {lease['site']} held by {lease['worker']} until "
                      f"{lease['expires_at']}", highlight=False)


@common.friendly_errors
def report(sites: Annotated[list[str] | None, typer.Argument(help="Site ids (default: the whole fleet).")]
           = None,
           all_sites: Annotated[bool, typer.Option("--all", help="The whole fleet (the default).")] = False,
           config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
           fmt: Annotated[str | None, typer.Option("--format", "-f", help="html, xlsx, md or json (default: "
                                                   "from the output file's suffix, else md).")] = None,
           output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
           lang: Annotated[str, typer.Option("--lang", help="zh (default) or en labels.")] = "zh",
           as_of: AsOfOption = None) -> None:
    """The office's report: inventory, crawl, audit, mapping, push, redirects, checklist, reconciliation."""
    if all_sites and sites:
        raise UsageError("give site ids or --all, not both", hint="without site ids the report covers the fleet")
    chosen = fmt or (output.suffix.lstrip(".").lower() if output and output.suffix else "md")
    if chosen not in REPORT_FORMATS:
        raise UsageError(f"unknown report format {chosen!r}", hint=f"use one of: {', '.join(REPORT_FORMATS)}")
    pipeline.check_lang(lang)
    if chosen == "xlsx" and output is None:
        raise ConsolidateError("an XLSX report needs a file", hint="add -o report.xlsx")
    with StepProgress() as steps:
        ws = common.open_workspace(config, db)
        data = pipeline.fleet_report(ws, sites or None, as_of=_as_of(as_of), details=True,
                                     progress=steps.task("report", "steps"))
    if chosen == "xlsx":
        assert output is not None
        book = pipeline.render_xlsx(data, lang)
        save_output(output, lambda path: path.write_bytes(book))
        console.print(f"wrote {output}")
    else:
        renderers = {"md": lambda d: pipeline.render_markdown(d, lang), "json": pipeline.render_json,
                     "html": lambda d: pipeline.render_html(d, lang)}
        emit(renderers[chosen](data), output)
    for key in store_outputs(ws.config, ws.dir, [output] if output else [], "reports"):  # s3:// (issue 22)
        console.print(f"stored {key} in {ws.config.workspace.storage}", highlight=False)


@common.friendly_errors
def checklist(sites: common.SitesArgument = None, all_sites: common.AllOption = False,
              config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
              as_json: common.JsonOption = False,
              done: Annotated[str | None, typer.Option("--done", help="Record this step as done (with --ref, the "
                                                                      "evidence; a step that is blocked, unknown "
                                                                      "or dated in the future is refused, exit 2)."
                                                      )] = None,
              date: Annotated[str | None, typer.Option("--date", help="When the step was done "
                                                                      "(YYYY-MM-DD; default today).")] = None,
              ref: Annotated[str | None, typer.Option("--ref", help="Evidence: approval number, ticket, "
                                                                    "URL.")] = None,
              accept_unlinked: Annotated[bool, typer.Option("--accept-unlinked", help="Acknowledge the list entries "
                                                            "that link nowhere (their text was never fetched, so "
                                                            "not migrated), with --ref: what the office did about "
                                                            "them.")] = False,
              accept_hotlinks: Annotated[bool, typer.Option("--accept-hotlinks", help="Acknowledge the pages whose "
                                                            "body still takes images or files from a legacy server "
                                                            "(legacy_hotlink messages), with --ref: what the office "
                                                            "did about them.")] = False,
              accept_missing_files: Annotated[bool, typer.Option("--accept-missing-files", help="Acknowledge the "
                                                                 "attachments pushed articles lost (no address on "
                                                                 "the legacy page, or never fetched: "
                                                                 "attachment_missing messages), with --ref: what the "
                                                                 "office did about them.")] = False,
              as_of: AsOfOption = None) -> None:
    """The shutdown checklist per site: steps, dates, blockers; --done records evidence."""
    ws = common.open_workspace(config, db)
    if accept_unlinked:
        if done is not None or all_sites or not sites or len(sites) != 1 or not (ref or "").strip():
            raise UsageError("--accept-unlinked acknowledges one site's entries that link nowhere, with --ref",
                             hint="e.g. consolidate checklist fgw --accept-unlinked --ref '原件已由部门补录 2026-12-08'")
        when = pipeline.parse_date(date, "--date") if date else dt.date.today()
        count = pipeline.accept_unlinked(ws, sites[0], when, ref or "")
        if not as_json:
            console.print(f"recorded {sites[0]}: {count} list entries that link nowhere acknowledged on "
                          f"{when.isoformat()}", highlight=False)
    if accept_hotlinks:
        if done is not None or accept_unlinked or all_sites or not sites or len(sites) != 1 \
                or not (ref or "").strip():
            raise UsageError("--accept-hotlinks acknowledges one site's pages that take files from a legacy server, "
                             "with --ref", hint="e.g. consolidate checklist fgw --accept-hotlinks --ref '图片已复制到门户'")
        when = pipeline.parse_date(date, "--date") if date else dt.date.today()
        pages = pipeline.accept_hotlinks(ws, ws.site(sites[0]).id, when, ref or "")
        if not as_json:
            console.print(f"recorded {sites[0]}: {counted(pages, 'page')} taking files from a legacy server "
                          f"acknowledged on {when.isoformat()}", highlight=False)
    if accept_missing_files:
        if done is not None or all_sites or not sites or len(sites) != 1 or not (ref or "").strip():
            raise UsageError("--accept-missing-files acknowledges one site's lost attachments, with --ref",
                             hint="e.g. consolidate checklist fgw --accept-missing-files --ref '附件已由部门补传'")
        when = pipeline.parse_date(date, "--date") if date else dt.date.today()
        files = pipeline.accept_missing_files(ws, ws.site(sites[0]).id, when, ref or "")
        if not as_json:
            console.print(f"recorded {sites[0]}: {counted(files, 'missing attachment')} acknowledged on "
                          f"{when.isoformat()}", highlight=False)
    if done is not None:
        if all_sites or not sites or len(sites) != 1:
            raise UsageError("--done records a step of exactly one site",
                             hint="e.g. consolidate checklist fgw --done notice_posted --date 2026-12-01 --ref URL")
        when = pipeline.parse_date(date, "--date") if date else dt.date.today()
        if not (ref or "").strip():
            raise UsageError(f"--done {done} needs --ref: the evidence that it was done",
                             hint="e.g. --ref 'notice URL', --ref '关停申请 2026-118', --ref 'ICP 注销回执 京ICP备…'")
        pipeline.record_step(ws, sites[0], done, when, ref)
        if not as_json:
            console.print(f"recorded {sites[0]}: {done} done on {when.isoformat()}", highlight=False)
    chosen = common.select_sites(ws, sites, all_sites)
    result = pipeline.fleet_checklist(ws, chosen, _as_of(as_of))
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if len(result["sites"]) == 1:
        _print_site_checklist(result["sites"][0])
    else:
        _print_fleet_checklist(result)
    _print_retention(result["retention"])


def _print_site_checklist(site: dict[str, Any]) -> None:
    """One site's steps as a table that fits 80 columns (step ids whole), each step's note below it."""
    table = Table(title=f"{site['name']} ({site['site']}, {site['disposition']}) — {site['done']}/{site['total']} "
                        f"done, as of {site['as_of']}", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("step", min_width=max(len(s["step"]) for s in site["steps"]), overflow="fold")
    for header, width in (("status", 7), ("done", 10), ("earliest", 10), ("due", 10)):
        table.add_column(header, min_width=width, no_wrap=True)
    colours = {"done": "green", "blocked": "dim", "waiting": "yellow", "open": "cyan"}
    notes = []
    for s in site["steps"]:
        status = f"[{colours[s['status']]}]{s['status']}[/]" + ("\n[red]overdue[/]" if s["overdue"] else "") + \
            ("\n[red]at risk[/]" if s["at_risk"] else "")
        done = f"{s['done_on']}\n({s['source']})" if s["done_on"] else ""
        table.add_row(f"{s['step']}\n[dim]{s['label_zh']}[/]", status, done, s["earliest"] or "", s["due"] or "")
        note = _step_note(s)
        if note:
            notes.append(f"[bold]{s['step']}[/]: {note}")
    console.print(table)
    for line in notes:
        console.print(line, highlight=False, soft_wrap=False)


def _step_note(step: dict[str, Any]) -> str:
    """What a step's row needs said: the steps it waits on and its open conditions one a line, else its
    evidence or start-by date."""
    waits = [name for name in step["blocked_by"] if name not in step["conditions"]]
    conditions = [escape(c) for c in step["conditions"]]
    if len(conditions) == 1 and not waits:
        return conditions[0]
    if waits or conditions:
        return (f"waits on {', '.join(waits)}" if waits else "") + "".join(f"\n  - {c}" for c in conditions)
    return escape(step["ref"] or "") or (f"start by {step['start_by']}" if step["start_by"] else "")


def _print_fleet_checklist(result: dict[str, Any]) -> None:
    """One row per site (progress, next step, due date, blockers and overdue steps counted) in a table that fits
    80 columns with the step ids whole (a long site id folds); below it, per site, what blocks its next step and
    which steps are overdue, one a line (a long one wraps indented)."""
    sites = result["sites"]
    table = Table(title=f"shutdown checklist as of {result['as_of']}", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    table.add_column("site", overflow="fold")
    table.add_column("disposition", no_wrap=True)
    table.add_column("done", no_wrap=True)
    table.add_column("next step", no_wrap=True, min_width=max((len(s["next_step"] or "complete") for s in sites),
                                                              default=9))
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("blocked", justify="right", no_wrap=True)  # how many blockers
    table.add_column("late", justify="right", no_wrap=True)  # how many steps overdue
    for s in sites:
        table.add_row(s["site"], s["disposition"], f"{s['done']}/{s['total']}", s["next_step"] or "complete",
                      s["next_due"] or "", str(len(s["blockers"])) if s["blockers"] else "",
                      f"[red]{len(s['overdue_steps'])}[/]" if s["behind"] else "")
    console.print(table)
    for s in sites:
        if s["blockers"]:
            console.print(f"[bold]{s['site']}[/]: {s['next_step']} blocked by", highlight=False)
            console.print(_bullets(s["blockers"]))
        if s["behind"]:
            console.print(f"[bold]{s['site']}[/]: [red]behind schedule[/], overdue", highlight=False)
            console.print(_bullets([", ".join(s["overdue_steps"])]))


def _bullets(items: list[str]) -> Table:
    """Items one a line under a dash, each wrapping under its own first word (not under the dash)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row("  -", escape(item))
    return grid


@common.friendly_errors
def notice(sites: common.SitesArgument = None,
           all_sites: Annotated[bool, typer.Option("--all", help="Every configured site, one page each: "
                                                                "-o FOLDER gets SITE.html per site.")] = False,
           output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the page here (a folder "
                                                                             "with --all).")] = None,
           kind: Annotated[str, typer.Option("--kind", help="notice (关停公示) or moved (410 page).")] = "notice",
           start: Annotated[str | None, typer.Option("--start", help="Notice start (default: recorded "
                                                     "notice_posted, else deadlines.notice_start).")] = None,
           end: Annotated[str | None, typer.Option("--end", help="Notice end (default: start + notice "
                                                                 "period).")] = None,
           shutdown: Annotated[str | None, typer.Option("--shutdown", help="Shutdown date (default: the day "
                                                                           "after the notice ends).")] = None,
           archive_url: Annotated[str | None, typer.Option("--archive-url", help="Where the archive can be "
                                                                                 "read (moved page).")] = None,
           config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None) -> None:
    """The shutdown notice (关停公示) for the old homepage, or the "this site has moved" page."""
    dates = [pipeline.parse_date(d, name) if d else None for d, name in ((start, "--start"), (end, "--end"),
                                                                 (shutdown, "--shutdown"))]
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    if len(ids) > 1 and not all_sites:
        raise UsageError("notice writes one page per site", hint="name one site, or use --all -o FOLDER")
    written = 0
    for site_id in ids:
        refusal = pipeline.notice_refusal(ws, site_id) if all_sites else None  # one site named: render_notice says why
        if refusal is not None:
            err_console.print(f"skipped {site_id}: {refusal.message} — {refusal.hint}", highlight=False, markup=False,
                              soft_wrap=True)
            continue
        html = pipeline.render_notice(ws, site_id, kind, *dates, archive_url=archive_url)
        emit(html, per_site_file(output, site_id, "html", all_sites))
        written += 1
        warning = pipeline.notice_warning(ws, site_id) if kind == "notice" else None
        for line in (warning or "").splitlines():
            err_console.print(f"note: {line}", highlight=False, markup=False, soft_wrap=True)
    if not written:
        raise ConsolidateError(f"no {kind} page written: all {len(ids)} sites were skipped",
                               hint="run what each skipped line says (a never-crawled site: `consolidate crawl "
                                    "SITE`), then write the notices again")


@common.friendly_errors
def monitor(sites: common.SitesArgument = None, all_sites: common.AllOption = False,
            config: common.ConfigOption = common.DEFAULT_CONFIG,
            db: common.DbOption = None, as_json: common.JsonOption = False,
            concurrency: Annotated[int, typer.Option(help="Requests in flight.", min=1, max=256)] = 8,
            timeout: Annotated[float, typer.Option(help="Seconds per request.", min=0.1, max=600)] = 10.0,
            limit: Annotated[int | None, typer.Option(help="Check at most this many URLs per site.",
                                                      min=1)] = None) -> None:
    """After cutover: do old URLs redirect to their mapped new URLs, and do those answer? Host names crawl.resolve
    pins are reached at their pinned addresses, as the crawl reaches them. Exit 1 when any old URL is not ok:
    still serving, redirecting wrongly, broken, unreachable or unmapped, and when a site has no URL map to check
    yet (nothing pushed to the configured exporter)."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    with StepProgress(quiet=as_json) as steps:
        results = [pipeline.monitor_site(ws, s, concurrency, timeout, limit,
                                progress=steps.task(f"monitor {s}", "URLs")).as_dict() for s in ids]
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        table = Table(title="post-cutover monitor")
        for header in ("site", "checked", *pipeline.MONITOR_CATEGORIES):
            table.add_column(header, justify="left" if header == "site" else "right")
        for r in results:
            table.add_row(r["site"], str(r["checked"]),
                          *(str(r["counts"][c]) for c in pipeline.MONITOR_CATEGORIES))
        console.print(table)
        for r in results:
            for p in r["problems"][:20]:
                console.print(f"  {r['site']} {p['category']}: {p['old_url']} — {p['detail']}", highlight=False)
    unchecked = [r for r in results if r["nothing_to_check"]]
    if not as_json:
        for r in unchecked:
            err_console.print(f"{r['site']}: {r['nothing_to_check']}", highlight=False, markup=False, soft_wrap=True)
    problems = {c: sum(r["counts"][c] for r in results) for c in MONITOR_PROBLEMS}
    if any(problems.values()):
        if not as_json:
            err_console.print(f"{sum(problems.values())} of {sum(r['checked'] for r in results)} legacy URLs are not "
                              "ok: " + ", ".join(f"{c} {n}" for c, n in problems.items() if n)
                              + (" — unreachable: check the old host names resolve from here, or pin them in "
                                 "crawl.resolve" if problems["unreachable"] else ""),
                              highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1)
    if unchecked:  # a site nobody could check is not a site found fine
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    for command in (status, report, checklist, notice, monitor, messages):
        app.command()(command)
