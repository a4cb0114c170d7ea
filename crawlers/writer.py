"""The crawl's store work on one thread, with group commit: jobs of many pages (and sites) share a transaction.

A job is a function of a SQLAlchemy session. Crawlers `await writer.run(job)`; the writer thread takes every job
waiting, runs them in order in one transaction and commits once, then hands each its result. If the shared
transaction fails (a bad row, a lock, a deadlock on PostgreSQL), it is rolled back and each job is run again in a
transaction of its own, so only the job at fault gets the error. Jobs must therefore touch nothing but the
session (and their own return value). The event loop never waits on the store, and fetches overlap commits.

Batched jobs (`run(job, batched=True)`) may also hand statements to `deferred(session)`: they are run as one
`executemany` per statement at the end of the group, in the order first given. Every other job first runs what
is deferred, so it sees every earlier write; batched jobs must therefore not read what batched jobs defer.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from consolidate.core.store import Store

T = TypeVar("T")
MAX_GROUP = 500  # jobs in one transaction at most
LINGER_SECONDS = 0.02  # a group of fewer than LINGER_BELOW jobs waits this long for more (group commit)…
LINGER_BELOW = 16  # …so pages share transactions: the crawl waits on its writes, never the other way round
ALONE_ATTEMPTS = 2  # tries of a job on its own after its group failed

_Job = tuple[Callable[[Session], Any], asyncio.Future | None, asyncio.AbstractEventLoop | None, bool]


class Deferred:
    """Statements whose parameter rows are collected across jobs and run as one executemany each."""

    def __init__(self) -> None:
        self._rows: dict[Any, list[dict[str, Any]]] = {}
        self._orders: dict[Any, Callable[[dict[str, Any]], Any]] = {}

    def add(self, statement: Any, rows: dict[str, Any] | list[dict[str, Any]],
            order: Callable[[dict[str, Any]], Any] | None = None) -> None:
        """Queue parameter rows for a statement (run in the order given, or stably sorted by `order`)."""
        if order is not None:
            self._orders[statement] = order
        batch = self._rows.setdefault(statement, [])
        if isinstance(rows, dict):
            batch.append(rows)
        else:
            batch.extend(rows)

    def run(self, session: Session) -> None:
        """Execute everything queued, statement by statement in first-given order, and forget it."""
        batches, self._rows = self._rows, {}
        if not batches:
            return
        connection = session.connection()  # Core statements only: no ORM layer around them
        for statement, rows in batches.items():
            order = self._orders.get(statement)
            if rows:
                connection.execute(statement, sorted(rows, key=order) if order else rows)


def deferred(session: Session) -> Deferred:
    """The deferred statements of a writer transaction."""
    found = session.info.get("deferred")
    if found is None:
        found = session.info["deferred"] = Deferred()
    return found


class StoreWriter:
    """One thread that runs store jobs for the crawlers of one event loop, committed in groups."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.users = 0
        self.transactions = 0
        self.jobs = 0
        self.failed = 0
        self.linger = LINGER_SECONDS
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="crawl-store-writer", daemon=True)
        self._thread.start()

    async def run(self, job: Callable[[Session], T], batched: bool = False) -> T:
        """Run a job in the writer thread; its result once its transaction is committed.

        batched: the job only writes (or reads nothing other batched jobs defer), so what earlier jobs deferred
        need not be run before it.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._queue.put((job, future, loop, batched))
        return await future

    def submit(self, job: Callable[[Session], Any], batched: bool = False) -> None:
        """Queue a job nobody waits for (bookkeeping); a failure is counted in `failed`, its rows stay as they were.
        batched: as for `run` (a job that only defers rows does not make the group run its deferred rows early)."""
        self._queue.put((job, None, None, batched))

    def close(self) -> None:
        """Finish the queued jobs and stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _serve(self) -> None:
        """Take every waiting job, commit them together, repeat until closed; a small group waits `linger` seconds
        for more first (each group's transaction and executemany calls cost more CPU than most of its jobs)."""
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, closing = self._gather([first])
            if not closing and len(group) < LINGER_BELOW and self.linger > 0:
                time.sleep(self.linger)
                group, closing = self._gather(group)
            self._commit_group(group)
            if closing:
                return

    def _gather(self, group: list[_Job]) -> tuple[list[_Job], bool]:
        """The group with the jobs waiting now added (up to MAX_GROUP); True when the writer was closed meanwhile."""
        while len(group) < MAX_GROUP:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return group, False
            if job is None:
                return group, True
            group.append(job)
        return group, False

    def _commit_group(self, group: list[_Job]) -> None:
        """All jobs in one transaction; on failure, each job again on its own."""
        try:
            with self.store.session() as session:
                results = [_isolated(job, session, batched) for job, _, _, batched in group]
                deferred(session).run(session)
        except Exception:  # noqa: BLE001 - find the job at fault by running each alone
            for job in group:
                self._commit_alone(job)
            return
        self.transactions += 1
        self.jobs += len(group)
        _resolve_group([(loop, future, result) for (_, future, loop, _), result in zip(group, results, strict=True)])

    def _commit_alone(self, item: _Job) -> None:
        """One job in its own transaction (tried twice if the database refused it); its error goes to its caller."""
        job, future, loop, _ = item
        for attempt in range(ALONE_ATTEMPTS):
            try:
                with self.store.session() as session:
                    result = _isolated(job, session, False)
                    deferred(session).run(session)
                break
            except DBAPIError as exc:  # e.g. another worker's row committed meanwhile, a deadlock victim: again
                if attempt + 1 < ALONE_ATTEMPTS:
                    continue
                self.failed += 1
                _resolve(loop, future, None, exc)
                return
            except Exception as exc:  # noqa: BLE001 - handed to the awaiting crawler
                self.failed += 1
                _resolve(loop, future, None, exc)
                return
        self.transactions += 1
        self.jobs += 1
        _resolve(loop, future, result, None)


def _isolated(job: Callable[[Session], T], session: Session, batched: bool) -> T:
    """Run a job (after what is deferred, unless it is batched), flush it, empty the identity map."""
    if not batched:
        deferred(session).run(session)
    result = job(session)
    session.flush()
    session.expunge_all()
    return result


def _resolve(loop: asyncio.AbstractEventLoop | None, future: asyncio.Future | None, result: Any,
             error: Exception | None) -> None:
    """Complete a caller's future from the writer thread (nothing to do for submitted jobs or a closed loop)."""
    if future is None or loop is None:
        return
    with contextlib.suppress(RuntimeError):  # the caller's loop closed meanwhile
        loop.call_soon_threadsafe(_complete, future, result, error)


def _resolve_group(done: list[tuple[asyncio.AbstractEventLoop | None, asyncio.Future | None, Any]]) -> None:
    """Complete the futures of a committed group, in order, with one wake-up of each waiting loop (not one each)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, Any]]] = {}
    for loop, future, result in done:
        if future is not None and loop is not None:
            by_loop.setdefault(loop, []).append((future, result))
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the caller's loop closed meanwhile
            loop.call_soon_threadsafe(_complete_all, futures)


def _complete(future: asyncio.Future, result: Any, error: Exception | None) -> None:
    """Set a future's result or error (in its loop), unless it is done already (its caller was cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _complete_all(futures: list[tuple[asyncio.Future, Any]]) -> None:
    """Set the results of a group's futures, in order (in their loop)."""
    for future, result in futures:
        _complete(future, result, None)


_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, StoreWriter]] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def shared_writer(store: Store) -> AsyncIterator[StoreWriter]:
    """The writer of this store in the running loop, shared by every crawler in it; stopped with its last user."""
    writers = _WRITERS.setdefault(asyncio.get_running_loop(), {})
    writer = writers.get(id(store))
    if writer is None or writer.store is not store:
        writer = writers[id(store)] = StoreWriter(store)
    writer.users += 1
    try:
        yield writer
    finally:
        writer.users -= 1
        if writer.users == 0:
            writers.pop(id(store), None)
            writer.close()
