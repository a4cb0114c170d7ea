"""`rollback --all` reads what the target still holds of the fleet once, not once per site, and still removes
everything each site pushed, its shared files and columns once no other site uses them."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from consolidate import pipeline, verify
from consolidate.core.store import PushRecord, UrlMapRow
from tests.conftest import push_sites


def test_rollback_of_every_site_plans_each_site_once_and_removes_all_it_pushed(
        crawled: pipeline.Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every site pushed; `rollback_sites` over all of them asks push's plan of each site at most once (a rollback
    of one site at a time asked it of every site still in the target, at every rollback), removes every article,
    file and column pushed, and leaves no legacy URL 301 to a page it removed."""
    sites = [s.id for s in crawled.config.sites]
    assert len(sites) >= 3
    push_sites(crawled, allow_untriaged=True)
    with crawled.store.session() as session:
        pushed = Counter(session.execute(select(PushRecord.site_id, PushRecord.kind).where(
            PushRecord.status.in_(pipeline.IN_TARGET))).all())
    planned: list[str] = []
    plan = verify.planned_targets

    def counted(ws: pipeline.Workspace, site_id: str, *args: object, **kwargs: object) -> dict[str, str]:
        """Push's plan of a site, the site noted."""
        planned.append(site_id)
        return plan(ws, site_id, *args, **kwargs)

    monkeypatch.setattr(verify, "planned_targets", counted)
    exporter = pipeline.open_exporter(crawled)
    try:
        summaries = list(verify.rollback_sites(crawled, sites, exporter))
    finally:
        exporter.close()
    assert len(planned) == len(set(planned)) == len(sites)  # each once, the fleet read before the first removal
    assert [s.site_id for s in summaries] == sites and not any(s.failed for s in summaries)
    for summary in summaries:
        assert summary.articles == pushed[(summary.site_id, "article")] > 0
    assert sum(s.files for s in summaries) == sum(n for (_site, kind), n in pushed.items() if kind == "file") > 0
    assert sum(s.columns for s in summaries) == sum(n for (_site, kind), n in pushed.items() if kind == "column")
    with crawled.store.session() as session:
        assert not session.scalars(select(PushRecord.id).where(PushRecord.status.in_(pipeline.IN_TARGET))).all()
        assert not [url for url in session.scalars(select(UrlMapRow.new_url).where(UrlMapRow.status == "301"))
                    if url and url.startswith(exporter.base_url)]
