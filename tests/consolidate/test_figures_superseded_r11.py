"""`figures.site_figures` counts a site's errors by the one read-side rule of `messages.superseded`: a verify
difference a later verify run superseded is neither listed nor counted (round 10 fixed the report only, by
overriding the figures' count; every other reader of the figures still counted the old mismatches)."""

from __future__ import annotations

from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import PushRecord
from consolidate.figures import site_figures
from consolidate.messages import current_errors
from tests.consolidate.test_verify_superseded_r10 import SITE, verify


def _errors(ws: pipeline.Workspace) -> tuple[list[str], int]:
    """The codes of the site's listed errors and their total, as site_figures counts them."""
    figures = site_figures(ws, SITE)
    return [e["code"] for e in figures.errors], figures.errors_total


def test_site_figures_drop_verify_errors_a_later_verify_superseded(crawled: pipeline.Workspace) -> None:
    """A tampered title: verify's mismatch is counted while it stands; mended and verified again, site_figures
    neither lists nor counts it, and says what `messages` (current_errors) says."""
    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.push_site(crawled, SITE, exporter, allow_untriaged=True)
    finally:
        exporter.close()
    before = _errors(crawled)[1]
    with crawled.store.session() as session:
        record = session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status == "pushed")
            .order_by(PushRecord.id).limit(1)).one()
    page = crawled.dir / "preview" / record.target_id
    html = page.read_text(encoding="utf-8")
    title = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    page.write_text(html.replace(f"<h1>{title}</h1>", "<h1>被篡改的标题</h1>"), encoding="utf-8")
    assert verify(crawled).mismatch == 1
    codes, total = _errors(crawled)
    assert total == before + 1 and "mismatch" in codes
    page.write_text(html, encoding="utf-8")
    assert verify(crawled).mismatch == 0
    codes, total = _errors(crawled)
    assert total == before and "mismatch" not in codes, (codes, total)
    listed, counted = current_errors(crawled, SITE)
    assert ([e["code"] for e in listed], counted) == (codes, total)
