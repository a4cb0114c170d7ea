"""One rule for an attachment that is not on its portal page (push's messages, verify, the checklist's count): lost
when no push can carry it (no address on the legacy page, or the crawl holds no bytes of it), said with what the
crawl found; a file the crawl fetched whose upload failed is not lost: push says so apart (attachment_not_uploaded,
never "not fetched"), verify offers a push, and the next push carries it."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, EventRow, Resource
from consolidate.missing_files import missing_attachments
from consolidate.push import NOT_UPLOADED_CODE
from tests.conftest import migrated_articles, push_sites

SITE = "jyj"


def _verify(ws: pipeline.Workspace) -> pipeline.VerifySummary:
    """verify of the site on the configured target."""
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.verify_site(ws, SITE, exporter)
    finally:
        exporter.close()


def _said(ws: pipeline.Workspace, url: str) -> dict[str, list[str]]:
    """push's attachment messages about one article, by code."""
    with ws.store.session() as session:
        rows = session.execute(select(EventRow.code, EventRow.message).where(
            EventRow.site_id == SITE, EventRow.stage == "push", EventRow.url == url,
            EventRow.code.in_(("attachment_missing", NOT_UPLOADED_CODE)))).all()
    found: dict[str, list[str]] = {}
    for code, message in rows:
        found.setdefault(code, []).append(message)
    return found


def test_a_fetched_file_whose_upload_failed_is_not_lost(crawled: pipeline.Workspace) -> None:
    """The crawl's copy of a fetched attachment is gone when the site is first pushed: the push records that file
    failed and goes on, says the attachment was fetched but not put (and that the next push tries again), not
    that it was not fetched; it is no lost file for the checklist or verify, whose difference offers a push. Its
    bytes back, the next push carries it and verify is clean."""
    blobs = crawled.dir / "blobs"
    with crawled.store.session() as session:
        fetched = {r.url: r.sha256 for r in session.scalars(select(Resource).where(
            Resource.site_id == SITE, Resource.kind == "attachment", Resource.status == "fetched")) if r.sha256}
    article = next(a for a in migrated_articles(crawled, SITE)
                   if any(x.get("url") in fetched for x in a.attachments or []))
    url = next(x["url"] for x in article.attachments if x.get("url") in fetched)
    blob = blobs / fetched[url][:2] / fetched[url]
    kept = crawled.dir / "kept-blob"
    shutil.move(blob, kept)
    before = missing_attachments(crawled, SITE)

    (summary,) = push_sites(crawled, [SITE], allow_untriaged=True)
    assert summary.pushed > 0
    said = _said(crawled, article.url)
    assert "attachment_missing" not in said, said
    [message] = said[NOT_UPLOADED_CODE]
    assert "the crawl fetched it but putting it in" in message and "next push tries it again" in message
    assert url in message and "not fetched" not in message
    assert missing_attachments(crawled, SITE) == before == (0, 0)
    found = _verify(crawled)
    [result] = [r for r in found.results if r.source_url == article.url]
    assert result.lost == 0 and result.status == "mismatch", result
    assert any(d.startswith("attachments: 1 of") for d in result.differences), result.differences
    assert found.resendable >= 1 and found.lost_files == 0

    shutil.move(kept, blob)
    (again,) = push_sites(crawled, [SITE], allow_untriaged=True)
    assert again.updated >= 1 and _said(crawled, article.url) == {}
    assert [r for r in _verify(crawled).results if r.status != "ok"] == []


def test_a_side_export_leaves_the_portals_messages(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An article published on the static portal with an attachment the legacy page gave no address is said lost
    (the checklist counts it); its body then emptied, a bundle push beside the portal holds it: the portal's page
    and its lost file are as they were, so the count and the message stay (a side export says nothing about the
    portal's pages, and forgets nothing)."""
    article = next(a for a in migrated_articles(crawled, SITE) if not a.attachments and "<img" not in (a.body_html or ""))
    # with a file or picture of its own an emptied body is a file page, published; which article comes first by id
    # follows the crawl's order
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == article.id).values(
            attachments=list(article.attachments or []) + [{"name": "报名表.doc", "url": ""}]))
    push_sites(crawled, [SITE], allow_untriaged=True)
    said = _said(crawled, article.url)
    assert missing_attachments(crawled, SITE) == (1, 1) and len(said["attachment_missing"]) == 1, said
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == article.id).values(body_html="", body_text=""))
    exporter = pipeline.open_exporter(crawled, "bundle", {"dir": str(tmp_path / "bundle")})
    try:
        summary = pipeline.push_site(crawled, SITE, exporter, allow_untriaged=True)
    finally:
        exporter.close()
    assert summary.unresolved.get("empty body") == 1, summary
    assert missing_attachments(crawled, SITE) == (1, 1) and _said(crawled, article.url) == said
