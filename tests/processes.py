"""Child processes of the crash and interruption tests: the /proc process tree, and SIGKILL at a point of progress."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

PATIENCE = 120.0  # seconds to wait for a point of progress (a deadline against hanging, not a timing)


def parent_pids() -> dict[int, int]:
    """pid → parent pid of every process on the machine (Linux /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])  # the name may hold ")"
    return parents


def wait_for_progress(process: subprocess.Popen, progress: Callable[[], int], point: int,
                      patience: float = PATIENCE) -> bool:
    """Poll until progress() reaches `point`, the process ends or patience runs out; True if it still runs."""
    deadline = time.monotonic() + patience
    while process.poll() is None and progress() < point and time.monotonic() < deadline:
        time.sleep(0.002)
    return process.poll() is None


def kill_at(process: subprocess.Popen, progress: Callable[[], int], point: int, patience: float = PATIENCE) -> bool:
    """SIGKILL the process's group once progress() reaches `point`; False if the process ended first."""
    if not wait_for_progress(process, progress, point, patience):
        return False
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return True


def kill_series(command: list[str], progress: Callable[[], int], total: int, seed: int, points: int) -> int:
    """Run `command` `points` times, each SIGKILLed at a seeded random point between the progress made and
    `total`; how many runs were killed (the others finished first)."""
    rng = random.Random(seed)
    kills = 0
    for _ in range(points):
        already = progress()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        kills += kill_at(process, progress, rng.randint(already, max(already, total - 1)), patience=60)
    return kills
