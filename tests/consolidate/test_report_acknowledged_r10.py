"""The report lists what the office acknowledged as not migrated — attachments not carried, pages still taking
files from a legacy server (and list entries that link nowhere) — per site with how many, when and the --ref
given, and the fleet's totals in the summary (round-10 trial: after --accept-missing-files and --accept-unlinked
the report showed no trace of either, only 附件/图片 已迁移 and 核验 一致)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consolidate import pipeline
from consolidate.core.store import EventRow
from tests.conftest import make_workspace
from tests.workspace_cli import exit_and_output

SITE = "sfj"
DEAD = "http://127.0.0.1:9/"  # the discard port: nothing listens on it


def run(ws: pipeline.Workspace, *args: str) -> tuple[int, str]:
    """A command's exit code and its output at 200 columns."""
    return exit_and_output(ws, *args, width=200)


@pytest.fixture
def ws(tmp_path: Path) -> pipeline.Workspace:
    """A crawled workspace (its server never answered) whose pushes left 3 attachments off 1 page and 2 pages
    taking files from the legacy server: what push records as messages."""
    ws = make_workspace(tmp_path / "w", {SITE: DEAD})
    assert run(ws, "crawl", SITE)[0] == 1
    with ws.store.session() as session:
        session.add_all(EventRow(site_id=SITE, stage="push", level="warning", code="attachment_missing",
                                 message=f"attachment {name!r} has no address on the legacy page: not on the portal "
                                         "page, add it by hand", url="http://127.0.0.1:9/2144/1.html")
                        for name in ("报名表.doc", "附件2.xls", "附件3.pdf"))
        session.add_all(EventRow(site_id=SITE, stage="push", level="warning", code="legacy_hotlink",
                                 message="the body takes 1 image from a legacy server", url=url)
                        for url in ("http://127.0.0.1:9/a/1.html", "http://127.0.0.1:9/a/2.html"))
    return ws


def test_acknowledged_losses_are_listed_with_their_evidence(ws: pipeline.Workspace) -> None:
    """Nothing listed before the office acknowledges; after --accept-missing-files and --accept-hotlinks the
    Chinese and English reports list each kind with its count, date and evidence, the summary the fleet's totals,
    and the JSON report the same under the site's checklist."""
    assert _section(run(ws, "report", SITE, "-f", "md")[1]) == []
    assert run(ws, "checklist", SITE, "--accept-missing-files", "--ref", "附件已补传 OA-2026-77",
               "--date", "2026-12-01")[0] == 0
    assert run(ws, "checklist", SITE, "--accept-hotlinks", "--ref", "图片已复制到门户")[0] == 0
    code, md = run(ws, "report", SITE, "-f", "md")
    assert code == 0, md
    rows = _section(md)
    assert any("| sfj | 未随文章迁移的附件（旧页面无地址或未采集到） | 3 | 2026-12-01 | 附件已补传 OA-2026-77 |" in r
               for r in rows), rows
    assert any("| sfj | 仍引用旧站图片或文件的页面 | 2 |" in r and r.endswith("| 图片已复制到门户 |") for r in rows), rows
    assert "| 已签认未迁移：未随文章迁移的附件（旧页面无地址或未采集到） | 3 |" in md
    code, en = run(ws, "report", SITE, "-f", "md", "--lang", "en")
    assert "## Losses the office acknowledged" in en and "| acknowledged, not migrated: pages still taking" in en
    document = json.loads(run(ws, "report", SITE, "-f", "json")[1])
    acknowledged = {a["kind"]: a for a in document["sites"][0]["checklist"]["acknowledged"]}
    assert acknowledged["missing_attachments"] == {"kind": "missing_attachments", "count": 3,
                                                   "done_on": "2026-12-01", "ref": "附件已补传 OA-2026-77"}
    assert acknowledged["legacy_hotlinks"]["count"] == 2
    assert document["totals"]["acknowledged_missing_attachments"] == 3


def _section(md: str) -> list[str]:
    """The rows of the report's 已签认的未迁移内容 section."""
    body = md.split("## 已签认的未迁移内容", 1)[-1].split("\n## ", 1)[0] if "## 已签认的未迁移内容" in md else ""
    return [line for line in body.splitlines() if line.startswith("| sfj |")]
