"""An incremental crawl's tally counts every known article: unchanged ones were not asked again (no list page
changed), yet they are unchanged, not missing from the count."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow
from consolidate.samplefleet import FleetServer, build_fleet
from tests.conftest import make_workspace

SITE = "fgw"


@pytest.fixture
def server() -> Iterator[FleetServer]:
    """A private small fleet."""
    with FleetServer(build_fleet(articles_per_site=12)) as running:
        yield running


def test_incremental_crawl_counts_known_articles_as_unchanged(server: FleetServer, tmp_path: Path) -> None:
    """Nothing changed on the site: '<all known> unchanged, 0 new, 0 changed, 0 vanished'."""
    ws = make_workspace(tmp_path, server.urls)
    pipeline.crawl(ws, [SITE])
    with ws.store.session() as session:
        known = session.scalar(select(func.count()).select_from(ArticleRow).where(ArticleRow.site_id == SITE))
    assert known
    result = CliRunner().invoke(app, ["crawl", SITE, "--incremental", "-c", str(ws.loaded.path),
                                      "--db", ws.store.url])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert re.search(rf"\b{known} unchanged\b", text), text
    assert "0 new, 0 changed, 0 vanished" in text


def test_a_recheck_says_how_many_were_asked_and_how_the_rest_were_judged(server: FleetServer,
                                                                        tmp_path: Path) -> None:
    """`--recheck 3`: the unchanged count says 3 were re-requested and the rest judged by their list entries; the
    JSON calls the run incremental at the top as per site."""
    ws = make_workspace(tmp_path, server.urls)
    pipeline.crawl(ws, [SITE])
    base = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    text = " ".join(CliRunner().invoke(app, ["crawl", SITE, "--recheck", "3", *base]).output.split())
    assert "unchanged (3 re-requested, the rest judged by their list entries)" in text, text
    document = json.loads(CliRunner().invoke(app, ["crawl", SITE, "--recheck", "2", "--json", *base]).stdout)
    assert document["incremental"] is True and document["sites"][0]["incremental"] is True
    assert document["sites"][0]["articles_rechecked"] == 2


def test_a_vanished_article_is_not_counted_unchanged_and_said_once(server: FleetServer, tmp_path: Path) -> None:
    """One article deleted on the old site: the run that finds it gone and every later run count the others
    unchanged, never it (trial r12: '210 unchanged' with one of the 210 gone); `messages` says it once."""
    ws = make_workspace(tmp_path, server.urls)
    pipeline.crawl(ws, [SITE])
    with ws.store.session() as session:
        known = session.scalar(select(func.count()).select_from(ArticleRow).where(ArticleRow.site_id == SITE))
    site = server.fleet.site(SITE)
    column = max(site.by_column, key=lambda key: len(site.by_column[key]))
    removed = site.by_column[column].pop(1)
    site.articles.remove(removed)
    site._routes, site._cache = None, None
    base = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    for vanished in (1, 0):  # the run that finds it gone, then a run with nothing new
        result = CliRunner().invoke(app, ["crawl", SITE, "--incremental", *base])
        text = " ".join(result.output.split())
        assert result.exit_code == 0, result.output
        assert re.search(rf"\b{known - 1} unchanged\b", text), text
        assert f"0 new, 0 changed, {vanished} vanished" in text, text
    listed = CliRunner().invoke(app, ["messages", SITE, "--stage", "crawl", "--json", *base]).stdout
    said = [m for m in map(json.loads, listed.splitlines()) if m.get("code") == "article_vanished"]
    assert [m["url"] for m in said] == [server.urls[SITE].rstrip("/") + removed.path]
