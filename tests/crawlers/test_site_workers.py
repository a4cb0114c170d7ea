"""Workers sharing a site are counted from the rows that name it, whatever the site ids look like."""

from __future__ import annotations

from pathlib import Path

from consolidate.core.store import SiteRow, Store
from crawlers.frontier import Frontier, new_worker_id

SITES = ["a_b", "axb", "s1", "s10", "50%", '引号"站', "通知", "back\\slash"]


def test_each_site_counts_its_own_workers(tmp_path: Path) -> None:
    """Two workers per site on eight sites whose ids look alike to SQL LIKE ('_', '%'), are prefixes of each
    other, or are spelt otherwise in JSON (quote, backslash, Chinese): each site counts exactly its two."""
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    with store.session() as session:
        for site in SITES:
            session.add(SiteRow(id=site, name=site, home_url=f"http://{len(site)}.example/", disposition="migrate",
                                facts={}))
    frontiers = {site: [Frontier(store, site, new_worker_id()) for _ in range(2)] for site in SITES}
    for pair in frontiers.values():
        for frontier in pair:
            frontier.register()
    for site, pair in frontiers.items():
        with store.session() as session:
            assert [frontier.site_workers_in(session) for frontier in pair] == [2, 2], site
