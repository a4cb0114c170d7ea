"""Parser processes beside the crawl's event loop, each fed over its own socket (no executor threads).

A ProcessPoolExecutor moves every call through two threads of the crawl process (its manager and its queue
feeder): CPU per page and a hand-over of the GIL each way. Here the event loop writes a call straight to a
worker's socket and reads the answer when it arrives. A call is the pickled (number, function, arguments), an
answer the pickled (number, ok, result or exception), each framed by its length. The workers are forked by a fork
server (a clean process: safe beside the crawl's threads) and die with the crawl even when it is SIGKILLed
(crawlers.lifeline). When a worker dies, its calls and every later one fail with BrokenProcessPool (a
BrokenExecutor, as with the executor), and the crawl parses in its own process from then on.

The pool can grow: given `most` above `processes`, it starts another worker when every worker's window has stayed
full for GROW_AFTER seconds (the parsers, not the fetching, are then the bound) while the machine had at least
GROW_IDLE idle cores meanwhile (on a machine other work keeps busy, another parser only adds its start-up and
its own template learning, and takes CPU from the crawl's other processes), up to `most`.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import multiprocessing
import os
import pickle
import socket
import struct
import sys
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from crawlers.lifeline import worker_lifeline

FRAME = struct.Struct("!Q")  # the length of the pickle that follows
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL
IN_FLIGHT = 8  # calls sent to a worker and not yet answered, at most: it never waits for work, and the pages
# waiting beyond that stay unpickled in their crawlers (a 200-site crawl holds hundreds; their copies in socket
# buffers took 130 MB more peak memory)
GROW_AFTER = 3.0  # seconds every worker stayed busy with IN_FLIGHT calls before another worker starts (when allowed)
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


class _Answers(asyncio.Protocol):
    """The crawl's end of one worker's socket: calls written, answers matched to their futures."""

    def __init__(self, pool: ParserPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport calls are written to."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, number: int, function: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
        """Write one call; the future its answer completes."""
        assert self.transport is not None
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[number] = future
        data = pickle.dumps((number, function, args), PICKLE_PROTOCOL)
        self.transport.writelines((FRAME.pack(len(data)), data))  # Python >= 3.12 sends both without joining them
        return future

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
        """Complete the futures of the whole answers at the start of `data`; the bytes they took."""
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
                if future is not None and not future.done():
                    future.set_result(value) if ok else future.set_exception(value)
        return start

    def connection_lost(self, exc: Exception | None) -> None:
        """The worker is gone (or the pool closed): the pool is broken for every call still waiting."""
        self.transport = None
        self.pool.lost()

    def fail(self, error: BaseException) -> None:
        """Fail every call still waiting for this worker."""
        pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(error)


class ParserPool:
    """`processes` worker processes that run functions of the crawl on its pages (`await pool.call(f, *args)`),
    growing to `most` while they cannot keep up."""

    def __init__(self, processes: int, most: int | None = None) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["__main__", "crawlers.forkserver_lifeline"])
        self.most = max(processes, most or processes)
        self.broken = False
        self._closed = False
        self._calls = 0
        self._sockets: list[socket.socket] = []
        self._answers: list[_Answers] = []
        self._room: asyncio.Semaphore | None = None
        self._full_since: float | None = None  # when every worker's window was last found full, still full since
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
        self._room = asyncio.Semaphore(IN_FLIGHT * len(self._answers))
        return self

    async def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run function(*args) in the least busy worker; its result, or the exception it raised."""
        if self.broken or self._closed or self._room is None:
            raise BrokenProcessPool("a parser process stopped")
        async with self._room:
            if self.broken or self._closed:
                raise BrokenProcessPool("a parser process stopped")
            self._note_room(self._room.locked())  # this call took the last free place in the workers' windows
            self._calls += 1
            answers = min(self._answers, key=lambda a: len(a.pending))
            return await answers.send(self._calls, function, args)

    def _note_room(self, full: bool) -> None:
        """Note whether a call left every worker's window full; start another worker when they stayed full
        GROW_AFTER seconds and the pool may grow."""
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
        """Start one more worker and give the pool its window of calls."""
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
        self._answers.append(answers)
        assert self._room is not None
        for _ in range(IN_FLIGHT):
            self._room.release()
        self._growing = None

    def lost(self) -> None:
        """A worker's socket closed: unless the pool is closing, the pool is broken; every waiting call fails."""
        if not self._closed:
            self.broken = True
        for answers in self._answers:
            answers.fail(BrokenProcessPool("a parser process stopped"))
        self.close()

    def close(self) -> None:
        """Close the sockets (each worker ends at the end of its input); calls still waiting are cancelled."""
        if self._closed:
            return
        self._closed = True
        for answers in self._answers:
            for future in answers.pending.values():
                future.cancel()
            answers.pending.clear()
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
