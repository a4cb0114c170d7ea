"""Whether a site needs triage again: every article triaged at its current content, and no scan of an article no
longer stored (compared in the store)."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, TriageScan
from consolidate.triage import needs_scan, triage_site


def test_needs_scan_follows_every_articles_content(crawled: pipeline.Workspace) -> None:
    """Untriaged: needed; triaged: not; one article's content changed, one scan lost, or one scan left over
    for an article gone: needed again."""
    assert needs_scan(crawled, "fgw")
    triage_site(crawled, "fgw")
    assert not needs_scan(crawled, "fgw")
    with crawled.store.session() as session:
        article = session.scalar(select(ArticleRow).where(ArticleRow.site_id == "fgw").limit(1))
        before, key = article.content_hash, article.url_hash
        session.execute(update(ArticleRow).where(ArticleRow.id == article.id).values(content_hash="changed"))
    assert needs_scan(crawled, "fgw")
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.url_hash == key).values(content_hash=before))
    assert not needs_scan(crawled, "fgw")
    with crawled.store.session() as session:
        session.add(TriageScan(site_id="fgw", url_hash="0" * 40, content_hash=before))
    assert needs_scan(crawled, "fgw")  # a scan of no stored article
    with crawled.store.session() as session:
        session.execute(delete(TriageScan).where(TriageScan.url_hash.in_(("0" * 40, key))))
    assert needs_scan(crawled, "fgw")  # an article never scanned
