"""verify of a site crawled since its last triage reads the site's articles for triage once, not once for its gate
and again for its plan; what it finds is what it found with two reads."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from consolidate import pipeline, triage
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.push import IN_TARGET
from consolidate.verify import verify_site
from tests.conftest import push_sites

SITE = "fgw"


def test_verify_of_a_site_changed_since_triage_scans_it_once(crawled: pipeline.Workspace,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """After a push (which triaged), one article's body changes as a re-crawl would change it: verify scans the
    site once, in memory, stores no scan, and reports that article's body as differing, the rest ok."""
    push_sites(crawled, [SITE], allow_untriaged=True)
    with crawled.store.session() as session:
        pushed = select(PushRecord.source_url).where(PushRecord.site_id == SITE, PushRecord.kind == "article",
                                                     PushRecord.status.in_(IN_TARGET))
        changed = session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url.in_(pushed))
                                  .order_by(ArticleRow.id).limit(1)).one()  # the first article push sent
        url = changed.url
        session.execute(update(ArticleRow).where(ArticleRow.id == changed.id).values(
            body_text=changed.body_text + "新增一句。", body_html=changed.body_html + "<p>新增一句。</p>",
            content_hash="changed-since-triage"))
    assert triage.needs_scan(crawled, SITE)
    scans: list[str] = []
    scan = triage._scan

    def counted(ws: pipeline.Workspace, site_id: str, *args: object) -> object:
        """The triage scan, its sites noted."""
        scans.append(site_id)
        return scan(ws, site_id, *args)

    monkeypatch.setattr(triage, "_scan", counted)
    exporter = pipeline.open_exporter(crawled)
    try:
        summary = verify_site(crawled, SITE, exporter)
    finally:
        exporter.close()
    assert scans == [SITE]
    assert triage.needs_scan(crawled, SITE)  # a verify stores no triage
    by_url = {r.source_url: r for r in summary.results}
    assert by_url[url].status == "mismatch" and "body text differs" in by_url[url].differences
    assert summary.ok == len(summary.results) - 1 and summary.missing == 0
