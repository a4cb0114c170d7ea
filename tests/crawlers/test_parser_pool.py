"""The crawl's parser processes (crawlers.parsers): answers, raised errors, and a worker that dies."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from concurrent.futures import BrokenExecutor

import pytest

from crawlers.crawler import parse_page
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
