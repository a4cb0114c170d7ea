"""Serving the fleet over real HTTP on 127.0.0.1: one ThreadingHTTPServer per site."""

from __future__ import annotations

import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from consolidate.samplefleet.model import Fleet, SamplePage, SampleSite


class _QuietServer(ThreadingHTTPServer):
    """Threading server with a deeper accept queue and daemon worker threads."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def make_handler(site: SampleSite, log: list[tuple[str, str, str]], lock: threading.Lock) -> type:
    """A request handler class bound to one site."""

    class Handler(BaseHTTPRequestHandler):
        """Relays requests to SampleSite.respond."""

        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "legacy"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: no per-request logging."""

        def version_string(self) -> str:
            """Server header: the legacy server's own banner."""
            return site.server_header

        def target(self) -> str:
            """Request target, with raw UTF-8 bytes restored."""
            raw = self.path.encode("latin-1", "replace")
            return raw.decode("utf-8", "replace")

        def record(self, method: str, target: str) -> None:
            """Append to the shared request log."""
            with lock:
                log.append((site.site_id, method, target))

        def serve(self, method: str) -> None:
            """Answer GET/HEAD/POST."""
            target = self.target()
            self.record(method, target)
            body = b""
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
            try:
                page = site.respond(target, dict(self.headers.items()), method=method, body=body)
            except Exception:  # a generator bug must not kill the connection silently
                traceback.print_exc()
                page = SamplePage(500, "text/html", b"<html><body><h1>500 Internal Server Error</h1></body></html>")
            self.send(page, include_body=method != "HEAD")

        def send(self, page: SamplePage, include_body: bool) -> None:
            """Write status, headers and (unless HEAD/304) the body."""
            self.send_response(page.status)
            if page.content_type:
                self.send_header("Content-Type", page.content_type)
            for key, value in page.headers.items():
                if key.lower() != "server":
                    self.send_header(key, value)
            if page.status != 304:
                self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            if include_body and page.body:
                self.wfile.write(page.body)

        def do_GET(self) -> None:  # noqa: N802
            """GET."""
            self.serve("GET")

        def do_HEAD(self) -> None:  # noqa: N802
            """HEAD."""
            self.serve("HEAD")

        def do_POST(self) -> None:  # noqa: N802
            """POST (only dataproxy.jsp accepts it)."""
            self.serve("POST")

    return Handler


class FleetServer:
    """Serves every site of a fleet on its own port in daemon threads; a context manager."""

    def __init__(self, fleet: Fleet, host: str = "127.0.0.1", ports: dict[str, int] | None = None) -> None:
        """Prepare (not start) the servers; ports None means free ports."""
        self.fleet = fleet
        self.host = host
        self.ports = dict(ports or {})
        self.urls: dict[str, str] = {}
        self.request_log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._servers: list[_QuietServer] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> FleetServer:
        """Bind and start one server per site."""
        for site in self.fleet.sites:
            site.routes()
            handler = make_handler(site, self.request_log, self._lock)
            server = _QuietServer((self.host, self.ports.get(site.site_id, 0)), handler)
            port = server.server_address[1]
            self.urls[site.site_id] = f"http://{self.host}:{port}/"
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"samplefleet-{site.site_id}", daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Shut every server down and close its socket."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> FleetServer:
        """Start on entering the context."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop on leaving the context."""
        self.stop()
