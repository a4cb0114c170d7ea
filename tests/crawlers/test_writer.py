"""The crawl's store writer: jobs waiting together share one transaction; a bad job fails alone."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consolidate.core.store import EventRow, Store, utcnow
from crawlers.crawler import INSERT_EVENTS
from crawlers.writer import deferred, shared_writer
from tests.crawlers.crawl_helpers import open_store


def add_event(code: str) -> object:
    """A job that adds one event row and returns its code."""

    def job(session: Session) -> str:
        session.add(EventRow(site_id=None, stage="crawl", level="info", code=code, message=code))
        return code

    return job


def blocking_job(entered: threading.Event, gate: threading.Event) -> object:
    """A job that signals it runs, then holds the writer until the gate opens."""

    def job(session: Session) -> None:
        entered.set()
        gate.wait(10)

    return job


def event_codes(store: Store) -> list[str]:
    """Codes of the stored events, in insertion order."""
    with store.session() as session:
        return list(session.scalars(select(EventRow.code).order_by(EventRow.id)))


def test_waiting_jobs_commit_in_one_transaction_in_order(tmp_path: Path) -> None:
    """Twenty jobs queued behind a busy one: two transactions in all, every result back, order kept."""
    store = open_store(tmp_path)
    entered, gate = threading.Event(), threading.Event()

    async def scenario() -> tuple[list[str], int, int]:
        async with shared_writer(store) as writer:
            blocker = asyncio.ensure_future(writer.run(blocking_job(entered, gate)))
            await asyncio.to_thread(entered.wait, 10)  # the writer is busy with the blocker now
            jobs = [asyncio.ensure_future(writer.run(add_event(f"e{i}"))) for i in range(20)]
            await asyncio.sleep(0)
            gate.set()
            await blocker
            results = await asyncio.gather(*jobs)
            return results, writer.transactions, writer.jobs

    results, transactions, jobs = asyncio.run(scenario())
    assert results == [f"e{i}" for i in range(20)]
    assert (transactions, jobs) == (2, 21)
    assert event_codes(store) == [f"e{i}" for i in range(20)]


def test_a_failing_job_fails_alone_and_the_others_commit(tmp_path: Path) -> None:
    """One job of a group raises: its caller gets the error, the rest of the group is still stored."""
    store = open_store(tmp_path)
    entered, gate = threading.Event(), threading.Event()

    def broken(session: Session) -> None:
        session.execute(select(func.count()).select_from(EventRow))
        raise ValueError("bad row")

    async def scenario() -> list[object]:
        async with shared_writer(store) as writer:
            blocker = asyncio.ensure_future(writer.run(blocking_job(entered, gate)))
            await asyncio.to_thread(entered.wait, 10)  # the writer is busy with the blocker now
            jobs = [asyncio.ensure_future(writer.run(job))
                    for job in (add_event("before"), broken, add_event("after"))]
            await asyncio.sleep(0)
            gate.set()
            await blocker
            return await asyncio.gather(*jobs, return_exceptions=True)

    before, error, after = asyncio.run(scenario())
    assert (before, after) == ("before", "after")
    assert isinstance(error, ValueError)
    assert event_codes(store) == ["before", "after"]


def test_writer_is_shared_within_a_loop_and_stopped_with_its_last_user(tmp_path: Path) -> None:
    """Two users of one store in one loop get the same writer; its thread ends when both are done."""
    store = open_store(tmp_path)

    async def scenario() -> tuple[bool, threading.Thread]:
        async with shared_writer(store) as first, shared_writer(store) as second:
            return first is second, first._thread

    same, thread = asyncio.run(scenario())
    assert same
    assert not thread.is_alive()


def test_submitted_jobs_are_written_before_the_writer_stops(tmp_path: Path) -> None:
    """A job queued without waiting (bookkeeping) is committed by the time its users are done."""
    store = open_store(tmp_path)

    async def scenario() -> None:
        async with shared_writer(store) as writer:
            writer.submit(add_event("queued"))

    asyncio.run(scenario())
    assert event_codes(store) == ["queued"]


def defer_event(code: str) -> object:
    """A batched job that defers one event row; the row of code 'bad' breaks the NOT NULL of `message`."""

    def job(session: Session) -> str:
        row = {"site_id": None, "stage": "crawl", "level": "info", "code": code,
               "message": None if code == "bad" else code, "url": None, "created_at": utcnow()}
        deferred(session).add(INSERT_EVENTS, row)
        return code

    return job


def test_deferred_rows_run_once_at_group_end_and_a_bad_row_fails_alone(tmp_path: Path) -> None:
    """Batched jobs queue rows for one executemany; a plain job in between sees the rows queued before it; a
    row the store refuses fails its own job only, and every other row is written exactly once."""
    store = open_store(tmp_path)
    entered, gate = threading.Event(), threading.Event()

    def count_events(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(EventRow))

    async def scenario() -> list[object]:
        async with shared_writer(store) as writer:
            blocker = asyncio.ensure_future(writer.run(blocking_job(entered, gate)))
            await asyncio.to_thread(entered.wait, 10)  # the writer is busy: what follows forms one group
            jobs = [asyncio.ensure_future(writer.run(defer_event("a"), batched=True)),
                    asyncio.ensure_future(writer.run(defer_event("b"), batched=True)),
                    asyncio.ensure_future(writer.run(count_events)),
                    asyncio.ensure_future(writer.run(defer_event("bad"), batched=True)),
                    asyncio.ensure_future(writer.run(defer_event("c"), batched=True))]
            await asyncio.sleep(0)
            gate.set()
            await blocker
            return await asyncio.gather(*jobs, return_exceptions=True)

    a, b, seen, bad, c = asyncio.run(scenario())
    assert (a, b, c) == ("a", "b", "c")
    assert seen == 2, "a plain job must see the rows batched jobs deferred before it"
    assert isinstance(bad, Exception)
    assert sorted(event_codes(store)) == ["a", "b", "c"]
