"""Nothing is called done that is not: a site whose server never answered is not 'crawled', its checklist steps are
refused; a site never crawled says so; verify and rollback with nothing pushed say there is nothing to do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.checklist import ChecklistError, record_step, site_checklist
from consolidate.figures import site_figures
from consolidate.report import fleet_report, render_markdown
from tests.conftest import make_workspace
from tests.workspace_cli import exit_and_output

SITE = "sfj"
DEAD = "http://127.0.0.1:9/"  # the discard port: nothing listens on it


def run(ws: pipeline.Workspace, *args: str) -> tuple[int, str]:
    """A command's exit code and its output at 200 columns."""
    return exit_and_output(ws, *args, width=200)


@pytest.fixture
def dead(tmp_path: Path) -> pipeline.Workspace:
    """A workspace whose site's server never answers, crawled once."""
    ws = make_workspace(tmp_path / "w", {SITE: DEAD})
    code, out = run(ws, "crawl", SITE)
    assert code == 1, out
    return ws


def test_a_crawl_that_fetched_nothing_is_no_crawled_site(dead: pipeline.Workspace) -> None:
    """Stage 'crawl failed' in the figures, status and report (抓取失败, 核对 —), never 'crawled'."""
    assert site_figures(dead, SITE).stage == "crawl failed"
    code, out = run(dead, "status")
    line = next(x for x in out.splitlines() if f" {SITE} " in x)
    assert code == 0 and "crawl failed" in line and "crawled" not in line, line
    report = render_markdown(fleet_report(dead, [SITE]), "zh")
    rows = [x for x in report.splitlines() if x.startswith(f"| {SITE} |")]
    row = next(x for x in rows if "| 抓取失败 |" in x)
    assert "| 是 |" not in row and "| — |" in row and not any("| 已抓取 |" in x for x in rows), row


def test_checklist_steps_are_refused_until_something_was_fetched(dead: pipeline.Workspace) -> None:
    """The personal-data review and content migration are blocked, and `--done` refuses them with the crawl's
    failure and the command to run again."""
    checklist = site_checklist(dead, SITE)
    steps = {s["step"]: s for s in checklist["steps"]}
    for name in ("content_migrated", "personal_data_reviewed", "archive_stored"):
        assert steps[name]["status"] == "blocked"
        assert steps[name]["conditions"][0].startswith("crawl failed, nothing fetched"), steps[name]
    assert checklist["next_step"] == "content_migrated"
    with pytest.raises(ChecklistError, match="crawl failed") as refused:
        record_step(dead, SITE, "personal_data_reviewed", dt.date.today(), "无个人信息")
    assert f"consolidate crawl {SITE}" in str(refused.value)
    code, out = run(dead, "checklist", SITE, "--done", "personal_data_reviewed", "--ref", "无个人信息")
    assert code == 2 and "crawl failed" in out


def test_a_site_never_crawled_says_so_and_takes_the_offices_evidence(tmp_path: Path) -> None:
    """Before any crawl content_migrated is blocked by 'not crawled yet' (not 'open' with nothing to do); the office
    may still record its own evidence for a site migrated by hand."""
    ws = make_workspace(tmp_path / "w", {SITE: DEAD})
    steps = {s["step"]: s for s in site_checklist(ws, SITE)["steps"]}
    assert steps["content_migrated"]["status"] == "blocked"
    assert steps["content_migrated"]["conditions"][0].startswith("not crawled yet")
    record_step(ws, SITE, "content_migrated", dt.date.today(), "手工迁移 验收签字")
    steps = {s["step"]: s for s in site_checklist(ws, SITE)["steps"]}
    assert steps["content_migrated"]["status"] == "done" and steps["content_migrated"]["conditions"] == []


def test_verify_and_rollback_with_nothing_pushed_say_so_and_write_nothing(dead: pipeline.Workspace) -> None:
    """`verify` before any push is no pass ('0 ok, 0 differ, 0 missing', exit 0 was): it names the push to run and
    exits 1; `rollback` says there is nothing to roll back and creates no preview."""
    code, out = run(dead, "verify", SITE)
    assert code == 1 and "not verified" in out and f"consolidate push {SITE}" in out and "0 ok" not in out, out
    code, out = run(dead, "rollback", SITE)
    assert code == 0 and "nothing to roll back" in out and "removed" not in out, out
    assert list(dead.dir.rglob("index.html")) == []


def test_push_messages_name_their_target(dead: pipeline.Workspace) -> None:
    """A skip recorded for two targets reads as two lines, each naming its target (Rich took '[wordpress]' for a
    markup tag and printed nothing: the 'same' line twice), and a message's own brackets stay."""
    from consolidate.core.store import PushRecord
    with dead.store.session() as session:
        for target in ("wordpress:https://portal.example", "static:/srv/preview"):
            session.add(PushRecord(target=target, site_id=SITE, source_key=f"article:{SITE}:1", kind="article",
                                   source_url="http://127.0.0.1:9/a/1.html", status="skipped",
                                   reason="duplicate of http://127.0.0.1:9/a/2.html [1]"))
    code, out = run(dead, "messages", SITE, "--stage", "push")
    lines = [x for x in out.splitlines() if "duplicate" in x]
    assert code == 0 and len(lines) == 2, out
    assert "[wordpress:https://portal.example]" in lines[0] + lines[1]
    assert "[static:/srv/preview]" in lines[0] + lines[1] and all(x.endswith("[1]") for x in lines), lines


def _lost_attachment(ws: pipeline.Workspace, page: str, name: str) -> None:
    """The message push records for an attachment with no address on the legacy page (push.py's wording)."""
    from consolidate.core.store import EventRow
    with ws.store.session() as session:
        session.add(EventRow(site_id=SITE, stage="push", level="warning", code="attachment_missing",
                             message=f"attachment {name!r} has no address on the legacy page: not on the portal "
                                     "page, add it by hand", url=page))


def test_lost_attachments_block_content_migrated_until_acknowledged(dead: pipeline.Workspace) -> None:
    """Attachments a push could not carry are counted under content_migrated's conditions (they were only
    messages), acknowledged with --accept-missing-files --ref; one more found later is named again."""
    page = "http://127.0.0.1:9/2144/132832.html"
    for name in ("报名表.doc", "附件2.xls", "附件3.pdf"):
        _lost_attachment(dead, page, name)
    _lost_attachment(dead, page, "报名表.doc")  # the same message of a second push: one attachment

    def lines() -> list[str]:
        steps = {s["step"]: s for s in site_checklist(dead, SITE)["steps"]}
        return [c for c in steps["content_migrated"]["conditions"] if "attachment" in c]

    assert len(lines()) == 1 and lines()[0].startswith("3 attachments on 1 page not on the portal"), lines()
    assert "--accept-missing-files" in lines()[0]
    code, out = run(dead, "checklist", SITE, "--accept-missing-files")
    assert code == 2 and "--ref" in out
    code, out = run(dead, "checklist", SITE, "--accept-missing-files", "--ref", "附件已由部门补传")
    assert code == 0 and "3 missing attachments acknowledged" in out, out
    assert lines() == []
    _lost_attachment(dead, "http://127.0.0.1:9/2144/9.html", "新附件.pdf")
    assert lines() and lines()[0].startswith("4 attachments on 2 pages") and "3 acknowledged" in lines()[0]
