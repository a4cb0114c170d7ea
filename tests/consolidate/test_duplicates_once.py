"""Duplicate groups are found once per store state for a whole `push --all` / `verify --all`, not once per site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from consolidate import mapping, pipeline
from consolidate.core.store import ArticleRow, EventRow
from consolidate.mapping import duplicate_holds, duplicate_links
from consolidate.verify import verify_site
from mappers.duplicates import DuplicateFinder
from tests.conftest import push_sites


class _Counted(DuplicateFinder):
    """The finder, counting how often one is made (once per finding of the groups)."""

    made = 0
    rows_read = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        type(self).made += 1
        super().__init__(*args, **kwargs)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[_Counted]:
    """The duplicate finder mapping.py uses, counted from zero (with the article rows it reads), with no groups
    kept from an earlier test."""
    _Counted.made, _Counted.rows_read = 0, 0
    monkeypatch.setattr(mapping, "DuplicateFinder", _Counted)
    monkeypatch.setattr(mapping, "_GROUPS", [])
    reader = mapping._article_rows

    def counting(*args: object) -> Iterator[object]:
        """The rows read, counted."""
        for row in reader(*args):
            _Counted.rows_read += 1
            yield row

    monkeypatch.setattr(mapping, "_article_rows", counting)
    return _Counted


def test_push_and_verify_of_every_site_find_the_groups_once(crawled: pipeline.Workspace,
                                                            counted: type[_Counted]) -> None:
    """Every site pushed, then verified (gate, plan and verify's plan each ask): the groups are found once, each
    article read once for them; a fresh process (a new store engine) finds the same links and holds."""
    sites = [s.id for s in crawled.config.sites]
    assert len(sites) >= 3
    summaries = push_sites(crawled, allow_untriaged=True)
    assert sum(s.pushed for s in summaries) > 50
    exporter = pipeline.open_exporter(crawled)
    try:
        verified = [verify_site(crawled, site, exporter) for site in sites]
    finally:
        exporter.close()
    assert sum(v.ok for v in verified) > 50
    with crawled.store.session() as session:
        articles = len(session.scalars(select(ArticleRow.id)).all())
    assert (counted.made, counted.rows_read) == (1, articles)
    links, holds = duplicate_links(crawled, sites), duplicate_holds(crawled, sites)
    assert links and counted.made == 1
    fresh = pipeline.Workspace.open(crawled.dir.parent / "migrations.yaml", db_url=str(crawled.store.engine.url))
    assert (duplicate_links(fresh, sites), duplicate_holds(fresh, sites)) == (links, holds)
    assert counted.made == 1  # another engine on the same database, nothing written since: the same finding


def test_a_site_asks_only_for_its_own_groups_and_gets_the_same_links(crawled: pipeline.Workspace,
                                                                      counted: type[_Counted]) -> None:
    """Links and holds asked for one site are, for that site's articles, those of the whole fleet."""
    sites = [s.id for s in crawled.config.sites]
    links, holds = duplicate_links(crawled, sites), duplicate_holds(crawled, sites)
    assert links
    for site in sites:
        own_links = duplicate_links(crawled, sites, site)
        own_holds = duplicate_holds(crawled, sites, site)
        assert {k: v for k, v in own_links.items() if k[0] == site} == {k: v for k, v in links.items() if k[0] == site}
        assert {k: v for k, v in own_holds.items() if k[0] == site} == {k: v for k, v in holds.items() if k[0] == site}
    assert counted.made == 1


def test_a_write_to_the_articles_finds_the_groups_again_and_other_writes_do_not(crawled: pipeline.Workspace,
                                                                                 counted: type[_Counted]) -> None:
    """An article changed by a Core UPDATE (no ORM row) is seen at the next call; a message written is not an
    article change."""
    sites = [s.id for s in crawled.config.sites]
    links = duplicate_links(crawled, sites)
    (site, copy_url), _original = next(iter(links.items()))
    with crawled.store.session() as session:
        session.add(EventRow(site_id=site, stage="push", level="info", code="x", message="x", url=None))
    assert duplicate_links(crawled, sites) == links and counted.made == 1
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.url == copy_url).values(
            body_text="另一篇完全不同的文章正文。" * 20, content_hash="changed"))
    assert (site, copy_url) not in duplicate_links(crawled, sites)
    assert counted.made == 2
    with crawled.store.session() as session:
        row = session.scalar(select(ArticleRow).where(ArticleRow.url == copy_url))
        session.delete(row)
    assert (site, copy_url) not in duplicate_links(crawled, sites)
    assert counted.made == 3


def test_a_write_through_another_engine_or_still_open_is_seen_once_it_ends(crawled: pipeline.Workspace,
                                                                          counted: type[_Counted]) -> None:
    """A library user's second Workspace on the same store changes an article: the first finds the groups again.
    Groups found while that write's transaction was still open (the old row) are found again once it commits."""
    sites = [s.id for s in crawled.config.sites]
    links = duplicate_links(crawled, sites)
    (site, copy_url), _original = next(iter(links.items()))
    other = pipeline.Workspace.open(crawled.dir.parent / "migrations.yaml", db_url=str(crawled.store.engine.url))
    with other.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.url == copy_url).values(
            body_text="另一篇完全不同的文章正文。" * 20, content_hash="changed"))
        assert duplicate_links(crawled, sites) == links  # not committed yet: the old rows, and nothing cached anew
    assert (site, copy_url) not in duplicate_links(crawled, sites)
