"""Shared pieces of the command line: consoles, common options, error handling, site selection."""

from __future__ import annotations

import csv
import datetime as dt
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import DatabaseError

from consolidate.core.errors import ConsolidateError, UsageError, redact
from consolidate.core.outputs import save_output
from consolidate.core.workspace import Workspace
from consolidate.startup import EXIT_CODES as SIGNAL_EXIT_CODES
from consolidate.startup import is_guard, signal_name

F = TypeVar("F", bound=Callable[..., Any])

console = Console(emoji=False)  # 'migrations.yaml:100:' is a line number, never the 💯 emoji
err_console = Console(stderr=True, emoji=False)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", envvar="CONSOLIDATE_CONFIG",
                                            help="Path to migrations.yaml.")]
DbOption = Annotated[str | None, typer.Option("--db", envvar="CONSOLIDATE_DB", show_envvar=True,
                                              help="State store URL (default: SQLite in .consolidate/ beside "
                                                   "the config); e.g. postgres://user@host/db (postgresql+psycopg://).")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON Lines: one JSON object per item, one per line.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="The same rows as CSV (UTF-8, a header row).")]
SitesArgument = Annotated[list[str] | None, typer.Argument(help="Site ids (or --all).")]
AllOption = Annotated[bool, typer.Option("--all", help="Every configured site.")]
SummaryJsonOption = Annotated[bool, typer.Option("--json", help="One JSON document summarising the run.")]
SheetImportOption = Annotated[Path | None, typer.Option("--import", help="Read a filled-in, signed sheet back "
                                                                         "(all or nothing).")]
SheetLangOption = Annotated[str, typer.Option("--lang", help="Language of the exported sheet (headers, labels, "
                                                             "guide): zh or en. --import reads either and answers "
                                                             "in the sheet's own language.")]
DEFAULT_CONFIG = Path("migrations.yaml")


def friendly_errors(func: F) -> F:
    """Turn library errors into one red line plus a hint, with the error's exit code (text printed as is, not as
    markup, so a pattern's `[a-z]` survives; any URL's password hidden); Ctrl-C and SIGTERM into one line saying
    what is kept and how to go on."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        received: list[int] = []
        try:  # around the handlers' change too: a Ctrl-C the moment they change is this command's, in one line
            with _signals_while_running(received):
                try:
                    return func(*args, **kwargs)
                except DatabaseError as exc:  # a damaged store file or a lost database, met mid-command
                    from consolidate.core.store import store_failure

                    raise store_failure(exc) from None
        except ConsolidateError as exc:
            err_console.print(f"[bold red]error:[/] {escape(redact(exc.message))}", highlight=False,
                              soft_wrap=True)
            if exc.hint:
                err_console.print(f"[dim]hint:[/] {escape(redact(exc.hint))}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _say_interrupted(func.__name__, received)
        except Exception as exc:
            if not _while_interrupted(exc):
                raise
            _say_interrupted(func.__name__, received)  # Ctrl-C inside a library's cleanup (a store transaction closing)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _signals_while_running(received: list[int]) -> Iterator[None]:
    """While a command runs, Ctrl-C is Python's KeyboardInterrupt and SIGTERM stops the command the same way (so
    it keeps what it did as after a Ctrl-C); the signals received are added to `received`. The handlers before are
    restored after (also when a signal comes while they change), but for the start-up guard's: once the command is
    done, the process is only exiting, and a signal then (whose line would say nothing was done) is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop_as_ctrl_c(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        on_ctrl_c = signal.getsignal(signal.SIGINT)  # asyncio.run's own cancels its task, then raises
        if not callable(on_ctrl_c):
            raise KeyboardInterrupt
        on_ctrl_c(signal.SIGINT, frame)

    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, stop_as_ctrl_c)
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, signal.SIG_IGN if is_guard(handler) else handler)


def _while_interrupted(exc: BaseException) -> bool:
    """True when an error was raised while a Ctrl-C was being handled (KeyboardInterrupt in its chain)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


KEPT_WHEN_STOPPED = {  # what a command stopped part way keeps, and how to go on
    "crawl": "the pages fetched so far are kept; run the same command again to go on where it stopped",
    "push": "what was sent so far is recorded and is never sent twice; run the same command again to send the rest",
    "rollback": "what was removed so far is recorded; run the same command again to remove the rest",
}
KEPT_BY_DEFAULT = "progress is saved; run the same command again to resume"


def _say_interrupted(command: str, received: list[int]) -> None:
    """The one line a Ctrl-C (exit 130) or a SIGTERM (exit 143) ends a command (its function's name) with."""
    signum = received[-1] if received else signal.SIGINT
    kept = KEPT_WHEN_STOPPED.get(command.rstrip("_"), KEPT_BY_DEFAULT)
    err_console.print(f"[yellow]{signal_name(signum)}[/] — {kept}", highlight=False, soft_wrap=True)
    raise typer.Exit(SIGNAL_EXIT_CODES.get(signum, 130)) from None


def open_workspace(config: Path, db: str | None) -> Workspace:
    """Open the workspace named by the options."""
    return Workspace.open(config, db)


def select_sites(ws: Workspace, sites: list[str] | None, all_sites: bool) -> list[str]:
    """Site ids from the arguments: the named ones, or every site with --all (usage errors exit 2)."""
    configured = ", ".join(s.id for s in ws.config.sites)
    if all_sites and sites:
        raise UsageError("give site ids or --all, not both", hint=f"configured sites: {configured}")
    if all_sites:
        return [s.id for s in ws.config.sites]
    if not sites:
        raise UsageError("name one or more sites, or use --all", hint=f"configured sites: {configured}")
    return [ws.site(s).id for s in sites]


def per_site_file(output: Path | None, site_id: str, suffix: str, all_sites: bool) -> Path | None:
    """Where a one-file-per-site command writes: -o itself for one site; with --all, -o is a folder and each
    site's file is SITE.suffix in it."""
    if not all_sites:
        return output
    if output is None:
        raise UsageError("--all writes one file per site: give -o FOLDER",
                         hint=f"e.g. -o out/ writes out/{site_id}.{suffix} and one file per other site")
    if output.exists() and not output.is_dir():
        raise UsageError(f"-o {output}: with --all this must be a folder (one file per site)",
                         hint=f"e.g. -o out/ writes out/{site_id}.{suffix}")
    output.mkdir(parents=True, exist_ok=True)
    return output / f"{site_id}.{suffix}"


def print_rows(rows: list[dict[str, Any]], as_json: bool, as_csv: bool, header: list[str] | None = None) -> bool:
    """Print a per-item listing as JSON Lines (--json) or CSV (--csv); False when neither was asked for."""
    if as_json and as_csv:
        raise UsageError("choose --json or --csv, not both")
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=str))
        return True
    if not as_csv:
        return False
    fields = header or (list(rows[0]) if rows else [])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_csv_cell(row.get(f)) for f in fields])
    return True


def _csv_cell(value: Any) -> str:
    """One CSV cell: text as is, lists and mappings as JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def print_document(document: Any) -> None:
    """Print a summary as one JSON document."""
    print(json.dumps(document, ensure_ascii=False, indent=2, default=str))


class StepProgress:
    """Progress bars of a long step on stderr (one per site or task): only on a terminal, never with --json."""

    def __init__(self, quiet: bool = False) -> None:
        self.display: Progress | None = None
        if err_console.is_terminal and not quiet:
            self.display = Progress(TextColumn("[bold]{task.description}"), BarColumn(bar_width=None),
                                    MofNCompleteColumn(), TextColumn("{task.fields[unit]}"), TimeElapsedColumn(),
                                    console=err_console, transient=False)

    def __enter__(self) -> StepProgress:
        if self.display is not None:
            self.display.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.display is not None:
            self.display.stop()

    def task(self, label: str, unit: str = "") -> Callable[[int, int], None] | None:
        """A callback (done, total) for one bar; None when progress is off (the library then skips the calls)."""
        display = self.display
        if display is None:
            return None
        task_id = display.add_task(label, total=None, unit=unit)

        def update(done: int, total: int) -> None:
            display.update(task_id, completed=done, total=total)

        return update


def emit(text: str, output: Path | None) -> None:
    """Write text to the --output file (saying so), or print it."""
    if output is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    save_output(output, lambda path: path.write_text(text, encoding="utf-8"))
    console.print(f"wrote {output}")


HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
EXIT_CODES = ("Exit codes: 0 done; 1 {failure}; 2 usage or input error (unknown site id, bad option value, bad "
              "config or sheet); 130 interrupted (Ctrl-C); 143 stopped (SIGTERM).")
FAILURES = {  # what exit 1 means per command, where it means more than "the work failed"
    "verify": "differences or missing articles found",
    "monitor": "old URLs still serving, redirecting wrongly or broken, or a site with no URL map to check yet",
    "crawl": "a site's home page could not be fetched",
    "push": "a site was held by another worker, or the target refused the work",
    "rollback": "something could not be removed",
    "redirects": "a server config refused while URLs are unresolved",
}
JSON_KINDS = {  # the --json convention: JSON Lines for per-item listings, one document for summaries
    "lines": ("articles", "columns", "map", "audit", "verify", "triage", "messages", "list"),
    "document": ("status", "crawl", "push", "rollback", "checklist", "monitor", "extract"),
}


def json_note(name: str) -> str:
    """The --json convention as it applies to one command (empty when it has no --json)."""
    if name in JSON_KINDS["lines"]:
        return " --json prints JSON Lines: one object per item, one per line (--csv: the same rows as CSV)."
    if name in JSON_KINDS["document"]:
        return " --json prints one JSON document (a summary)."
    return ""


def add_exit_codes(app: typer.Typer) -> None:
    """State the exit codes (and the --json convention) at the end of every command's --help."""
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__.rstrip("_").replace("_", "-") if info.callback else "")
        info.context_settings = {**HELP_OPTIONS, **(info.context_settings or {})}
        if info.epilog is None:
            info.epilog = EXIT_CODES.format(failure=FAILURES.get(name, "the work failed")) + json_note(name)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            add_exit_codes(group.typer_instance)


def package_version() -> str:
    """The installed version of consolidate (the source tree's when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("consolidate")
    except PackageNotFoundError:
        return "0.1.0+source"


def parse_as_of(text: str | None) -> dt.date | None:
    """An --as-of value (YYYY-MM-DD), or None when not given; a usage error otherwise."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-11-01") from None
