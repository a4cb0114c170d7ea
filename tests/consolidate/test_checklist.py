"""The shutdown checklist: dates from deadlines, recorded and derived evidence, blockers, the retention cap."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import (
    ChecklistError,
    fleet_checklist,
    record_step,
    recorded_steps,
    site_checklist,
    step_names,
)
from consolidate.cli import app
from consolidate.core.workdays import add_working_days, working_days_between
from consolidate.report import fleet_report, render_markdown

D = dt.date.fromisoformat

PROGRAMME = """programme:
  name: 测试市政府网站集约化
  office: 测试市人民政府办公室
  retention_cap: {cap}
  notice_period_days: 30
  deadlines:
    retention_application: 2024-12-02
    migration: 2024-12-17
    shutdown_application: 2024-12-22
    notice_start: 2024-12-23
    identifiers_cancelled: 2025-02-17
portal:
  name: 测试市人民政府门户网站
  base_url: https://www.example.gov.cn/
  columns:
    - {{id: bmdt, name: 部门动态}}
  subsites:
    - {{id: dept, name: 市测试局, path: dept}}
sites:
"""
SITE = """  - id: {id}
    name: 测试市{id}局网站
    site_code: "99000000{n:02d}"
    home_url: http://127.0.0.1:9/{id}/
    organiser: 测试市{id}局
    contact: {{name: 张三, phone: 010-12345678}}
    disposition: {disposition}
    target: {{subsite: dept}}
{extra}"""


def write_config(directory: Path, dispositions: list[str], cap: float = 0.10, extra: str = "") -> pipeline.Workspace:
    """A small config whose sites s0, s1… have the given dispositions; the first gets `extra` lines."""
    sites = "".join(SITE.format(id=f"s{i}", n=i, disposition=d, extra=extra if i == 0 else "")
                    for i, d in enumerate(dispositions))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "migrations.yaml"
    path.write_text(PROGRAMME.format(cap=cap) + sites, encoding="utf-8")
    return pipeline.Workspace.open(path, db_url=f"sqlite:///{directory / 'state.db'}")


def steps_by_name(checklist: dict) -> dict[str, dict]:
    """A site checklist's steps keyed by name."""
    return {s["step"]: s for s in checklist["steps"]}


def test_dates_follow_configured_deadlines(tmp_path: Path) -> None:
    """Due dates come from the site's own deadlines first, then the programme's; ICP start-by in working days."""
    ws = write_config(tmp_path, ["migrate"], extra="    deadlines: {migration: 2024-12-12}\n")
    steps = steps_by_name(site_checklist(ws, "s0", as_of=D("2024-11-03")))
    assert steps["content_migrated"]["due"] == "2024-12-12"  # the site's override
    assert steps["shutdown_applied"]["due"] == "2024-12-22"  # the programme's
    assert steps["notice_posted"]["due"] == "2024-12-23"
    assert steps["notice_period_served"]["due"] == "2025-01-22"  # notice start + 30 days
    assert steps["icp_cancelled"]["due"] == "2025-02-17"
    assert steps["icp_cancelled"]["start_by"] == "2025-02-10"  # Monday − 5 working days = the Monday before
    assert steps["archive_stored"]["due"] == "2024-12-12"
    assert all(s["status"] in ("open", "blocked") and not s["overdue"] for s in steps.values())


def test_recording_steps_moves_the_site_along(tmp_path: Path) -> None:
    """Each recorded step unblocks the next; the notice period and the ICP working days set earliest dates."""
    ws = write_config(tmp_path, ["migrate"])
    assert site_checklist(ws, "s0", D("2024-11-03"))["next_step"] == "content_migrated"
    record_step(ws, "s0", "content_migrated", D("2024-11-27"), "核验报告 2026-11")
    record_step(ws, "s0", "shutdown_applied", D("2024-12-03"), "报送系统 申请号 123")
    checklist = site_checklist(ws, "s0", D("2024-12-03"))
    steps = steps_by_name(checklist)
    assert steps["content_migrated"]["source"] == "recorded" and steps["content_migrated"]["ref"] == "核验报告 2026-11"
    assert steps["notice_posted"]["status"] == "open" and steps["notice_posted"]["earliest"] == "2024-12-03"
    assert checklist["done"] == 2
    record_step(ws, "s0", "notice_posted", D("2024-12-04"))
    steps = steps_by_name(site_checklist(ws, "s0", D("2024-12-12")))
    assert steps["notice_period_served"]["status"] == "waiting"
    assert steps["notice_period_served"]["earliest"] == "2025-01-03"
    with pytest.raises(ChecklistError, match="cannot be done before 2025-01-03"):
        record_step(ws, "s0", "notice_period_served", D("2024-12-22"))
    record_step(ws, "s0", "notice_period_served", D("2025-01-03"))
    record_step(ws, "s0", "shutdown_approved", D("2024-12-30"), "县 12-10；市 12-18；省 12-28")
    steps = steps_by_name(site_checklist(ws, "s0", D("2025-01-04")))
    assert steps["icp_cancelled"]["status"] == "waiting"
    assert steps["icp_cancelled"]["earliest"] == "2025-01-10"  # Fri Jan 1 + 5 working days
    assert steps["delta_sync"]["status"] == "open"
    assert steps["redirects_live"]["blocked_by"] == ["delta_sync", "archive_stored"]


def test_blocked_steps_name_their_blocker(tmp_path: Path) -> None:
    """A blocked step says which prerequisite holds it; recording it is refused with that name (exit 2)."""
    ws = write_config(tmp_path, ["migrate"])
    steps = steps_by_name(site_checklist(ws, "s0", D("2024-11-03")))
    assert steps["notice_posted"]["blocked_by"] == ["shutdown_applied"]
    assert steps["redirects_live"]["blocked_by"] == ["delta_sync", "notice_period_served", "shutdown_approved",
                                                     "archive_stored"]
    result = CliRunner().invoke(app, ["checklist", "s0", "--done", "notice_posted", "--date", "2024-12-03", "--ref", "x",
                                      "-c", str(ws.loaded.path), "--db", ws.store.url])
    assert result.exit_code == 2
    assert "blocked by shutdown_applied" in result.output and "Traceback" not in result.output


def test_a_step_is_never_recorded_without_evidence(tmp_path: Path) -> None:
    """--done without --ref (or with an empty one) is refused, exit 2, with an example of evidence; nothing is
    recorded."""
    ws = write_config(tmp_path, ["retain"])
    for ref in ([], ["--ref", "  "]):
        result = CliRunner().invoke(app, ["checklist", "s0", "--done", "retention_approved", *ref,
                                          "-c", str(ws.loaded.path), "--db", ws.store.url])
        assert result.exit_code == 2 and "needs --ref" in result.output and "Traceback" not in result.output
    assert not recorded_steps(ws, "s0")


def test_unknown_step_lists_valid_ones(tmp_path: Path) -> None:
    """An unknown step name is an error (exit 2) listing the valid steps for that site."""
    ws = write_config(tmp_path, ["retain"])
    result = CliRunner().invoke(app, ["checklist", "s0", "--done", "icp_cancelled", "--date", "2024-12-03", "--ref", "x",
                                      "-c", str(ws.loaded.path), "--db", ws.store.url])
    assert result.exit_code == 2
    assert "retention_approved, responsibility_letter_signed, strict_monitoring" in result.output
    bad_date = CliRunner().invoke(app, ["checklist", "s0", "--done", "retention_approved", "--date", "12/01/2026", "--ref", "x",
                                        "-c", str(ws.loaded.path), "--db", ws.store.url])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output


def test_working_days_skip_weekends_and_holidays() -> None:
    """Mon–Fri arithmetic across weekends, backwards too, with an optional holiday list."""
    friday = D("2024-11-22")
    assert add_working_days(friday, 1) == D("2024-11-25")
    assert add_working_days(friday, 5) == D("2024-11-29")
    assert add_working_days(D("2024-11-24"), 1) == D("2024-11-25")  # from a Sunday
    assert add_working_days(D("2024-11-25"), -1) == friday
    assert add_working_days(friday, 1, holidays=[D("2024-11-25")]) == D("2024-11-26")
    assert working_days_between(friday, D("2024-11-29")) == 5
    assert working_days_between(D("2024-11-29"), friday) == -5
    assert working_days_between(D("2024-11-23"), D("2024-11-24")) == 0


def test_dispositions_have_their_own_steps(tmp_path: Path) -> None:
    """close skips migrating content but still archives; retain has the retention steps only."""
    ws = write_config(tmp_path, ["close", "retain", "merge"])
    close = step_names("close")
    assert "content_migrated" not in close and "delta_sync" not in close and "archive_stored" in close
    steps = steps_by_name(site_checklist(ws, "s0", D("2024-11-03")))
    assert steps["shutdown_applied"]["status"] == "open" and steps["shutdown_applied"]["blocked_by"] == []
    assert steps["redirects_live"]["requires"] == ["notice_period_served", "shutdown_approved", "archive_stored"]
    assert step_names("retain") == ["retention_approved", "responsibility_letter_signed", "strict_monitoring"]
    retained = steps_by_name(site_checklist(ws, "s1", D("2024-12-03")))
    assert retained["retention_approved"]["overdue"] and retained["retention_approved"]["due"] == "2024-12-02"
    assert "content_migrated" in step_names("merge")


def test_behind_schedule_as_of(tmp_path: Path) -> None:
    """A site is behind once a due date passes with its step not done, and not before."""
    ws = write_config(tmp_path, ["migrate", "migrate"])
    record_step(ws, "s1", "content_migrated", D("2024-12-03"))
    before = fleet_checklist(ws, as_of=D("2024-12-17"))
    assert before["behind_schedule"] == []
    after = fleet_checklist(ws, as_of=D("2024-12-18"))
    assert after["behind_schedule"] == ["s0", "s1"]
    s0, s1 = after["sites"]
    assert s0["overdue_steps"] == ["content_migrated", "archive_stored"]
    assert s1["overdue_steps"] == ["archive_stored"]


def test_retention_cap_violation_is_reported(tmp_path: Path) -> None:
    """Two retained sites of five with a 10% cap: a violation in checklist --all, status --json and the report."""
    ws = write_config(tmp_path, ["retain", "retain", "migrate", "migrate", "close"], cap=0.10)
    retention = fleet_checklist(ws, as_of=D("2024-11-03"))["retention"]
    assert retention["violation"] and retention["retained"] == 2 and retention["allowed"] == 0
    runner = CliRunner()
    opts = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    status = json.loads(runner.invoke(app, ["status", "--json", *opts]).output)
    assert status["retention"]["violation"] and status["retention"]["retained_sites"] == ["s0", "s1"]
    listing = runner.invoke(app, ["checklist", "--all", *opts])
    assert listing.exit_code == 0 and "retention cap violated" in listing.output
    as_json = json.loads(runner.invoke(app, ["checklist", "--all", "--json", *opts]).output)
    assert as_json["retention"]["violation"]
    assert "超出保留上限" in render_markdown(fleet_report(ws))
    ok = write_config(tmp_path / "ok", ["retain", *["migrate"] * 9], cap=0.10)
    assert fleet_checklist(ok)["retention"]["violation"] is False


def test_derived_completion_shows_distinctly(crawled: pipeline.Workspace) -> None:
    """A reconciled push that `verify` finds clean marks content migrated; WARC files mark the archive."""
    from consolidate.verify import verify_site

    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.push_site(crawled, "sfj", exporter)
        unverified = steps_by_name(site_checklist(crawled, "sfj"))["content_migrated"]
        assert unverified["status"] == "blocked", "pushed but not verified must not count as migrated and verified"
        assert unverified["conditions"] == ["46 pushed articles not verified clean since the last push"]
        assert verify_site(crawled, "sfj", exporter).mismatch == 0
    finally:
        exporter.close()
    steps = steps_by_name(site_checklist(crawled, "sfj"))
    assert steps["content_migrated"]["status"] == "done" and steps["content_migrated"]["source"] == "derived"
    assert steps["archive_stored"]["source"] == "derived"
    assert steps["shutdown_applied"]["status"] == "open"
    unpushed = steps_by_name(site_checklist(crawled, "fgw"))
    assert unpushed["content_migrated"]["status"] == "blocked"
    assert "nothing pushed" in unpushed["content_migrated"]["conditions"]
    assert unpushed["archive_stored"]["source"] == "derived"
    record_step(crawled, "sfj", "content_migrated", dt.date.today(), "验收签字")
    steps = steps_by_name(site_checklist(crawled, "sfj"))
    assert steps["content_migrated"]["source"] == "recorded" and steps["content_migrated"]["derived_on"]


def test_evidence_dated_in_the_future_is_refused(tmp_path: Path) -> None:
    """A step cannot be recorded as done on a day that has not come yet."""
    ws = write_config(tmp_path, ["retain"])
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ChecklistError, match="in the future"):
        record_step(ws, "s0", "retention_approved", tomorrow, "批复")
    record_step(ws, "s0", "retention_approved", dt.date.today(), "批复")
