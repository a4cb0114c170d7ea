"""Every push judges every pushed article's body again and says what it could not carry once: links taken out
and attachments not on the portal page alike, whether the article changed or not; a dry run says nothing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, EventRow
from exporters.base import ExportContext
from tests.conftest import migrated_articles
from tests.exporters.jsonl_exporter import JsonLinesExporter, JsonLinesOptions

SITE = "jyj"


def _body_messages(ws: pipeline.Workspace, url: str) -> Counter[tuple[str, str]]:
    """(code, message) of the push's body messages about one article, with how many rows say each."""
    with ws.store.session() as session:
        return Counter((e.code, e.message) for e in session.scalars(select(EventRow).where(
            EventRow.site_id == SITE, EventRow.stage == "push", EventRow.url == url,
            EventRow.code.in_(("unresolved_link", "attachment_missing")))))


def _push(ws: pipeline.Workspace, dry_run: bool = False) -> pipeline.PushSummary:
    """One push (or dry run) of the site to the test's JSON-lines target (URLs known only once put)."""
    exporter = JsonLinesExporter(JsonLinesOptions(), ExportContext(ws.dir, ws.config.portal, "p"))
    exporter.start()
    try:
        return pipeline.push_site(ws, SITE, exporter, dry_run=dry_run, allow_untriaged=True)
    finally:
        exporter.close()


def test_a_second_push_says_the_body_messages_again_once_and_a_dry_run_touches_none(
        crawled: pipeline.Workspace) -> None:
    """An article with an address-less attachment, two links to a page never migrated and a link to an article
    later in the run: the first push says the attachment and the dead link once each (the forward link resolves
    in the second pass, unsaid); an unchanged second push says them again, once; a dry run deletes and adds
    nothing."""
    rows = migrated_articles(crawled, SITE)
    titles = Counter(row.title for row in rows)
    first = rows[0]
    last = [row for row in rows if titles[row.title] == 1][-1]  # not one of a duplicate pair: which of a pair
    # is the copy follows the crawl's order, so the last row by id was sometimes the copy push skips
    body = (first.body_html or "") + (f'<p><a href="{last.url}">相关阅读</a>'
                                      '<a href="/nowhere/never-migrated.html">旧页面</a>'
                                      '<a href="/nowhere/never-migrated.html">旧页面（再列一次）</a></p>')
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == first.id).values(
            body_html=body, attachments=list(first.attachments or []) + [{"name": "报名表.doc", "url": ""}]))
    _push(crawled)
    said = _body_messages(crawled, first.url)
    codes = Counter(code for code, _message in said.elements())
    assert codes == {"attachment_missing": 1, "unresolved_link": 1}, said
    assert any("报名表.doc" in m and "no address" in m for _c, m in said)
    assert any("never-migrated.html" in m for _c, m in said) and not any(last.url in m for _c, m in said)

    again = _push(crawled)
    assert again.pushed == again.updated == 0 and again.unchanged > 0
    assert _body_messages(crawled, first.url) == said

    with crawled.store.session() as session:
        before = sorted(session.scalars(select(EventRow.id).where(EventRow.site_id == SITE,
                                                                  EventRow.stage == "push")))
    _push(crawled, dry_run=True)
    with crawled.store.session() as session:
        after = sorted(session.scalars(select(EventRow.id).where(EventRow.site_id == SITE,
                                                                 EventRow.stage == "push")))
    assert after == before


def _static_push(ws: pipeline.Workspace, dry_run: bool = False) -> pipeline.PushSummary:
    """One push (or dry run) of the site to the configured target."""
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.push_site(ws, SITE, exporter, dry_run=dry_run)
    finally:
        exporter.close()


def test_push_counts_skipped_and_unresolved_as_the_ledger_does(crawled: pipeline.Workspace) -> None:
    """A duplicate whose original is held for review waits on that review: the ledger (status, the report) counts
    it unresolved, and so do the push's and the dry run's summaries; both agree with the ledger in all."""
    from consolidate.ledger import reconcile

    rows = migrated_articles(crawled, SITE)
    original, duplicate = rows[0], rows[1]
    with crawled.store.session() as session:  # the same article twice; the older one's date is impossible
        for row, day in ((original, "1980-01-01"), (duplicate, "2020-05-06")):
            session.execute(update(ArticleRow).where(ArticleRow.id == row.id).values(
                title=original.title, body_html=original.body_html, body_text=original.body_text,
                content_hash=original.content_hash, published=day))
    planned = _static_push(crawled, dry_run=True)
    done = _static_push(crawled)
    line = reconcile(crawled, SITE)["articles"]
    assert line["unresolved"] > 0
    for summary in (planned, done):
        split = summary.outcomes()
        assert split["unresolved"].get("duplicate") == 1, split
        assert sum(split["skipped"].values()) == line["skipped"], split
        assert sum(split["unresolved"].values()) == line["unresolved"], split
    assert sum(done.skipped.values()) == line["skipped"] + line["unresolved"]
