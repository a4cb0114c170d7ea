"""Polite HTTP fetching: per-host rate and concurrency limits, retries with backoff, size caps."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0


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

    @property
    def ok(self) -> bool:
        """True for a 2xx answer whose body was read whole."""
        return self.error is None and self.status is not None and 200 <= self.status < 300 and not self.too_large

    @property
    def content_type(self) -> str:
        """The Content-Type header, lower-cased ('' when absent)."""
        return self.headers.get("content-type", "").lower()


class HostLimiter:
    """At most `concurrency` requests in flight and `rate` starts per second, for one host."""

    def __init__(self, rate: float, concurrency: int) -> None:
        self.interval = 1.0 / rate
        self.semaphore = asyncio.Semaphore(concurrency)
        self._next_start = 0.0
        self._lock = asyncio.Lock()

    def slow_down(self, seconds: float) -> None:
        """Push the next start back (after a 429 or a Retry-After)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)

    async def wait_turn(self) -> None:
        """Sleep until this host may start another request."""
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


@dataclass
class FetchPolicy:
    """The knobs of one site's fetching (taken from CrawlSettings)."""

    user_agent: str
    rate_per_host: float = 1.0
    concurrency_per_host: int = 2
    timeout: float = 20.0
    retries: int = 3
    max_bytes: int = 50 * 1024 * 1024
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    allow_private: bool = True  # loopback/private targets; the site's own host is always allowed


class Fetcher:
    """Fetches URLs for one site under its politeness limits."""

    def __init__(self, policy: FetchPolicy, client: httpx.AsyncClient, in_scope: Callable[[str], bool],
                 spool_dir: Path) -> None:
        self.policy = policy
        self.client = client
        self.in_scope = in_scope
        self.spool_dir = spool_dir
        self.limiters: dict[str, HostLimiter] = {}

    def limiter(self, url: str) -> HostLimiter:
        """The limiter of the URL's host (created on first use)."""
        host = urlsplit(url).netloc.lower()
        if host not in self.limiters:
            self.limiters[host] = HostLimiter(self.policy.rate_per_host, self.policy.concurrency_per_host)
        return self.limiters[host]

    def set_rate(self, url: str, rate: float) -> None:
        """Change the request rate of one host (e.g. robots.txt Crawl-delay)."""
        self.limiter(url).interval = 1.0 / rate

    async def fetch(self, url: str, headers: dict[str, str] | None = None, spool: bool = False) -> FetchResult:
        """GET with redirects checked against scope, retries on transient failures."""
        result = FetchResult(url=url, final_url=url)
        for attempt in range(self.policy.retries + 1):
            result = await self._fetch_following_redirects(url, headers or {}, spool)
            result.attempts = attempt + 1
            delay = self._retry_delay(result, attempt)
            if delay is None or attempt == self.policy.retries:
                return result
            self.limiter(url).slow_down(delay)
            await asyncio.sleep(delay)
        return result

    def _retry_delay(self, result: FetchResult, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the result is final."""
        transient = result.status in RETRY_STATUSES or (result.error or "").startswith("transient:")
        if not transient:
            return None
        backoff = min(self.policy.backoff_cap, self.policy.backoff_base * (2**attempt))
        retry_after = _parse_retry_after(result.headers.get("retry-after"))
        return max(backoff, min(retry_after, MAX_RETRY_AFTER)) if retry_after is not None else backoff

    async def _fetch_following_redirects(self, url: str, headers: dict[str, str], spool: bool) -> FetchResult:
        """Follow up to MAX_REDIRECTS redirects, each hop checked for scope."""
        current = url
        seen = {url}
        for _ in range(MAX_REDIRECTS + 1):
            result = await self._fetch_once(current, headers, spool)
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

    async def _fetch_once(self, url: str, headers: dict[str, str], spool: bool) -> FetchResult:
        """One request under the host's limiter; network failures become errors, never exceptions."""
        limiter = self.limiter(url)
        async with limiter.semaphore:
            await limiter.wait_turn()
            try:
                return await self._stream(url, headers, spool)
            except httpx.TimeoutException:
                return FetchResult(url=url, final_url=url, error=f"transient: timeout after {self.policy.timeout:g}s")
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError) as exc:
                return FetchResult(url=url, final_url=url, error=f"transient: {type(exc).__name__}: {exc}")
            except httpx.HTTPError as exc:
                return FetchResult(url=url, final_url=url, error=f"{type(exc).__name__}: {exc}")

    async def _stream(self, url: str, headers: dict[str, str], spool: bool) -> FetchResult:
        """Read the body in chunks, stopping at max_bytes; spool big bodies to disk."""
        request_headers = {"User-Agent": self.policy.user_agent, **headers}
        async with self.client.stream("GET", url, headers=request_headers, timeout=self.policy.timeout) as response:
            result = FetchResult(url=url, final_url=str(response.url), status=response.status_code,
                                 headers={k.lower(): v for k, v in response.headers.items()},
                                 reason=response.reason_phrase, http_version=response.http_version)
            if response.status_code in (301, 302, 303, 307, 308, 304) or response.status_code >= 400:
                if response.status_code >= 400:
                    result.body = await _read_capped(response, 64 * 1024)
                return result
            declared = _int_or_none(response.headers.get("content-length"))
            if declared is not None and declared > self.policy.max_bytes:
                result.too_large, result.size = True, declared
                return result
            await self._read_body(response, result, spool)
            return result

    async def _read_body(self, response: httpx.Response, result: FetchResult, spool: bool) -> None:
        """Hash and keep the body; mark it too large past max_bytes."""
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        handle = None
        if spool:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            result.body_file = self.spool_dir / f"spool-{id(result)}-{time.monotonic_ns()}"
            handle = result.body_file.open("wb")
        try:
            async for chunk in response.aiter_bytes(65536):
                result.size += len(chunk)
                if result.size > self.policy.max_bytes:
                    result.too_large = True
                    break
                digest.update(chunk)
                if handle:
                    handle.write(chunk)
                else:
                    chunks.append(chunk)
        finally:
            if handle:
                handle.close()
        if result.too_large and result.body_file:
            result.body_file.unlink(missing_ok=True)
            result.body_file = None
        result.body = b"".join(chunks)
        result.sha256 = None if result.too_large else digest.hexdigest()
        declared = _int_or_none(response.headers.get("content-length"))
        if not result.too_large and declared is not None and declared != result.size:
            result.error = f"transient: truncated body ({result.size} of {declared} bytes)"


async def _read_capped(response: httpx.Response, cap: int) -> bytes:
    """Up to `cap` bytes of a body (for error pages)."""
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= cap:
            break
    return data[:cap]


def _int_or_none(value: str | None) -> int | None:
    """An integer header value, or None."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_private_host(url: str) -> bool:
    """True when the URL's host is a literal private, loopback or link-local address."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in ("localhost",)
    return address.is_private or address.is_loopback or address.is_link_local
