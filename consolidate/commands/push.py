"""Commands of the push stage: push, verify, rollback, redirects."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from consolidate import cli_common as common
from consolidate import pipeline
from consolidate.cli_common import (
    StepProgress,
    console,
    emit,
    err_console,
    per_site_file,
    print_document,
    print_rows,
)
from consolidate.core.errors import ConsolidateError, UsageError


@common.friendly_errors
def push(sites: common.SitesArgument = None,
         all_sites: Annotated[bool, typer.Option("--all", help="Push every configured site.")] = False,
         config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
         exporter: Annotated[str | None, typer.Option(help="Exporter to use instead of export.exporter.")] = None,
         update: Annotated[bool, typer.Option("--update", help="Re-send articles even when unchanged.")] = False,
         dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")] = False,
         limit: Annotated[int | None, typer.Option(min=0, help="Push at most N articles per site (trials).")]
         = None,
         only: Annotated[list[str] | None, typer.Option(help="Push only this legacy article URL (repeatable).")]
         = None,
         sync: Annotated[bool, typer.Option("--sync", help="Also retract from the target the articles an "
                                                        "incremental crawl found gone from the legacy site (articles "
                                                        "of a column the office dropped are removed at "
                                                        "every push).")]
         = False,
         allow_untriaged: Annotated[bool, typer.Option("--allow-untriaged", help="Push articles whose personal "
                                                       "data nobody has decided on in `consolidate triage` "
                                                       "(the report states it).")] = False,
         as_json: common.SummaryJsonOption = False) -> None:
    """Push mapped columns, articles and files into the portal target, idempotently."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    target = pipeline.open_exporter(ws, exporter, start=not dry_run)  # a dry run opens, locks and contacts nothing
    busy_sites: list[str] = []
    unmapped: list[pipeline.NotMappedError] = []
    done: list[dict] = []
    try:
        with StepProgress(quiet=as_json) as steps:
            for site_id in ids:
                _warn_outdated(ws, site_id, as_json)
                try:
                    s = pipeline.push_site(ws, site_id, target, update=update, dry_run=dry_run, limit=limit,
                                           only=only, sync=sync, allow_untriaged=allow_untriaged,
                                           progress=steps.task(f"{site_id} → {target.target}", "articles"))
                except pipeline.NotMappedError as refused:
                    if len(ids) == 1:
                        raise
                    unmapped.append(refused)
                    done.append({"site": site_id, "refused": refused.message})
                    if not as_json:
                        err_console.print(f"[bold red]error:[/] {refused.message}", highlight=False)
                    continue
                except pipeline.SiteBusyError as busy:
                    busy_sites.append(site_id)
                    done.append({"site": site_id, "busy": busy.message})
                    if not as_json:
                        console.print(f"{site_id}: skipped — {busy.message}", highlight=False)
                    continue
                done.append({"site": site_id, **_push_figures(s)})
                if not as_json:
                    _print_push(site_id, s, dry_run)
                    _say_vanished(ws, site_id, target.target, sync)
    finally:
        target.close()
    if as_json:
        print_document({"dry_run": dry_run, "sites": done})
    if unmapped:
        raise UsageError(f"not pushed, no column decisions yet: {len(unmapped)} sites", hint=unmapped[0].hint)
    if busy_sites:  # a skipped site is work not done: never exit 0
        raise pipeline.SiteBusyError(f"not pushed, another worker holds: {', '.join(busy_sites)}",
                            hint="run the same command again once that worker is done")


def _warn_outdated(ws: pipeline.Workspace, site_id: str, quiet: bool) -> None:
    """Say when `map` would now decide some columns otherwise than it recorded (migrations.yaml or a new crawl)."""
    changed = [] if quiet else pipeline.outdated_decisions(ws, site_id)
    if changed:
        console.print(f"{site_id}: warning: {len(changed)} column decision(s) recorded by `map` differ from "
                      f"what `map` would decide now from migrations.yaml and the latest crawl (e.g. {changed[0]}); this "
                      f"push uses the recorded ones — run `consolidate map {site_id}` first to apply them", highlight=False)


@common.friendly_errors
def verify(sites: common.SitesArgument = None,
           all_sites: Annotated[bool, typer.Option("--all", help="Verify every configured site.")] = False,
           config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
           exporter: Annotated[str | None, typer.Option(help="Exporter to read from.")] = None,
           as_json: common.JsonOption = False, as_csv: common.CsvOption = False) -> None:
    """Read every pushed article back from the target and compare title, date, body, column and files."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    name = pipeline.open_exporter(ws, exporter, start=False).target  # nothing opened or written yet
    ids = [site_id for site_id in ids if not _said(pipeline.nothing_to_verify(ws, site_id, name))]
    if not ids:  # nothing was read back: no pass to claim
        raise typer.Exit(1)
    target = pipeline.open_exporter(ws, exporter)
    failed = False
    rows: list[dict] = []
    try:
        with StepProgress(quiet=as_json or as_csv) as steps:
            for site_id in ids:
                summary = pipeline.verify_site(ws, site_id, target,
                                               progress=steps.task(f"verify {site_id}", "articles"))
                failed = failed or summary.mismatch > 0 or summary.missing > 0
                rows += [{"site": site_id, "url": r.source_url, "status": r.status,
                          "differences": r.differences} for r in summary.results] if as_json or as_csv else []
                if not (as_json or as_csv):
                    _print_verify(site_id, summary)
    finally:
        target.close()
    print_rows(rows, as_json, as_csv, ["site", "url", "status", "differences"])
    if failed:
        raise typer.Exit(1)


@common.friendly_errors
def rollback(sites: common.SitesArgument = None,
             all_sites: Annotated[bool, typer.Option("--all", help="Roll back every configured site.")] = False,
             config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
             exporter: Annotated[str | None, typer.Option(help="Exporter to remove from.")] = None,
             only: Annotated[list[str] | None, typer.Option(help="Remove only this legacy article URL "
                                                                 "(repeatable).")] = None,
             as_json: common.SummaryJsonOption = False) -> None:
    """Remove from the target what this tool created for a site (and only that); the push map is updated."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    if only and len(ids) != 1:
        raise UsageError("--only names articles of one site", hint="give exactly one site id with --only")
    name = pipeline.open_exporter(ws, exporter, start=False).target  # nothing opened or written yet
    ids = [site_id for site_id in ids if not _said(pipeline.nothing_to_roll_back(ws, site_id, name))]
    if not ids:  # the target is left as it is
        return print_document({"target": name, "sites": []}) if as_json else None
    target = pipeline.open_exporter(ws, exporter)
    done = []
    try:
        for s in pipeline.rollback_sites(ws, ids, target, only):  # the fleet read once for every site
            site_id = s.site_id
            done.append({"site": site_id, "articles": s.articles, "files": s.files, "columns": s.columns,
                         "kept_shared": s.kept_shared, "failed": s.failed, "letters": s.letters,
                         "kept_subsites": s.kept_subsites})
            if as_json:
                continue
            console.print(f"{site_id}: removed {s.articles} articles, {s.files} files, {s.columns} columns"
                          + (f", {s.letters} letters" if s.letters else "")
                          + f"; kept {s.kept_shared} shared with other sites", highlight=False)
            if s.kept_subsites:
                console.print(f"  sub-sites left in place (a rollback removes what was pushed, not the sub-site; "
                              f"remove it in the portal if unwanted): {', '.join(s.kept_subsites)}", highlight=False,
                              soft_wrap=True)
            for failure in s.failed:
                err_console.print(f"  could not remove {failure}", highlight=False)
    finally:
        target.close()
    if as_json:
        print_document({"target": target.target, "sites": done})
    if any(d["failed"] for d in done):
        raise typer.Exit(1)


@common.friendly_errors
def redirects(sites: common.SitesArgument = None,
              all_sites: Annotated[bool, typer.Option("--all", help="Every configured site; with -o FOLDER one "
                                                                   "file per site: SITE.conf (nginx, apache) "
                                                                   "or SITE.csv.")] = False,
              config: common.ConfigOption = common.DEFAULT_CONFIG, db: common.DbOption = None,
              fmt: Annotated[str, typer.Option("--format", "-f", help="nginx, apache or csv.")] = "csv",
              output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (a folder "
                                                                                "with --all).")] = None,
              gone_page: Annotated[str | None, typer.Option(help="File served with 410 answers (the "
                                                                 "'site has moved' page).")] = None,
              import_file: Annotated[Path | None, typer.Option("--import", help="Apply an edited CSV (one "
                                                                               "site).")] = None,
              unresolved: Annotated[str, typer.Option("--unresolved", help="refuse (default): no server config "
                                                      "while URLs are undecided; home: answer them with a "
                                                      "temporary 302 to the site's new home.")] = "refuse"
              ) -> None:
    """Every legacy URL's outcome (301 / 410 archived / unresolved) as nginx or Apache config, or CSV."""
    ws = common.open_workspace(config, db)
    ids = common.select_sites(ws, sites, all_sites)
    if import_file is not None:
        if len(ids) != 1:
            raise UsageError("--import applies one site's edited CSV", hint="give exactly one site id")
        result = pipeline.import_csv(ws, ids[0], import_file)
        console.print(f"{ids[0]}: {result.changed} URL outcomes changed, {result.unchanged} unchanged")
        return
    if len(ids) > 1 and not all_sites and output is not None:
        raise UsageError("-o takes one site's redirects", hint="name one site, or use --all -o FOLDER")
    _check_redirect_options(fmt, unresolved)  # a bad value is one usage error, not one per site
    if all_sites and ids:
        per_site_file(output, ids[0], "csv" if fmt == "csv" else "conf", all_sites)  # -o FOLDER, asked once
    failures: dict[str, ConsolidateError] = {}
    written: list[Path] = []
    shared = fmt == "nginx" and all_sites and output is not None  # several sites' files in one http {}
    for site_id in ids:
        path = per_site_file(output, site_id, "csv" if fmt == "csv" else "conf", all_sites)
        try:
            _write_redirects(ws, site_id, fmt, path, gone_page, unresolved, shared)
        except ConsolidateError as exc:
            if all_sites and path is not None:
                _drop_older(path, site_id)
            if len(ids) == 1:
                if shared and output is not None:  # the fleet's only site: no site's file needs it now
                    _drop_older_http(output / pipeline.NGINX_HTTP_FILE)
                raise
            failures[site_id] = exc
            err_console.print(f"[bold red]error:[/] {_with_site(site_id, exc.message)}", highlight=False)
            if exc.hint:
                err_console.print(f"hint: {exc.hint}", highlight=False)
            continue
        written += [path] if path is not None else []
    if shared and output is not None and written:
        emit(pipeline.nginx_http_settings(), output / pipeline.NGINX_HTTP_FILE)
        err_console.print(f"include {output / pipeline.NGINX_HTTP_FILE} once in http {{}}, before the sites' files "
                          f"(`include {output}/*.conf;` does)", highlight=False)
    elif shared and output is not None:
        _drop_older_http(output / pipeline.NGINX_HTTP_FILE)
    if failures:
        _say_refused(failures, written, output)
        raise typer.Exit(max(f.exit_code for f in failures.values()))


def _check_redirect_options(fmt: str, unresolved: str) -> None:
    """--format and --unresolved are known values (else a usage error naming the valid ones)."""
    if fmt not in pipeline.REDIRECT_FORMATS:
        raise UsageError(f"unknown redirect format {fmt!r}", hint=f"use one of: {', '.join(pipeline.REDIRECT_FORMATS)}")
    if unresolved not in pipeline.UNRESOLVED_MODES:
        raise UsageError(f"unknown --unresolved {unresolved!r}", hint=f"use one of: {', '.join(pipeline.UNRESOLVED_MODES)}")


def _drop_older(path: Path, site_id: str) -> None:
    """Remove the file an earlier run wrote for a site refused now (a folder's `include *.conf` would serve its old
    redirects), saying so."""
    if path.is_file():
        path.unlink()
        err_console.print(f"removed the older {path}: {site_id} is refused now, so its earlier redirects are not "
                          "served", highlight=False)


def _drop_older_http(path: Path) -> None:
    """Remove the http-level file an earlier run wrote when every site is refused now (the folder's `include *.conf`
    would still serve it, and no site's file needs it), saying so."""
    if path.is_file():
        path.unlink()
        err_console.print(f"removed the older {path}: every site is refused now, so no server config is left in "
                          f"{path.parent}", highlight=False, soft_wrap=True)


def _with_site(site_id: str, message: str) -> str:
    """An error line naming its site once (the library's message may start with the site id already)."""
    return message if message.startswith(f"{site_id}:") else f"{site_id}: {message}"


def _say_refused(failures: dict[str, ConsolidateError], written: list[Path], output: Path | None) -> None:
    """After some sites were refused: which files were written and which sites were not, or that nothing is ready."""
    refused = ", ".join(failures)
    if output is None:
        return err_console.print(f"not written: {refused}", highlight=False)
    if not written:
        return err_console.print(f"nothing written to {output}: every site was refused ({refused}); no server "
                                 "config is ready", highlight=False)
    err_console.print(f"written: {', '.join(p.name for p in written)}; not written (refused): {refused}",
                      highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command()(push)
    app.command()(verify)
    app.command()(rollback)
    app.command()(redirects)


def _write_redirects(ws: pipeline.Workspace, site_id: str, fmt: str, output: Path | None, gone_page: str | None,
                     unresolved: str, shared_http: bool = False) -> None:
    """One site's redirects: counts to stderr, the config or CSV to the file or stdout."""
    tally = pipeline.count_redirects(pipeline.load_redirects(ws, site_id))
    err_console.print(f"{site_id}: {tally.text()}", highlight=False)
    text = pipeline.render_redirects(ws, site_id, fmt, gone_page, unresolved, shared_http)
    if tally.unresolved and fmt != "csv":
        err_console.print(f"{site_id}: {tally.unresolved} unresolved URLs answer a temporary 302 to the site's new "
                          "home until decided", highlight=False)
    emit(text, output)


def _push_figures(s: pipeline.PushSummary) -> dict:
    """A push summary as JSON figures."""
    return {"target": s.target, "pushed": s.pushed, "updated": s.updated, "unchanged": s.unchanged,
            **s.outcomes(), "failed": s.failed_total(), "failed_reasons": s.failed_reasons(), "files": s.files,
            "columns": s.columns,
            "removed": s.removed, "held": dict(s.held), "unresolved_links": s.unresolved_links, "automatic_columns": s.automatic_columns,
            "media_not_migrated": s.media_not_migrated,
            "letters": s.letters}


def _say_vanished(ws: pipeline.Workspace, site_id: str, target: str, sync: bool) -> None:
    """Without --sync, a line for articles gone from the legacy site that the portal still publishes."""
    kept = 0 if sync else pipeline.vanished_on_portal(ws, site_id, target)
    if kept:
        console.print(f"  {kept} articles gone from the legacy site are still published: `consolidate push {site_id} "
                      f"--sync` retracts them (`consolidate messages {site_id} --stage crawl` names them)",
                      highlight=False)


def _print_push(site_id: str, s: pipeline.PushSummary, dry_run: bool) -> None:
    """One push summary line (skipped, unresolved and failed named as status and the report name them), and where
    the reasons are."""
    skipped, unresolved, failed = (f"{sum(reasons.values())} {outcome}" + (
        f" ({', '.join(f'{r} {n}' for r, n in reasons.items())})" if reasons else "")
        for outcome, reasons in (*s.outcomes().items(), ("failed", s.failed_reasons())))
    prefix = "would push" if dry_run else "pushed"
    console.print(f"{site_id}: {prefix} {s.pushed} new, {s.updated} updated, {s.unchanged} unchanged, "
                  f"{skipped}, {unresolved}, {failed}; {s.files} files, {s.columns} columns"
                  + (f", {s.removed} removed" if s.removed else "") + _held_text(s) + f" → {s.target}", highlight=False)
    if s.held:
        console.print(f"  held: pushed articles left on the portal as they are, their column having no decision now: "
                      f"decide it with `consolidate map {site_id}`", highlight=False)
    if s.media_not_migrated:
        console.print(f"  {s.media_not_migrated} videos or audio files in article bodies not migrated (the crawl does "
                      f"not fetch them): `consolidate messages {site_id} --stage push` names them", highlight=False)
    if s.automatic_columns:
        console.print(f"  {s.automatic_columns} columns decided automatically, none signed by the office (栏目去向未经"
                      f"签认): review with `consolidate map {site_id}`", highlight=False)
    if (s.failed or s.skipped) and dry_run:  # a dry run records nothing: the reasons are the push's to record
        console.print(f"  reasons per article: `consolidate push {site_id}` records them, then `consolidate messages "
                      f"{site_id} --stage push` lists them", highlight=False)
    elif s.failed or s.skipped:
        console.print(f"  reasons per article: consolidate messages {site_id} --stage push", highlight=False)
    if s.letters.get("records"):
        got = s.letters
        why = "; ".join(f"{n} {reason}" for reason, n in got["skipped"].items())
        console.print(f"  letters: {got['pushed']} new, {got['updated']} updated, {got['unchanged']} unchanged, "
                      f"{got['failed']} failed" + (f", skipped {why}" if why else "")
                      + (f", {got['in_file']} in letters.jsonl/xlsx" if got.get("in_file") else ""), highlight=False)


def _held_text(s: pipeline.PushSummary) -> str:
    """', 10 held (column undecided 10)': pushed articles this push left on the portal as they are."""
    if not s.held:
        return ""
    return f", {sum(s.held.values())} held ({', '.join(f'{r} {n}' for r, n in sorted(s.held.items()))})"


def _said(line: str | None) -> bool:
    """Print a line saying why a site is passed over (stderr); whether there was one."""
    if line:
        err_console.print(line, highlight=False, soft_wrap=True)
    return bool(line)


def _print_verify(site_id: str, summary: pipeline.VerifySummary) -> None:
    """One site's verify figures and every difference."""
    console.print(f"{site_id}: {summary.ok} ok, {summary.mismatch} differ, {summary.missing} missing",
                  highlight=False)
    for r in summary.results:
        if r.status != "ok":
            console.print(f"  {r.status}: {r.source_url}: {'; '.join(r.differences)}", highlight=False)
    if summary.resendable:
        console.print(f"  `consolidate push {site_id} --update` sends them again (a plain push sends only what "
                      f"changed on the legacy side)", highlight=False)
    if summary.bare:
        console.print(f"  {pipeline.counted(summary.bare, 'published page')} bare by push's hold rule: the next "
                      f"`consolidate push {site_id}` holds them and takes them off the portal; the office decides "
                      f"their URLs (`consolidate redirects {site_id}`): a page it mends on the portal by hand stays "
                      "when its row keeps the 301 to that page with a note (e.g. 已人工修补), imported with "
                      f"`consolidate redirects {site_id} --import`", highlight=False)
    for line in (summary.kept_line(), summary.lost_line()):
        if line:
            console.print(f"  {line}", highlight=False)
    for url, problems in summary.suspect:
        console.print(f"  suspect: {url}: {'; '.join(problems)}", highlight=False)
    if summary.suspect:
        console.print(f"  {len(summary.suspect)} records look wrong on their face; check them before "
                      f"sign-off (consolidate messages {site_id} --stage verify)", highlight=False)
