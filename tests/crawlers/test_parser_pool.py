"""The crawl's parser processes (crawlers.parsers): answers, raised errors, and a worker that dies."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from concurrent.futures import BrokenExecutor

import pytest

from crawlers import parsers
from crawlers.crawler import parse_page, parser_limit
from crawlers.parsers import ParserPool


class Unpicklable(Exception):
    """An error carrying something that cannot cross processes."""

    def __init__(self) -> None:
        super().__init__("holds a lock")
        self.lock = threading.Lock()


def double(value: int) -> tuple[int, int]:
    """The value doubled, with the pid that computed it."""
    return value * 2, os.getpid()


def fail(message: str) -> None:
    """Raise a ValueError."""
    raise ValueError(message)


def fail_unpicklable() -> None:
    """Raise an error that does not pickle."""
    raise Unpicklable


def test_calls_are_answered_in_the_workers() -> None:
    """Many calls at once on two workers: every answer right, computed outside this process, both workers used."""

    async def run() -> list[tuple[int, int]]:
        pool = await ParserPool(2).connect()
        try:
            return list(await asyncio.gather(*(pool.call(double, n) for n in range(200))))
        finally:
            pool.close()

    answers = asyncio.run(run())
    assert [value for value, _ in answers] == [n * 2 for n in range(200)]
    pids = {pid for _, pid in answers}
    assert os.getpid() not in pids
    assert len(pids) == 2


def test_parse_page_crosses_whole() -> None:
    """A real page parsed in a worker is what parsing it here gives."""
    body = "<html><head><title>通知</title></head><body><a href='/a/1.html'>一</a><p>正文</p></body></html>".encode()
    args = (body, "text/html; charset=utf-8", "http://gov.example/index.html", "s", "page")

    async def run() -> object:
        pool = await ParserPool(1).connect()
        try:
            return await pool.call(parse_page, *args)
        finally:
            pool.close()

    assert asyncio.run(run()) == parse_page(*args)


def test_errors_reach_the_caller_and_the_pool_goes_on() -> None:
    """A raised error comes back with its type and message (one that does not pickle as a RuntimeError naming
    it); the worker answers the next call."""

    async def run() -> None:
        pool = await ParserPool(1).connect()
        try:
            with pytest.raises(ValueError, match="bad page"):
                await pool.call(fail, "bad page")
            with pytest.raises(RuntimeError, match="Unpicklable: holds a lock"):
                await pool.call(fail_unpicklable)
            assert (await pool.call(double, 4))[0] == 8
        finally:
            pool.close()

    asyncio.run(run())


def test_a_dead_worker_breaks_the_pool() -> None:
    """A worker killed mid-crawl: its call and every later one raise BrokenExecutor (the crawl then parses in its
    own process), nothing hangs."""

    async def run() -> None:
        pool = await ParserPool(1).connect()
        try:
            _, pid = await pool.call(double, 1)
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(BrokenExecutor):
                await pool.call(double, 2)
            with pytest.raises(BrokenExecutor):
                await pool.call(double, 3)
            assert pool.broken
        finally:
            pool.close()

    asyncio.run(run())


def slow_pid(seconds: float) -> int:
    """Sleep, then the pid that slept."""
    time.sleep(seconds)
    return os.getpid()


def test_a_saturated_pool_grows_to_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls arriving faster than one worker answers on a machine with idle cores: a second worker starts and
    takes calls; never a third."""
    monkeypatch.setattr(parsers, "GROW_AFTER", 0.05)
    idle = iter(range(0, 10**9, 10))  # every reading: 10 more seconds idle of 10 (a machine doing nothing else)
    monkeypatch.setattr(parsers, "machine_idle", lambda: (float(next(idle)), float(next(idle))))

    async def run() -> tuple[set[int], int]:
        pool = await ParserPool(1, most=2).connect()
        try:
            pids = await asyncio.gather(*(pool.call(slow_pid, 0.02) for _ in range(120)))
            return set(pids), len(pool.processes)
        finally:
            pool.close()

    pids, processes = asyncio.run(run())
    assert processes == 2
    assert len(pids) == 2


def test_a_pool_that_keeps_up_does_not_grow(monkeypatch: pytest.MonkeyPatch) -> None:
    """One call at a time never fills the window: the pool stays at one worker."""
    monkeypatch.setattr(parsers, "GROW_AFTER", 0.0)

    async def run() -> int:
        pool = await ParserPool(1, most=3).connect()
        try:
            for n in range(30):
                assert (await pool.call(double, n))[0] == n * 2
            return len(pool.processes)
        finally:
            pool.close()

    assert asyncio.run(run()) == 1


def test_parser_limit_on_small_and_large_machines() -> None:
    """Two parsers at most on two cores (one alone cannot keep up there), one core left to the loop above."""
    assert [parser_limit(cores) for cores in (1, 2, 3, 4, 8)] == [1, 2, 2, 3, 7]


def test_a_saturated_pool_on_a_busy_machine_does_not_grow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every worker busy, but the machine had no idle core meanwhile (other work holds it): no second worker."""
    monkeypatch.setattr(parsers, "GROW_AFTER", 0.05)
    busy = iter(range(0, 10**9, 10))  # idle time never moves, total time does
    monkeypatch.setattr(parsers, "machine_idle", lambda: (0.0, float(next(busy))))

    async def run() -> int:
        pool = await ParserPool(1, most=2).connect()
        try:
            await asyncio.gather(*(pool.call(slow_pid, 0.02) for _ in range(60)))
            return len(pool.processes)
        finally:
            pool.close()

    assert asyncio.run(run()) == 1


def test_machine_idle_reads_this_machine() -> None:
    """Idle and total CPU seconds since boot, idle within total (None only where /proc/stat is missing)."""
    reading = parsers.machine_idle()
    if reading is None:
        pytest.skip("no /proc/stat on this system")
    idle, total = reading
    assert 0 <= idle <= total
