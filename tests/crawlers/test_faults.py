"""Hostile input never stops a crawl: each fault becomes a recorded error or skip for its URL, or a retried success."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate.core.store import EventRow, Resource, Store
from crawlers.crawler import CrawlSummary
from tests.crawlers.crawl_helpers import (
    crawl,
    event_urls,
    fast_settings,
    local_site,
    open_store,
    resources_by_path,
)
from tests.services.faulty_server import FaultyServer


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, Resource], CrawlSummary,
                                                                    list[str]]:
    """The whole faulty site crawled once with default max_bytes (50 MB)."""
    directory = tmp_path_factory.mktemp("faulty")
    with FaultyServer(slow_seconds=1.0) as server:
        store = open_store(directory)
        summary = crawl(store, local_site(server.url), fast_settings(), directory)
        paths = server.paths()
    return store, resources_by_path(store, "faulty"), summary, paths


@pytest.mark.parametrize("path", ["/flaky", "/throttled", "/slow-once", "/reset-once", "/malformed.html",
                                  "/lying-charset.html"])
def test_transient_or_odd_pages_end_fetched(faulty_crawl: tuple, path: str) -> None:
    """Retried faults and malformed markup end as fetched pages."""
    _, rows, _, _ = faulty_crawl
    assert rows[path].status == "fetched", rows[path].error


@pytest.mark.parametrize(("path", "status", "reason"), [
    ("/always-500", "error", "HTTP 500"),
    ("/always-slow", "error", "timeout"),
    ("/truncated", "error", "truncated"),
    ("/loop-a", "error", "redirect loop"),
    ("/binary.html", "skipped", "binary"),
    ("/big.pdf", "skipped", "larger than max_bytes"),
    ("/big-chunked.pdf", "skipped", "larger than max_bytes"),
])
def test_permanent_faults_recorded_with_reason_and_event(faulty_crawl: tuple, path: str, status: str,
                                                         reason: str) -> None:
    """Each permanent fault is the URL's recorded state with a reason, and an event for the report."""
    store, rows, _, _ = faulty_crawl
    row = rows[path]
    assert row.status == status and reason in (row.error or ""), (row.status, row.error)
    assert row.url in event_urls(store, "faulty")


def test_lying_charset_decoded_from_the_page_not_the_header(faulty_crawl: tuple) -> None:
    """GBK bytes under a UTF-8 header are decoded as GBK, and the conflict is logged for that URL."""
    store, rows, _, _ = faulty_crawl
    row = rows["/lying-charset.html"]
    assert row.encoding == "gb18030"
    with store.session() as session:
        messages = session.scalars(select(EventRow.message).where(EventRow.url == row.url,
                                                                  EventRow.code == "encoding")).all()
    assert messages


def test_never_follows_non_http_links_and_the_crawl_finishes(faulty_crawl: tuple) -> None:
    """file:, javascript: and mailto: links are never requested; the run ends with a summary."""
    _, rows, summary, paths = faulty_crawl
    assert not any("passwd" in p or "javascript" in p for p in paths)
    assert not any("passwd" in p for p in rows)
    assert summary.errors >= 4 and summary.skipped >= 3
    assert all(r.status in ("fetched", "error", "skipped") for r in rows.values())


def test_big_attachment_not_kept_and_not_held(faulty_crawl: tuple) -> None:
    """The 50 MB bodies are neither stored nor counted as transferred bytes."""
    _, rows, summary, _ = faulty_crawl
    assert rows["/big.pdf"].sha256 is None and rows["/big-chunked.pdf"].sha256 is None
    assert summary.bytes < 5 * 1024 * 1024


def test_undecodable_page_is_an_error_not_mojibake(tmp_path: Path) -> None:
    """A page whose bytes fit no charset is recorded as an error, never stored as garbled text."""
    from crawlers.crawler import undecodable
    from crawlers.encoding import DecodedPage

    assert undecodable(DecodedPage("\ufffd" * 50 + "正文", "utf-8", ["declared charset utf-8 failed"]))
    assert undecodable(DecodedPage("", "binary", ["not text"]))
    assert undecodable(DecodedPage("正常的页面" * 100 + "\ufffd", "utf-8", [])) is None
