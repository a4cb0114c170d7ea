"""Verify finds an article's files the way push found them (`push.crawl_form`): an attachment the body spells with
the other scheme is the crawl's file, checked against the target, never silently left unchecked."""

from __future__ import annotations

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, PushRecord, Resource
from consolidate.push import IN_TARGET
from consolidate.verify import verify_site
from tests.conftest import push_sites


def test_verify_finds_an_attachment_however_the_body_spells_its_address(crawled: pipeline.Workspace) -> None:
    """The crawl now holds other bytes behind an attachment the record spells https:// (the crawl fetched it as
    http://): verify says its attachment is missing or has other bytes, as it does for one spelt as crawled."""
    push_sites(crawled, allow_untriaged=True)
    with crawled.store.session() as session:
        pushed = set(session.scalars(select(PushRecord.source_url).where(
            PushRecord.kind == "article", PushRecord.status.in_(IN_TARGET))))
        fetched = {r.url: r for r in session.scalars(select(Resource).where(
            Resource.kind == "attachment", Resource.status == "fetched"))}
        article = next(a for a in session.scalars(select(ArticleRow).order_by(ArticleRow.id))
                       if a.url in pushed and len(a.attachments or []) == 1 and a.attachments[0]["url"] in fetched
                       and a.attachments[0]["url"].startswith("http://"))
        first = article.attachments[0]
        article.attachments = [{**first, "url": first["url"].replace("http://", "https://", 1)}]
        site, url = article.site_id, article.url
        session.execute(update(Resource).where(Resource.id == fetched[first["url"]].id).values(sha256="0" * 64))
    exporter = pipeline.open_exporter(crawled)
    try:
        result = next(r for r in verify_site(crawled, site, exporter).results if r.source_url == url)
    finally:
        exporter.close()
    assert result.status == "mismatch"
    assert "attachments: 1 of 1 missing or with other bytes" in result.differences
