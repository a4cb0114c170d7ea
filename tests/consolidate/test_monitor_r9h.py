"""The monitor reaches pinned host names where the crawl reaches them (crawl.resolve), and exits 1 whenever an old
URL is not ok, unreachable ones included (trial 9, finding 3)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from consolidate.cli import app
from consolidate.core.store import SiteRow, UrlMapRow, url_hash
from consolidate.core.workspace import Workspace
from consolidate.monitor import monitor_site
from tests.consolidate.test_checklist import write_config
from tests.consolidate.test_monitor import _closed_port, _Server, server  # noqa: F401 - the fixture

OLD_HOST = "www.old-site.gov.cn"  # no DNS answers for it: only the pin reaches it


def _pinned_workspace(tmp_path: Path, port: int) -> Workspace:
    """Site s0 whose old host name is pinned to the local server (as serve-samples pins them)."""
    pins = f"    crawl: {{resolve: {{{OLD_HOST}: '127.0.0.1:{port}'}}}}\n"
    return write_config(tmp_path, ["migrate"], extra=pins)


def _map(ws: Workspace, rows: list[tuple[str, str, str | None]]) -> None:
    """URL-map rows (old URL, expected status, new URL) for site s0."""
    with ws.store.session() as session:
        if session.scalar(select(SiteRow.id).where(SiteRow.id == "s0")) is None:
            session.add(SiteRow(id="s0", name="s0", home_url=f"http://{OLD_HOST}/", disposition="migrate", facts={}))
            session.flush()
        session.add_all(UrlMapRow(site_id="s0", old_url=old, url_hash=url_hash(old), new_url=new, status=status)
                        for old, status, new in rows)


def _run(ws: Workspace, *args: str) -> tuple[int, str, str]:
    """`consolidate monitor s0 ARGS` → (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, ["monitor", "s0", *args, "-c", str(ws.loaded.path), "--db", ws.store.url])
    return result.exit_code, result.stdout, result.stderr


def test_pinned_host_names_are_monitored_at_their_pinned_address(tmp_path: Path, server: _Server) -> None:  # noqa: F811
    """Old and new URLs on a host name only crawl.resolve knows are reached there: a site answering as its map says
    is all ok and exits 0 (before: every URL unreachable, name not known)."""
    port = server.server_address[1]
    ws = _pinned_workspace(tmp_path, port)
    _map(ws, [(f"http://{OLD_HOST}/old/f", "410", None),
              (f"http://{OLD_HOST}/old/i", "301", f"http://{OLD_HOST}/new/a")])  # /old/i: 301 to /new/a
    result = monitor_site(ws, "s0", timeout=5)
    assert result.as_dict()["counts"]["ok"] == 2, result.rows
    code, out, _err = _run(ws, "--json")
    assert code == 0, out
    assert json.loads(out)[0]["counts"]["unreachable"] == 0


def test_a_pin_with_a_port_reaches_that_port(tmp_path: Path, server: _Server) -> None:  # noqa: F811
    """A host:port pin is used for that port: the old URL answers as mapped (a wrong redirect is still wrong)."""
    port = server.server_address[1]
    ws = write_config(tmp_path, ["migrate"], extra=f"    crawl: {{resolve: {{'{OLD_HOST}:8080': '127.0.0.1:{port}'}}}}\n")
    _map(ws, [(f"http://{OLD_HOST}:8080/old/g", "410", None)])  # answers 404
    row = monitor_site(ws, "s0", timeout=5).rows[0]
    assert (row["category"], row["old_status"]) == ("wrong", 404)


def test_unreachable_urls_exit_1_and_say_so(tmp_path: Path, server: _Server) -> None:  # noqa: F811
    """Nothing checked is not a pass: every old URL unreachable exits 1 with a line naming them and crawl.resolve
    (before: 0 ok, all unreachable, exit 0)."""
    ws = write_config(tmp_path, ["migrate"])
    dead = f"http://127.0.0.1:{_closed_port()}"
    _map(ws, [(f"{dead}/old/a", "301", f"{server.base}/new/a"), (f"{dead}/old/f", "410", None)])
    code, out, err = _run(ws)
    assert code == 1, out
    assert "2 of 2 legacy URLs are not ok: unreachable 2" in err and "crawl.resolve" in err
    code, out, _err = _run(ws, "--json")
    assert code == 1 and json.loads(out)[0]["counts"]["unreachable"] == 2


def test_undecided_urls_exit_1(tmp_path: Path, server: _Server) -> None:  # noqa: F811
    """An old URL nobody decided (unmapped) is not a pass either: exit 1."""
    ws = write_config(tmp_path, ["migrate"])
    _map(ws, [(f"{server.base}/old/f", "410", None), (f"{server.base}/old/h", "unresolved", None)])
    code, _out, err = _run(ws)
    assert code == 1 and "unmapped 1" in err
