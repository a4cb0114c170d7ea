"""Progress on long steps: on stderr only when it is a terminal, never with --json; a resumed crawl says so."""

from __future__ import annotations

import io
import json
import os
import socket

import pytest
from rich.console import Console
from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import cli_common, pipeline
from consolidate.cli import app
from consolidate.core.store import CrawlWorker, Resource, utcnow
from tests.workspace_cli import invoke as _run


def _terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Make the CLI's stderr console a terminal writing into a buffer."""
    buffer = io.StringIO()
    monkeypatch.setattr(cli_common, "err_console", Console(file=buffer, force_terminal=True, width=120))
    return buffer



def test_push_and_verify_show_progress_on_a_terminal(crawled: pipeline.Workspace,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """push shows a bar per site naming its target with articles done/planned; verify one per site."""
    shown = _terminal(monkeypatch)
    pushed = _run(crawled, "push", "fgw", "--allow-untriaged")
    assert pushed.exit_code == 0, pushed.output
    assert "fgw → static:" in shown.getvalue() and "articles" in shown.getvalue()
    assert _run(crawled, "verify", "fgw").exit_code == 0
    assert "verify fgw" in shown.getvalue()


def test_no_progress_with_json_or_off_a_terminal(crawled: pipeline.Workspace,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """--json keeps stderr free of bars even on a terminal; a pipe gets none either."""
    shown = _terminal(monkeypatch)
    assert _run(crawled, "push", "fgw", "--allow-untriaged", "--json").exit_code == 0
    assert "→" not in shown.getvalue()
    monkeypatch.setattr(cli_common, "err_console", Console(file=io.StringIO(), force_terminal=False))
    assert cli_common.StepProgress().task("x") is None


def test_resumed_crawl_says_what_it_resumes(crawled: pipeline.Workspace) -> None:
    """URLs left queued by a stopped crawl: the next crawl names how many are done and how many it resumes."""
    with crawled.store.session() as session:
        ids = session.scalars(select(Resource.id).where(Resource.site_id == "sfj", Resource.status == "fetched")
                              .limit(3)).all()
        session.execute(update(Resource).where(Resource.id.in_(ids)).values(status="queued"))
    result = _run(crawled, "crawl", "sfj")
    assert result.exit_code == 0, result.output
    assert "sfj: resuming the crawl stopped earlier" in result.output and "3 still queued" in result.output
    again = CliRunner().invoke(app, ["crawl", "sfj", "--json", "-c", str(crawled.loaded.path), "--db",
                                     crawled.store.url])
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)  # one summary document, nothing else on stdout
    assert [s["site_id"] for s in document["sites"]] == ["sfj"] and document["sites"][0]["problem"] is None


def test_a_crawl_joining_a_running_one_says_it_joins(crawled: pipeline.Workspace) -> None:
    """URLs queued while another live worker crawls the site: the crawl joins that one, it does not claim to resume
    a crawl stopped earlier (round-11 trial: the second of two workers said 'resuming')."""
    with crawled.store.session() as session:
        ids = session.scalars(select(Resource.id).where(Resource.site_id == "sfj", Resource.status == "fetched")
                              .limit(3)).all()
        session.execute(update(Resource).where(Resource.id.in_(ids)).values(status="queued"))
        session.add(CrawlWorker(id=f"{socket.gethostname()}:{os.getpid()}:other", host=socket.gethostname(),
                                pid=os.getpid(), sites=["sfj"], state="running", heartbeat_at=utcnow()))
    result = _run(crawled, "crawl", "sfj")
    assert result.exit_code == 0, result.output
    assert "sfj: joining the crawl another worker is running" in result.output, result.output
    assert "resuming" not in result.output
