"""A side export (`push --exporter bundle` beside the configured portal) leaves the URL map, and so the redirects
the office deploys and the ledger's duplicate counts, as the portal's push wrote them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import EventRow, UrlMapRow
from tests.conftest import push_sites


def _url_map(ws: pipeline.Workspace, site_id: str) -> dict[str, tuple[str, str | None]]:
    """The site's URL map: legacy URL → (status, new URL)."""
    with ws.store.session() as session:
        return {r.old_url: (r.status, r.new_url) for r in session.scalars(
            select(UrlMapRow).where(UrlMapRow.site_id == site_id))}


def test_bundle_push_beside_the_portal_keeps_its_url_map(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Push fgw to the configured static portal, then to a bundle: the URL map is the portal's, row for row,
    and the bundle push says it left it alone."""
    push_sites(crawled, ["fgw"])
    portal_map = _url_map(crawled, "fgw")
    assert sum(status == "301" for status, _ in portal_map.values()) > 10
    exporter = pipeline.open_exporter(crawled, "bundle", {"dir": str(tmp_path / "bundle")})
    try:
        summary = pipeline.push_site(crawled, "fgw", exporter)
    finally:
        exporter.close()
    assert summary.pushed > 0
    assert _url_map(crawled, "fgw") == portal_map
    with crawled.store.session() as session:
        kept = list(session.scalars(select(EventRow.message).where(EventRow.code == "url_map_kept")))
    assert len(kept) == 1 and "static" in kept[0]
