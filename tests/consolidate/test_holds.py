"""Records that look wrong on their face are held by push (never published, never 410), verify's suspects reach
the report and the checklist, and every count the status and the report show comes from one reconciliation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.checklist import site_checklist
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord, Resource
from consolidate.ledger import reconcile, site_ledger
from consolidate.messages import site_messages
from consolidate.redirects import load_redirects
from consolidate.report import fleet_report, site_figures
from consolidate.report_formats import fleet_section, site_sections, summary_section
from consolidate.verify import verify_site
from tests.conftest import migrated_articles

SITE = "jyj"


def _push(ws: pipeline.Workspace, site_id: str = SITE) -> pipeline.PushSummary:
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.push_site(ws, site_id, exporter)
    finally:
        exporter.close()


def _verify(ws: pipeline.Workspace, site_id: str = SITE) -> Any:
    exporter = pipeline.open_exporter(ws)
    try:
        return verify_site(ws, site_id, exporter)
    finally:
        exporter.close()


def _migrated_articles(ws: pipeline.Workspace, site_id: str = SITE) -> list[ArticleRow]:
    """Articles of columns the site's mapping migrates, with images first."""
    return sorted(migrated_articles(ws, site_id), key=lambda a: not a.images)


def _set(ws: pipeline.Workspace, url: str, **values: Any) -> None:
    with ws.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.site_id == SITE, ArticleRow.url == url).values(**values))


def _statuses(ws: pipeline.Workspace) -> dict[str, PushRecord]:
    with ws.store.session() as session:
        rows = list(session.scalars(select(PushRecord).where(PushRecord.site_id == SITE,
                                                             PushRecord.kind == "article")))
        for row in rows:
            session.expunge(row)
    return {r.source_url: r for r in rows}


def test_push_holds_empty_bodies_site_name_titles_and_impossible_dates(crawled: pipeline.Workspace) -> None:
    """Held, not published; unresolved in the ledger and the URL map (never 410), their images too; one message
    each; the checklist's content step is blocked with the count."""
    articles = _migrated_articles(crawled)
    titled, empty, future, old = articles[0], articles[1], articles[2], articles[3]
    assert titled.images, "the fleet has an article with images in a migrated column"
    _set(crawled, titled.url, title=crawled.site(SITE).name)
    _set(crawled, empty.url, body_html="", body_text="", images=[], attachments=[])
    _set(crawled, future.url, published="2999-01-01")
    _set(crawled, old.url, published="1970-01-01 08:00")
    summary = _push(crawled)
    held = {titled.url, empty.url, future.url, old.url}
    records = _statuses(crawled)
    assert all(records[u].status == "skipped" and "held for review" in records[u].reason for u in held)
    assert "正文为空，待人工核对" in records[empty.url].reason
    assert sum(summary.skipped.values()) >= 4
    entries = {e.url: e for e in site_ledger(crawled, SITE)}
    assert {entries[u].disposition for u in held} == {"unresolved"}
    line = reconcile(crawled, SITE)["articles"]
    assert line["held"] == 4 and line["unresolved"] >= 4
    redirects = {r.old_url: r for r in load_redirects(crawled, SITE)}
    assert {redirects[u].status for u in held} == {"unresolved"}
    images = {r.url: r for r in _files(crawled)}
    for image in titled.images:
        if image in images and image in redirects:
            assert redirects[image].status != "410", image
    codes = [m for m in site_messages(crawled, SITE) if m["code"] == "held_for_review"]
    assert {m["url"] for m in codes} == held
    step = next(s for s in site_checklist(crawled, SITE)["steps"] if s["step"] == "content_migrated")
    assert step["status"] == "blocked"
    assert any(b.startswith("4 articles held for review") for b in step["blocked_by"])
    line = site_figures(crawled, SITE).reconciliation
    unresolved = [b for b in step["blocked_by"] if " articles unresolved" in b]
    assert len(unresolved) == (1 if line.unresolved > line.held else 0), step["blocked_by"]
    for text in unresolved:  # its parts add up to its count
        count, reasons = int(text.split(" ", 1)[0]), text.split(" (", 1)[1].split(")", 1)[0].split("; ")[0]
        assert count == line.unresolved == sum(int(part.split(" ", 1)[0]) for part in reasons.split(", ")), text

    _push(crawled)  # said once, not at every push
    assert len([m for m in site_messages(crawled, SITE) if m["code"] == "held_for_review"]) == 4


def test_the_unresolved_reasons_add_up_and_name_the_held() -> None:
    """The blocker's parts, commonest first, sum to its count; the held ones are pointed at the line above."""
    from consolidate.checklist import _reasons

    text = _reasons({"column not mapped": 9, "empty body": 14, "personal data undecided": 8}, held=14)
    assert text == " (14 empty body, 9 column not mapped, 8 personal data undecided; 14 of them held for review, " \
                   "as the line above says)"
    assert _reasons({}, held=3) == "" and _reasons({"column not mapped": 2}) == " (2 column not mapped)"


def _files(ws: pipeline.Workspace) -> list[Resource]:
    with ws.store.session() as session:
        rows = list(session.scalars(select(Resource).where(Resource.site_id == SITE,
                                                           Resource.kind.in_(("image", "attachment")))))
        for row in rows:
            session.expunge(row)
    return rows


def test_a_published_article_whose_body_is_lost_is_taken_back(crawled: pipeline.Workspace) -> None:
    """A re-extraction that loses the body holds the article and removes it from the portal."""
    article = _migrated_articles(crawled)[-1]
    _push(crawled)
    assert _statuses(crawled)[article.url].status == "pushed"
    _set(crawled, article.url, body_html="<p> </p>", body_text="", images=[], attachments=[])
    summary = _push(crawled)
    record = _statuses(crawled)[article.url]
    assert record.status == "skipped" and "removed from the portal" in record.reason
    assert summary.removed == 1
    _push(crawled)  # still held: said once, although the first reason also told of the removal
    assert len([m for m in site_messages(crawled, SITE)
                if m["code"] == "held_for_review" and m["url"] == article.url]) == 1


def test_a_date_of_the_sites_own_today_or_tomorrow_is_not_held() -> None:
    """The sites' calendar is Beijing's: an article dated today there (tomorrow by the server's UTC clock) is
    not in the future; two days ahead is."""
    import datetime as dt
    from types import SimpleNamespace

    from consolidate.core.legacy_time import LEGACY_ZONE
    from consolidate.holds import hold_reason

    today = dt.datetime.now(LEGACY_ZONE).date()

    def article(day: dt.date) -> SimpleNamespace:
        return SimpleNamespace(title="通知", published=f"{day.isoformat()} 09:00", body_text="正文", body_html="<p>正文</p>",
                               images=[], attachments=[])

    assert hold_reason(article(today), ["某局"]) is None
    assert hold_reason(article(today + dt.timedelta(days=1)), ["某局"]) is None
    assert "date in the future" in (hold_reason(article(today + dt.timedelta(days=2)), ["某局"]) or "")
    assert hold_reason(SimpleNamespace(title="图片", published=None, body_text="", images=[], attachments=[],
                                       body_html='<p><video src="a.mp4"></video></p>'), ["某局"]) is None


def test_verify_suspects_reach_the_report_and_block_the_checklist(crawled: pipeline.Workspace,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Records published before push held such records (here: holds switched off) are flagged by verify; the
    report's 迁移核验 lists them and the content step stays blocked with their count."""
    article = _migrated_articles(crawled)[0]
    _set(crawled, article.url, title=crawled.site(SITE).name)
    monkeypatch.setattr("consolidate.push.hold_reason", lambda *a, **k: None)
    _push(crawled)
    found = _verify(crawled)
    assert [u for u, _ in found.suspect] == [article.url]
    figures = site_figures(crawled, SITE)
    assert figures["verification"]["suspect"] == {"title is the site's name": 1}
    report = fleet_report(crawled, [SITE])
    rows = next(s for s in site_sections(report, "en") if s.key == "verification").rows
    assert [SITE, "suspect", "title is the site's name", 1] in rows
    rows = next(s for s in site_sections(report, "zh") if s.key == "verification").rows
    assert [SITE, "存疑记录", "标题与网站名称相同", 1] in rows
    step = next(s for s in site_checklist(crawled, SITE)["steps"] if s["step"] == "content_migrated")
    assert step["status"] == "blocked" and any(b.startswith("1 problem verify found") for b in step["blocked_by"])


def test_every_count_comes_from_the_reconciliation(crawled: pipeline.Workspace) -> None:
    """跳过 never holds unresolved; 抓取页面 is fetched HTML pages in the headline and per site; the push table's
    columns equal status's; files the old server could not serve are their own line, not failures."""
    pipeline.map_site(crawled, SITE)
    with crawled.store.session() as session:  # one column undecided: its articles are unresolved, not skipped
        path = next(p for p in session.scalars(select(ColumnMapping.column_path).where(
            ColumnMapping.site_id == SITE, ColumnMapping.decision == "migrate")))
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == SITE, ColumnMapping.column_path == path)
                        .values(decision="unmapped", target=None))
        image = session.scalar(select(Resource).where(Resource.site_id == SITE, Resource.kind == "image"))
        image.status, image.http_status = "error", 404
    summary = _push(crawled)
    report = fleet_report(crawled, [SITE])
    figures = report["sites"][0]
    line = figures["reconciliation"]
    assert line["unresolved"] > 0
    assert figures["push"]["skipped"] == line["skipped"] and figures["push"]["in_target"] == line["pushed"]
    assert figures["push"]["columns"] == summary.columns
    verification = figures["verification"]  # 迁移核验: the same article and column counts
    assert verification["article"].get("skipped", 0) == line["skipped"]
    assert verification["article"]["unresolved"] == line["unresolved"]
    assert verification["column"] == {"pushed": summary.columns}
    fleet = fleet_section(report, "zh")
    row = dict(zip(fleet.headers, fleet.rows[0], strict=True))
    assert row["跳过"] == line["skipped"] and row["未定"] == line["unresolved"]
    assert row["抓取页面"] == line["pages"]["fetched"] == report["totals"]["fetched"]
    summary_rows = dict(summary_section(report, "zh").rows)
    assert summary_rows["跳过"] == line["skipped"] and summary_rows["抓取页面"] == line["pages"]["fetched"]
    assert figures["ledger"]["unfetchable"] >= 1 and figures["ledger"]["failed"] == line["failed"] == 0
    assert report["retention"]["in_scope"] == len(crawled.config.sites)  # 保留比例 is the fleet's


def test_push_says_what_it_removed_and_points_the_old_home_at_the_new_one(crawled: pipeline.Workspace) -> None:
    """An image that could not be re-hosted is called an image (not 'a page'); an attachment with no address is
    said; a link to the old home's /index.html leads to the site's new home (its sub-site's home page), and so
    does its redirect."""
    from consolidate.core.store import url_hash
    from consolidate.redirects import load_redirects
    from crawlers.urls import canonical_url
    from exporters.base import TargetRef

    article = _migrated_articles(crawled)[-1]
    home = canonical_url(crawled.site(SITE).home_url)
    assert home is not None and home.endswith("/")
    body = (article.body_html or "") + f'<p><img src="/nowhere/lost-picture.jpg"><a href="{home}index.html">首页</a></p>'
    _set(crawled, article.url, body_html=body,
         attachments=list(article.attachments or []) + [{"name": "报名表.doc", "url": ""}])
    path = list(article.column_path or [])
    with crawled.store.session() as session:  # the legacy home's /index.html, read as a list page of a column
        session.add(Resource(site_id=SITE, url=f"{home}index.html", url_hash=url_hash(f"{home}index.html"),
                             kind="list", status="fetched", hint={"column": path}))
    _push(crawled)
    messages = [m["message"] for m in site_messages(crawled, SITE) if m["url"] == article.url]
    assert any(m.startswith("image removed from the body") and "lost-picture.jpg" in m for m in messages)
    assert not any("page that was not migrated" in m and "lost-picture" in m for m in messages)
    assert any("报名表.doc" in m and "no address" in m for m in messages)
    record = _statuses(crawled)[article.url]
    exporter = pipeline.open_exporter(crawled)
    try:
        snapshot = exporter.read(record.source_key, TargetRef(record.target_id or "", record.target_url or ""))
    finally:
        exporter.close()
    assert snapshot is not None and "首页" in snapshot.body_html
    new_home = f"{crawled.config.portal.base_url}{crawled.site(SITE).target.subsite}/index.html"
    assert f'href="{new_home}"' in snapshot.body_html
    redirects = {r.old_url: r for r in load_redirects(crawled, SITE)}
    assert redirects[f"{home}index.html"].new_url == redirects[home].new_url == new_home


def test_images_of_a_page_whose_extraction_lost_them_are_never_archived(crawled: pipeline.Workspace) -> None:
    """A picture page extracted as empty (its <img> lost) is held; the images its archived page shows stay
    unresolved in the URL map even when the crawl first found them on a page that is redirected (the home)."""
    from crawlers.urls import canonical_url

    article = _migrated_articles(crawled)[0]
    images = [canonical_url(u, article.url) for u in article.images]
    home = canonical_url(crawled.site(SITE).home_url)
    assert images and home
    _set(crawled, article.url, body_html="", body_text="", images=[], attachments=[])
    with crawled.store.session() as session:  # first seen on the home page, which a push redirects
        session.execute(update(Resource).where(Resource.site_id == SITE, Resource.url.in_(images))
                        .values(referrer=home))
    _push(crawled)
    redirects = {r.old_url: r for r in load_redirects(crawled, SITE)}
    assert redirects[home].status == "301"
    assert {redirects[u].status for u in images if u in redirects} == {"unresolved"}
