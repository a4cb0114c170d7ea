"""`fleet serve-samples` says nothing when a crawl client drops its connection mid-answer (a crawl stopped with
Ctrl-C): no ConnectionResetError traceback per dropped request (round-10 trial)."""

from __future__ import annotations

import socket
import struct
import threading
import time
from pathlib import Path

import pytest

from consolidate.samplefleet.realsites import RealSite, RealSitesServer

SITE = RealSite("t", "site", "测试站", "none", "http://t.example/")


def drop_mid_answer(port: int) -> None:
    """Ask for a large file, read a little, and reset the connection (what a killed crawler's socket does)."""
    client = socket.create_connection(("127.0.0.1", port))
    client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: t.example\r\n\r\n")
    client.recv(100)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
    client.close()


def test_a_dropped_connection_prints_nothing(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The server's handler meets the reset while writing, prints no traceback, and keeps serving."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "big.bin").write_bytes(bytes(range(256)) * 32768)  # 8 MiB: the write outlasts the reset
    (tmp_path / "site" / "index.html").write_bytes(b"<html><body>home</body></html>")
    with RealSitesServer(tmp_path, (SITE,)) as server:
        idle = threading.active_count()
        for _ in range(3):
            drop_mid_answer(server.ports["t"])
        for _ in range(600):  # until the handlers met the reset and ended
            if threading.active_count() <= idle:
                break
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", server.ports["t"])) as again:
            again.sendall(b"GET / HTTP/1.1\r\nHost: t.example\r\nConnection: close\r\n\r\n")
            assert again.recv(100).startswith(b"HTTP/1.1 200")
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err and "BrokenPipeError" not in err, err

