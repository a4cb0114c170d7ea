"""What a reader and an office see in the WordPress portal after a push: Beijing times, the 信息公开 table,
closed comments, Chinese sub-sites, undated articles held (or estimated, marked), rollback leaving no columns."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.legacy_time import display_time, legacy_instant, same_legacy_moment
from consolidate.core.store import ArticleRow, ColumnMapping, EventRow, PushRecord, Resource
from consolidate.push import planned_targets
from consolidate.verify import rollback_site, verify_site
from exporters.base import ExportArticle, create_exporter
from exporters.common import metadata_rows
from tests.exporters.test_wordpress import ENV, _all, _exporter, _ours, _unique_subsite_paths
from tests.services.chromium import Chromium
from tests.services.wordpress import WordPressService


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def _targeted(ws: pipeline.Workspace, site_id: str, exporter) -> dict[str, ArticleRow]:
    """The site's articles a push sends somewhere (its columns mapped as a push maps them), by URL."""
    with ws.store.session() as session:
        mapped = session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == site_id).limit(1))
    if not mapped:
        pipeline.map_site(ws, site_id)
    targets = planned_targets(ws, site_id, exporter)
    with ws.store.session() as session:
        return {a.url: a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == site_id))
                if a.url in targets}


def _record(ws: pipeline.Workspace, target: str, url: str) -> PushRecord:
    with ws.store.session() as session:
        return session.scalars(select(PushRecord).where(PushRecord.target == target,
                                                        PushRecord.source_url == url)).one()


def test_reader_sees_beijing_time_metadata_table_closed_comments_in_chinese(
        crawled: pipeline.Workspace, wp: WordPressService, chromium: Chromium) -> None:
    """A 信息公开 notice of fgw, in the sub-site the push creates, read in Chromium as a visitor reads it."""
    portal = _unique_subsite_paths(crawled.config.portal)
    exporter = _exporter(crawled, wp, portal=portal)
    candidates = [a for a in _targeted(crawled, "fgw", exporter).values()
                  if a.published and len(a.published) > 10 and a.index_no]
    assert candidates, "the fleet's fgw has timed 信息公开 articles"
    article = max(candidates, key=lambda a: a.published[11:])  # the latest hour: the one UTC would move a day
    try:
        summary = pipeline.push_site(crawled, "fgw", exporter, only=[article.url])
    finally:
        exporter.close()
    assert summary.pushed == 1 and summary.failed == 0
    record = _record(crawled, exporter.target, article.url)
    moment = legacy_instant(article.published)
    assert f"/{moment:%Y/%m/%d}/" in record.target_url, record.target_url

    page = LexborHTMLParser(chromium.render(record.target_url).dom)
    assert page.css_first("html").attributes.get("lang") == "zh-CN"
    shown = page.css_first("time.entry-date")
    assert shown.attributes["datetime"] == moment.isoformat(), "the local time shown is the legacy time"
    assert shown.text(strip=True) == f"{moment.year}年{moment.month}月{moment.day}日"
    table = page.css_first(".entry-content table.consolidate-metadata")
    assert table is not None, "the 信息公开 table is in the post body"
    first = next(node for node in page.css_first(".entry-content").iter() if node.tag != "-text")
    assert first.tag == "table", "the table opens the post"
    cells = [cell.text(strip=True) for cell in table.css("th, td")]
    assert cells[cells.index("索引号") + 1] == article.index_no
    assert cells[cells.index("发布日期") + 1] == display_time(article.published) == f"{moment:%Y-%m-%d %H:%M}"
    assert page.css_first("#respond") is None and page.css_first("form.comment-form") is None

    post_id = int(record.target_id.rsplit("/", 1)[1])
    site_url = wp.site_url(next(s.path for s in portal.subsites if s.id == "fgw"))
    post = httpx.get(f"{site_url}wp-json/wp/v2/posts/{post_id}", params={"context": "edit"},
                     auth=(wp.user, wp.password), timeout=30).json()
    assert (post["comment_status"], post["ping_status"]) == ("closed", "closed")
    assert post["meta"]["consolidate_index_no"] == article.index_no, "the post meta is kept for templates"
    refused = httpx.post(f"{site_url}wp-comments-post.php", timeout=30, data={
        "comment_post_ID": post_id, "comment": "测试评论", "author": "访客", "email": "visitor@example.test"})
    assert refused.status_code == 403 and "评论已关闭" in refused.text

    # Debian's wordpress-l10n is WordPress 4.5's Chinese: strings added since (the archive title's 'Category:'
    # prefix, the theme's own labels) stay English here, and are Chinese where the portal has current packs.
    category = httpx.get(f"{site_url}wp-json/wp/v2/categories/{post['categories'][0]}", timeout=30).json()
    archive = LexborHTMLParser(chromium.render(category["link"]).dom)
    assert archive.css_first("html").attributes.get("lang") == "zh-CN"
    assert article.title in archive.css_first("main").text(), "the category lists the notice"


def test_verify_fails_a_post_shifted_by_eight_hours(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """verify compares instants: a post whose date_gmt holds the Beijing wall time (the old 8-hour bug) fails;
    the next push after an upgrade rewrites such a post without being asked (--update)."""
    site_url = wp.new_subsite()
    exporter = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    chosen = [a for a in _targeted(crawled, "fgw", exporter).values() if a.published and len(a.published) > 10][:3]
    try:
        pipeline.push_site(crawled, "fgw", exporter, only=[a.url for a in chosen])
        assert verify_site(crawled, "fgw", exporter).ok == 3
        record = _record(crawled, exporter.target, chosen[0].url)
        shifted = legacy_instant(chosen[0].published).strftime("%Y-%m-%dT%H:%M:%S")
        post_id = record.target_id.rsplit("/", 1)[1]
        httpx.post(f"{site_url}wp-json/wp/v2/posts/{post_id}", json={"date_gmt": shifted},
                   auth=(wp.user, wp.password), timeout=30).raise_for_status()
        checked = verify_site(crawled, "fgw", exporter)
        assert checked.ok == 2 and checked.mismatch == 1
        bad = next(r for r in checked.results if r.status == "mismatch")
        assert bad.source_url == chosen[0].url and bad.differences[0].startswith("date:")

        # The post as an older version left it (its payload form and push hash): the next plain push rewrites it.
        httpx.post(f"{site_url}wp-json/wp/v2/posts/{post_id}", auth=(wp.user, wp.password), timeout=30,
                   json={"meta": {"consolidate_content_hash": "older form"}}).raise_for_status()
        with crawled.store.session() as session:
            session.get(PushRecord, record.id).content_hash = "older version's hash"
        again = pipeline.push_site(crawled, "fgw", exporter, only=[a.url for a in chosen])
        assert again.updated == 1 and again.unchanged == 2
        assert verify_site(crawled, "fgw", exporter).ok == 3
    finally:
        exporter.close()


def test_undated_article_is_held_then_pushed_with_a_marked_estimate(crawled: pipeline.Workspace,
                                                                    wp: WordPressService) -> None:
    """Default: held for review (skip + event). `undated: estimate`: the list-page date, marked as estimated;
    an article with no evidence (its Last-Modified is the fetch time) stays held."""
    site_url = wp.new_subsite()
    held = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    with crawled.store.session() as session:
        hints = {r.url: r for r in session.scalars(select(Resource).where(Resource.site_id == "sfj"))}
    dated = [a for a in _targeted(crawled, "sfj", held).values()
             if (hints[a.url].hint or {}).get("date") and a.published]
    listed, bare = dated[0], dated[1]
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.url.in_([listed.url, bare.url]))
                        .values(published=None))
        fetched = session.scalars(select(Resource).where(Resource.url == bare.url)).one()
        fetched.hint = {k: v for k, v in fetched.hint.items() if k != "date"}
        fetched.last_modified = (fetched.fetched_at or dt.datetime(2026, 1, 1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    try:
        first = pipeline.push_site(crawled, "sfj", held, only=[listed.url, bare.url])
        again = pipeline.push_site(crawled, "sfj", held, only=[listed.url, bare.url])
    finally:
        held.close()
    assert again.skipped["undated"] == 2
    assert first.pushed == 0 and first.skipped["undated"] == 2
    assert _record(crawled, held.target, listed.url).reason == "undated: held for review"
    with crawled.store.session() as session:
        events = session.scalars(select(EventRow).where(EventRow.code == "undated_held",
                                                        EventRow.url == listed.url)).all()
    assert len(events) == 1 and "held for review" in events[0].message, "said once, not at every push"
    assert _ours(_all(wp, site_url, "posts")) == []

    estimating = _exporter(crawled, wp, url=site_url, subsite_mode="main", undated="estimate")
    try:
        second = pipeline.push_site(crawled, "sfj", estimating, only=[listed.url, bare.url])
    finally:
        estimating.close()
    assert second.pushed == 1 and second.skipped["undated"] == 1
    assert _record(crawled, held.target, bare.url).reason == "undated: held for review (no date evidence recorded)"
    [post] = _ours(_all(wp, site_url, "posts"))
    assert post["meta"]["consolidate_source_url"] == listed.url
    assert post["meta"]["consolidate_date_estimated"] == "list page"
    assert same_legacy_moment(f"{post['date_gmt']}+00:00", hints[listed.url].hint["date"])
    assert "发布日期" in post["content"]["raw"] and "估计" in post["content"]["raw"], "the reader is told too"


def test_rollback_removes_the_sites_own_categories_while_another_site_stays(crawled: pipeline.Workspace,
                                                                           wp: WordPressService) -> None:
    """Rolling back jyj removes every category its push created on its sub-site, though fgw's posts remain."""
    portal = _unique_subsite_paths(crawled.config.portal)
    exporter = _exporter(crawled, wp, portal=portal)
    try:
        jyj = list(_targeted(crawled, "jyj", exporter))[:6]
        fgw = list(_targeted(crawled, "fgw", exporter))[:3]
        assert pipeline.push_site(crawled, "jyj", exporter, only=jyj).pushed == len(jyj)
        assert pipeline.push_site(crawled, "fgw", exporter, only=fgw).pushed == len(fgw)
        removed = rollback_site(crawled, "jyj", exporter)
    finally:
        exporter.close()
    with crawled.store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.target == exporter.target)).all()
    jyj_columns = [r for r in records if r.site_id == "jyj" and r.kind == "column"]
    assert not removed.failed and removed.kept_shared == 0 and removed.columns == len(jyj_columns) > 0
    assert {r.status for r in jyj_columns} == {"rolled_back"}
    path = {s.id: s.path for s in portal.subsites}
    assert _ours(_all(wp, wp.site_url(path["jyj"]), "categories")) == []
    fgw_objects = [r for r in records if r.site_id == "fgw" and r.kind in ("column", "article")]
    assert len(fgw_objects) > len(fgw) and {r.status for r in fgw_objects} == {"pushed"}
    for record in fgw_objects:  # fgw's posts and the categories they sit in are all still served
        assert httpx.get(record.target_url, timeout=30).status_code == 200, record.target_url


def test_sub_site_created_in_chinese_and_the_portal_zone(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """A sub-site the push creates has WPLANG zh_CN, the option's time zone and Chinese date formats."""
    portal = _unique_subsite_paths(crawled.config.portal)
    exporter = _exporter(crawled, wp, portal=portal, timezone="Asia/Urumqi")
    try:
        pipeline.push_site(crawled, "jyj", exporter, only=list(_targeted(crawled, "jyj", exporter))[:1])
    finally:
        exporter.close()
    site_url = wp.site_url(next(s.path for s in portal.subsites if s.id == "jyj"))
    settings = httpx.get(f"{site_url}wp-json/wp/v2/settings", auth=(wp.user, wp.password), timeout=30).json()
    assert settings["timezone"] == "Asia/Urumqi"
    assert settings["date_format"] == "Y年n月j日"
    home = httpx.get(site_url, timeout=30).text
    assert 'lang="zh-CN"' in home


def test_post_dates_are_instants_in_the_site_zone(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """A portal set to UTC still gets the Beijing instant: date carries the site's offset, date_gmt is UTC."""
    site_url = wp.new_subsite()
    httpx.post(f"{site_url}wp-json/wp/v2/settings", json={"timezone": "UTC"}, auth=(wp.user, wp.password),
               timeout=30).raise_for_status()
    exporter = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    chosen = [a for a in _targeted(crawled, "fgw", exporter).values() if a.published and len(a.published) > 10][:1]
    try:
        pipeline.push_site(crawled, "fgw", exporter, only=[chosen[0].url])
    finally:
        exporter.close()
    [post] = _ours(_all(wp, site_url, "posts"))
    moment = legacy_instant(chosen[0].published)
    assert post["date"] == moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert post["date_gmt"] == post["date"]


def test_metadata_rows_and_options_without_a_portal(crawled: pipeline.Workspace) -> None:
    """The table's rows (two or more fields, the date as a reader reads it, estimates said so); bad zones refused."""
    article = ExportArticle(
        source_key="article:x:1", source_url="http://x/1", site_id="x", site_name="X", subsite=None,
        column_key="column:portal:a", column_id="a", title="T", published="2026-08-02T13:09:00", source=None,
        publisher="某局", index_no="001/2026-1", doc_no=None, written=None, topic=None, body_html="<p>b</p>",
        content_hash="h", date_estimated="list page")
    rows = dict(metadata_rows(article))
    assert rows["发布日期"].startswith("2026-08-02 13:09") and "估计" in rows["发布日期"]
    assert list(rows) == ["索引号", "发布机构", "发布日期"]
    article.index_no = article.publisher = None
    assert [label for label, _ in metadata_rows(article)] == ["发布日期"], "an estimate is always shown"
    article.date_estimated = None
    assert metadata_rows(article) == [], "a date alone is no 信息公开 table"
    from consolidate.core.errors import ExporterError
    from exporters.base import ExportContext

    context = ExportContext(workspace=crawled.dir, portal=crawled.config.portal, programme_name="p")
    with pytest.raises(ExporterError, match="Mars/Olympus"):
        create_exporter("wordpress", {"url": "http://127.0.0.1:9/", "user": "a", "app_password_env": ENV,
                                      "timezone": "Mars/Olympus"}, context)
    assert display_time("2026-08-02") == "2026-08-02" and display_time("2026-08-02T07:05:09") == "2026-08-02 07:05"


def test_static_preview_shows_reader_times_and_a_chinese_banner(crawled: pipeline.Workspace) -> None:
    """The preview prints '2026-08-02 13:09' (no seconds, no T) and its banner has no English."""
    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.push_site(crawled, "fgw", exporter)
    finally:
        exporter.close()
    with crawled.store.session() as session:
        timed = {a.url: a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == "fgw"))
                 if a.published and len(a.published) > 10}
        record = next(r for r in session.scalars(select(PushRecord).where(PushRecord.kind == "article",
                                                                          PushRecord.status == "pushed"))
                      if r.source_url in timed)
    article = timed[record.source_url]
    page = LexborHTMLParser((crawled.dir / "preview" / record.target_id).read_text(encoding="utf-8"))
    assert page.css_first("time").text() == display_time(article.published)
    assert "T" not in page.css_first("time").text()
    banner = page.css_first(".banner").text()
    assert not any("a" <= ch.lower() <= "z" for ch in banner.replace("consolidate", "")), banner
