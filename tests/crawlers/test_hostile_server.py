"""Hostile servers: a robots.txt answering 5xx or bigger than max_bytes, and a slow-drip (slowloris) response."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate.core.store import EventRow, Resource
from crawlers.crawler import SiteCrawler
from crawlers.fetch import DEADLINE_FACTOR, FetchContext, Fetcher, FetchPolicy, open_client
from crawlers.urls import Scope
from tests.crawlers.crawl_helpers import fast_settings, local_site, open_store, resources_by_path

PAGE = "<html><head><title>首页</title></head><body><p>正文</p><a href='/a.html'>一</a><a href='/b.html'>二</a>" \
       "</body></html>"


class HostileServer:
    """A local server whose robots.txt answers with `robots_status` (body `robots`), and whose /drip sends one
    byte every `drip_seconds` for ever."""

    def __init__(self, robots_status: int = 200, robots: bytes = b"", drip_seconds: float = 0.2,
                 page: str = PAGE, files: dict[str, tuple[bytes, str]] | None = None) -> None:
        self.robots_status, self.robots, self.drip_seconds, self.page = robots_status, robots, drip_seconds, page
        self.files = files or {}  # path -> (body, content type)
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> HostileServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(server: HostileServer) -> type:
    """The request handler of one HostileServer."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            with server.lock:
                server.requests.append(self.path)
            if self.path == "/robots.txt":
                self._send(server.robots_status, server.robots, "text/plain")
            elif self.path == "/drip":
                self._drip()
            elif self.path in server.files:
                self._send(200, *server.files[self.path])
            else:
                self._send(200, server.page.encode(), "text/html; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _drip(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(server.drip_seconds)
            except OSError:  # the client gave up
                return

    return Handler


def _crawler(server: HostileServer, tmp_path: Path, **settings: object) -> SiteCrawler:
    """A crawler of the server's site that asks an unreachable robots.txt again without long waits."""
    crawler = SiteCrawler(open_store(tmp_path), local_site(server.url), fast_settings(**settings), tmp_path)
    crawler.robots_retry_waits = (0.01, 0.01)
    return crawler


def _events(crawler: SiteCrawler) -> dict[str, str]:
    """Event code → message of the crawl."""
    with crawler.store.session() as session:
        return {e.code: e.message for e in session.scalars(select(EventRow))}


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_disallows_everything_and_keeps_the_queue(status: int, tmp_path: Path) -> None:
    """robots.txt answering 5xx: nothing else is requested, the home page stays queued, the run says why."""
    with HostileServer(robots_status=status) as server:
        crawler = _crawler(server, tmp_path, retries=0)
        summary = asyncio.run(crawler.run())
        requested = set(server.requests)
    assert requested == {"/robots.txt"} and len(server.requests) == 3  # asked, then asked again twice
    assert summary.robots_unreachable and f"HTTP {status}" in summary.robots_unreachable
    assert "robots_unreachable" in _events(crawler)
    rows = resources_by_path(crawler.store, "faulty")
    assert [row.status for row in rows.values()] == ["queued"]


def test_robots_4xx_allows_everything(tmp_path: Path) -> None:
    """robots.txt answering 404 (RFC 9309: unavailable) allows the whole site."""
    with HostileServer(robots_status=404) as server:
        crawler = _crawler(server, tmp_path)
        summary = asyncio.run(crawler.run())
        requested = set(server.requests)
    assert summary.robots_unreachable is None
    assert {"/", "/a.html", "/b.html"} <= requested


def test_robots_bigger_than_max_bytes_obeys_its_first_500_kib(tmp_path: Path) -> None:
    """A 2 MB robots.txt (over max_bytes) is not allow-all: its first 500 KiB are parsed and obeyed."""
    filler = b"".join(b"# padding line %d\n" % i for i in range(120_000))
    robots = b"User-agent: *\nDisallow: /a.html\n" + filler + b"Disallow: /b.html\n"
    assert len(robots) > 2_000_000
    with HostileServer(robots=robots) as server:
        crawler = _crawler(server, tmp_path, max_bytes=1024 * 1024)
        asyncio.run(crawler.run())
        requested = set(server.requests)
    rows = resources_by_path(crawler.store, "faulty")
    assert "/a.html" not in requested and rows["/a.html"].status == "skipped"
    assert "/b.html" in requested  # its rule lies past the first 500 KiB
    assert "robots_truncated" in _events(crawler)


def test_slow_drip_response_ends_at_its_deadline_without_retries(tmp_path: Path) -> None:
    """A server dripping one byte at a time never completes: the fetch ends at the whole-response deadline
    (a few per-read timeouts), is not retried, and the host's other slot keeps serving meanwhile."""
    with HostileServer(drip_seconds=0.1) as server:

        async def go() -> tuple[object, list[object]]:
            policy = FetchPolicy(user_agent="test", rate_per_host=1000.0, concurrency_per_host=2, timeout=0.5, retries=3,
                                 backoff_base=0.01, allow_private=True)
            async with open_client(8) as client:
                fetcher = Fetcher(policy, client, Scope.for_site(server.url, [], [], []), tmp_path, FetchContext(8))
                slow = asyncio.create_task(fetcher.fetch(server.url + "drip"))
                others = [await fetcher.fetch(server.url + f"p{i}.html") for i in range(5)]
                return await slow, others

        slow, others = asyncio.run(go())
        drips = server.requests.count("/drip")
    assert slow.error and slow.error.startswith("too slow") and slow.attempts == 1  # type: ignore[attr-defined]
    assert drips == 1
    assert all(r.ok for r in others)  # type: ignore[attr-defined]
    print(f"\nslow drip: one attempt, ended at the {DEADLINE_FACTOR} x timeout deadline (was 10 x timeout x "
          f"{1 + 3} attempts)")


def test_crawl_records_slow_drip_page_as_error(tmp_path: Path) -> None:
    """In a crawl the dripping URL is one error with its reason; the rest of the site is fetched."""
    page = PAGE.replace("<a href='/b.html'>二</a>", "<a href='/drip'>慢</a>")
    with HostileServer(robots_status=404, drip_seconds=0.1, page=page) as server:
        crawler = _crawler(server, tmp_path, timeout=0.3, retries=3)
        asyncio.run(crawler.run())
    with crawler.store.session() as session:
        rows = {r.url.rsplit("/", 1)[1]: r for r in session.scalars(select(Resource))}
    assert rows["drip"].status == "error" and "too slow" in (rows["drip"].error or "")
    assert rows["a.html"].status == "fetched"


def test_garbled_gbk_article_is_a_failed_page_not_an_article(tmp_path: Path) -> None:
    """A GBK article whose decoder three stray bytes threw out of step: an error with its reason, no article."""
    from consolidate.core.store import ArticleRow
    from tests.crawlers.test_encoding import _desync_page

    garbled = _desync_page([(0, b"\xb0"), (1, b"\xd5"), (2, b"\x81")])
    clean = _desync_page([])
    page = PAGE.replace("/a.html", "/t20240101_1.html").replace("/b.html", "/t20240102_2.html")
    files = {"/t20240101_1.html": (garbled, "text/html"), "/t20240102_2.html": (clean, "text/html")}
    with HostileServer(robots_status=404, page=page, files=files) as server:
        crawler = _crawler(server, tmp_path)
        asyncio.run(crawler.run())
    rows = resources_by_path(crawler.store, "faulty")
    assert rows["/t20240101_1.html"].status == "error" and "out of step" in (rows["/t20240101_1.html"].error or "")
    assert rows["/t20240102_2.html"].status == "fetched"
    with crawler.store.session() as session:
        urls = [url for url in session.scalars(select(ArticleRow.url))]
    assert not any(url.endswith("t20240101_1.html") for url in urls)
    assert any(url.endswith("t20240102_2.html") for url in urls)  # the same page in step is an article
