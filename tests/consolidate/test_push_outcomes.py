"""Push, status and the report name what was not migrated the same way and the counts add up: a skip is a decided
skip (a dropped column, a duplicate), an article waiting on a column decision, a triage or a look (held for review)
is unresolved; reasons are English codes in JSON, Chinese words only in the Chinese report. The retention cap is the
fleet's whichever sites a command names; `checklist --all` says what blocks each site."""

from __future__ import annotations

import json
import re

from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.outcomes import reason_category
from consolidate.core.store import ColumnMapping
from consolidate.report_formats import skip_reason_text
from consolidate.triage import UNTRIAGED

SITE = "jyj"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _options(ws: pipeline.Workspace) -> list[str]:
    """The CLI's workspace options."""
    return ["-c", str(ws.loaded.path), "--db", ws.store.url]


def test_a_store_written_before_keeps_its_untriaged_articles_under_the_code() -> None:
    """The reason push stored in Chinese before is counted under the English code; Chinese in zh only."""
    old = "未完成个人信息审查: 2 项个人信息未决定（手机号 1、姓名 1）"
    assert reason_category(old) == UNTRIAGED == "personal data undecided"
    assert reason_category(f"{UNTRIAGED}: 2 项个人信息未决定（手机号 1、姓名 1）") == UNTRIAGED
    assert skip_reason_text(UNTRIAGED, "zh") == "未完成个人信息审查" and skip_reason_text(UNTRIAGED, "en") == UNTRIAGED


def test_push_and_status_name_skipped_and_unresolved_alike(crawled: pipeline.Workspace) -> None:
    """One column left undecided and personal data not triaged: push's JSON keeps decided skips under `skipped`
    and the waiting ones under `unresolved`, with English codes, and its figures are status's."""
    pipeline.map_site(crawled, SITE)
    with crawled.store.session() as session:
        path = next(p for p in session.scalars(select(ColumnMapping.column_path).where(
            ColumnMapping.site_id == SITE, ColumnMapping.decision == "migrate")))
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == SITE, ColumnMapping.column_path == path)
                        .values(decision="unmapped", target=None))
    runner = CliRunner()
    pushed = runner.invoke(app, ["push", SITE, "--json", *_options(crawled)])
    assert pushed.exit_code == 0, pushed.output
    figures = json.loads(pushed.output)["sites"][0]
    assert figures["unresolved"].get("column not mapped", 0) > 0
    assert not any(CJK.search(key) for key in [*figures["skipped"], *figures["unresolved"]])
    status = json.loads(runner.invoke(app, ["status", "--json", *_options(crawled)]).output)
    site = next(s for s in status["sites"] if s["id"] == SITE)
    assert site["push"]["unresolved_reasons"] == figures["unresolved"]
    assert site["push"]["skip_reasons"] == figures["skipped"]
    line = site["reconciliation"]
    assert sum(figures["unresolved"].values()) == line["unresolved"]
    assert sum(figures["skipped"].values()) == line["skipped"]
    target = next(t for t in site["targets"] if t["target"] == site["target"])
    assert (target["skipped"], target["unresolved"]) == (line["skipped"], line["unresolved"])  # one count everywhere
    text = runner.invoke(app, ["push", SITE, *_options(crawled)]).output
    unresolved = ", ".join(f"{k} {n}" for k, n in figures["unresolved"].items())
    assert f"{line['unresolved']} unresolved ({unresolved})" in " ".join(text.split())
    shown = runner.invoke(app, ["status", *_options(crawled)], env={"COLUMNS": "100"}).output
    assert f"{line['unresolved']} unresolved ({unresolved})" in " ".join(shown.split())


def test_checklist_names_the_fleet_cap_and_what_blocks_each_site(crawled: pipeline.Workspace) -> None:
    """`checklist SITE` says the retention figure of the whole fleet; `checklist --all` has a blocked-by column
    naming what keeps each site's next step from being done."""
    runner = CliRunner()
    sites = len(crawled.config.sites)
    one = runner.invoke(app, ["checklist", SITE, *_options(crawled)], env={"COLUMNS": "200"})
    assert one.exit_code == 0 and f"of the fleet's {sites} sites" in one.output
    listing = runner.invoke(app, ["checklist", "--all", *_options(crawled)], env={"COLUMNS": "250"})
    assert listing.exit_code == 0 and "blocked by" in listing.output
    as_json = json.loads(runner.invoke(app, ["checklist", SITE, "--json", *_options(crawled)]).output)
    blockers = as_json["sites"][0]["blockers"]
    assert "nothing pushed" in blockers and as_json["retention"]["in_scope"] == sites
    assert "nothing pushed" in listing.output
