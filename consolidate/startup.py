"""Ctrl-C or SIGTERM while the command line is still starting ends in one line, never a traceback.

Loading the command line's modules takes a second or more on a busy machine, and a command has not begun its work
until its options are parsed. A signal in that time ends the process at once with one line (nothing was done yet)
and the usual exit code: 130 for Ctrl-C, 143 for SIGTERM. Standard library only, so that `consolidate.cli` can
raise the guard before it loads anything heavy; a command's own handling of signals (cli_common.friendly_errors)
takes over while it runs.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal's number, as a shell reports it
NOTHING_DONE = "{what} while starting — nothing was done yet; run the command again"


def signal_name(signum: int) -> str:
    """How a signal is told in one line: Ctrl-C's 'interrupted', SIGTERM's 'stopped (SIGTERM)'."""
    return "interrupted" if signum == signal.SIGINT else f"stopped ({signal.Signals(signum).name})"


def _end_at_start(signum: int, _frame: FrameType | None) -> None:
    """The guard's handler: one line on stderr, then the signal's exit code."""
    sys.stderr.write(NOTHING_DONE.format(what=signal_name(signum)) + "\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_CODES.get(signum, 1))


def is_guard(handler: object) -> bool:
    """True for the start-up guard's handler."""
    return handler is _end_at_start


def guard() -> Callable[[], None]:
    """Raise the start-up guard on SIGINT and SIGTERM; returns what lifts it again (the handlers that were
    there). Does nothing outside the main thread, or where another part of the program handles the signal."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    defaults: dict[int, Any] = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    previous: dict[int, Any] = {}
    for signum, default in defaults.items():
        if signal.getsignal(signum) is default:
            previous[signum] = signal.signal(signum, _end_at_start)

    def lift() -> None:
        for signum, handler in previous.items():
            if signal.getsignal(signum) is _end_at_start:
                signal.signal(signum, handler)

    return lift


lift_guard = guard() if "__mp_main__" not in sys.modules else (lambda: None)  # raised as soon as this module is
# imported (consolidate.cli imports it first), but not in a multiprocessing fork server or child that re-imports
# the command line as __mp_main__: Ctrl-C to the group would have it say "nothing was done" beside the command
