"""The crawl's line on entries that link nowhere says how the checklist's count follows from it: of the site's
entries (every page once), those in dropped columns and in undecided columns that show nothing else are left out,
and the checklist counts the rest — the two numbers reconcile on their face (round-10 trial: crawl said 454 and
'`checklist` counts those of every page', the checklist said 106)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import unlinked_split
from consolidate.cli import app
from consolidate.core.store import ArticleRow, ColumnRow
from consolidate.mapping import unlinked_entries
from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, samples_dir

SITE = "zjgztb"  # Epoint: 454 entries that link nowhere on its list pages, most in columns holding no article


def crawl_text(ws: pipeline.Workspace, *options: str) -> str:
    """The crawl command's output on one line."""
    result = CliRunner().invoke(app, ["crawl", SITE, *options, "-c", str(ws.loaded.path), "--db", ws.store.url],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_the_crawl_line_reconciles_with_the_checklists_count(tmp_path: Path) -> None:
    """First crawl: nothing decided, the checklist counts the site's entries but those of undecided columns showing
    nothing else; after a column with such entries is dropped, the re-crawl's line names the dropped ones, the
    parts add up, and content_migrated's line says the same count."""
    root = samples_dir()
    if root is None:
        pytest.skip("../shared/samples is absent (a fresh clone has no real sample sites)")
    config = tmp_path / "migrations.yaml"
    with RealSitesServer(root, tuple(s for s in REAL_SITES if s.id == SITE)) as server:
        text = server.config_text(rate=200.0)
        config.write_text(text, encoding="utf-8")
        db = f"sqlite:///{tmp_path / '.consolidate' / 'state.db'}"
        ws = pipeline.Workspace.open(config, db_url=db)
        first = crawl_text(ws)
        split = unlinked_split(ws, SITE)
        assert split["all"] == split["counted"] + split["dropped"] + split["undecided"] and split["dropped"] == 0
        assert f"Of the site's {split['all']} (every page, each once), {split['undecided']} in undecided columns" \
               in first or f"counts the site's {split['all']} (every page, each once)" in first, first
        assert "counts those of every page" not in first

        with ws.store.session() as session:
            columns = list(session.scalars(select(ColumnRow).where(ColumnRow.site_id == SITE)))
            paths = {" > ".join(p or []) for p in session.scalars(select(ArticleRow.column_path).where(
                ArticleRow.site_id == SITE))}
        by_column = unlinked_entries(ws, SITE, columns)
        dropped = next(path for path, _n in by_column.most_common() if path in paths)  # a column with articles
        rule = f"    mapping: [{{path: {json.dumps(dropped, ensure_ascii=False)}, decision: drop, reason: 测试}}]\n"
        config.write_text(text.replace("    disposition: migrate\n", "    disposition: migrate\n" + rule),
                          encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=db)
        pipeline.map_site(ws, SITE)
        again = crawl_text(ws, "--incremental")
    split = unlinked_split(ws, SITE)
    assert split["dropped"] >= by_column[dropped] > 0
    assert split["all"] == split["counted"] + split["dropped"] + split["undecided"]
    assert f"Of the site's {split['all']} (every page, each once), {split['dropped']} are in dropped columns" in again
    assert f"`consolidate checklist {SITE}` counts the other {split['counted']}" in again, again
    steps = {s["step"]: s for s in pipeline.fleet_checklist(ws, [SITE])["sites"][0]["steps"]}
    assert any(c.startswith(f"{split['counted']} list entries link nowhere")
               for c in steps["content_migrated"]["conditions"]), steps["content_migrated"]["conditions"]
