"""`find` adopts only objects in a site the config pushes into: the same source key left in another sub-site of the
network (another project, another test, a path the config no longer names) is not this push's object."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import PushRecord
from consolidate.verify import rollback_site
from tests.exporters.test_wordpress import ENV, _exporter, _unique_subsite_paths, variety
from tests.services.wordpress import WordPressService


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def test_find_ignores_the_same_key_in_a_subsite_the_config_does_not_name(crawled: pipeline.Workspace,
                                                                         wp: WordPressService) -> None:
    """Pushed into sub-site A, every article (one of each column and kind of files) is found by an exporter whose
    config names A, and by none whose config names only B (which then creates its own instead of moving content
    into A)."""
    first, other = _unique_subsite_paths(crawled.config.portal), _unique_subsite_paths(crawled.config.portal)
    exporter = _exporter(crawled, wp, portal=first)
    elsewhere = _exporter(crawled, wp, portal=other)
    path = next(s.path for s in first.subsites if s.id == "jyj")
    try:
        pushed = pipeline.push_site(crawled, "jyj", exporter, only=variety(crawled, "jyj"))
        with crawled.store.session() as session:
            keys = session.scalars(select(PushRecord.source_key).where(
                PushRecord.target == exporter.target, PushRecord.site_id == "jyj", PushRecord.kind == "article")).all()
        assert pushed.failed == 0 and len(keys) == pushed.pushed > 1
        found = [exporter.find(key) for key in keys]
        assert all(ref is not None and ref.target_id.startswith(f"{path}/post/") for ref in found)
        assert [key for key in keys if elsewhere.find(key) is not None] == []
    finally:
        rollback_site(crawled, "jyj", exporter)
        exporter.close()
        elsewhere.close()
