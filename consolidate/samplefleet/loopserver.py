"""Serving many fleets' sites from one asyncio event loop: the answers of FleetServer at less CPU per request.

FleetServer (server.py) runs a ThreadingHTTPServer per site: a thread per connection, headers parsed by the email
package, unbuffered writes. A benchmark that puts hundreds of loopback hosts on the crawler's own machine pays
that CPU beside the crawl, where a real crawl's servers are other machines. LoopFleetServer answers every request
with the same SampleSite.respond and writes the same status line and headers in the same order (Server, Date,
Content-Type, the page's headers, Content-Length), so what a crawl stores and archives is unchanged but for the
Date header's second; keep-alive follows http.server's rules (HTTP/1.1 keeps the connection unless the client
says close; HTTP/1.0 closes unless it says keep-alive). A request it cannot read gets a bare 400 and a close.
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
from email.utils import formatdate
from http import HTTPStatus
from types import TracebackType

from consolidate.samplefleet.model import Fleet, SamplePage, SampleSite

MAX_HEAD = 65536  # bytes of request line and headers, at most (http.server: 64 KiB a line, 100 headers)
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class _Clock:
    """The Date header's value, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        """The current time as an HTTP date."""
        second = int(time.time())
        if second != self._second:
            self._second, self._text = second, formatdate(second, usegmt=True)
        return self._text


class _Connection(asyncio.Protocol):
    """One client connection to one site: requests read from the stream, answered in order."""

    def __init__(self, site: SampleSite, server: LoopFleetServer) -> None:
        self.site = site
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport answers are written to."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        """Answer every whole request received so far."""
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self._bad_request()
                return
            request = _parse_head(bytes(self.buffer[:end]))
            if request is None:
                self._bad_request()
                return
            method, target, version, headers = request
            length = _content_length(headers) if method == "POST" else 0
            if length is None:
                self._bad_request()
                return
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4:end + 4 + length])
            del self.buffer[:end + 4 + length]
            self._answer(method, target, version, headers, body)

    def _answer(self, method: str, target: str, version: str, headers: dict[str, str], body: bytes) -> None:
        """Write the site's answer to one request; close the connection when http.server would."""
        assert self.transport is not None
        self.server.record(self.site.site_id, method, target)
        if method not in ("GET", "HEAD", "POST"):
            page = SamplePage(501, "text/html", b"")
        else:
            try:
                page = self.site.respond(target, headers, method=method, body=body)
            except Exception:  # a generator bug must not kill the connection silently
                traceback.print_exc()
                page = SamplePage(500, "text/html",
                                  b"<html><body><h1>500 Internal Server Error</h1></body></html>")
        try:
            data = self._response(page, include_body=method != "HEAD")
        except UnicodeEncodeError:  # a header http.server could not write either: it drops the connection
            self.transport.close()
            return
        self.transport.write(data)
        if _closes(version, headers):
            self.transport.close()

    def _response(self, page: SamplePage, include_body: bool) -> bytes:
        """Status line, headers and body as http.server's handler in server.py writes them."""
        lines = [f"HTTP/1.1 {page.status} {_REASONS.get(page.status, '')}", f"Server: {self.site.server_header}",
                 f"Date: {self.server.clock.now()}"]
        if page.content_type:
            lines.append(f"Content-Type: {page.content_type}")
        lines += [f"{key}: {value}" for key, value in page.headers.items() if key.lower() != "server"]
        if page.status != 304:
            lines.append(f"Content-Length: {len(page.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head + page.body if include_body and page.body else head

    def _bad_request(self) -> None:
        """A request that cannot be read: 400, then close."""
        assert self.transport is not None
        self.transport.write(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the transport."""
        self.transport = None


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]] | None:
    """(method, target, version, headers) of a request head, or None when it is not one."""
    lines = head.decode("iso-8859-1").split("\r\n")
    words = lines[0].split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return None
    method, raw, version = words
    target = raw.encode("iso-8859-1").decode("utf-8", "replace")  # raw UTF-8 bytes of the target restored
    if target.startswith("//"):
        target = "/" + target.lstrip("/")  # as http.server reduces it
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            return None
        headers[name.strip()] = value.strip()
    return method, target, version, headers


def _content_length(headers: dict[str, str]) -> int | None:
    """The body length a request announces (0 when none), or None when it is not a number."""
    value = next((v for k, v in headers.items() if k.lower() == "content-length"), "0") or "0"
    return int(value) if value.isdigit() else None


def _closes(version: str, headers: dict[str, str]) -> bool:
    """Whether http.server (protocol HTTP/1.1) closes the connection after answering this request."""
    connection = next((v for k, v in headers.items() if k.lower() == "connection"), "").lower()
    if connection == "close":
        return True
    return version < "HTTP/1.1" and connection != "keep-alive"


class LoopFleetServer:
    """Sites of several fleets, each on its own address and port, served from `loops` event loop threads (fleets
    taken in turn: one busy thread loses the scheduler's wake-up preference on a loaded machine, and every host it
    serves waits with it)."""

    def __init__(self, loops: int = 1) -> None:
        self.clock = _Clock()
        self.request_log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._loops = [asyncio.new_event_loop() for _ in range(max(1, loops))]
        self._servers: list[tuple[asyncio.AbstractEventLoop, asyncio.base_events.Server]] = []
        self._threads = [threading.Thread(target=loop.run_forever, name="samplefleet-loop", daemon=True)
                         for loop in self._loops]
        self._turn = 0
        for thread in self._threads:
            thread.start()

    def record(self, site_id: str, method: str, target: str) -> None:
        """Append to the request log."""
        with self._lock:
            self.request_log.append((site_id, method, target))

    def serve(self, fleet: Fleet, host: str = "127.0.0.1", ports: dict[str, int] | None = None) -> dict[str, str]:
        """Serve every site of the fleet on `host` (free ports unless given) from the next loop; site id -> URL."""
        loop = self._loops[self._turn % len(self._loops)]
        self._turn += 1
        return asyncio.run_coroutine_threadsafe(self._serve(loop, fleet, host, ports or {}), loop).result()

    async def _serve(self, loop: asyncio.AbstractEventLoop, fleet: Fleet, host: str,
                     ports: dict[str, int]) -> dict[str, str]:
        """Bind one listening socket per site."""
        urls = {}
        for site in fleet.sites:
            site.routes()
            server = await loop.create_server(lambda site=site: _Connection(site, self), host,
                                              ports.get(site.site_id, 0), reuse_address=True, backlog=256)
            self._servers.append((loop, server))
            urls[site.site_id] = f"http://{host}:{server.sockets[0].getsockname()[1]}/"
        return urls

    def stop(self) -> None:
        """Close every listening socket and stop the loops."""
        async def close(loop: asyncio.AbstractEventLoop) -> None:
            for owner, server in self._servers:
                if owner is loop:
                    server.close()

        for loop, thread in zip(self._loops, self._threads, strict=True):
            if loop.is_running():
                asyncio.run_coroutine_threadsafe(close(loop), loop).result()
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            if not loop.is_running():
                loop.close()
        self._servers.clear()

    def __enter__(self) -> LoopFleetServer:
        """The server, to stop on leaving the context."""
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop on leaving the context."""
        self.stop()
