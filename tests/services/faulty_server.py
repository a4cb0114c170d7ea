"""A hostile legacy web server on 127.0.0.1 for crawler tests: every fault a twenty-year-old site can throw.

    with FaultyServer(slow_seconds=1.0) as server:
        server.url             # "http://127.0.0.1:PORT/" — the home page links every fault below
        server.log             # [(method, path), ...] in arrival order
        server.peak_in_flight  # most requests served at the same time

Routes: /flaky (500 twice, then 200), /throttled (429 + Retry-After once), /slow-once (slower than the
client's timeout once), /reset-once (connection reset once), /always-500, /always-slow, /truncated
(Content-Length larger than the body sent), /loop-a ↔ /loop-b (redirect loop), /binary.html (a PDF served
as text/html), /lying-charset.html (GBK body, header says UTF-8), /big.pdf (50 MB + 1 byte, declared length,
streamed lazily), /big-chunked.pdf (the same without a length), /malformed.html, /grid/p{N}.html (slow
pages for concurrency counting), /links.html (file:, javascript:, mailto: links).
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

BIG_SIZE = 50 * 1024 * 1024 + 1
CHUNK = 64 * 1024
GRID_PAGES = 24
GRID_DELAY = 0.05

HOME_LINKS = ["/flaky", "/throttled", "/slow-once", "/reset-once", "/always-500", "/always-slow", "/truncated",
              "/loop-a", "/binary.html", "/lying-charset.html", "/big.pdf", "/big-chunked.pdf", "/malformed.html",
              "/links.html", "/grid/index.html"]


def page(title: str, text: str = "", links: list[str] | None = None, charset: str = "utf-8") -> str:
    """A small HTML page."""
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links or [])
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head><body>'
            f"<h1>{title}</h1><p>{text or title}</p><ul>{anchors}</ul></body></html>")


LYING_BODY = page("价格监测通知", "关于做好二〇二四年重要商品价格监测工作的通知，请各单位认真落实。", charset="gbk").encode("gbk")
MALFORMED = ("<html><head><title>残缺页面</title><body><div><p>未闭合<table><tr><td>单元格<div>"
             + "<div>" * 3000 + "深层内容" + "<b><i></b></i>" * 50 + "</tbody></html></html><<>>&&;;")
PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
LINKS_PAGE = page("链接", "各种链接", ["file:///etc/passwd", "javascript:void(0)", "mailto:a@b.cn", "/flaky"])


class _Server(ThreadingHTTPServer):
    """Threading server with daemon threads."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class Gauge:
    """Requests in flight, possibly shared by several servers (to check a global cap)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def enter(self) -> None:
        """One more request in flight."""
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        """One fewer."""
        with self.lock:
            self.now -= 1


class FaultyServer:
    """Serves the fault routes on a free port of 127.0.0.1; a context manager."""

    def __init__(self, slow_seconds: float = 1.0, retry_after: str = "1", home_links: list[str] | None = None,
                 robots: str | None = None, gauge: Gauge | None = None) -> None:
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.home_links = HOME_LINKS if home_links is None else home_links
        self.robots = robots
        self.gauge = gauge or Gauge()
        self.log: list[tuple[str, str]] = []
        self.counts: dict[str, int] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def hit(self, method: str, path: str) -> int:
        """Log a request; return how many times this path was asked for, this one included."""
        with self._lock:
            self.log.append((method, path))
            self.counts[path] = self.counts.get(path, 0) + 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            count = self.counts[path]
        self.gauge.enter()
        return count

    def leave(self) -> None:
        """One request finished."""
        with self._lock:
            self.in_flight -= 1
        self.gauge.leave()

    def paths(self) -> list[str]:
        """Requested paths in order."""
        with self._lock:
            return [path for _, path in self.log]

    def start(self) -> FaultyServer:
        """Bind a free port and serve in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="faulty-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        """Shut down."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultyServer:
        """Start on entering the context."""
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop on leaving the context."""
        self.stop()


def _handler(server: FaultyServer) -> type:
    """A request handler class bound to one FaultyServer."""

    class Handler(BaseHTTPRequestHandler):
        """Answers each route with its fault."""

        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

        def do_GET(self) -> None:  # noqa: N802
            """GET."""
            path = self.path.split("?", 1)[0]
            count = server.hit("GET", self.path)
            self.left = False
            try:
                self.route(path, count)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            finally:
                self.leave_once()

        def leave_once(self) -> None:
            """Count this request out of the in-flight gauge (before the last write, so the client's next request
            never overlaps it in the count)."""
            if not self.left:
                self.left = True
                server.leave()

        def send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            """A complete response."""
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.leave_once()
            self.wfile.write(body)

        def html(self, text: str, status: int = 200) -> None:
            """An HTML response."""
            self.send(status, text.encode("utf-8"))

        def reset(self) -> None:
            """Drop the connection with a TCP reset and no answer."""
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        def stream_big(self, declare_length: bool) -> None:
            """50 MB + 1 byte generated chunk by chunk, never held in memory."""
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            if declare_length:
                self.send_header("Content-Length", str(BIG_SIZE))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"0" * CHUNK
            sent = 0
            while sent < BIG_SIZE:
                piece = chunk[: min(CHUNK, BIG_SIZE - sent)]
                if declare_length:
                    self.wfile.write(piece)
                else:
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
            if not declare_length:
                self.wfile.write(b"0\r\n\r\n")

        def route(self, path: str, count: int) -> None:  # noqa: C901 - one branch per fault, on purpose
            """Dispatch one path."""
            if path == "/robots.txt":
                if server.robots is None:
                    self.send(404, b"not found")
                else:
                    self.send(200, server.robots.encode(), "text/plain")
            elif path in ("/", "/index.html"):
                self.html(page("首页", "故障测试站", server.home_links))
            elif path == "/flaky":
                if count <= 2:
                    self.html(page("500 Internal Server Error"), status=500)
                else:
                    self.html(page("恢复正常的页面", "重试之后成功取得。"))
            elif path == "/throttled":
                if count == 1:
                    self.send(429, b"slow down", headers={"Retry-After": server.retry_after})
                else:
                    self.html(page("限流之后的页面"))
            elif path == "/slow-once":
                if count == 1:
                    time.sleep(server.slow_seconds)
                self.html(page("慢一次的页面"))
            elif path == "/always-slow":
                time.sleep(server.slow_seconds)
                self.html(page("总是很慢"))
            elif path == "/reset-once":
                if count == 1:
                    self.reset()
                else:
                    self.html(page("重置之后的页面"))
            elif path == "/always-500":
                self.html(page("500"), status=500)
            elif path == "/truncated":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(page("截断")[:100].encode("utf-8"))
                self.close_connection = True
            elif path == "/gzipped.html":  # Content-Length counts the compressed bytes, as real servers send it
                self.send(200, gzip.compress(page("压缩的页面", "正文" * 500).encode("utf-8")),
                          headers={"Content-Encoding": "gzip"})
            elif path == "/%E6%94%BF%E7%AD%96%E6%96%87%E4%BB%B6.html":  # /政策文件.html, percent-encoded (UTF-8)
                self.html(page("中文路径的页面"))
            elif path == "/gbk-file.doc":  # a GBK file name, raw bytes in the header, as old Chinese servers send
                name = "政策.doc".encode("gbk").decode("latin-1")  # send_header writes Latin-1: the GBK bytes go out
                self.send(200, b"DOC" * 100, "application/msword",
                          headers={"Content-Disposition": f"attachment; filename={name}"})
            elif path == "/gbk-redirect":  # a Location header in raw GBK bytes
                self.send(302, b"", headers={"Location": "/政策.html".encode("gbk").decode("latin-1")})
            elif path == "/%D5%FE%B2%DF.html":  # where that redirect leads, percent-encoded
                self.html(page("GBK 跳转之后的页面"))
            elif path == "/double-length.html":  # Content-Length sent twice (old proxies do): strict parsers refuse
                body = page("两个长度头的页面").encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.leave_once()
                self.wfile.write(body)
            elif path == "/loop-a":
                self.send(302, b"", headers={"Location": "/loop-b"})
            elif path == "/loop-b":
                self.send(302, b"", headers={"Location": "/loop-a"})
            elif path == "/binary.html":
                self.send(200, PDF_BYTES, "text/html")
            elif path == "/lying-charset.html":
                self.send(200, LYING_BODY, "text/html; charset=utf-8")
            elif path == "/big.pdf":
                self.stream_big(declare_length=True)
            elif path == "/big-chunked.pdf":
                self.stream_big(declare_length=False)
            elif path == "/malformed.html":
                self.html(MALFORMED)
            elif path == "/links.html":
                self.html(LINKS_PAGE)
            elif path == "/grid/index.html":
                self.html(page("网格", "慢页面", [f"/grid/p{i}.html" for i in range(GRID_PAGES)]))
            elif path.startswith("/grid/p"):
                time.sleep(GRID_DELAY)
                self.html(page(f"网格页 {path}"))
            else:
                self.send(404, b"not found")

    return Handler
