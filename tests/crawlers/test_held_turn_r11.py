"""A page fetch takes its room in the crawl's budget of held page bytes when its host's turn comes, not before (a
worker waiting for its host's turn holds none of it), and a request that waited for room still starts no sooner
than an interval after its host's last start."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawlers.crawler import HeldPage, HeldPages
from crawlers.fetch import FetchContext, Fetcher, FetchPolicy, open_client
from crawlers.urls import Scope


class _Arrivals(ThreadingHTTPServer):
    """A server on 127.0.0.1 answering every GET with a small page, noting when each path arrived (monotonic)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrived: dict[str, float] = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    """Note the arrival, answer a small page."""

    server: _Arrivals

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        """Answer one GET."""
        self.server.arrived[self.path] = time.monotonic()
        body = b"<html><body><p>page</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        """Quiet."""


@pytest.fixture
def server() -> Iterator[_Arrivals]:
    """A fresh server for one test."""
    running = _Arrivals()
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()


def _fetcher(client: object, server: _Arrivals, tmp_path: Path, rate: float) -> Fetcher:
    """A fetcher of the server's host at `rate` requests a second, two at a time."""
    policy = FetchPolicy(user_agent="test", rate_per_host=rate, concurrency_per_host=2, timeout=5.0, retries=0,
                         allow_private=True)
    return Fetcher(policy, client, Scope.for_site(server.url, [], [], []), tmp_path / "spool",  # type: ignore[arg-type]
                   FetchContext(8))


async def _until(condition: object, seconds: float = 5.0) -> None:
    """Let the loop run until `condition()` holds (at most `seconds`)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.01)


def test_a_fetch_waiting_for_its_hosts_turn_holds_no_room(server: _Arrivals, tmp_path: Path) -> None:
    """The host's next turn is an hour away: the page's fetch waits for it without taking room in the budget, and
    cancelled there, it leaves the budget as it found it."""

    async def scenario() -> None:
        pages = HeldPages(most=1 << 20)
        async with open_client(4) as client:
            fetcher = _fetcher(client, server, tmp_path, rate=1.0)
            fetcher.limiter(server.url).slow_down(3600.0)
            page = HeldPage(pages)
            task = asyncio.create_task(fetcher.fetch(server.url + "later.html", admit=page.admit))
            await _until(lambda: bool(fetcher.limiter(server.url).schedule))
            await asyncio.sleep(0.05)
            assert not task.done() and not page.reserved
            assert (pages.fetching, pages.held) == (0, 0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            page.fetched(0)
            assert (pages.fetching, pages.held, pages.waited) == (0, 0, 0)
        assert "/later.html" not in server.arrived

    asyncio.run(scenario())


def test_a_request_that_waited_for_room_keeps_its_distance(server: _Arrivals, tmp_path: Path) -> None:
    """A big page holds the whole budget: the next page's fetch waits for room after its turn, while a further
    part of a page (which needs no room) goes at its own turn; room given back, the waiting fetch still starts
    an interval after the part, not at once."""

    async def scenario() -> None:
        pages = HeldPages(most=1)
        await pages.reserve()
        pages.fetched(5_000_000)  # a big page fetched, not yet stored
        async with open_client(4) as client:
            fetcher = _fetcher(client, server, tmp_path, rate=2.0)
            page = HeldPage(pages)
            waiting = asyncio.create_task(fetcher.fetch(server.url + "page.html", admit=page.admit))
            await _until(lambda: pages.waited == 1)
            part = await fetcher.fetch(server.url + "part.html")
            assert part.ok and not waiting.done()
            pages.release(5_000_000)  # the big page stored
            result = await waiting
            page.fetched(len(result.body))
            assert result.ok and pages.held == len(result.body) and pages.fetching == 0
            page.release()
            assert pages.held == 0
        interval = 1.0 / 2.0
        assert server.arrived["/page.html"] - server.arrived["/part.html"] >= interval * 0.8

    asyncio.run(scenario())
