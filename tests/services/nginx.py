"""Test service: a private nginx on 127.0.0.1 that loads a generated config snippet (the redirect map).

`nginx_runner` starts `nginx -p <tmp> -c nginx.conf` in the foreground with the snippet included in `http {}`,
waits until it answers, and stops it afterwards. Missing nginx fails under CI (CI=true) and skips elsewhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.services.common import free_port, stop, unavailable

ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


def _ensure_nginx() -> None:
    """Install nginx when missing (root), or fail/skip."""
    if not Path(NGINX).exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "install-services.sh")], check=False, capture_output=True,
                       timeout=900)
    if not Path(NGINX).exists():
        unavailable("nginx is not installed (scripts/install-services.sh)")


@contextmanager
def run_nginx(snippet: str) -> Iterator[int]:
    """Run nginx with `snippet` inside http {}; the snippet must `listen` on the port yielded (use {PORT})."""
    _ensure_nginx()
    port = free_port()
    prefix = Path(tempfile.mkdtemp(prefix="consolidate-nginx-"))
    (prefix / "logs").mkdir()
    (prefix / "site.conf").write_text(snippet.replace("{PORT}", str(port)), encoding="utf-8")
    (prefix / "nginx.conf").write_text(
        "worker_processes 1;\nerror_log logs/error.log warn;\npid logs/nginx.pid;\n"
        + ("user root;\n" if os.geteuid() == 0 else "")
        + "events { worker_connections 256; }\n"
        "http {\n  access_log off;\n  client_body_temp_path tmp;\n  proxy_temp_path tmp;\n"
        "  fastcgi_temp_path tmp;\n  uwsgi_temp_path tmp;\n  scgi_temp_path tmp;\n  include site.conf;\n}\n",
        encoding="utf-8")
    (prefix / "tmp").mkdir()
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", "nginx.conf"], capture_output=True, text=True)
    if check.returncode != 0:
        shutil.rmtree(prefix, ignore_errors=True)
        raise AssertionError(f"nginx rejected the generated config:\n{check.stderr}")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", "nginx.conf", "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_for(port, process)
        yield port
    finally:
        stop(process, 10)
        shutil.rmtree(prefix, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until nginx accepts connections."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start within 15 s")


@pytest.fixture(scope="session")
def nginx_runner() -> Callable[[str], object]:
    """A context-manager factory: `with nginx_runner(snippet) as port:` serves the snippet on 127.0.0.1:port."""
    _ensure_nginx()
    return run_nginx
