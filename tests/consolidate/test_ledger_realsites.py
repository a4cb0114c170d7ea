"""The ledger on real restored legacy sites (../shared/samples): every fetched URL accounted for, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import Resource
from consolidate.ledger import CLASSES, DISPOSITIONS, reconcile, site_ledger
from consolidate.redirects import count_redirects, load_redirects
from consolidate.samplefleet.realsites import REAL_SITES
from tests.conftest import crawl_real_sites, push_sites

SITES = tuple(s for s in REAL_SITES if s.id in ("jspn", "pmodlh"))  # two small ones: custom ASP.NET-style, TRS


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """Two real sites crawled on loopback and pushed to the static preview with the example's empty mapping."""
    ws = crawl_real_sites(tmp_path_factory.mktemp("realledger"), [s.id for s in SITES])
    push_sites(ws)
    return ws


@pytest.mark.parametrize("site_id", [s.id for s in SITES])
def test_every_fetched_url_has_exactly_one_disposition(real: pipeline.Workspace, site_id: str) -> None:
    """Each URL the crawl stored appears once in the ledger; pages add up by class; articles by disposition; an
    undecided article is never archived, and the URL map agrees with the ledger on what is unresolved."""
    with real.store.session() as session:
        stored = set(session.scalars(select(Resource.url).where(Resource.site_id == site_id)))
    entries = site_ledger(real, site_id)
    urls = [e.url for e in entries]
    assert len(urls) == len(set(urls))
    assert stored <= set(urls)
    assert all(e.disposition in DISPOSITIONS for e in entries)
    line = reconcile(real, site_id, entries=entries)
    assert line["ok"], line["notes"]
    pages = line["pages"]
    assert pages["fetched"] == sum(pages[c.replace("-", "_")] for c in CLASSES) > 0
    articles = line["articles"]
    assert articles["total"] == articles["migrated"] + articles["skipped"] + articles["failed"] + \
        articles["unresolved"]
    undecided = {e.url for e in entries if "column not mapped" in e.reason}
    assert undecided and all(e.disposition == "unresolved" for e in entries if e.url in undecided)
    redirects = {r.old_url: r.status for r in load_redirects(real, site_id)}
    assert not [u for u in undecided if redirects.get(u) == "410"]
    assert count_redirects(load_redirects(real, site_id)).unresolved >= len(undecided)


def test_checklist_blocks_a_real_site_that_is_not_decided(real: pipeline.Workspace) -> None:
    """Nothing about these sites is decided: content_migrated is blocked with counts, never derived done."""
    from consolidate.checklist import site_checklist

    for site in SITES:
        step = {s["step"]: s for s in site_checklist(real, site.id)["steps"]}["content_migrated"]
        assert step["status"] == "blocked" and any("undecided" in c for c in step["conditions"])
