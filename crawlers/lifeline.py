"""Helper processes die with the crawl that started them, even when it is SIGKILLed.

A killed crawl cannot clean up: its fork server, parser workers (and, through the pipe they hold, the resource
tracker) would run on for ever. Each helper therefore watches the crawl's process: a worker asks the kernel for
SIGKILL when its parent (the fork server) dies (PR_SET_PDEATHSIG), and both fork server and workers run a thread
that waits on a pidfd of the crawl process (polling where pidfds are missing) and exits the moment it is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0  # only where the kernel has no pidfd_open (Linux < 5.3, other systems)


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent thread ends (Linux); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def exit_when_gone(pid: int) -> None:
    """Start a daemon thread that ends this process at once when process `pid` ends."""
    if pid <= 1:
        return
    threading.Thread(target=_watch, args=(pid,), name=f"lifeline-{pid}", daemon=True).start()


def _watch(pid: int) -> None:
    """Block until `pid` is gone, then exit without cleanup (the crawl that would want the results is dead)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is None:
        while pid_exists(pid):
            time.sleep(POLL_SECONDS)
    else:
        with contextlib.suppress(OSError):
            select.select([fd], [], [])
    os._exit(1)


def pid_exists(pid: int) -> bool:
    """True while `pid` exists (a process of another user, or a zombie, counts as existing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_lifeline(crawl_pid: int) -> None:
    """Initializer of a parser worker: die with the fork server that forked it and with the crawl process, and
    leave Ctrl-C to the crawl (a terminal sends SIGINT to the whole group; the crawl stops its workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if not pid_exists(crawl_pid):
        os._exit(1)
    exit_when_gone(crawl_pid)
