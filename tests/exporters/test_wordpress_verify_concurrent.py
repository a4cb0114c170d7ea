"""verify and rollback on the exporter's workers (as push): the same findings in the same order as one at a time."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ColumnMapping, PushRecord
from consolidate.verify import rollback_site, verify_site
from tests.exporters.test_wordpress import ENV, _all, _exporter, _ours, _unique_subsite_paths, variety
from tests.services.wordpress import WordPressService


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def test_concurrent_verify_matches_one_at_a_time(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """With a post retitled and one deleted behind the tool's back, 4 workers find exactly what 1 finds, in push
    record order, with progress counted 1…N; rollback on 4 workers then leaves nothing of ours. jyj's articles
    pushed: one of each column and kind of files (some 17: several per worker)."""
    portal = _unique_subsite_paths(crawled.config.portal)
    with crawled.store.session() as session:
        if not session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == "jyj").limit(1)):
            pipeline.map_site(crawled, "jyj")
    exporter = _exporter(crawled, wp, portal=portal, concurrency=4)
    site_url = wp.site_url(next(s.path for s in portal.subsites if s.id == "jyj"))
    try:
        pushed = pipeline.push_site(crawled, "jyj", exporter, only=variety(crawled, "jyj"))
        with crawled.store.session() as session:
            records = session.scalars(select(PushRecord).where(
                PushRecord.target == exporter.target, PushRecord.site_id == "jyj", PushRecord.kind == "article")
                .order_by(PushRecord.id)).all()
        auth = (wp.user, wp.password)
        retitled, deleted = records[len(records) // 3], records[2 * len(records) // 3]
        httpx.post(f"{site_url}wp-json/wp/v2/posts/{retitled.target_id.rsplit('/', 1)[1]}", json={"title": "改过"},
                   auth=auth, timeout=30).raise_for_status()
        httpx.delete(f"{site_url}wp-json/wp/v2/posts/{deleted.target_id.rsplit('/', 1)[1]}",
                     params={"force": "true"}, auth=auth, timeout=30).raise_for_status()
        counted: list[tuple[int, int]] = []
        parallel = verify_site(crawled, "jyj", exporter, progress=lambda done, total: counted.append((done, total)))
        exporter.capabilities = dataclasses.replace(exporter.capabilities, concurrency=1)
        single = verify_site(crawled, "jyj", exporter)
        exporter.capabilities = dataclasses.replace(exporter.capabilities, concurrency=4)
        removed = rollback_site(crawled, "jyj", exporter)
    finally:
        exporter.close()
    assert pushed.pushed > 8 and pushed.failed == 0
    assert parallel.results == single.results
    assert [r.source_url for r in parallel.results] == [r.source_url for r in records]
    assert (parallel.ok, parallel.mismatch, parallel.missing) == (pushed.pushed - 2, 1, 1)
    assert {r.source_url: r.status for r in parallel.results if r.status != "ok"} == {
        retitled.source_url: "mismatch", deleted.source_url: "missing"}
    assert counted == [(n, len(records)) for n in range(1, len(records) + 1)]
    assert removed.articles == pushed.pushed and not removed.failed
    for collection in ("posts", "media", "categories"):
        assert _ours(_all(wp, site_url, collection)) == [], collection
