"""Parser-site affinity (crawlers.parsers.ParserPool): a site's calls go to one worker, a freed place serves its own
worker's sites first, cancelled calls give their place back, a dead worker fails every waiting call, and a pool
that grows hands the new worker half the sites."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from collections.abc import Awaitable
from concurrent.futures import BrokenExecutor
from pathlib import Path
from typing import Any

import pytest

from crawlers import parsers
from crawlers.parsers import IN_FLIGHT, ParserPool

WAIT_LIMIT = 60.0  # seconds a blocked call or a test's await gives up after (a hang fails instead of stalling)
_SERVED = itertools.count(1)  # calls this worker process has run, in the order it ran them


def served(tag: str = "") -> tuple[int, int, str]:
    """This worker's pid, the call's place in the worker's order, and the tag."""
    return os.getpid(), next(_SERVED), tag


def blocked(release: str, tag: str = "") -> tuple[int, int, str]:
    """Wait until the file `release` exists, then answer as `served`."""
    deadline = time.monotonic() + WAIT_LIMIT
    while not os.path.exists(release):
        if time.monotonic() > deadline:
            raise TimeoutError(release)
        time.sleep(0.005)
    return served(tag)


def touch(path: str) -> None:
    """Create the file `path` (a call that leaves a trace when it runs)."""
    Path(path).touch()


async def bounded(awaitable: Awaitable[Any]) -> Any:
    """Await with WAIT_LIMIT: a pool that hangs fails the test."""
    return await asyncio.wait_for(awaitable, WAIT_LIMIT)


async def settled(pool: ParserPool, windows: list[tuple[int, int]]) -> None:
    """Wait until the pool's windows read `windows` (calls sent are written from the loop's callbacks)."""
    async def poll() -> None:
        while pool.windows() != windows:
            await asyncio.sleep(0.005)

    await bounded(poll())


async def home_pids(pool: ParserPool, sites: list[str], rounds: int = 1) -> dict[str, set[int]]:
    """Each site's calls made one after another, all sites at once: the pids that answered each site."""
    async def site_calls(site: str) -> set[int]:
        return {(await pool.call(served, site=site))[0] for _ in range(rounds)}

    answers = await bounded(asyncio.gather(*(site_calls(site) for site in sites)))
    return dict(zip(sites, answers, strict=True))


def test_a_sites_calls_land_on_one_worker() -> None:
    """Twelve sites on two workers, ten calls each: every site's calls answered by one worker, the sites split
    six and six (the least busy worker took calls of any site before)."""

    async def run() -> dict[str, set[int]]:
        pool = await ParserPool(2).connect()
        try:
            return await home_pids(pool, [f"site{n}" for n in range(12)], rounds=10)
        finally:
            pool.close()

    pids = asyncio.run(run())
    assert all(len(answered) == 1 for answered in pids.values())
    homes = [next(iter(answered)) for answered in pids.values()]
    assert sorted(homes.count(pid) for pid in set(homes)) == [6, 6]


def test_a_freed_place_serves_its_own_sites_first(tmp_path: Path) -> None:
    """Both workers full, calls of site a waiting at one, of site b at the other; a's worker freed while b's stays
    blocked: all thirty of a's calls run on a's worker, and only once none of a's waits does it take b's waiting
    calls (no worker idles while calls wait)."""
    release_a, release_b = str(tmp_path / "release_a"), str(tmp_path / "release_b")

    async def run() -> tuple[int, int, list[tuple[int, int, str]], list[tuple[int, int, str]]]:
        pool = await ParserPool(2).connect()
        try:
            home_a = (await pool.call(served, site="a"))[0]
            home_b = (await pool.call(served, site="b"))[0]
            blocking = [asyncio.ensure_future(pool.call(blocked, release, site=site))
                        for release, site in ((release_a, "a"), (release_b, "b")) for _ in range(IN_FLIGHT)]
            b_waiting = [asyncio.ensure_future(pool.call(served, "b", site="b")) for _ in range(5)]
            a_waiting = [asyncio.ensure_future(pool.call(served, "a", site="a")) for _ in range(30)]
            await settled(pool, [(IN_FLIGHT, 30), (IN_FLIGHT, 5)])
            touch(release_a)
            a_answers = await bounded(asyncio.gather(*a_waiting))
            b_stolen = await bounded(asyncio.gather(*b_waiting))  # b's worker is still blocked
            touch(release_b)
            await bounded(asyncio.gather(*blocking))
            return home_a, home_b, a_answers, b_stolen
        finally:
            pool.close()

    home_a, home_b, a_answers, b_stolen = asyncio.run(run())
    assert home_a != home_b
    assert {pid for pid, _, _ in a_answers} == {home_a}
    assert {pid for pid, _, _ in b_stolen} == {home_a}
    assert min(order for _, order, _ in b_stolen) > max(order for _, order, _ in a_answers)


def test_cancelled_calls_leave_no_place_taken(tmp_path: Path) -> None:
    """Calls cancelled while waiting never run; calls cancelled once sent keep their place only until their
    answer comes; afterwards the whole window takes calls again and the next one waits."""
    release, again = str(tmp_path / "release"), str(tmp_path / "again")

    async def run() -> list[tuple[int, int]]:
        pool = await ParserPool(1).connect()
        try:
            sent = [asyncio.ensure_future(pool.call(blocked, release, site=f"s{n % 3}")) for n in range(IN_FLIGHT)]
            waiting = [asyncio.ensure_future(pool.call(touch, str(tmp_path / f"ran{n}"), site=f"s{n % 3}"))
                       for n in range(20)]
            await settled(pool, [(IN_FLIGHT, 20)])
            for call in [*waiting, *sent[:3]]:
                call.cancel()
            await asyncio.sleep(0)
            await settled(pool, [(IN_FLIGHT, 0)])
            touch(release)
            await bounded(asyncio.gather(*sent[3:]))
            await settled(pool, [(0, 0)])
            refill = [asyncio.ensure_future(pool.call(blocked, again, site=f"s{n % 3}")) for n in range(IN_FLIGHT + 1)]
            await settled(pool, [(IN_FLIGHT, 1)])
            seen = pool.windows()
            touch(again)
            await bounded(asyncio.gather(*refill))
            return seen
        finally:
            pool.close()

    assert asyncio.run(run()) == [(IN_FLIGHT, 1)]
    assert not list(tmp_path.glob("ran*"))


def test_a_dead_worker_fails_every_waiting_call(tmp_path: Path) -> None:
    """Two workers full with calls waiting behind each; one worker killed: every call, sent or waiting, on
    either worker, raises BrokenExecutor, and so does the next call."""
    release = str(tmp_path / "release")

    async def run() -> tuple[list[BaseException | Any], bool]:
        pool = await ParserPool(2).connect()
        try:
            victim = (await pool.call(served, site="a"))[0]
            await pool.call(served, site="b")
            calls = [asyncio.ensure_future(pool.call(blocked, release, site=site))
                     for _ in range(IN_FLIGHT + 4) for site in ("a", "b")]  # both windows fill, then both queue
            await settled(pool, [(IN_FLIGHT, 4), (IN_FLIGHT, 4)])
            os.kill(victim, signal.SIGKILL)
            outcomes = await bounded(asyncio.gather(*calls, return_exceptions=True))
            with pytest.raises(BrokenExecutor):
                await pool.call(served, site="c")
            return outcomes, pool.broken
        finally:
            touch(release)
            pool.close()

    outcomes, broken = asyncio.run(run())
    assert broken
    assert len(outcomes) == 2 * (IN_FLIGHT + 4)
    assert all(isinstance(outcome, BrokenExecutor) for outcome in outcomes)


def test_growth_moves_half_the_sites_to_the_new_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ten sites saturate one worker on an idle machine: a second worker starts and takes five of the sites
    (their waiting calls with them); from then on each site's calls go to its worker, five sites on each."""
    monkeypatch.setattr(parsers, "GROW_AFTER", 0.05)
    idle = iter(range(0, 10**9, 10))  # every reading: 10 more seconds idle of 10 (a machine doing nothing else)
    monkeypatch.setattr(parsers, "machine_idle", lambda: (float(next(idle)), float(next(idle))))
    release = str(tmp_path / "release")
    sites = [f"site{n}" for n in range(10)]

    async def run() -> tuple[int, list[tuple[int, int]], dict[str, set[int]]]:
        pool = await ParserPool(1, most=2).connect()
        try:
            calls = [asyncio.ensure_future(pool.call(blocked, release, site=site)) for site in sites for _ in range(3)]
            await settled(pool, [(IN_FLIGHT, 22)])
            await asyncio.sleep(parsers.GROW_AFTER)
            calls.append(asyncio.ensure_future(pool.call(blocked, release, site=sites[-1])))  # the pool grows
            await bounded(_grown(pool))
            moved = pool.windows()
            touch(release)
            await bounded(asyncio.gather(*calls))
            return len(pool.processes), moved, await home_pids(pool, sites, rounds=3)
        finally:
            pool.close()

    processes, moved, pids = asyncio.run(run())
    assert processes == 2
    assert moved[1][0] == IN_FLIGHT  # the new worker's window filled at once from the calls that waited
    assert sum(sent + waiting for sent, waiting in moved) == 31
    assert all(len(answered) == 1 for answered in pids.values())
    homes = [next(iter(answered)) for answered in pids.values()]
    assert sorted(homes.count(pid) for pid in set(homes)) == [5, 5]


async def _grown(pool: ParserPool) -> None:
    """Wait until the pool has attached a second worker."""
    while len(pool.windows()) < 2:
        await asyncio.sleep(0.005)
