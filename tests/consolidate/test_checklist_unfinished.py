"""The checklist and status on a site whose work is not finished: a crawl stopped at its page budget, list entries
that link nowhere, undecided personal data; and the hints that say what to run next."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import site_checklist
from consolidate.cli import app
from consolidate.samplefleet import FleetServer
from consolidate.verify import verify_site
from tests.conftest import make_workspace, push_sites

SITE = "sfj"


def budgeted(directory: Path, fleet_server: FleetServer, max_pages: int) -> pipeline.Workspace:
    """A workspace of the sample site alone whose crawl may fetch at most `max_pages` pages a run."""
    ws = make_workspace(directory, {SITE: fleet_server.urls[SITE]})
    path = ws.loaded.path
    path.write_text(path.read_text(encoding="utf-8").replace("max_pages: 100000", f"max_pages: {max_pages}"),
                    encoding="utf-8")
    return pipeline.Workspace.open(path, db_url=ws.store.url)


def push_and_verify(ws: pipeline.Workspace) -> None:
    """Push the site and verify it, the way an office would after a crawl."""
    push_sites(ws, [SITE])
    exporter = pipeline.open_exporter(ws)
    try:
        found = verify_site(ws, SITE, exporter)
        assert found.mismatch == 0, [(r.source_url, r.differences) for r in found.results if r.status != "ok"]
    finally:
        exporter.close()


def steps(ws: pipeline.Workspace) -> dict[str, dict]:
    """The site's checklist steps by name."""
    return {s["step"]: s for s in site_checklist(ws, SITE)["steps"]}


def cli(ws: pipeline.Workspace, *args: str, width: int = 200) -> str:
    """A command's output (exit 0 asserted) at the given terminal width."""
    result = CliRunner().invoke(app, [*args, "-c", str(ws.loaded.path), "--db", ws.store.url],
                                env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_crawl_stopped_at_its_budget_is_not_migrated_content(tmp_path: Path, fleet_server: FleetServer) -> None:
    """Pushed and verified clean, but the crawl left URLs queued: content migrated and the archive stay blocked,
    naming the count and `consolidate crawl SITE`; status shows the queued URLs. Crawled to the end, both are
    done."""
    ws = budgeted(tmp_path / "ws", fleet_server, max_pages=20)
    summary = pipeline.crawl(ws, [SITE])[0]
    assert summary.budget_reached
    push_and_verify(ws)
    found = steps(ws)
    for name in ("content_migrated", "archive_stored"):
        assert found[name]["status"] == "blocked", f"{name} must not be done while the crawl is unfinished"
        assert found[name]["done_on"] is None
        (condition,) = [c for c in found[name]["conditions"] if c.startswith("crawl not finished")]
        assert "URLs still queued" in condition and f"`consolidate crawl {SITE}`" in condition
    queued = pipeline.fleet_report(ws, [SITE]).sites[0].crawl.queued
    assert queued > 0 and f"{queued} URLs still queued" in found["content_migrated"]["conditions"][0]
    for width in (80, 200):  # the stacked lines and the wide table
        assert f"{queued} queued" in cli(ws, "status", width=width)
    refusals(ws)
    again = budgeted(tmp_path / "ws", fleet_server, max_pages=100000)
    assert not pipeline.crawl(again, [SITE])[0].budget_reached
    found = steps(again)
    assert found["archive_stored"]["status"] == "done"
    assert not [c for c in found["content_migrated"]["conditions"] if "queued" in c]
    assert "queued" not in cli(again, "status", width=80)


def refusals(ws: pipeline.Workspace) -> None:
    """A typo gets a did-you-mean; a blocked step's hint names what unblocks it (the open conditions' commands),
    not a second refusal; a derived step's refusal gives one reason a line."""
    def refused(*args: str) -> str:
        result = CliRunner().invoke(app, ["checklist", SITE, *args, "--ref", "x", "-c", str(ws.loaded.path),
                                          "--db", ws.store.url], env={"COLUMNS": "80"})
        assert result.exit_code == 2 and "Traceback" not in result.output
        return result.output

    typo = refused("--done", "shutdown_aplied")
    assert "did you mean shutdown_applied?" in typo and "valid steps" not in typo
    blocked = refused("--done", "shutdown_applied")
    assert "blocked by content_migrated" in blocked and f"consolidate crawl {SITE}" in blocked
    assert "--done content_migrated" not in blocked
    derived = refused("--done", "content_migrated")
    assert "is not done:\n  - crawl not finished" in derived
