"""Polite HTTP fetching: per-host rate and concurrency limits, retries with backoff, size caps.

The crawl fetches with aiohttp (its C HTTP parser): on the fleet benchmark, where the crawler process is
CPU-bound, httpx cost 1.16 ms of CPU per request and aiohttp 0.10-0.13 ms (docs/decisions.md). httpx stays for
the REST clients (WordPress, monitor), where requests are few.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import ipaddress
import os
import socket
import ssl
import sys
import time
import weakref
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urljoin, urlsplit

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver
from yarl import URL

from consolidate.core.config import CrawlSettings, split_address
from consolidate.core.http import retry_after_seconds
from crawlers.frontier import pid_alive

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0
SCHEDULE_KEPT = 64  # planned starts kept per host (for checks and tests; bounded: flat memory)
DEADLINE_FACTOR = 4  # a response must be complete within this many per-read timeouts (slow-drip servers)…
MIN_TRANSFER_RATE = 16 * 1024  # …plus one second per this many bytes received (big files on slow links)…
MAX_RESPONSE_SECONDS = 600.0  # …but never more than this: a server dripping 16 KiB/s cannot hold a slot for an hour
_DEADLINE: contextvars.ContextVar[asyncio.Timeout | None] = contextvars.ContextVar("fetch_deadline", default=None)
_PREFIX: contextvars.ContextVar[int | None] = contextvars.ContextVar("fetch_prefix", default=None)
MEMORY_BODY_CAP = 8 * 1024 * 1024  # larger bodies are spooled to disk even for pages
MAX_HEADER_BYTES = 65536  # legacy servers send long Set-Cookie and P3P lines; aiohttp's default is 8190
START_SLACK = 0.01  # seconds a start may come sooner than an interval after the host's last one (timer jitter)
Admit = Callable[[], Awaitable[None]]  # waits for room for one more request once its host's turn came


@dataclass
class FetchResult:
    """What one GET produced: a body (in memory or spooled to a file) or an error."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    body_file: Path | None = None
    size: int = 0
    sha256: str | None = None
    error: str | None = None
    too_large: bool = False
    attempts: int = 0
    reason: str = ""
    http_version: str = "HTTP/1.1"
    partial: bool = False  # only the first bytes were wanted (fetch_prefix) and the body had more

    @property
    def ok(self) -> bool:
        """True for a 2xx answer whose body was read whole."""
        return self.error is None and self.status is not None and 200 <= self.status < 300 and not self.too_large

    @property
    def content_type(self) -> str:
        """The Content-Type header, lower-cased ('' when absent)."""
        return self.headers.get("content-type", "").lower()


class _Slots:
    """`concurrency` request slots, with how many are in use now and at the peak."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.semaphore = asyncio.Semaphore(concurrency)
        self.in_flight = 0
        self.peak_in_flight = 0

    @contextmanager
    def _counted(self) -> Iterator[None]:
        """Count one request in flight while the block runs."""
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            yield
        finally:
            self.in_flight -= 1


class HostLimiter(_Slots):
    """At most `concurrency` requests in flight and `rate` starts per second, for one host."""

    def __init__(self, rate: float, concurrency: int) -> None:
        super().__init__(concurrency)
        self.interval = 1.0 / rate
        self.schedule: deque[float] = deque(maxlen=SCHEDULE_KEPT)  # planned start times (monotonic)
        self._next_start = 0.0
        self._last_start = float("-inf")  # when the last request actually started (monotonic)
        self._lock = asyncio.Lock()

    def slow_down(self, seconds: float) -> None:
        """Push the next start back (after a 429 or a Retry-After)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)

    def plan_start(self, now: float) -> float:
        """Reserve the next start slot at or after `now` and return it."""
        start = max(now, self._next_start)
        self._next_start = start + self.interval
        self.schedule.append(start)
        return start

    async def wait_turn(self) -> None:
        """Sleep until this host may start another request."""
        async with self._lock:
            now = time.monotonic()
            start = self.plan_start(now)
        if start > now:
            await asyncio.sleep(start - now)

    async def _spaced(self) -> None:
        """Sleep until the host's last start is an interval ago (a request that waited for its slot or for `admit`
        after its turn started later than planned: the next must still keep its distance)."""
        gap = self._last_start + self.interval - time.monotonic()
        if gap > START_SLACK:
            await asyncio.sleep(gap)

    @asynccontextmanager
    async def slot(self, admit: Admit | None = None) -> AsyncIterator[None]:
        """Hold one of the host's concurrency slots, started no sooner than the rate allows. The turn comes first,
        then `admit` (a request waiting for its turn holds nothing `admit` hands out), then the slot (whose holders
        are requests in flight: never one waiting for `admit`, which a page's further fetches would wait behind)."""
        await self.wait_turn()
        if admit is not None:
            await admit()
        async with self.semaphore:
            await self._spaced()
            self._last_start = time.monotonic()
            with self._counted():
                yield


class FetchContext(_Slots):
    """What every site crawled in one event loop shares: the global request cap and the per-host limiters."""

    def __init__(self, concurrency: int) -> None:
        super().__init__(concurrency)
        self.limiters: dict[str, HostLimiter] = {}

    def limiter(self, host: str, rate: float, concurrency: int) -> HostLimiter:
        """The limiter of a host, created on first use with that site's rate and concurrency."""
        if host not in self.limiters:
            self.limiters[host] = HostLimiter(rate, concurrency)
        return self.limiters[host]

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the global request slots."""
        async with self.semaphore:
            with self._counted():
                yield


_CONTEXTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FetchContext] = weakref.WeakKeyDictionary()


def shared_context(concurrency: int) -> FetchContext:
    """The fetch context of the running event loop (created by the first crawler with its global cap)."""
    loop = asyncio.get_running_loop()
    context = _CONTEXTS.get(loop)
    if context is None:
        context = _CONTEXTS[loop] = FetchContext(concurrency)
    return context


Pins = dict[str, tuple[str, int | None]]  # "host" or "host:port" -> (IP address, port or None: the URL's)


class FetchPolicy(CrawlSettings):
    """One site's fetching: its crawl settings, and what the crawler learnt of the site before the first fetch."""

    allow_private: bool = False  # private/loopback/link-local targets (True when the site itself is on one)
    pins: Pins = {}  # host names connected to a configured address, not DNS's
    backoff_base: float = 0.5
    backoff_cap: float = 30.0

    @classmethod
    def for_site(cls, settings: CrawlSettings, allow_private: bool, pins: Pins | None = None) -> FetchPolicy:
        """The policy of a site crawled under `settings`."""
        return cls(**settings.model_dump(), allow_private=allow_private, pins=pins or {})

    @classmethod
    async def for_home(cls, settings: CrawlSettings, home_url: str, pins: Pins) -> FetchPolicy:
        """The policy of the site at `home_url`: private addresses allowed only when the site itself is on one
        (at its pinned address, when crawl.resolve pins it)."""
        home = urlsplit(home_url)
        pin = pinned(pins, home.hostname or "", home.port or (443 if home.scheme == "https" else 80))
        return cls.for_site(settings, await host_is_private(pin[0] if pin else home.hostname or ""), pins)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context (certifi's roots) for every client of the process: building one costs ~20 ms."""
    return httpx.create_ssl_context()


def parse_pins(resolve: dict[str, str]) -> Pins:
    """The crawl's `resolve` setting (host[:port] -> address[:port]) as lookup pins, host names lower-cased."""
    return {host.lower(): split_address(address) for host, address in resolve.items()}


def pinned(pins: Pins, host: str, port: int | None) -> tuple[str, int | None] | None:
    """Where a pin sends host:port (an exact host:port pin first, then the host's), or None."""
    host = host.lower()
    return pins.get(f"{host}:{port}") or pins.get(host) if pins else None


class PinnedResolver(AbstractResolver):
    """Resolves pinned host names to their configured address (curl's --resolve); others through DNS."""

    def __init__(self, pins: Pins) -> None:
        self.pins = pins
        self.dns = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        """The pinned address (and port, when the pin names one), else what DNS says."""
        pin = pinned(self.pins, host, port)
        if pin is None:
            return await self.dns.resolve(host, port, family)
        address, pin_port = pin
        af = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [{"hostname": host, "host": address, "port": pin_port or port, "family": af,
                 "proto": 0, "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        """Release the DNS resolver."""
        await self.dns.close()


def open_client(concurrency: int, pins: Pins | None = None) -> aiohttp.ClientSession:
    """An HTTP client for a crawl: up to `concurrency` connections, no redirects followed, no proxy from env;
    pinned host names connect to their configured addresses."""
    # Before Python 3.12.7 a TLS connection dropped mid-body could leak without aiohttp's cleanup.
    cleanup = {"enable_cleanup_closed": True} if sys.version_info < (3, 12, 7) else {}
    if pins:
        cleanup["resolver"] = PinnedResolver(pins)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=0, ssl=tls_context(), **cleanup)
    return aiohttp.ClientSession(connector=connector, trust_env=False, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 max_line_size=MAX_HEADER_BYTES, max_field_size=MAX_HEADER_BYTES,
                                 timeout=aiohttp.ClientTimeout(total=None))


def wire_url(url: str) -> URL:
    """The URL as sent: an ASCII URL exactly as given; others percent-encoded (UTF-8) and IDNA-encoded."""
    if url.isascii() and " " not in url:
        return URL(url, encoded=True)
    return URL(url)


class Fetcher:
    """Fetches URLs for one site under its politeness limits and the loop's global cap."""

    def __init__(self, policy: FetchPolicy, client: aiohttp.ClientSession, in_scope: Callable[[str], bool],
                 spool_dir: Path, context: FetchContext | None = None) -> None:
        self.policy = policy
        self.client = client
        self._timeout = aiohttp.ClientTimeout(total=None, connect=policy.timeout, sock_connect=policy.timeout,
                                              sock_read=policy.timeout)
        self.in_scope = in_scope
        self.spool_dir = spool_dir
        sweep_spool(spool_dir)
        self.context = context or FetchContext(1024)
        self._private_hosts: dict[str, bool] = {}
        self.paused: set[str] = set()  # hosts the crawler stopped asking (no answer): no more retries for them

    @property
    def limiters(self) -> dict[str, HostLimiter]:
        """Host limiters of the shared context."""
        return self.context.limiters

    def limiter(self, url: str) -> HostLimiter:
        """The limiter of the URL's host (created on first use)."""
        host = urlsplit(url).netloc.lower()
        return self.context.limiter(host, self.policy.rate_per_host, self.policy.concurrency_per_host)

    def set_rate(self, url: str, rate: float) -> None:
        """Change the request rate of one host (e.g. robots.txt Crawl-delay)."""
        self.limiter(url).interval = 1.0 / rate

    async def fetch(self, url: str, headers: dict[str, str] | None = None, spool: bool = False,
                    admit: Admit | None = None) -> FetchResult:
        """GET with redirects checked against scope, retries on transient failures; each request awaits `admit`
        when its host's turn comes (HostLimiter.slot)."""
        result = FetchResult(url=url, final_url=url)
        for attempt in range(self.policy.retries + 1):
            result = await self._fetch_following_redirects(url, headers or {}, spool, admit)
            result.attempts = attempt + 1
            delay = self._retry_delay(result, attempt)
            if delay is None or attempt == self.policy.retries or urlsplit(url).netloc.lower() in self.paused:
                return result
            self.limiter(url).slow_down(delay)
            await asyncio.sleep(delay)
            if urlsplit(url).netloc.lower() in self.paused:
                return result
        return result

    async def fetch_prefix(self, url: str, limit: int) -> FetchResult:
        """GET keeping only the first `limit` bytes of the body (robots.txt: RFC 9309 reads the first 500 KiB of a
        bigger file); the result is ok, with `partial` set when the body was longer."""
        token = _PREFIX.set(limit)
        try:
            return await self.fetch(url)
        finally:
            _PREFIX.reset(token)

    def _retry_delay(self, result: FetchResult, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the result is final."""
        transient = result.status in RETRY_STATUSES or (result.error or "").startswith("transient:")
        if not transient:
            return None
        backoff = min(self.policy.backoff_cap, self.policy.backoff_base * (2**attempt))
        retry_after = retry_after_seconds(result.headers.get("retry-after"))
        return max(backoff, min(retry_after, MAX_RETRY_AFTER)) if retry_after is not None else backoff

    async def _fetch_following_redirects(self, url: str, headers: dict[str, str], spool: bool,
                                         admit: Admit | None) -> FetchResult:
        """Follow up to MAX_REDIRECTS redirects, each hop checked for scope."""
        current = url
        seen = {url}
        for _ in range(MAX_REDIRECTS + 1):
            result = await self._fetch_once(current, headers, spool, admit)
            result.url = url
            location = result.headers.get("location")
            if result.status not in (301, 302, 303, 307, 308) or not location:
                return result
            target = urljoin(current, location)
            problem = self._redirect_problem(target, seen)
            if problem:
                result.error = problem
                return result
            seen.add(target)
            current = target
        return FetchResult(url=url, final_url=current, error=f"too many redirects (> {MAX_REDIRECTS})")

    def _redirect_problem(self, target: str, seen: set[str]) -> str | None:
        """Why a redirect target must not be followed, or None."""
        if target in seen:
            return f"redirect loop at {target}"
        if urlsplit(target).scheme not in ("http", "https"):
            return f"redirect to a non-HTTP URL {target}"
        if not self.in_scope(target):
            return f"redirected out of scope to {target}"
        if not self.policy.allow_private and _is_private_host(target):
            return f"redirected to a private address {target}"
        return None

    async def _fetch_once(self, url: str, headers: dict[str, str], spool: bool,
                          admit: Admit | None = None) -> FetchResult:
        """One request under the host's limiter; network failures become errors, never exceptions."""
        if not self.policy.allow_private and await self._is_private(url):
            return FetchResult(url=url, final_url=url, error=f"refused: {urlsplit(url).hostname} is a private address")
        async with self.limiter(url).slot(admit), self.context.slot():
            deadline = asyncio.timeout(self.policy.timeout * DEADLINE_FACTOR)
            try:
                async with deadline:
                    token = _DEADLINE.set(deadline)
                    try:
                        return await self._stream(url, headers, spool)
                    except aiohttp.ClientResponseError:  # not HTTP as aiohttp's strict parser reads it
                        return await self._stream_lenient(url, headers, spool)
                    finally:
                        _DEADLINE.reset(token)
            except (TimeoutError, httpx.TimeoutException):  # aiohttp's ServerTimeoutError is a TimeoutError
                if deadline.expired():  # not retried: a dripping server would hold a host slot for minutes
                    return FetchResult(url=url, final_url=url, error="too slow: response not complete within its "
                                                                      f"deadline ({deadline_text(self.policy)})")
                return FetchResult(url=url, final_url=url, error=f"transient: timeout after {self.policy.timeout:g}s")
            except aiohttp.ClientPayloadError as exc:
                if "content-encoding" in str(exc).lower():  # declared gzip/deflate that is not: retrying won't help
                    return FetchResult(url=url, final_url=url, error=f"undecodable body: {exc}")
                return FetchResult(url=url, final_url=url, error=f"transient: truncated body: {exc}")
            except httpx.RemoteProtocolError as exc:
                return FetchResult(url=url, final_url=url, error=f"transient: protocol error: {exc}")
            except (aiohttp.ClientConnectionError, httpx.TransportError) as exc:  # refused, reset, closed
                return FetchResult(url=url, final_url=url, error=f"transient: {type(exc).__name__}: {exc}")
            except (aiohttp.ClientError, httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ValueError,
                    OSError) as exc:
                return FetchResult(url=url, final_url=url, error=f"{type(exc).__name__}: {exc}")

    async def _is_private(self, url: str) -> bool:
        """True when the URL's host is, or resolves to, a private, loopback or link-local address."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        pin = pinned(self.policy.pins, host, parts.port or _default_port(parts.scheme))
        if pin is not None:
            return _private_address(pin[0])
        if host not in self._private_hosts:
            self._private_hosts[host] = await host_is_private(host)
        return self._private_hosts[host]

    async def _stream(self, url: str, headers: dict[str, str], spool: bool) -> FetchResult:
        """Read the body in chunks, stopping at max_bytes; spool big bodies to disk."""
        request_headers = {"User-Agent": self.policy.user_agent, **headers}
        async with self.client.get(wire_url(url), headers=request_headers, allow_redirects=False,
                                   timeout=self._timeout) as response:
            version = response.version
            result = FetchResult(url=url, final_url=url, status=response.status,
                                 headers=decoded_headers(response.raw_headers),
                                 reason=_header_text((response.reason or "").encode("utf-8", "surrogateescape")),
                                 http_version=f"HTTP/{version.major}.{version.minor}" if version else "HTTP/1.1")
            return await self._finish(result, response.content.iter_chunked(65536), spool)

    async def _stream_lenient(self, url: str, headers: dict[str, str], spool: bool) -> FetchResult:
        """The same request through httpx, whose parser takes what old servers send and aiohttp refuses (a
        Content-Length twice, Content-Length beside chunked encoding, very long header lines)."""
        request_headers = {"User-Agent": self.policy.user_agent, **headers}
        wire, host_header = _pinned_request_url(url, self.policy.pins)
        if host_header:
            request_headers["Host"] = host_header
        async with httpx.AsyncClient(trust_env=False, verify=tls_context()) as client, \
                client.stream("GET", wire, headers=request_headers, timeout=self.policy.timeout) as response:
            result = FetchResult(url=url, final_url=url, status=response.status_code,
                                 headers=decoded_headers(response.headers.raw), reason=response.reason_phrase,
                                 http_version=response.http_version)
            return await self._finish(result, response.aiter_bytes(65536), spool)

    async def _finish(self, result: FetchResult, chunks: AsyncIterable[bytes], spool: bool) -> FetchResult:
        """Read what a response's status calls for: nothing, an error page (capped), or the whole body."""
        status = result.status or 0
        if status in (301, 302, 303, 307, 308, 304) or status >= 400:
            if status >= 400:
                result.body = await _read_capped(chunks, 64 * 1024)
            return result
        declared = _int_or_none(result.headers.get("content-length"))
        if declared is not None and declared > self.policy.max_bytes and _PREFIX.get() is None:
            result.too_large, result.size = True, declared
            return result
        await self._read_body(chunks, result, spool)
        return result

    async def _read_body(self, body: AsyncIterable[bytes], result: FetchResult, spool: bool) -> None:
        """Hash and keep the body; mark it too large past max_bytes."""
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        handle = None
        prefix = _PREFIX.get()
        deadline = _DEADLINE.get()
        first_deadline = deadline.when() if deadline is not None else None
        last_deadline = (first_deadline or 0.0) + MAX_RESPONSE_SECONDS
        if spool:
            handle = self._open_spool(result)
        try:
            async for chunk in body:
                if prefix is not None and result.size + len(chunk) > prefix:
                    chunk, result.partial = chunk[:prefix - result.size], True
                result.size += len(chunk)
                if result.size > self.policy.max_bytes and prefix is None:
                    result.too_large = True
                    break
                if deadline is not None and first_deadline is not None:  # a steady transfer earns more time
                    deadline.reschedule(min(first_deadline + result.size / MIN_TRANSFER_RATE, last_deadline))
                digest.update(chunk)
                if handle is None and result.size > MEMORY_BODY_CAP:
                    handle = self._open_spool(result)
                    handle.writelines(chunks)
                    chunks = []
                if handle:
                    handle.write(chunk)
                else:
                    chunks.append(chunk)
                if result.partial:
                    break
        finally:
            if handle:
                handle.close()
        if result.too_large and result.body_file:
            result.body_file.unlink(missing_ok=True)
            result.body_file = None
        result.body = b"".join(chunks)
        result.sha256 = None if result.too_large else digest.hexdigest()
        declared = _int_or_none(result.headers.get("content-length"))
        encoded = result.headers.get("content-encoding", "identity").lower() not in ("", "identity")
        if not result.too_large and not result.partial and not encoded and declared is not None \
                and declared != result.size:
            result.error = f"transient: truncated body ({result.size} of {declared} bytes)"


    def _open_spool(self, result: FetchResult) -> BinaryIO:
        """A new spool file for a body, remembered on the result."""
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        result.body_file = self.spool_dir / f"spool-{os.getpid()}-{id(result)}-{time.monotonic_ns()}"
        return result.body_file.open("wb")


def sweep_spool(directory: Path) -> int:
    """Delete spool files whose process is gone (a killed crawl never cleans up after itself); how many."""

    removed = 0
    try:
        leftovers = list(directory.glob("spool-*-*-*"))
    except OSError:
        return 0
    for path in leftovers:
        pid = path.name.split("-")[1]
        if pid.isdigit() and 0 < int(pid) < 1 << 22 and not pid_alive(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def deadline_text(policy: FetchPolicy) -> str:
    """The whole-response deadline of a policy, in words."""
    return (f"{policy.timeout * DEADLINE_FACTOR:g}s, plus 1s per {MIN_TRANSFER_RATE // 1024} KiB received, "
            f"at most {policy.timeout * DEADLINE_FACTOR + MAX_RESPONSE_SECONDS:g}s")


def _header_text(raw: bytes) -> str:
    """A header value as text: UTF-8 when it is, else Latin-1 (every byte kept, as httpx reads headers)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decoded_headers(raw: Any) -> dict[str, str]:
    """Response headers, lower-cased names, from the raw bytes: GBK file names in Content-Disposition and other
    non-UTF-8 values never become unencodable text; a Location's raw bytes are percent-encoded."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = _header_text(value)
        if key == "location" and not text.isascii():
            text = quote(value, safe="!#$%&'()*+,/:;=?@[]~")
        headers[key] = text
    return headers


async def _read_capped(chunks: AsyncIterable[bytes], cap: int) -> bytes:
    """Up to `cap` bytes of a body (for error pages)."""
    data = b""
    async for chunk in chunks:
        data += chunk
        if len(data) >= cap:
            break
    return data[:cap]


def _default_port(scheme: str) -> int:
    """The port a URL of this scheme uses when it names none."""
    return 443 if scheme.lower() == "https" else 80


def _pinned_request_url(url: str, pins: Pins) -> tuple[str, str | None]:
    """For a pinned host: the URL with the pinned address in place of the host, and the Host header to send."""
    parts = urlsplit(url)
    port = parts.port or _default_port(parts.scheme)
    pin = pinned(pins, parts.hostname or "", port)
    if pin is None:
        return url, None
    address, pin_port = pin
    literal = f"[{address}]" if ":" in address else address
    return parts._replace(netloc=f"{literal}:{pin_port or port}").geturl(), parts.netloc


def _int_or_none(value: str | None) -> int | None:
    """An integer header value, or None."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _private_address(address: str) -> bool:
    """True for a private, loopback, link-local or otherwise non-public IP address."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified


async def host_is_private(host: str) -> bool:
    """True when a host name is, or resolves (DNS) to, a non-public address; unresolvable hosts are not."""
    if not host:
        return False
    if host == "localhost" or _private_address(host):
        return True
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return any(_private_address(str(info[4][0])) for info in infos)


def _is_private_host(url: str) -> bool:
    """True when the URL's host is a literal private, loopback or link-local address."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in ("localhost",)
    return address.is_private or address.is_loopback or address.is_link_local
