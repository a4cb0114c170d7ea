"""Parser processes beside the crawl's event loop, each fed over its own socket (no executor threads).

A ProcessPoolExecutor moves every call through two threads of the crawl process (its manager and its queue
feeder): CPU per page and a hand-over of the GIL each way. Here the event loop writes a call straight to a
worker's socket and reads the answer when it arrives. A call is the pickled (number, function, arguments), an
answer the pickled (number, ok, result or exception), each framed by its length. The workers are forked by a fork
server (a clean process: safe beside the crawl's threads) and die with the crawl even when it is SIGKILLed
(crawlers.lifeline). When a worker dies, its calls and every later one fail with BrokenProcessPool (a
BrokenExecutor, as with the executor), and the crawl parses in its own process from then on.

Every page of a site goes to one worker, which learns the site's templates once (ParserPool).

The pool can grow: given `most` above `processes`, it starts another worker when calls have kept waiting for a
place in the workers' windows for GROW_AFTER seconds (the parsers, not the fetching, are then the bound) while the
machine had at least GROW_IDLE idle cores meanwhile (on a machine other work keeps busy, another parser only adds
its start-up and its own template learning, and takes CPU from the crawl's other processes), up to `most`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from crawlers.lifeline import worker_lifeline

FRAME = struct.Struct("!Q")  # the length of the pickle that follows
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL
IN_FLIGHT = 8  # calls sent to a worker and not yet answered, at most: it never waits for work, and the pages
# waiting beyond that stay unpickled in their crawlers (a 200-site crawl holds hundreds; their copies in socket
# buffers took 130 MB more peak memory)
STARVING = IN_FLIGHT // 2  # a worker with fewer calls in flight takes another worker's site's call at once rather
# than let it wait for its own worker (one with a few calls queued in its socket does not run dry)
GROW_AFTER = 3.0  # seconds calls kept waiting for a place in the workers' windows before another worker starts
GROW_IDLE = 0.2  # idle cores the machine had over those seconds, at least
SETTLE_AT = frozenset((1, 10, 100, 1000, 10_000))  # answers after which a worker settles its heap (settle_heap)
TRIM_EVERY = 100  # answers between two returns of a worker's free C heap to the system (heap_trimmer): ~1-2 ms
# each; glibc keeps what a big page's tree and strings freed, 15 MB of a parser's 45 MB heap


def machine_idle() -> tuple[float, float] | None:
    """(idle, total) CPU seconds of the whole machine since boot, summed over its cores (Linux /proc/stat), or
    None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [float(v) for v in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(fields) < 5:
        return None
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; user … steal


class _Call:
    """One call of the crawl: the site whose worker it belongs to, what to run, and the future its answer
    completes."""

    __slots__ = ("site", "function", "args", "future")

    def __init__(self, site: Hashable | None, function: Callable[..., Any], args: tuple[Any, ...],
                 future: asyncio.Future[Any]) -> None:
        self.site = site
        self.function = function
        self.args = args
        self.future = future


class _Answers(asyncio.Protocol):
    """The crawl's end of one worker's socket: calls written, answers matched to their futures; the sites whose
    pages the worker parses, and their calls waiting for a place in its window."""

    def __init__(self, pool: ParserPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.pending: dict[int, asyncio.Future[Any]] = {}  # sent and not answered: at most IN_FLIGHT
        self.waiting: deque[_Call] = deque()  # its sites' calls beyond its window, in the order they came
        self.sites: dict[Hashable, int] = {}  # the sites this worker parses, with the calls each has made
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport calls are written to."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, number: int, call: _Call) -> bool:
        """Write one call, whose future then waits for the answer; False (the future holds the error) when the
        call does not pickle."""
        assert self.transport is not None
        try:
            data = pickle.dumps((number, call.function, call.args), PICKLE_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - handed to the caller, as an executor would
            call.future.set_exception(exc)
            return False
        self.pending[number] = call.future
        self.transport.writelines((FRAME.pack(len(data)), data))  # Python >= 3.12 sends both without joining them
        return True

    def data_received(self, data: bytes) -> None:
        """Complete the futures of every whole answer received. Answers are unpickled where they lie; only the
        part of an answer still incomplete is kept (an answer of many reads gathers in the buffer)."""
        buffer = self._buffer
        if buffer:
            buffer += data
            del buffer[:self._answer_whole(buffer)]
        else:
            used = self._answer_whole(data)
            if used < len(data):
                buffer += memoryview(data)[used:]

    def _answer_whole(self, data: bytes | bytearray) -> int:
        """Complete the futures of the whole answers at the start of `data`, each answer's place in the window
        going to a waiting call; the bytes they took."""
        start = 0
        with memoryview(data) as view:
            while len(view) - start >= FRAME.size:
                end = start + FRAME.size + FRAME.unpack_from(view, start)[0]
                if len(view) < end:
                    break
                with view[start + FRAME.size:end] as answer:
                    number, ok, value = pickle.loads(answer)
                start = end
                future = self.pending.pop(number, None)
                if future is None:
                    continue
                if not future.done():
                    future.set_result(value) if ok else future.set_exception(value)
                self.pool.serve(self)
        return start

    def connection_lost(self, exc: Exception | None) -> None:
        """The worker is gone (or the pool closed): the pool is broken for every call still waiting."""
        self.transport = None
        self.pool.lost()

    def fail(self, error: BaseException) -> None:
        """Fail every call still waiting for this worker, sent or not."""
        pending, self.pending = self.pending, {}
        waiting, self.waiting = self.waiting, deque()
        for future in [*pending.values(), *(call.future for call in waiting)]:
            if not future.done():
                future.set_exception(error)


class ParserPool:
    """`processes` worker processes that run functions of the crawl on its pages (`await pool.call(f, *args,
    site=…)`), growing to `most` while they cannot keep up.

    A site's calls go to one worker (its home), which learns the site's templates once: a call waits for a place
    in its home's window rather than take one elsewhere. A place that frees goes to a waiting call of its own
    worker's sites first, and only when there is none to the first of the longest other queue (no worker idles
    while calls wait); a worker about to run dry (fewer than STARVING calls in flight) takes a call at once. When
    the pool grows, the new worker takes its share of every worker's sites (those with the fewest calls so far,
    the least learned), with their waiting calls."""

    def __init__(self, processes: int, most: int | None = None) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["__main__", "crawlers.forkserver_lifeline"])
        self.most = max(processes, most or processes)
        self.broken = False
        self._closed = False
        self._calls = 0
        self._sockets: list[socket.socket] = []
        self._answers: list[_Answers] = []
        self._homes: dict[Hashable, _Answers] = {}  # each site's worker
        self._full_since: float | None = None  # when a call last had to wait for a place, calls waiting since
        self._idle_since: tuple[float, float] | None = None  # the machine's idle and total CPU then
        self._growing: asyncio.Task[None] | None = None
        self.processes: list[Any] = []
        for _ in range(processes):
            self._start()

    def _start(self) -> socket.socket:
        """Start one worker; the crawl's end of its socket."""
        mine, theirs = socket.socketpair()
        process = self._context.Process(target=serve, args=(theirs, os.getpid()), daemon=True, name="crawl-parser")
        process.start()
        theirs.close()
        self._sockets.append(mine)
        self.processes.append(process)
        return mine

    async def connect(self) -> ParserPool:
        """Attach the workers' sockets to the running event loop."""
        loop = asyncio.get_running_loop()
        for sock in self._sockets:
            _, answers = await loop.create_connection(lambda: _Answers(self), sock=sock)
            self._answers.append(answers)
        return self

    async def call(self, function: Callable[..., Any], *args: Any, site: Hashable | None = None) -> Any:
        """Run function(*args) in the site's worker (no site: the least busy one); its result, or the exception
        it raised."""
        if self.broken or self._closed or not self._answers:
            raise BrokenProcessPool("a parser process stopped")
        call = _Call(site, function, args, asyncio.get_running_loop().create_future())
        self._place(call)
        try:
            return await call.future
        except asyncio.CancelledError:
            self._withdraw(call)
            raise

    def windows(self) -> list[tuple[int, int]]:
        """(calls in flight, calls waiting) of each worker, in the order the workers started."""
        return [(len(answers.pending), len(answers.waiting)) for answers in self._answers]

    def _place(self, call: _Call) -> None:
        """Send a call to its site's worker when that has room, else to a worker about to run dry, else queue it
        at its site's worker."""
        home = self._home(call.site)
        if len(home.pending) >= IN_FLIGHT or home.waiting:
            spare = min(self._answers, key=lambda a: len(a.pending))
            if len(spare.pending) >= STARVING:
                home.waiting.append(call)
                self._note_room(True)
                return
            home = spare
        self._note_room(False)
        self._send(home, call)

    def _home(self, site: Hashable | None) -> _Answers:
        """The site's worker, counting the call (a new site: the worker with the fewest sites); with no site, the
        least busy worker."""
        if site is None:
            return min(self._answers, key=lambda a: len(a.pending) + len(a.waiting))
        home = self._homes.get(site)
        if home is None:
            home = self._homes[site] = min(self._answers, key=lambda a: len(a.sites))
            home.sites[site] = 0
        home.sites[site] += 1
        return home

    def _send(self, answers: _Answers, call: _Call) -> bool:
        """Write the call to the worker under the next number; False when it did not pickle (its future failed)."""
        self._calls += 1
        return answers.send(self._calls, call)

    def serve(self, answers: _Answers) -> None:
        """Fill the worker's free places in its window: its own sites' waiting calls first, then the first calls
        of the longest other queue."""
        while not self._closed and len(answers.pending) < IN_FLIGHT:
            queue = answers.waiting or max(self._answers, key=lambda a: len(a.waiting)).waiting
            if not queue:
                return
            call = queue.popleft()
            if not call.future.done():  # one cancelled is taken out when its caller resumes: skipped until then
                self._note_room(True)  # a call had to wait
                self._send(answers, call)

    def _withdraw(self, call: _Call) -> None:
        """Take a cancelled call out of the queue it waits in (one already sent keeps its place until its answer
        comes)."""
        for answers in self._answers:
            with contextlib.suppress(ValueError):
                answers.waiting.remove(call)

    def _note_room(self, full: bool) -> None:
        """Note whether a call had to wait for a place; start another worker when calls kept waiting GROW_AFTER
        seconds and the pool may grow."""
        if not full:
            self._full_since = None
            return
        now = time.monotonic()
        if self._full_since is None:
            self._full_since, self._idle_since = now, machine_idle()
        elif (now - self._full_since >= GROW_AFTER and len(self.processes) < self.most and self._growing is None
              and not self._closed):
            if self._idle_cores() >= GROW_IDLE:
                self._growing = asyncio.get_running_loop().create_task(self._grow())
            else:  # the machine is busy: no use in another parser; look again over the next seconds
                self._full_since, self._idle_since = now, machine_idle()

    def _idle_cores(self) -> float:
        """Idle cores of the machine since the window filled (all of them where that cannot be read)."""
        now = machine_idle()
        cores = float(os.cpu_count() or 1)
        if now is None or self._idle_since is None or now[1] <= self._idle_since[1]:
            return cores
        return (now[0] - self._idle_since[0]) / (now[1] - self._idle_since[1]) * cores

    async def _grow(self) -> None:
        """Start one more worker, give it its share of the sites and fill its window."""
        try:
            sock = self._start()
            _, answers = await asyncio.get_running_loop().create_connection(lambda: _Answers(self), sock=sock)
        except OSError:  # the pool closed meanwhile (its socket too)
            return
        finally:
            self._full_since = None
        if self._closed:
            if answers.transport is not None:
                answers.transport.close()
            return
        self._rebalance(answers)
        self._answers.append(answers)
        self.serve(answers)
        self._growing = None

    def _rebalance(self, new: _Answers) -> None:
        """Move to a new worker its share of every worker's sites, those with the fewest calls so far (the least
        learned), and their waiting calls in the order they came."""
        share = len(self._answers) + 1
        for old in self._answers:
            moving = set(sorted(old.sites, key=old.sites.__getitem__)[:len(old.sites) // share])
            for site in moving:
                new.sites[site] = old.sites.pop(site)
                self._homes[site] = new
            staying: deque[_Call] = deque()
            for call in old.waiting:
                (new.waiting if call.site in moving else staying).append(call)
            old.waiting = staying

    def lost(self) -> None:
        """A worker's socket closed: unless the pool is closing, the pool is broken; every waiting call fails."""
        if not self._closed:
            self.broken = True
        for answers in self._answers:
            answers.fail(BrokenProcessPool("a parser process stopped"))
        self.close()

    def close(self) -> None:
        """Close the sockets (each worker ends at the end of its input); calls sent are cancelled, calls waiting to
        be sent fail as on a broken pool."""
        if self._closed:
            return
        self._closed = True
        for answers in self._answers:
            for future in answers.pending.values():
                future.cancel()
            answers.pending.clear()
            answers.fail(BrokenProcessPool("a parser process stopped"))
            if answers.transport is not None:
                answers.transport.close()
        for sock in self._sockets[len(self._answers):]:  # never attached to a loop
            sock.close()


def settle_heap() -> None:
    """Collect once, then leave every object alive now out of later collections (gc.freeze): what a parser keeps
    (modules, the templates and memos of the pages seen so far) is not walked again by each full collection, which a
    big page's thousands of node wrappers set off (a third of such a page's CPU). Objects frozen still die by their
    reference count; only a cycle among them outlives its use."""
    gc.collect()
    gc.freeze()


def heap_trimmer() -> Callable[[], object] | None:
    """A function that gives the C heap's free pages back to the system (glibc's malloc_trim), or None where the C
    library has none (other systems, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return lambda: trim(0)


def serve(sock: socket.socket, crawl_pid: int) -> None:
    """A worker: answer calls until the crawl closes its end of the socket, settling its heap after the answers of
    SETTLE_AT (its first answer: the extraction modules imported; later ones: the templates learned since) and
    giving its free C heap back every TRIM_EVERY answers."""
    worker_lifeline(crawl_pid)
    trim = heap_trimmer()
    answered = 0
    with sock:
        while (header := _receive(sock, FRAME.size)) is not None:
            call = _receive(sock, FRAME.unpack(header)[0])
            if call is None:
                return
            number, function, args = pickle.loads(call)
            _send_framed(sock, _answer(number, function, args))
            answered += 1
            if answered in SETTLE_AT:
                settle_heap()
            if trim is not None and answered % TRIM_EVERY == 0:
                trim()


def _answer(number: int, function: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """The pickled answer to one call: its result, the exception it raised, or (an exception that does not pickle)
    a RuntimeError with its type and message."""
    try:
        data = pickle.dumps((number, True, function(*args)), PICKLE_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - handed to the caller, as an executor would
        try:
            data = pickle.dumps((number, False, exc), PICKLE_PROTOCOL)
            pickle.loads(data)
        except Exception:  # noqa: BLE001 - not picklable either way: keep type and message
            data = pickle.dumps((number, False, RuntimeError(f"{type(exc).__name__}: {exc}")), PICKLE_PROTOCOL)
    return data


def _send_framed(sock: socket.socket, data: bytes) -> None:
    """Send a pickle behind its length, in one system call and without joining the two (the rest of a send a
    signal cut short follows)."""
    header = FRAME.pack(len(data))
    sent = sock.sendmsg((header, data))
    if sent < FRAME.size:
        sock.sendall(header[sent:])
        sent = FRAME.size
    if sent - FRAME.size < len(data):
        with memoryview(data) as view:
            sock.sendall(view[sent - FRAME.size:])


def _receive(sock: socket.socket, size: int) -> bytearray | None:
    """Exactly `size` bytes from the socket, or None when it closed first."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        count = sock.recv_into(view[got:])
        if count == 0:
            return None
        got += count
    return buffer
