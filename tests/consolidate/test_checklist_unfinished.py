"""The checklist and status on a site whose work is not finished: a crawl stopped at its page budget, list entries
that link nowhere, undecided personal data; and the hints that say what to run next."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import ChecklistError, record_step, site_checklist
from consolidate.cli import app
from consolidate.core.store import SiteRow
from consolidate.demo import config_for_urls
from consolidate.report_formats import condition_text
from consolidate.samplefleet import FleetServer
from consolidate.verify import verify_site
from tests.conftest import make_workspace, push_sites
from tests.workspace_cli import output_of

SITE = "sfj"


def budgeted(directory: Path, fleet_server: FleetServer, max_pages: int) -> pipeline.Workspace:
    """A workspace of the sample site alone whose crawl may fetch at most `max_pages` pages a run."""
    ws = make_workspace(directory, {SITE: fleet_server.urls[SITE]})
    path = ws.loaded.path
    path.write_text(path.read_text(encoding="utf-8").replace("max_pages: 100000", f"max_pages: {max_pages}"),
                    encoding="utf-8")
    return pipeline.Workspace.open(path, db_url=ws.store.url)


def push_and_verify(ws: pipeline.Workspace) -> None:
    """Push the site and verify it, the way an office would after a crawl: the only differences are the
    attachments the stopped crawl never fetched (not on the portal pages, so not verified)."""
    push_sites(ws, [SITE])
    exporter = pipeline.open_exporter(ws)
    try:
        found = verify_site(ws, SITE, exporter)
        assert found.resendable == 0 and found.mismatch == found.lost_pages, \
            [(r.source_url, r.differences) for r in found.results if r.status != "ok"]
    finally:
        exporter.close()


def steps(ws: pipeline.Workspace) -> dict[str, dict]:
    """The site's checklist steps by name."""
    return {s["step"]: s for s in site_checklist(ws, SITE)["steps"]}


def cli(ws: pipeline.Workspace, *args: str, width: int = 200) -> str:
    """A command's output (exit 0 asserted) at the given terminal width."""
    return output_of(ws, *args, width=width)


def test_a_crawl_stopped_at_its_budget_is_not_migrated_content(tmp_path: Path, fleet_server: FleetServer) -> None:
    """Pushed and verified clean, but the crawl left URLs queued: content migrated and the archive stay blocked,
    naming the count and `consolidate crawl SITE`; status shows the queued URLs. Crawled to the end, both are
    done."""
    ws = budgeted(tmp_path / "ws", fleet_server, max_pages=20)
    summary = pipeline.crawl(ws, [SITE])[0]
    assert summary.budget_reached
    before_push(ws)
    push_and_verify(ws)
    found = steps(ws)
    for name in ("content_migrated", "archive_stored"):
        assert found[name]["status"] == "blocked", f"{name} must not be done while the crawl is unfinished"
        assert found[name]["done_on"] is None
        (condition,) = [c for c in found[name]["conditions"] if c.startswith("crawl not finished")]
        assert "URLs still queued" in condition and f"`consolidate crawl {SITE}`" in condition
        assert condition_text(condition, "zh").startswith("采集未完成：仍有 ")  # the zh report's words
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
    not a second refusal; a derived step's refusal gives one reason a line; the table keeps step ids whole at 80
    columns."""
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
    table = cli(ws, "checklist", SITE, width=80)
    assert all(len(line) <= 80 for line in table.splitlines())
    for step in ("content_migrated", "personal_data_reviewed", "notice_period_served"):
        assert f" {step} " in table
    assert re.search(r"content_migrated:\s+(- )?crawl not finished", table)  # the first of its conditions


def before_push(ws: pipeline.Workspace) -> None:
    """Before any push: the unresolved line names the command of each reason it counts and no other; status says
    the site is not pushed yet (not "→ —") and names the next step as the checklist does."""
    figures = pipeline.fleet_report(ws, [SITE]).sites[0]
    reasons = {r for r, n in (figures.push.unresolved_reasons or {}).items() if n}
    (line,) = [c for c in steps(ws)["content_migrated"]["conditions"] if "articles unresolved" in c]
    assert reasons
    for reason, command in (("not pushed to this target yet", f"`consolidate push {SITE}`"),
                            ("column not mapped", f"`consolidate map {SITE}`")):
        assert (f"{reason}: {command}" in line) == (reason in reasons), (reason, line)
    shown = cli(ws, "status", width=80)
    assert f"{SITE} (not pushed yet):" in shown and "→ —" not in shown
    assert f"{SITE} 测试" not in shown and "内容迁移完成并核验" in shown


def test_status_counts_one_site_as_one_site(tmp_path: Path) -> None:
    """'— 1 site', not '— 1 sites'."""
    directory = tmp_path / "one"
    directory.mkdir()
    config = directory / "migrations.yaml"
    config.write_text(config_for_urls({SITE: "http://127.0.0.1:9/"}, 500.0), encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    sites = text.index("\nsites:\n")
    start = text.index(f"  - id: {SITE}\n", sites)
    end = text.find("\n  - id: ", start + 1)
    config.write_text(text[:sites] + "\nsites:\n" + text[start:None if end < 0 else end + 1], encoding="utf-8")
    ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{directory / 'state.db'}")
    for width in (80, 200):
        assert re.search(r"— 1 site\s*$", cli(ws, "status", width=width), re.MULTILINE)


def test_a_first_crawl_stopped_before_its_end_blocks_recording_by_hand(tmp_path: Path,
                                                                        fleet_server: FleetServer) -> None:
    """A first crawl interrupted (Ctrl-C) never stamps the site crawled; its queue still blocks content_migrated,
    so the office cannot record it by hand over a half-crawled site."""
    ws = budgeted(tmp_path / "ws", fleet_server, max_pages=10)
    assert pipeline.crawl(ws, [SITE])[0].budget_reached
    with ws.store.session() as session:  # what an interrupted first crawl leaves: no crawl time stamped
        session.get(SiteRow, SITE).crawled_at = None
    with pytest.raises(ChecklistError, match="crawl not finished"):
        record_step(ws, SITE, "content_migrated", dt.date.today(), "验收签字")
