"""A parser process's garbage-collector set-up (crawlers.parsers.settle_heap after its first answers)."""

from __future__ import annotations

import asyncio
import gc

from crawlers.parsers import SETTLE_AT, ParserPool


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
