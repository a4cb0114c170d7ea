"""The checklist on a real restored legacy site (../shared/samples): list entries that link nowhere in columns that
migrated, and undecided personal data, are named with the commands that settle them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.checklist import listed_nowhere, site_checklist
from consolidate.core.store import ColumnMapping, ColumnRow
from consolidate.mapping import map_site, stored_decisions, unlinked_entries
from consolidate.report_formats import condition_text
from consolidate.triage import triage_site
from tests.conftest import crawl_real_sites
from tests.workspace_cli import output_of

SITE = "jspn"  # custom ASP.NET-style: 图片新闻 lists pictures whose links go nowhere


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """The real site crawled on loopback to the end, its columns mapped as `map` decides and triaged."""
    ws = crawl_real_sites(tmp_path_factory.mktemp("realchecklist"), [SITE])
    map_site(ws, SITE)
    triage_site(ws, SITE)
    return ws


def cli(ws: pipeline.Workspace, *args: str) -> str:
    """A command's output (exit 0 asserted) at 100 columns."""
    return output_of(ws, *args, width=100)


def content_conditions(ws: pipeline.Workspace) -> list[str]:
    """What keeps the site's content_migrated step from being done."""
    steps = {s["step"]: s for s in site_checklist(ws, SITE)["steps"]}
    return steps["content_migrated"]["conditions"]


def test_entries_that_link_nowhere_in_migrated_columns_are_named_until_acknowledged(
        real: pipeline.Workspace) -> None:
    """Entries of columns that migrated are content the tool could not fetch: the content step names how many,
    where, and the commands that list and acknowledge them; acknowledged, the line goes."""
    total = listed_nowhere(real, SITE)
    with real.store.session() as session:  # the office migrates every column showing such entries (its sheet)
        columns = session.scalars(select(ColumnRow).where(ColumnRow.site_id == SITE)).all()
        migrated = set(unlinked_entries(real, SITE, list(columns)))
        for row in session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                               ColumnMapping.column_path.in_(migrated))):
            row.decision, row.target, row.decided_by = "migrate", "wjj-gzdt", "office"
    assert total > 0 and migrated
    assert all(stored_decisions(real, SITE)[path].decision == "migrate" for path in migrated)
    (line,) = [c for c in content_conditions(real) if "list entries link nowhere" in c]
    count = int(line.split(" ", 1)[0])
    assert 0 < count <= total
    assert all(f"{path.split(' > ')[-1]} " in line for path in migrated), line
    assert f"`consolidate messages {SITE} --stage crawl`" in line
    assert f"`consolidate checklist {SITE} --accept-unlinked --ref EVIDENCE`" in line
    assert condition_text(line, "zh").startswith(f"{count} 条列表条目链接无效")
    table = cli(real, "checklist", SITE)  # several conditions: one a line below the step's name
    assert re.search(r"^content_migrated:\s*\n  - ", table, re.MULTILINE), table
    said = cli(real, "checklist", SITE, "--accept-unlinked", "--ref", "部门确认原件已遗失")
    assert f"{count} list entries that link nowhere acknowledged" in said
    assert not [c for c in content_conditions(real) if "link nowhere (" in c and "columns undecided" not in c]


def test_undecided_personal_data_names_the_triage_sheet(real: pipeline.Workspace) -> None:
    """The review step and status say how to decide personal data: export the triage sheet, import it back."""
    steps = {s["step"]: s for s in site_checklist(real, SITE)["steps"]}
    (line,) = steps["personal_data_reviewed"]["conditions"]
    assert "personal-data findings undecided" in line
    assert f"`consolidate triage {SITE} --export triage-{SITE}.xlsx`" in line
    assert "个人信息发现未决定：用 `consolidate triage" in condition_text(line, "zh")
    assert f"consolidate triage {SITE} --export triage-{SITE}.xlsx" in " ".join(cli(real, "status").split())
