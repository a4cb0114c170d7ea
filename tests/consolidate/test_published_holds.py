"""What would be published is judged, not what was extracted: an article whose only image the legacy site answered
404 for is held (not pushed blank), verify flags a published page that shows nothing, the message says the crawl
fetched the image and got a 404 (whatever scheme the page spelt it with), and a target address that is not a
public URL never becomes a 301."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, ColumnMapping, EventRow, PushRecord, Resource, UrlMapRow
from consolidate.holds import is_held
from consolidate.redirects import UnresolvedError, load_redirects, public_url, render
from consolidate.verify import verify_site
from exporters.base import ExportContext, TargetRef
from tests.exporters.jsonl_exporter import JsonLinesExporter, JsonLinesOptions

SITE = "jyj"


def _picture_article(ws: pipeline.Workspace) -> tuple[ArticleRow, Resource]:
    """A migrated article with a fetched image, its body made only that image (a picture-library page)."""
    pipeline.map_site(ws, SITE)
    with ws.store.session() as session:
        migrated = set(session.scalars(select(ColumnMapping.column_path).where(
            ColumnMapping.site_id == SITE, ColumnMapping.decision == "migrate")))
        images = {r.url: r for r in session.scalars(select(Resource).where(
            Resource.site_id == SITE, Resource.kind == "image", Resource.status == "fetched"))}
        article = next(a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE)
                                                  .order_by(ArticleRow.id))
                       if " > ".join(a.column_path or []) in migrated and a.title and a.images
                       and any(i in images for i in a.images))
        image = images[next(i for i in article.images if i in images)]
        session.execute(update(ArticleRow).where(ArticleRow.id == article.id).values(
            body_html=f'<p><img src="{image.url}" alt="53"></p>', body_text="", images=[image.url], attachments=[]))
        session.expunge(article)
        session.expunge(image)
    return article, image


def _push(ws: pipeline.Workspace, exporter: Any = None) -> pipeline.PushSummary:
    exporter = exporter or pipeline.open_exporter(ws)
    try:
        return pipeline.push_site(ws, SITE, exporter)
    finally:
        exporter.close()


def _record(ws: pipeline.Workspace, url: str) -> PushRecord:
    with ws.store.session() as session:
        record = session.scalar(select(PushRecord).where(PushRecord.site_id == SITE, PushRecord.source_url == url))
        session.expunge(record)
    return record


def _image_answered_404(ws: pipeline.Workspace, article: ArticleRow, image: Resource, text_html: str,
                        extra: dict[str, Any]) -> None:
    """The crawl fetched the image as http:// and got a 404; the article's body spells it https:// after text_html."""
    other_scheme = image.url.replace("http://", "https://", 1)
    with ws.store.session() as session:
        session.execute(update(Resource).where(Resource.id == image.id).values(
            status="error", http_status=404, error="HTTP 404", sha256=None))
        session.execute(update(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url == article.url).values(
            body_html=f'{text_html}<p><img src="{other_scheme}" alt="53"></p>', images=[other_scheme], **extra))


def test_a_body_whose_only_image_answered_404_is_held_and_the_message_says_so(crawled: pipeline.Workspace) -> None:
    """The image is spelt https:// in the body while the crawl fetched it as http:// and got a 404: the article
    is held (empty once the dead image is taken out), unresolved in the URL map, and the message names the 404."""
    article, image = _picture_article(crawled)
    _image_answered_404(crawled, article, image, "", {})
    dry = pipeline.push_site(crawled, SITE, pipeline.open_exporter(crawled), dry_run=True)
    assert dry.skipped.get("empty body") == 1
    summary = _push(crawled)
    record = _record(crawled, article.url)
    assert record.status == "skipped" and is_held(record.reason) and record.reason.startswith("empty body")
    assert summary.skipped.get("empty body") == 1
    row = next(r for r in load_redirects(crawled, SITE) if r.old_url == article.url)
    assert (row.status, row.new_url) == ("unresolved", None)
    assert f"the crawl fetched it and the legacy site answered HTTP 404: {image.url}" in record.reason


def test_a_dead_image_taken_out_of_a_body_with_text_is_said_as_a_404(crawled: pipeline.Workspace) -> None:
    """The article has text besides the image: published, and the message says the crawl fetched the image (as
    http://, the page spelt https://) and the legacy site answered 404, not that the crawl never fetched it; said
    once however often the site is pushed."""
    article, image = _picture_article(crawled)
    _image_answered_404(crawled, article, image, "<p>开展活动</p>", {"body_text": "开展活动"})
    _push(crawled)
    _push(crawled)  # a second push judges the body again: the message is said once, not once per push
    assert _record(crawled, article.url).status == "pushed"
    with crawled.store.session() as session:
        messages = [e.message for e in session.scalars(select(EventRow).where(
            EventRow.site_id == SITE, EventRow.stage == "push", EventRow.url == article.url))]
    said = f"image removed from the body, the crawl fetched it and the legacy site answered HTTP 404: {image.url}"
    assert messages.count(said) == 1, messages


def test_a_fetched_image_spelt_with_the_other_scheme_is_kept(crawled: pipeline.Workspace) -> None:
    """The same page with the image fetched: published, the image re-hosted (not taken out as unknown)."""
    article, image = _picture_article(crawled)
    other_scheme = image.url.replace("http://", "https://", 1)
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url == article.url).values(
            body_html=f'<p><img src="{other_scheme}" alt="53"></p>', images=[other_scheme]))
    _push(crawled)
    assert _record(crawled, article.url).status == "pushed"
    exporter = pipeline.open_exporter(crawled)
    try:
        snapshot = exporter.read(_record(crawled, article.url).source_key,
                                 TargetRef(_record(crawled, article.url).target_id or "", ""))
    finally:
        exporter.close()
    assert snapshot is not None and "<img" in snapshot.body_html and other_scheme not in snapshot.body_html


def test_verify_flags_a_published_page_that_shows_nothing(crawled: pipeline.Workspace) -> None:
    """A page in the target with an empty body and no file (pushed blank by an earlier version) is a difference,
    not 'ok', though the extracted text is empty too."""
    article, _image = _picture_article(crawled)
    _push(crawled)
    record = _record(crawled, article.url)
    exporter = pipeline.open_exporter(crawled)
    try:
        page = exporter.root / record.target_id  # type: ignore[attr-defined]
        html = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r'(<div class="body">).*?(</div>)', r"\1\2", html, count=1, flags=re.S),
                        encoding="utf-8")
        summary = verify_site(crawled, SITE, exporter)
    finally:
        exporter.close()
    result = next(r for r in summary.results if r.source_url == article.url)
    assert result.status == "mismatch"
    assert any(d.startswith("empty body without files") for d in result.differences), result.differences


@pytest.mark.parametrize(("url", "public"), [
    ("https://portal.example/a/1.html", True), ("http://portal.example/", True), ("/a/1.html", True),
    ("#article:jyj:133f", False), ("files/0a1b", False), ("//portal.example/a", False), ("", False),
    (None, False), ("javascript:alert(1)", False), ("https:///a", False)])
def test_public_url(url: str | None, public: bool) -> None:
    """Only an absolute http(s) URL or a site path can be a redirect's target."""
    assert public_url(url) is public


def test_a_target_without_public_urls_makes_no_301(crawled: pipeline.Workspace,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs' example exporter answers '#article:…' for an article: the legacy URL stays unresolved with that
    reason (not a 301 to '#…'), and a server config is refused as for any unresolved URL."""
    exporter = JsonLinesExporter(JsonLinesOptions(), ExportContext(crawled.dir, crawled.config.portal, "p"))
    monkeypatch.setattr(crawled.config.export, "exporter", JsonLinesExporter.name)  # the portal: it writes the map
    summary = _push(crawled, exporter)
    assert summary.pushed
    with crawled.store.session() as session:
        stored = list(session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == SITE)))
    assert stored and not [r for r in stored if r.status == "301" and not public_url(r.new_url)]
    redirects = load_redirects(crawled, SITE)
    assert all(public_url(r.new_url) for r in redirects if r.status == "301")
    noted = [r for r in redirects if r.status == "unresolved" and "no public URL" in (r.note or "")]
    assert len(noted) >= summary.pushed
    assert "#article:" not in "".join(r.new_url or "" for r in redirects)
    assert ",#article:" not in render(crawled, SITE, "csv")
    with pytest.raises(UnresolvedError):
        render(crawled, SITE, "nginx")


def test_a_map_written_before_keeps_no_301_to_a_non_url(crawled: pipeline.Workspace) -> None:
    """A URL map stored by an earlier version with a 301 to '#…' reads as unresolved, saying why."""
    _push(crawled)
    with crawled.store.session() as session:
        row = session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == SITE, UrlMapRow.status == "301")).first()
        row.new_url, old = "#article:jyj:133f", row.old_url
    found = next(r for r in load_redirects(crawled, SITE) if r.old_url == old)
    assert (found.status, found.new_url) == ("unresolved", None) and "no public URL" in (found.note or "")
