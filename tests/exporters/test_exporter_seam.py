"""The exporter seam: the registry loads exporters by dotted path (core never imports them), constructing one does
no I/O (start() does), capabilities are declared in one dataclass, one Retry-After parser, one naming policy."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from consolidate.core.config import Portal
from consolidate.core.errors import ExporterError
from consolidate.core.http import retry_after_seconds
from consolidate.core.registry import BUILTIN_EXPORTERS, exporter_class
from exporters.base import Capabilities, ExportContext, Exporter, create_exporter
from exporters.common import RetryingClient, TransientError, document_name, secret_from_env

REPO = Path(__file__).resolve().parents[2]
ENV = "CONSOLIDATE_TEST_SEAM_PASSWORD"


def test_core_imports_no_exporter_and_validation_loads_only_the_one_named() -> None:
    """Importing the core pulls in no module of exporters/; validating export settings imports the named
    exporter's module only (by its dotted path), and every exporter module imports on its own (no cycle)."""
    code = ("import sys; from consolidate.core.config import ExportSettings; "
            "loaded = lambda: sorted(m for m in sys.modules if m.split('.')[0] == 'exporters'); print(loaded()); "
            "ExportSettings.model_validate({'exporter': 'bundle', 'options': {'dir': 'x'}}); print(loaded())")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.splitlines()
    assert before == "[]" and "'exporters.bundle'" in after and "wordpress" not in after
    for module in ("exporters.base", "exporters.wordpress", "exporters.static_preview"):
        imported = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO, capture_output=True,
                                  text=True)
        assert imported.returncode == 0, imported.stderr


@pytest.mark.parametrize("name", sorted(BUILTIN_EXPORTERS))
def test_constructing_does_no_io_and_start_opens(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    """create_exporter touches neither disk nor network (not even a bad password or a dead URL fails it);
    start() does, and its errors are clear; close() of an exporter never started is harmless."""
    monkeypatch.delenv(ENV, raising=False)
    workspace = tmp_path / "ws" / ".consolidate"
    context = ExportContext(workspace=workspace, portal=Portal(name="门户", base_url="https://p.example/", columns=[]),
                            programme_name="p")
    options = {"url": "http://127.0.0.1:9/", "user": "u", "app_password_env": ENV} if name == "wordpress" else {}
    exporter = create_exporter(name, options, context)
    assert not (tmp_path / "ws").exists()
    exporter.close()
    if name == "wordpress":
        with pytest.raises(ExporterError, match=ENV):
            exporter.start()
        monkeypatch.setenv(ENV, "secret")
        with pytest.raises(ExporterError, match="cannot reach WordPress"):
            create_exporter(name, {**options, "retries": 0}, context).start()
        return
    with exporter:
        exporter.start()  # a second start does nothing (the lock is not taken twice)
        assert (tmp_path / "ws").exists()
    with create_exporter(name, options, context):  # closed: the next writer gets the lock at once
        pass


def test_capabilities_are_declared_in_one_place() -> None:
    """Every built-in is an Exporter with a Capabilities; the file targets know URLs before pushing, WordPress
    holds undated articles and sends concurrently."""
    for name in BUILTIN_EXPORTERS:
        cls = exporter_class(name)
        assert issubclass(cls, Exporter) and isinstance(cls.capabilities, Capabilities)
        assert not hasattr(cls, "links_known_before_push")
        assert cls.capabilities.planned_urls == (name != "wordpress")
    portal = Portal(name="门户", base_url="https://p.example/", columns=[])
    wordpress = create_exporter("wordpress", {"url": "http://127.0.0.1:9/", "user": "u", "app_password_env": ENV,
                                              "concurrency": 6}, ExportContext(Path("/nonexistent"), portal, "p"))
    assert (wordpress.capabilities.concurrency, wordpress.capabilities.undated) == (6, "hold")
    assert wordpress.capabilities.payload_version


def test_retry_after_parser_shared_by_crawler_and_exporters() -> None:
    """Delta-seconds and HTTP dates, never negative; garbage is None (the caller then backs off by itself)."""
    now = 1_800_000_000.0
    assert retry_after_seconds("7", now) == 7.0 and retry_after_seconds(" 1.5 ", now) == 1.5
    assert retry_after_seconds("-3", now) == 0.0
    import datetime as dt

    later = dt.datetime.fromtimestamp(now + 30, dt.UTC)
    assert retry_after_seconds(format_datetime(later, usegmt=True), now) == pytest.approx(30.0)
    assert retry_after_seconds(format_datetime(later - dt.timedelta(hours=1), usegmt=True), now) == 0.0
    for garbage in (None, "", "soon", "nan", "inf", "Mon, 99 Foo 2026"):
        assert retry_after_seconds(garbage, now) is None, garbage


class _Throttling(http.server.BaseHTTPRequestHandler):
    """429 with Retry-After: 0 to the first request, then 200; 404 to /missing."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook
        """Answer by path and by how many requests came before."""
        self.seen.append(self.path)
        status = 404 if self.path == "/missing" else 429 if len(self.seen) == 1 else 200
        self.send_response(status)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_retrying_client_honours_retry_after_and_refusals() -> None:
    """A 429 is waited out and repeated; a 404 goes to the exporter's refusal; no retries left is a
    TransientError, which is an ExporterError."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    refusals: list[str] = []
    client = RetryingClient(httpx.Client(), 2, lambda response, what: refusals.append(what) or ExporterError(what))
    try:
        assert client.request("GET", f"{base}/a").status_code == 200
        assert _Throttling.seen == ["/a", "/a"]
        with pytest.raises(ExporterError, match="GET /missing"):
            client.request("GET", f"{base}/missing")
        assert client.request("GET", f"{base}/missing", accept=(404,)).status_code == 404
        with pytest.raises(TransientError):
            RetryingClient(httpx.Client(), 0, lambda r, w: ExporterError(w)).request("GET", "http://127.0.0.1:9/")
    finally:
        client.close()
        server.shutdown()
    assert refusals == ["GET /missing"]


@pytest.mark.parametrize("name, url, content_type, data, expected", [
    ("通知.pdf", "http://l/down.jsp?id=1", None, b"", "通知.pdf"),
    ("通知", "http://l/files/a.docx", None, b"", "通知.docx"),
    ("通知.jsp", "http://l/down.jsp?id=1", "application/pdf", b"", "通知.pdf"),
    ("", "http://l/down.do?id=1", "application/msword; charset=x", b"", "down.doc"),
    ("附件", "http://l/d.aspx", "text/html", b"%PDF-1.4", "附件.pdf"),
    ("附件", "http://l/d.aspx", "application/octet-stream", b"PK\x03\x04..word/..", "附件.docx"),
    ("附件.php", "http://l/d.php", "application/x-httpd-php", b"", "附件.php"),
])
def test_one_naming_policy_for_rehosted_files(name: str, url: str, content_type: str | None, data: bytes,
                                             expected: str) -> None:
    """The name's extension, else the URL's, the type's, the bytes' — never a page or program type from the
    server; with no witness the name stays as it is (WordPress then refuses it, the file targets neutralise it)."""
    assert document_name(name, url, content_type, data) == expected


def test_secret_from_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unset variable is an error naming it; the value is returned stripped and never in a message."""
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(ExporterError) as missing:
        secret_from_env(ENV, "the token")
    assert ENV in missing.value.message and f"export {ENV}=<the token>" == missing.value.hint
    monkeypatch.setenv(ENV, " s3cret \n")
    assert secret_from_env(ENV, "the token") == "s3cret"
