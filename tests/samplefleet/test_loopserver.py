"""LoopFleetServer gives the same answers as FleetServer (status, headers in order, body; the Date aside)."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from consolidate.samplefleet import FleetServer, build_fleet
from consolidate.samplefleet.loopserver import LoopFleetServer

FORM = "columnid=1&startrecord=1&endrecord=3"


def _requests(fleet_paths: dict[str, list[str]]) -> list[tuple[str, str, str, dict[str, str], bytes]]:
    """(site, method, target, headers, body) of a mix of requests: pages, HEAD, 404, 301, POST, Chinese paths."""
    out = []
    for site_id, paths in fleet_paths.items():
        for path in paths[:6] + ["/no/such/page.html", "/xwzx", "/中文/路径.html", "//double/slash.html"]:
            out.append((site_id, "GET", path, {}, b""))
        out.append((site_id, "HEAD", paths[0], {}, b""))
        out.append((site_id, "POST", paths[0], {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1"))
    out.append(("jyj", "POST", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2",
                {"Content-Type": "application/x-www-form-urlencoded"}, FORM.encode()))
    return out


def _answers(urls: dict[str, str], requests: list[tuple[str, str, str, dict[str, str], bytes]]) -> list[tuple]:
    """(status line, headers in order without Date, body) of each request, over one connection per site (raw
    bytes both ways: a Chinese path goes out as UTF-8, as a browser sends it)."""
    connections = {site: socket.create_connection((urlsplit(url).hostname, urlsplit(url).port), timeout=10)
                   for site, url in urls.items()}
    readers = {site: sock.makefile("rb") for site, sock in connections.items()}
    out = []
    try:
        for site, method, target, headers, body in requests:
            lines = [f"{method} {target} HTTP/1.1", "Host: x",
                     *(f"{name}: {value}" for name, value in headers.items()),
                     *([f"Content-Length: {len(body)}"] if body else [])]
            connections[site].sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body)
            out.append(_read_response(readers[site], method))
    finally:
        for site, sock in connections.items():
            readers[site].close()
            sock.close()
    return out


def _read_response(reader: Any, method: str) -> tuple[bytes, list[bytes], bytes]:
    """One response from the stream."""
    status = reader.readline()
    headers = []
    while (line := reader.readline()) not in (b"\r\n", b""):
        headers.append(line)
    length = next((int(h.split(b":")[1]) for h in headers if h.lower().startswith(b"content-length:")), 0)
    body = reader.read(length) if method != "HEAD" else b""
    return status, [h for h in headers if not h.startswith(b"Date: ")], body


def test_same_answers_as_the_threaded_server() -> None:
    fleet = build_fleet(seed=3, articles_per_site=4, weight="real")
    paths = {site.site_id: site.all_paths() for site in fleet.sites}
    requests = _requests(paths)
    with FleetServer(fleet) as threaded:
        expected = _answers(threaded.urls, requests)
    first: dict[str, tuple[str, str, str, dict[str, str], bytes]] = {}
    for (site, method, target, _, _), answer in zip(requests, expected, strict=True):
        etag = next((h[6:].strip().decode() for h in answer[1] if h.startswith(b"ETag: ")), None)
        if method == "GET" and etag and site not in first:
            first[site] = (site, "GET", target, {"If-None-Match": etag}, b"")
    conditional = list(first.values())
    with FleetServer(fleet) as threaded:
        expected += _answers(threaded.urls, conditional)
    with LoopFleetServer(loops=2) as loop:
        urls = loop.serve(build_fleet(seed=4, articles_per_site=2))  # another fleet, on the first loop
        urls = loop.serve(fleet)  # this one on the second
        got = _answers(urls, requests) + _answers(urls, conditional)
        assert len(loop.request_log) == len(requests) + len(conditional)  # the other fleet had none
    statuses = [int(answer[0].split()[1]) for answer in got]
    assert statuses.count(304) == len(conditional)
    assert set(statuses) >= {200, 301, 404, 405}
    assert got == expected


def _raw(address: tuple[str, int], data: bytes) -> bytes:
    """Everything the server sends back to `data` before it closes the connection."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("request_head", [
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.0\r\nHost: x\r\n\r\n",
])
def test_closes_when_http_server_would(request_head: bytes) -> None:
    fleet = build_fleet(seed=3, articles_per_site=2)
    with LoopFleetServer() as loop:
        url = urlsplit(loop.serve(fleet)["fgw"])
        answer = _raw((url.hostname, url.port), request_head)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\nServer: ")
    assert answer.count(b"HTTP/1.1 ") == 1


def test_pipelined_requests_answered_in_order_and_garbage_refused() -> None:
    fleet = build_fleet(seed=3, articles_per_site=2)
    with LoopFleetServer() as loop:
        url = urlsplit(loop.serve(fleet)["fgw"])
        answer = _raw((url.hostname, url.port), b"GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        garbage = _raw((url.hostname, url.port), b"NONSENSE\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"\r\n\r\nHTTP/1.1 200 OK\r\n" in answer or answer.count(b"HTTP/1.1 200 OK\r\n") == 1
    assert garbage.startswith(b"HTTP/1.1 400 Bad Request\r\n")
