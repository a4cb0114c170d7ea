"""A legacy server that goes away mid-crawl (round-12 trial, items 3, 4, 5, 7): URLs it left unanswered are no
lost pages — the crawl is not finished (exit 1, one line), a plain re-run asks for them again, the checklist
waits for them; a host that stops answering is paused, its URLs left queued; `messages` lists no error a later
fetch cleared; the live "fetched" figure counts pages fetched, failures apart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.checklist import content_blockers
from consolidate.core.store import ArticleRow, EventRow, Resource, SiteRow
from consolidate.messages import current_errors, message_counts, site_messages
from crawlers.crawler import CrawlProgress, SiteCrawler
from tests.consolidate.test_checklist import write_config
from tests.workspace_cli import exit_and_output

ARTICLES = 12
HOME = ('<html><head><meta charset="utf-8"><title>测试局</title></head><body><ul>'
        + "".join(f'<li><a href="/news/a{i}.html">关于开展第{i}次法律援助宣传活动的通知</a> 2024-03-{i:02d}</li>'
                  for i in range(1, ARTICLES + 1))
        + '<li><a href="/news/gone.html">已删除的旧文章</a></li></ul></body></html>')


def article(i: int) -> str:
    """The page of article i."""
    return (f'<html><head><meta charset="utf-8"><title>关于开展第{i}次法律援助宣传活动的通知</title></head><body>'
            f'<h1>关于开展第{i}次法律援助宣传活动的通知</h1><p>发布日期：2024-03-{i:02d}</p>'
            f'<p>各区县司法局：现将第{i}次法律援助宣传活动安排通知如下，请认真组织实施，确保活动取得实效。</p>'
            '</body></html>')


class OldServer:
    """A legacy site on loopback that answers `answers` requests, then drops every connection unanswered (its
    process went away) until `back()`; /news/gone.html is a 404 (a dead link of the site's own)."""

    def __init__(self, answers: int) -> None:
        self.answers = answers
        self.never: set[str] = set()  # paths it never answers (it hangs on them alone)
        self.delay = 0.0  # seconds each answer takes
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def back(self) -> None:
        """The server answers again."""
        self.answers = 10**9

    def answering(self, path: str) -> bool:
        """Count a request; whether the server still answers."""
        with self.lock:
            self.requests.append(path)
            self.answers -= 1
            return self.answers >= 0 and path not in self.never


def _handler(server: OldServer) -> type:
    """The request handler of one OldServer."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            if not server.answering(self.path):
                self.close_connection = True  # no status line: the client sees the connection dropped
                return
            time.sleep(server.delay)
            if self.path == "/":
                self._send(200, HOME)
            elif self.path.startswith("/news/a") and self.path.endswith(".html"):
                self._send(200, article(int(self.path[len("/news/a"):-len(".html")])))
            else:
                self._send(404, "<html><body>404</body></html>")

        def _send(self, status: int, page: str) -> None:
            body = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def old_server() -> Iterator[OldServer]:
    """An old server that answers robots.txt, the home page and 3 articles, then goes away."""
    server = OldServer(answers=5)
    threading.Thread(target=server.httpd.serve_forever, daemon=True).start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _workspace(tmp_path: Path, server: OldServer) -> pipeline.Workspace:
    """A workspace whose site s0 is the old server, crawled fast with one retry."""
    ws = write_config(tmp_path, ["migrate"], extra="    crawl: {rate_per_host: 500, retries: 1, timeout: 2}\n")
    text = ws.loaded.path.read_text(encoding="utf-8").replace("http://127.0.0.1:9/s0/", server.url)
    ws.loaded.path.write_text(text, encoding="utf-8")
    return pipeline.Workspace.open(ws.loaded.path, ws.store.url)


def _statuses(ws: pipeline.Workspace) -> dict[str, str]:
    """URL path -> the resource's state."""
    with ws.store.session() as session:
        return {r.url.split("/", 3)[3]: r.status for r in session.scalars(select(Resource))}


def _crawled_at(ws: pipeline.Workspace) -> object:
    """When s0's crawl was last stamped finished."""
    with ws.store.session() as session:
        return session.get(SiteRow, "s0").crawled_at


def test_a_server_that_went_away_leaves_the_crawl_unfinished_and_a_plain_rerun_asks_again(
        old_server: OldServer, tmp_path: Path) -> None:
    ws = _workspace(tmp_path, old_server)
    code, out = exit_and_output(ws, "crawl", "s0", width=400)
    assert code == 1, out
    line = next(x for x in out.splitlines() if "crawl not finished" in x)
    assert "s0: crawl not finished: 10 URLs got no answer" in line and "`consolidate crawl s0` again" in line
    assert _crawled_at(ws) is None  # not marked crawled
    states = _statuses(ws)
    assert sum(1 for s in states.values() if s == "queued") == 10  # the 404 may be among the 3 answered
    assert all(s != "error" for p, s in states.items() if p != "news/gone.html")
    blockers = content_blockers(ws, "s0")
    assert any("10 URLs still queued" in b and "10 of them got no answer" in b for b in blockers), blockers

    old_server.back()
    code, out = exit_and_output(ws, "crawl", "s0", width=400)  # no --incremental
    assert code == 0, out
    assert "crawl not finished" not in out
    states = _statuses(ws)
    assert states["news/gone.html"] == "error"  # the site's own dead link: an answer, kept as it is
    assert all(s == "fetched" for p, s in states.items() if p != "news/gone.html"), states
    assert _crawled_at(ws) is not None
    with ws.store.session() as session:
        assert session.query(ArticleRow).filter_by(site_id="s0").count() == ARTICLES

    # the errors of the outage are history: messages, its counts and the report's list agree with the store
    fetch_errors = [m for m in site_messages(ws, "s0", "crawl") if m["code"] == "fetch"]
    assert [m["url"].rsplit("/", 1)[1] for m in fetch_errors] == ["gone.html"]
    assert message_counts(ws, "s0").get("crawl", 0) == len(site_messages(ws, "s0", "crawl"))
    listed, total = current_errors(ws, "s0")
    assert total == 1 and listed[0]["url"].endswith("/news/gone.html")
    assert not any("still queued" in b for b in content_blockers(ws, "s0"))


def test_a_host_that_stops_answering_is_paused_with_its_urls_left_queued(
        old_server: OldServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SiteCrawler, "pause_after_urls", 2)
    monkeypatch.setattr(SiteCrawler, "pause_after_seconds", 0.0)
    ws = _workspace(tmp_path, old_server)
    code, out = exit_and_output(ws, "crawl", "s0", width=400)
    assert code == 1, out
    paused = [x for x in out.splitlines() if "paused" in x and "got no answer" in x]
    assert paused and "127.0.0.1" in paused[0] and "its URLs stay queued" in paused[0], out
    asked = {p for p in old_server.requests[5:]}  # URLs asked after the server went away
    assert len(asked) < 10, asked  # not every URL: the host was paused
    assert sum(1 for s in _statuses(ws).values() if s == "queued") == 10
    assert _crawled_at(ws) is None

    assert "host_paused" in [m["code"] for m in site_messages(ws, "s0", "crawl")]
    old_server.back()
    code, out = exit_and_output(ws, "crawl", "s0", width=400)
    assert code == 0, out
    assert sum(1 for s in _statuses(ws).values() if s == "fetched") == ARTICLES + 1
    assert [m["code"] for m in site_messages(ws, "s0", "crawl")] == ["fetch"]  # the 404; the pause is history


def test_a_page_the_server_hangs_on_alone_is_a_failed_url_and_pauses_nothing(
        old_server: OldServer, tmp_path: Path) -> None:
    """One URL unanswered while its host answers the others around it: the page's fault, not an outage — a failed
    URL as before, the crawl finished, the host not paused."""
    old_server.back()
    old_server.never = {"/news/a6.html"}
    old_server.delay = 0.1  # pages in flight are answered after it was asked, even when it is asked last
    ws = _workspace(tmp_path, old_server)
    code, out = exit_and_output(ws, "crawl", "s0", width=400)
    assert code == 0 and "paused" not in out and "crawl not finished" not in out, out
    assert "1 connection failure" in out
    states = _statuses(ws)
    assert states["news/a6.html"] == "error" and _crawled_at(ws) is not None
    before = len(old_server.requests)
    assert exit_and_output(ws, "crawl", "s0", width=400)[0] == 0
    assert "/news/a6.html" not in old_server.requests[before:]  # filed: a plain re-run does not ask it again


def test_a_url_unanswered_three_crawls_in_a_row_is_filed_failed(tmp_path: Path) -> None:
    """The cut-off of queuing again: the third crawl that ends with a URL unanswered files it failed."""
    from consolidate.core.store import Store
    from crawlers.crawler import UNANSWERED_CRAWLS, requeue_unanswered

    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    with store.session() as session:
        session.add(SiteRow(id="s0", name="s0", home_url="http://127.0.0.1:9/", disposition="migrate", facts={}))
        session.flush()
        session.add(Resource(site_id="s0", url="http://127.0.0.1:9/a.html", url_hash="a", status="error",
                             error="transient: timeout after 20s", hint={}))
    for crawl in range(1, UNANSWERED_CRAWLS + 1):
        with store.session() as session:
            again = requeue_unanswered(session, "s0", count_crawl=True)
            row = session.scalar(select(Resource))
            assert again == (crawl < UNANSWERED_CRAWLS) and row.status == ("queued" if again else "error")
            row.status = "error"  # the next crawl asked it, no answer again
        with store.session() as session:
            assert requeue_unanswered(session, "s0", count_crawl=False) == (crawl < UNANSWERED_CRAWLS)
            session.scalar(select(Resource)).status = "error"


def test_the_live_fetched_figure_counts_no_failure(old_server: OldServer, tmp_path: Path) -> None:
    ws = _workspace(tmp_path, old_server)
    seen: list[tuple[int, int]] = []

    def progress(p: CrawlProgress) -> None:
        seen.append((p.fetched, p.summary.failed))

    summary = pipeline.crawl_fleet(ws, ["s0"], progress)[0]
    fetched, failed = seen[-1]
    assert fetched == sum(1 for s in _statuses(ws).values() if s == "fetched") == 4 - (failed - 10)  # 404 apart
    assert failed >= 10 and fetched + failed == summary.fetched  # 10 URLs unanswered, maybe the 404 among 3 asked


def test_urls_an_older_release_filed_unanswered_are_asked_again_and_their_errors_are_history(
        old_server: OldServer, tmp_path: Path) -> None:
    """A store from before: the outage's URLs filed failed ('transient: …', no HTTP status) with their fetch
    errors. A plain crawl asks them again; `messages` then lists no error for them."""
    old_server.back()
    ws = _workspace(tmp_path, old_server)
    assert exit_and_output(ws, "crawl", "s0", width=400)[0] == 0
    why = "transient: ServerDisconnectedError: Server disconnected"
    with ws.store.session() as session:
        rows = session.scalars(select(Resource).where(Resource.url.like("%/news/a%"))).all()[:4]
        for row in rows:
            row.status, row.error, row.http_status = "error", why, None
            session.add(EventRow(site_id="s0", stage="crawl", level="error", code="fetch", message=why, url=row.url))
    assert current_errors(ws, "s0")[1] == 1 + 4
    code, out = exit_and_output(ws, "crawl", "s0", width=400)
    assert code == 0, out
    assert sum(1 for s in _statuses(ws).values() if s == "fetched") == ARTICLES + 1
    assert current_errors(ws, "s0")[1] == 1  # the site's own dead link only
    assert [m["url"].rsplit("/", 1)[1] for m in site_messages(ws, "s0", "crawl") if m["code"] == "fetch"] == \
        ["gone.html"]
