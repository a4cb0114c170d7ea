"""A parser process's heap: its garbage-collector set-up (crawlers.parsers.settle_heap after its first answers) and
the return of its freed C heap to the system (heap_trimmer)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest

from crawlers.parsers import SETTLE_AT, ParserPool, heap_trimmer


def frozen() -> int:
    """How many objects the garbage collector leaves out in this process (gc.freeze)."""
    return gc.get_freeze_count()


def test_worker_freezes_its_heap_after_its_first_answer() -> None:
    """The first call finds nothing frozen in the worker; the next finds the heap frozen (its modules at least)."""

    async def run() -> list[int]:
        pool = await ParserPool(1).connect()
        try:
            return [await pool.call(frozen) for _ in range(3)]
        finally:
            pool.close()

    assert 1 in SETTLE_AT
    first, second, third = asyncio.run(run())
    assert first == 0
    assert second > 1000
    assert third == second  # not settled again until the 10th answer


def rss_anon_kib() -> int:
    """This process's anonymous resident memory in KiB (Linux)."""
    line = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("RssAnon:"))
    return int(line.split()[1])


@pytest.mark.skipif(heap_trimmer() is None, reason="the C library has no malloc_trim (glibc only)")
def test_the_heap_trimmer_gives_freed_heap_back() -> None:
    """64 MiB of blocks freed below one block still in use stay with the process until the trimmer returns them."""
    blocks = [bytearray(64 * 1024) for _ in range(1024)]  # below glibc's mmap threshold: they come from the heap
    keep = bytearray(64 * 1024)  # above them: the heap cannot shrink from its top
    del blocks
    before = rss_anon_kib()
    trim = heap_trimmer()
    assert trim is not None
    trim()
    assert before - rss_anon_kib() > 32 * 1024
    del keep
