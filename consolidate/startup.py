"""Ctrl-C or SIGTERM while the command line is still starting ends in one line, never a traceback.

Loading the command line's modules takes a second or more on a busy machine, and a command has not begun its work
until its options are parsed. A signal in that time ends the process at once with one line (nothing was done yet)
and the usual exit code: 130 for Ctrl-C, 143 for SIGTERM. Only modules the interpreter has loaded already (sys,
os) and the C module behind `signal` (`signal` itself loads enum first: milliseconds), so that the guard is up a few
microseconds after `consolidate.cli` starts loading; a command's own handling of signals
(cli_common.friendly_errors) takes over while it runs. The guard is raised only where this process is the
`consolidate` command, so that a program importing consolidate.cli as a library keeps its own signal handling.
What comes before this module runs is the interpreter's: its own start and site's .pth files (a Ctrl-C there ends
the process by the signal, or in Python's own traceback of site), then finding consolidate.cli and this module.
"""

from __future__ import annotations

import _signal  # the C module behind signal
import os
import sys

TYPE_CHECKING = False  # typing takes milliseconds to import: only a type checker reads what follows
if TYPE_CHECKING:
    from types import FrameType

EXIT_CODES = {_signal.SIGINT: 130, _signal.SIGTERM: 143}  # 128 + the signal's number, as a shell reports it
NOTHING_DONE = "{what} while starting — nothing was done yet; run the command again"


SIGNAL_NAMES = {_signal.SIGINT: "interrupted", _signal.SIGTERM: "stopped (SIGTERM)"}  # the guard's two signals


def signal_name(signum: int) -> str:
    """How a signal is told in one line: Ctrl-C's 'interrupted', SIGTERM's 'stopped (SIGTERM)' (a table, so that
    the guard imports nothing: its signal may come while a module is half imported)."""
    return SIGNAL_NAMES.get(signum, f"stopped (signal {signum})")


def _end_at_start(signum: int, _frame: FrameType | None) -> None:
    """The guard's handler: one line on stderr, then the signal's exit code."""
    sys.stderr.write(NOTHING_DONE.format(what=signal_name(signum)) + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_CODES.get(signum, 1))


def is_guard(handler: object) -> bool:
    """True for the start-up guard's handler."""
    return handler is _end_at_start


def guard() -> None:
    """Raise the start-up guard on SIGINT and SIGTERM. Does nothing outside the main thread, or where another part
    of the program handles the signal."""
    for signum, default in ((_signal.SIGINT, _signal.default_int_handler), (_signal.SIGTERM, _signal.SIG_DFL)):
        if _signal.getsignal(signum) == default:
            try:
                _signal.signal(signum, _end_at_start)
            except ValueError:  # not the main thread: signals are the main thread's to handle
                return


def is_command_line() -> bool:
    """True when this process runs the `consolidate` command: `python -m consolidate.cli`, its console script, or
    a program that names itself consolidate (sys.argv[0]) — not a program importing consolidate.cli as a library,
    and not a multiprocessing fork server or child re-importing the command line as __mp_main__ (Ctrl-C to the
    group would have it say "nothing was done" beside the command)."""
    if "__mp_main__" in sys.modules:
        return False
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None:
        return spec.name == "consolidate.cli"
    return os.path.basename(sys.argv[0] if sys.argv else "").removesuffix(".exe") == "consolidate"


def guard_command_line() -> None:
    """Raise the guard where this process is the `consolidate` command; it stays up until the command's own
    handling takes over."""
    if is_command_line():
        guard()


guard_command_line()  # as soon as this module is imported: consolidate.cli imports it first of all
