"""`push` that had to skip a site another worker holds is not a success: exit 1, the other sites pushed."""

from __future__ import annotations

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.leases import SiteLease


def test_push_skipping_a_busy_site_exits_non_zero(crawled: pipeline.Workspace) -> None:
    """A live worker on another host holds sfj: the push does fgw and jyj, names sfj, exits 1."""
    lease = SiteLease(crawled.store, "push", "sfj", worker_id="office-pc:4242:abcd", seconds=3600)
    lease.acquire()
    with crawled.store.session() as session:  # as if taken on another machine: never judged dead by pid
        from consolidate.core.store import StageLease

        session.get(StageLease, ("push", "sfj")).host = "office-pc"
    config, db = str(crawled.loaded.path), crawled.store.url
    result = CliRunner().invoke(app, ["push", "--all", "-c", config, "--db", db])
    assert result.exit_code == 1, result.output
    assert "sfj: skipped" in result.output and "another worker holds: sfj" in result.output
    assert "fgw: pushed" in result.output and "jyj: pushed" in result.output
    lease.release()
    again = CliRunner().invoke(app, ["push", "--all", "-c", config, "--db", db])
    assert again.exit_code == 0, again.output
