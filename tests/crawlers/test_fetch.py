"""Polite fetching: the limiter's schedule, in-flight caps at the server, retries, refusals, URL rules."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crawlers.fetch import FetchContext, Fetcher, FetchPolicy, HostLimiter, open_client
from crawlers.urls import Scope, canonical_url
from tests.crawlers.crawl_helpers import crawl, fast_settings, local_site, open_store, resources_by_path
from tests.services.faulty_server import GRID_PAGES, FaultyServer


@pytest.fixture(scope="module")
def server() -> FaultyServer:
    """One hostile server for the module (its per-path counters make faults happen once)."""
    with FaultyServer(slow_seconds=1.0) as running:
        yield running


def fetch_all(server: FaultyServer, paths: list[str], tmp_path: Path, **policy: object) -> tuple[list, Fetcher]:
    """Fetch paths concurrently with one Fetcher; results and the fetcher."""

    async def go() -> tuple[list, Fetcher]:
        settings = {"user_agent": "test", "rate_per_host": 1000.0, "concurrency_per_host": 2, "timeout": 0.5,
                    "retries": 2, "backoff_base": 0.01, "allow_private": True}
        settings.update(policy)
        async with open_client(64) as client:
            fetcher = Fetcher(FetchPolicy(**settings), client, Scope.for_site(server.url, [], [], []),  # type: ignore[arg-type]
                              tmp_path / "spool", FetchContext(64))
            results = await asyncio.gather(*(fetcher.fetch(server.url.rstrip("/") + p) for p in paths))
        return list(results), fetcher

    return asyncio.run(go())


def test_limiter_schedule_spaces_starts_by_the_rate() -> None:
    """Requests planned at the same moment are spread 1/rate apart; a Retry-After pushes the next one back."""
    limiter = HostLimiter(rate=4.0, concurrency=2)
    starts = [limiter.plan_start(100.0) for _ in range(5)]
    assert starts == [100.0, 100.25, 100.5, 100.75, 101.0]
    limiter.slow_down(10_000.0)
    assert limiter.plan_start(101.0) > 1000.0


def test_in_flight_never_exceeds_concurrency_per_host(server: FaultyServer, tmp_path: Path) -> None:
    """24 slow pages fetched at once: the server never sees more than 2 at a time, and does see 2."""
    before = server.peak_in_flight
    server.peak_in_flight = 0
    results, fetcher = fetch_all(server, [f"/grid/p{i}.html" for i in range(GRID_PAGES)], tmp_path)
    assert all(r.ok for r in results)
    assert server.peak_in_flight == 2
    limiter = fetcher.limiter(server.url)
    assert limiter.peak_in_flight == 2
    gaps = [b - a for a, b in zip(limiter.schedule, list(limiter.schedule)[1:], strict=False)]
    assert min(gaps) >= limiter.interval - 1e-9
    server.peak_in_flight = max(before, server.peak_in_flight)


def test_global_cap_limits_all_hosts_together(tmp_path: Path) -> None:
    """Two hosts with 4 slots each under a global cap of 3: never more than 3 requests in flight in all."""
    from tests.services.faulty_server import Gauge

    gauge = Gauge()
    with FaultyServer(gauge=gauge) as one, FaultyServer(gauge=gauge) as two:

        async def go() -> FetchContext:
            context = FetchContext(3)
            async with open_client(64) as client:
                fetchers = [Fetcher(FetchPolicy(user_agent="t", rate_per_host=1000.0, concurrency_per_host=4, allow_private=True), client,
                                    Scope.for_site(s.url, [], [], []), tmp_path, context) for s in (one, two)]
                await asyncio.gather(*(f.fetch(s.url + f"grid/p{i}.html") for f, s in zip(fetchers, (one, two),
                                                                                          strict=True)
                                       for i in range(GRID_PAGES)))
            return context

        context = asyncio.run(go())
    assert gauge.peak <= 3
    assert context.peak_in_flight == 3


def test_transient_faults_are_retried_to_success(server: FaultyServer, tmp_path: Path) -> None:
    """500 twice, a 429 with Retry-After, a timeout and a connection reset: each ends in a 200.

    A reset on a kept-alive connection is retried once at once by the HTTP client (RFC 9112 §9.3.1.1), so the
    reset page takes one or two of our attempts, and never more than two requests in all."""
    resets_before = server.counts.get("/reset-once", 0)
    results, fetcher = fetch_all(server, ["/flaky", "/throttled", "/slow-once", "/reset-once"], tmp_path)
    by_path = {r.url.split("/", 3)[3]: r for r in results}
    assert all(r.ok for r in results), [(r.url, r.error) for r in results]
    assert by_path["flaky"].attempts == 3
    assert by_path["throttled"].attempts == 2
    assert by_path["slow-once"].attempts == 2
    assert by_path["reset-once"].attempts in (1, 2)
    assert server.counts["/reset-once"] - resets_before == 2


def test_compressed_bodies_and_chinese_paths_are_fetched(server: FaultyServer, tmp_path: Path) -> None:
    """A gzip body whose Content-Length counts compressed bytes is whole (not 'truncated'); a path written in
    Chinese reaches the server percent-encoded as UTF-8."""
    results, _ = fetch_all(server, ["/gzipped.html", "/政策文件.html"], tmp_path)
    gzipped, chinese = results
    assert gzipped.ok, gzipped.error
    assert "压缩的页面".encode() in gzipped.body and gzipped.body.count("正文".encode()) == 500
    assert gzipped.attempts == 1
    assert chinese.ok, chinese.error
    assert "中文路径的页面".encode() in chinese.body


def test_old_servers_headers_are_read_not_fatal(server: FaultyServer, tmp_path: Path) -> None:
    """A GBK file name in Content-Disposition, a Location in raw GBK bytes and a doubled Content-Length: each
    is fetched, and every header is text that encodes (the archive and the store can take it)."""
    results, _ = fetch_all(server, ["/gbk-file.doc", "/gbk-redirect", "/double-length.html"], tmp_path)
    gbk_file, redirect, doubled = results
    assert gbk_file.ok, gbk_file.error
    assert gbk_file.headers["content-disposition"].encode("latin-1").decode("gbk").endswith("政策.doc")
    assert redirect.ok and redirect.final_url.endswith("/%D5%FE%B2%DF.html"), (redirect.error, redirect.final_url)
    assert doubled.ok and "两个长度头的页面".encode() in doubled.body, doubled.error
    for result in results:
        for value in result.headers.values():
            value.encode("utf-8")  # no lone surrogates


def test_a_crawl_archives_and_stores_old_servers_headers(tmp_path: Path) -> None:
    """The same three answers in a whole crawl: it finishes, stores each URL as fetched and archives them."""
    with FaultyServer(home_links=["/gbk-file.doc", "/gbk-redirect", "/double-length.html"]) as fresh:
        store = open_store(tmp_path)
        summary = crawl(store, local_site(fresh.url), fast_settings(), tmp_path)
        rows = resources_by_path(store, "faulty")
    assert summary.errors == 0
    assert all(rows[path].status == "fetched" for path in ("/gbk-file.doc", "/gbk-redirect", "/double-length.html"))
    assert summary.warc and Path(summary.warc).stat().st_size > 0


def test_retry_after_is_honoured_in_the_schedule(tmp_path: Path) -> None:
    """After a 429 with Retry-After: 1 the next start is planned at least a second after the 429's start."""
    with FaultyServer(retry_after="1") as fresh:
        results, fetcher = fetch_all(fresh, ["/throttled"], tmp_path)
    assert results[0].ok
    schedule = list(fetcher.limiter(fresh.url).schedule)
    assert len(schedule) == 2 and schedule[1] - schedule[0] >= 1.0


def test_permanent_faults_are_errors_with_reasons(server: FaultyServer, tmp_path: Path) -> None:
    """Permanent faults end as results with a reason after the allowed retries, never as exceptions."""
    results, _ = fetch_all(server, ["/always-500", "/always-slow", "/truncated", "/loop-a", "/nothing-here"],
                           tmp_path)
    by_path = {r.url.split("/", 3)[3]: r for r in results}
    assert by_path["always-500"].status == 500 and by_path["always-500"].attempts == 3
    assert "timeout" in (by_path["always-slow"].error or "")
    assert "truncated" in (by_path["truncated"].error or "")
    assert "redirect loop" in (by_path["loop-a"].error or "")
    assert by_path["nothing-here"].status == 404 and by_path["nothing-here"].attempts == 1


def test_private_addresses_are_refused_unless_the_site_is_on_one(server: FaultyServer, tmp_path: Path) -> None:
    """A public site's crawler never requests a loopback address; nothing reaches the server."""
    before = len(server.log)
    results, _ = fetch_all(server, ["/flaky"], tmp_path, allow_private=False)
    assert "private address" in (results[0].error or "")
    assert len(server.log) == before


def test_large_declared_body_is_not_fetched_whole(server: FaultyServer, tmp_path: Path) -> None:
    """A 50 MB response over max_bytes is marked too large from its Content-Length; no body kept."""
    results, _ = fetch_all(server, ["/big.pdf"], tmp_path, max_bytes=1024 * 1024)
    assert results[0].too_large and results[0].body == b"" and results[0].size > 50 * 1024 * 1024


@pytest.mark.parametrize(("raw", "expected"), [
    ("http://a.gov.cn/index.php?m=content&c=index&a=show&catid=3&id=7&utm_source=wx",
     "http://a.gov.cn/index.php?m=content&c=index&a=show&catid=3&id=7"),
    ("http://a.gov.cn/index.php?m=content&c=index&a=lists&catid=3&page=2",
     "http://a.gov.cn/index.php?m=content&c=index&a=lists&catid=3&page=2"),
    ("http://a.gov.cn/list.jsp;jsessionid=0A1B2C?id=5&_=1700000000000", "http://a.gov.cn/list.jsp?id=5"),
    ("HTTP://A.gov.cn:80/a/./b/../c.html#top", "http://a.gov.cn/a/c.html"),
    ("javascript:void(0)", None),
    ("file:///etc/passwd", None),
    ("mailto:office@a.gov.cn", None),
    ("http://a.gov.cn:99999/", None),
])
def test_canonical_urls(raw: str, expected: str | None) -> None:
    """Tracking and session parameters go; significant ones (PHPCMS) stay; non-HTTP links are dropped."""
    assert canonical_url(raw) == expected


def test_robots_crawl_delay_capped_and_disallow_obeyed(tmp_path: Path) -> None:
    """Crawl-delay 30 is honoured as the 10 s cap; disallowed paths are skipped with a reason, never requested."""
    robots = "User-agent: *\nCrawl-delay: 30\nDisallow: /always-500\n"
    with FaultyServer(robots=robots, home_links=["/always-500"]) as fresh:
        store = open_store(tmp_path)
        site = local_site(fresh.url)
        crawl(store, site, fast_settings(max_pages=2), tmp_path)
        paths = fresh.paths()
    rows = resources_by_path(store, site.id)
    assert rows["/always-500"].status == "skipped" and "robots" in rows["/always-500"].error
    assert "/always-500" not in paths


def test_robots_can_be_ignored_by_explicit_override(tmp_path: Path) -> None:
    """obey_robots: false fetches a disallowed page and logs that robots.txt was not consulted."""
    from tests.crawlers.crawl_helpers import event_urls  # noqa: F401 - keeps helper import local

    with FaultyServer(robots="User-agent: *\nDisallow: /\n", home_links=["/flaky"]) as fresh:
        store = open_store(tmp_path)
        site = local_site(fresh.url)
        crawl(store, site, fast_settings(obey_robots=False), tmp_path)
        paths = fresh.paths()
    assert "/robots.txt" not in paths and "/flaky" in paths
    from sqlalchemy import select

    from consolidate.core.store import EventRow

    with store.session() as session:
        codes = set(session.scalars(select(EventRow.code)))
    assert "robots_ignored" in codes
