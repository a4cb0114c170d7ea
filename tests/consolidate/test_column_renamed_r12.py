"""A column renamed on the old site (a CMS republish: same list page, new title) keeps its decision, and a push never
takes a pushed article off the portal only because its column has no decision now (round-12 trial on pmodlh:
科普动态 -> 科普活动, `push --sync` removed 10 live articles after status said it would only send the changes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from consolidate import pipeline
from consolidate.core.outcomes import IN_TARGET
from consolidate.core.store import ColumnMapping, PushRecord, UrlMapRow
from consolidate.messages import message_counts, site_messages
from consolidate.samplefleet import FleetServer, build_fleet
from mappers.columns import former_names
from tests.conftest import make_workspace, push_sites
from tests.workspace_cli import output_of

SITE = "fgw"
NEW_NAME = "科普活动"  # no standard function in it: `map` alone would leave it for the office


@pytest.fixture
def server() -> Iterator[FleetServer]:
    """A private small fleet this test changes."""
    with FleetServer(build_fleet(articles_per_site=12)) as running:
        yield running


def in_target(ws: pipeline.Workspace) -> dict[str, str | None]:
    """Legacy article URL → its page in the target, of the articles the push map holds as in the target."""
    with ws.store.session() as session:
        return dict(session.execute(select(PushRecord.source_url, PushRecord.target_url).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status.in_(IN_TARGET))).all())


def crawl_push_rename(server: FleetServer, tmp_path: Path) -> tuple[pipeline.Workspace, str, str, set[str]]:
    """Crawl, map and push the site, then rename (on the old site) its column holding the most pushed articles and
    re-crawl with `--recheck all`: the workspace, the column's old and new path, and its pushed article URLs."""
    ws = make_workspace(tmp_path, server.urls)
    pipeline.crawl(ws, [SITE])
    pipeline.map_site(ws, SITE)
    push_sites(ws, [SITE])
    pushed = in_target(ws)
    site, base = server.fleet.site(SITE), server.urls[SITE].rstrip("/")
    column = max(site.columns, key=lambda c: sum(base + a.path in pushed for a in site.by_column[c.url_path]))
    urls = {base + a.path for a in site.by_column[column.url_path]} & set(pushed)
    old_path = " > ".join(column.path)
    column.path = [*column.path[:-1], NEW_NAME]  # a new list: the generator shares the old one
    site._routes, site._cache = None, None
    pipeline.crawl_fleet(ws, [SITE], recheck="all")
    return ws, old_path, " > ".join(column.path), urls


def unmapped(ws: pipeline.Workspace) -> int:
    """The site's unmapped columns as `status --json` counts them."""
    sites = json.loads(output_of(ws, "status", "--json"))["sites"]
    return next(s for s in sites if s["id"] == SITE)["mapping"]["unmapped"]


def status_text(ws: pipeline.Workspace) -> str:
    """`consolidate status` as one line of words."""
    return " ".join(output_of(ws, "status", width=200).split())


def test_a_renamed_column_keeps_its_decision_and_its_articles(server: FleetServer, tmp_path: Path) -> None:
    """The column re-found at the same list page under a new title follows the decision recorded for its old name
    (a signed one too, recorded as map's own for the office to sign again); status and map say 'column renamed';
    `push --sync` removes nothing and the articles stay at their pages."""
    ws, old_path, new_path, urls = crawl_push_rename(server, tmp_path)
    assert len(urls) >= 2
    with ws.store.session() as session:  # the office had signed the old name's decision
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                    ColumnMapping.column_path == old_path).values(decided_by="王工"))
        old = session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                          ColumnMapping.column_path == old_path)).one()
        decision, target = old.decision, old.target
    assert decision == "migrate"
    text = status_text(ws)
    assert f"column renamed: {old_path} -> {new_path}" in text, text
    assert unmapped(ws) == 0
    assert not [m for m in site_messages(ws, SITE) if m["code"] == "column_undecided"]  # it follows its old name
    assert "map" not in message_counts(ws, SITE)
    before = in_target(ws)
    synced = push_sites(ws, [SITE], sync=True)[0]
    assert synced.removed == 0 and not synced.held, synced
    assert in_target(ws) == before  # every article still at its page

    rows = dict((c.path, (c, d)) for c, d in pipeline.map_site(ws, SITE))
    assert old_path not in rows  # the old name is the same column, not a column of its own
    column, followed = rows[new_path]
    assert (followed.decision, followed.target, followed.decided_by) == (decision, target, "consolidate")
    assert f"column renamed: {old_path} -> {new_path}" in followed.reason and "sign it again" in followed.reason
    mapped = " ".join(output_of(ws, "map", SITE, width=200).split())
    assert f"column renamed: {old_path} -> {new_path}" in mapped, mapped
    again = push_sites(ws, [SITE], sync=True)[0]
    assert again.removed == 0 and in_target(ws) == before, again


def test_a_pushed_article_whose_column_has_no_decision_is_held_not_removed(server: FleetServer,
                                                                           tmp_path: Path) -> None:
    """With no decision to follow (none recorded for the old name: a column new to `map`), the renamed column counts
    as unmapped in status right after the recheck, status says the push holds its articles, and `push --sync` leaves
    them on the portal (held: column undecided N), their old URLs still redirected."""
    ws, old_path, new_path, urls = crawl_push_rename(server, tmp_path)
    with ws.store.session() as session:  # nothing to follow: the renamed column is as a column never decided
        session.execute(delete(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                    ColumnMapping.column_path == old_path))
    text = status_text(ws)
    undecided = [m["message"] for m in site_messages(ws, SITE) if m["code"] == "column_undecided"]
    assert len(undecided) == 1 and undecided[0].startswith(f"column {new_path!r} ("), undecided
    assert unmapped(ws) == 1  # right after the recheck, before any `map` (the trial's "(0 unmapped)")
    assert f"held: column undecided {len(urls)}" in text, text
    assert "sends the changes" not in text, text
    before = in_target(ws)
    dry = push_sites(ws, [SITE], sync=True, dry_run=True)[0]
    assert dry.removed == 0 and dry.held == {"column undecided": len(urls)}, dry
    pushed = " ".join(output_of(ws, "push", SITE, "--sync", width=200).split())
    assert f"held (column undecided {len(urls)})" in pushed and "removed" not in pushed, pushed
    assert in_target(ws) == before
    with ws.store.session() as session:
        redirected = dict(session.execute(select(UrlMapRow.old_url, UrlMapRow.new_url).where(
            UrlMapRow.site_id == SITE, UrlMapRow.status == "301")).all())
    assert all(redirected.get(url) == before[url] for url in urls)


def test_former_names_are_columns_of_the_same_list_page_holding_nothing_now() -> None:
    """Only a row with no articles sharing its list page (at the same depth) with exactly one holding articles is a
    former name; pages without a URL, or two live columns on one page, are not renames."""
    rows = [("科普基地 > 科普动态", "http://x/kpdt/", 0), ("科普基地 > 科普活动", "http://x/kpdt/", 11),
            ("科普基地", None, 11), ("新闻 > 甲", "http://x/a/", 3), ("新闻 > 乙", "http://x/a/", 2),
            ("新闻", "http://x/kpdt/", 0)]
    assert former_names(rows) == {"科普基地 > 科普动态": "科普基地 > 科普活动"}
