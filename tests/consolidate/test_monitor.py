"""The post-cutover monitor against a small local server that answers old URLs right, wrong, or not at all."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.store import EventRow, SiteRow, UrlMapRow, url_hash
from consolidate.core.workspace import Workspace
from consolidate.monitor import monitor_site
from tests.consolidate.test_checklist import write_config

# path → (status, Location header); anything else is 404.
ROUTES: dict[str, tuple[int, str | None]] = {
    "/old/a": (301, "{base}/new/a"),
    "/old/b": (301, "{base}/new/elsewhere"),
    "/old/c": (200, None),
    "/old/d": (301, "{base}/new/missing"),
    "/old/e": (302, "{base}/new/e"),
    "/old/f": (410, None),
    "/old/g": (404, None),
    "/old/h": (404, None),
    "/old/i": (301, "/new/a"),
    "/new/a": (200, None),
    "/new/e": (200, None),
    "/new/elsewhere": (200, None),
    "/new/moved": (301, "/new/a"),
    "/old/j": (301, "{base}/new/moved"),
}


class _Server(ThreadingHTTPServer):
    """Counts requests in flight so the test can check the monitor's concurrency bound."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.hits: list[str] = []
        self.base = f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    """Answers from ROUTES after a short pause (so that requests overlap); in flight until the answer starts."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        with self.server.lock:
            self.server.in_flight += 1
            self.server.peak = max(self.server.peak, self.server.in_flight)
            self.server.hits.append(self.path)
        try:
            time.sleep(0.02)
        finally:
            # out of flight before the answer goes out: once the client has read it, it may start the next request,
            # which must not find this one still counted (CI under load saw peak 4 with concurrency 3)
            with self.server.lock:
                self.server.in_flight -= 1
        status, location = ROUTES.get(self.path, (404, None))
        body = b"<html><body>old content</body></html>" if status == 200 else b""
        self.send_response(status)
        if location:
            self.send_header("Location", location.format(base=self.server.base))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Keep test output quiet."""


@pytest.fixture
def server() -> Iterator[_Server]:
    """The local server on a free port of 127.0.0.1."""
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _url_map(ws: Workspace, base: str) -> dict[str, str]:
    """Write a URL map for site s0; return old URL → the category the monitor should give it."""
    dead = f"http://127.0.0.1:{_closed_port()}/old/z"
    rows = [  # (old, expected status, new, category)
        (f"{base}/old/a", "301", f"{base}/new/a", "ok"),
        (f"{base}/old/b", "301", f"{base}/new/b", "wrong"),
        (f"{base}/old/c", "301", f"{base}/new/a", "still_serving"),
        (f"{base}/old/d", "301", f"{base}/new/missing", "broken"),
        (f"{base}/old/e", "301", f"{base}/new/e", "wrong"),
        (f"{base}/old/f", "410", None, "ok"),
        (f"{base}/old/g", "410", None, "wrong"),
        (f"{base}/old/h", "unresolved", None, "unmapped"),
        (f"{base}/old/i", "301", f"{base}/new/a", "ok"),
        (f"{base}/old/j", "301", f"{base}/new/moved", "ok"),
        (dead, "301", f"{base}/new/a", "unreachable"),
    ]
    with ws.store.session() as session:
        session.add(SiteRow(id="s0", name="s0", home_url=base + "/", disposition="migrate", facts={}))
        session.flush()
        session.add_all(UrlMapRow(site_id="s0", old_url=old, url_hash=url_hash(old), new_url=new, status=status)
                        for old, status, new, _category in rows)
    return {old: category for old, _status, _new, category in rows}


def test_monitor_classifies_every_legacy_url(tmp_path: Path, server: _Server) -> None:
    """ok / still serving / wrong redirect or status / broken new URL / unreachable / unmapped, per row."""
    ws = write_config(tmp_path, ["migrate"])
    expected = _url_map(ws, server.base)
    result = monitor_site(ws, "s0", concurrency=3, timeout=5)
    assert {row["old_url"]: row["category"] for row in result.rows} == expected
    assert result.as_dict()["counts"] == {"ok": 4, "still_serving": 1, "wrong": 3, "broken": 1, "unreachable": 1,
                                          "unmapped": 1}
    details = {row["old_url"].rsplit("/", 1)[-1]: row["detail"] for row in result.rows}
    assert "expected 301, got 302" in details["e"]
    assert "new/elsewhere" in details["b"]
    assert "404" in details["d"]
    assert server.peak <= 3
    # each new URL is requested once however many old URLs map to it (+1 for /new/moved's redirect to it)
    assert server.hits.count("/new/a") == 2


def test_monitor_records_events_and_replaces_the_last_run(tmp_path: Path, server: _Server) -> None:
    """Problems are events of stage 'monitor' with the old URL; a second run replaces the first."""
    ws = write_config(tmp_path, ["migrate"])
    _url_map(ws, server.base)
    monitor_site(ws, "s0")
    monitor_site(ws, "s0")
    with ws.store.session() as session:
        events = session.scalars(select(EventRow).where(EventRow.stage == "monitor")).all()
    codes = sorted(e.code for e in events)
    assert codes == ["broken", "monitor_summary", "still_serving", "unmapped", "unreachable", "wrong", "wrong",
                     "wrong"]
    still = next(e for e in events if e.code == "still_serving")
    assert still.url == f"{server.base}/old/c" and still.level == "error"


def test_cli_monitor_json_and_exit_code(tmp_path: Path, server: _Server) -> None:
    """`consolidate monitor SITE --json` prints the counts and exits 1 when old URLs misbehave."""
    ws = write_config(tmp_path, ["migrate"])
    _url_map(ws, server.base)
    result = CliRunner().invoke(app, ["monitor", "s0", "--json", "--concurrency", "2", "-c", str(ws.loaded.path),
                                      "--db", ws.store.url])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload[0]["counts"]["still_serving"] == 1 and payload[0]["checked"] == 11
    assert server.peak <= 2


def test_monitor_without_url_map_says_there_is_nothing_to_check(tmp_path: Path, server: _Server) -> None:
    """A site nobody has pushed has nothing to check: zero counts and a line saying why (no URL map: push writes
    it), exit 1 — a site nobody could check is not found fine (round 10: it was exit 0 with 0 URLs checked). With
    --all, a site that has a map is checked beside it."""
    ws = write_config(tmp_path, ["migrate", "migrate"])
    options = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    result = CliRunner().invoke(app, ["monitor", "s0", *options])
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert "s0: no URL map yet, so nothing to check" in said and "`consolidate push s0`" in said
    document = monitor_site(ws, "s0").as_dict()
    assert document["checked"] == 0 and "no URL map yet" in document["nothing_to_check"]
    fine = [(f"{server.base}/old/a", "301", f"{server.base}/new/a"), (f"{server.base}/old/f", "410", None)]
    with ws.store.session() as session:  # s0's map, every URL of it answering as mapped; s1 has none
        session.add(SiteRow(id="s0", name="s0", home_url=server.base + "/", disposition="migrate", facts={}))
        session.flush()
        session.add_all(UrlMapRow(site_id="s0", old_url=old, url_hash=url_hash(old), new_url=new, status=status)
                        for old, status, new in fine)
    assert CliRunner().invoke(app, ["monitor", "s0", *options]).exit_code == 0
    both = CliRunner().invoke(app, ["monitor", "--all", "--json", *options])
    assert both.exit_code == 1, both.output
    by_site = {r["site"]: r for r in json.loads(both.stdout)}
    assert by_site["s0"]["counts"]["ok"] == 2 and by_site["s0"]["nothing_to_check"] is None
    assert by_site["s1"]["checked"] == 0 and "`consolidate push s1`" in by_site["s1"]["nothing_to_check"]
