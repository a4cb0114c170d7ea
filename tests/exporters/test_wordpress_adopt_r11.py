"""A post found through `find` (the push map lost) whose category is gone gets its column back: the push map and
categories removed, posts left behind (round-11 trial: a rollback after two racing workers left posts whose
categories it deleted; the next push adopted them as they were, verify said `column: ['']`, later pushes
'unchanged')."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import delete

from consolidate import pipeline
from consolidate.core.store import PushRecord
from tests.exporters.test_wordpress import ENV, _all, _exporter, _ours, variety
from tests.services.wordpress import WordPressService


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def test_an_adopted_post_whose_category_was_deleted_is_put_back_in_its_column(crawled: pipeline.Workspace,
                                                                             wp: WordPressService) -> None:
    """Push, delete our categories and the push map (the posts stay, in WordPress's default category), push again:
    every post is adopted, none created, and each is in a category of ours again; verify finds no difference."""
    site_url = wp.new_subsite()
    exporter = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    sample = variety(crawled, "jyj")
    try:
        first = pipeline.push_site(crawled, "jyj", exporter, only=sample)
        assert first.failed == 0 and first.pushed > 1
        posts = {p["id"] for p in _ours(_all(wp, site_url, "posts"))}
        for category in _ours(_all(wp, site_url, "categories")):
            httpx.delete(f"{site_url}wp-json/wp/v2/categories/{category['id']}", params={"force": "true"},
                         auth=(wp.user, wp.password), timeout=60).raise_for_status()
        with crawled.store.session() as session:
            session.execute(delete(PushRecord).where(PushRecord.target == exporter.target))
        again = pipeline.push_site(crawled, "jyj", exporter, only=sample)
        assert again.failed == 0
        ours = {c["id"] for c in _ours(_all(wp, site_url, "categories"))}
        after = _ours(_all(wp, site_url, "posts"))
        assert {p["id"] for p in after} == posts  # adopted, not created again
        assert [p["id"] for p in after if not set(p["categories"]) & ours] == []
        result = pipeline.verify_site(crawled, "jyj", exporter)
        assert [(r.source_url, r.differences) for r in result.results if any("column" in d for d in r.differences)
                ] == []
    finally:
        pipeline.rollback_site(crawled, "jyj", exporter)
        exporter.close()
