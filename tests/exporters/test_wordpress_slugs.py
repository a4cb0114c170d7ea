"""Post addresses in a real WordPress are the article's own: same title → different slugs, and the same slug on any
push (rollback and push again, another WordPress), so a redirect map written once stays right."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ColumnMapping, PushRecord
from consolidate.verify import rollback_site
from exporters.base import ExportArticle, ExportColumn, TargetRef
from exporters.wordpress import legacy_article_id, post_slug
from tests.exporters.test_wordpress import ENV, _exporter, _unique_subsite_paths, variety
from tests.services.wordpress import WordPressService

SAME_TITLE = "科室简介"


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def _article(site: str, url: str) -> ExportArticle:
    """A dated article titled 科室简介 of a legacy site."""
    return ExportArticle(
        source_key=f"article:{site}:{hashlib.sha1(url.encode()).hexdigest()[:16]}", source_url=url, site_id=site, site_name=site, subsite=None,
        column_key="column:portal:ksjj", column_id="ksjj", title=SAME_TITLE, published="2020-12-10T09:00:00",
        source=None, publisher=None, index_no=None, doc_no=None, written=None, topic=None,
        body_html=f"<p>{url}</p>", content_hash=url)


def _post(wp: WordPressService, site_url: str, ref: TargetRef) -> dict:
    """The post behind a target ref, as WordPress holds it."""
    response = httpx.get(f"{site_url}wp-json/wp/v2/posts/{ref.target_id.rsplit('/', 1)[1]}",
                         params={"context": "edit"}, auth=(wp.user, wp.password), timeout=30)
    response.raise_for_status()
    return response.json()


def _last_segment(url: str) -> str:
    """The last path segment of a post link (its slug under a %postname% permalink)."""
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])


def test_legacy_ids_and_slug_form() -> None:
    """The legacy address's number leads the slug; an address without one gets a longer hash; deterministic."""
    assert legacy_article_id("http://www.lgedu.net/contents/19128/383683.html") == "383683"
    assert legacy_article_id("http://x.gov.cn/art/2019/3/12/art_1229_5678901.html") == "5678901"
    assert legacy_article_id("http://x.gov.cn/xxgk/t20190312_123456.shtml") == "123456"
    assert legacy_article_id("http://x.gov.cn/show.asp?id=210&page=1") == "210"
    assert legacy_article_id("http://x.gov.cn/index.php?m=content&catid=9&id=210") == "210"
    assert legacy_article_id("http://x.gov.cn/news/12345/") == "12345"
    assert legacy_article_id("http://x.gov.cn/a/7c9b2e1f-5b6c-4d2e-9f00-1a2b3c4d5e6f.html") is None
    slug = post_slug("article:lgedu:ab", "http://www.lgedu.net/contents/19128/383683.html")
    assert slug == post_slug("article:lgedu:ab", "http://www.lgedu.net/contents/19128/383683.html")
    assert slug.startswith("383683-") and len(slug) == len("383683-") + 6
    assert slug != post_slug("article:other:ab", "http://other.gov.cn/contents/383683.html"), "site in the hash"
    bare = post_slug("article:s:cd", "http://x.gov.cn/news/index.html")
    assert bare.startswith("art-") and len(bare) == 14 and bare.isascii()
    letter = post_slug("letter:s:cd", "http://x.gov.cn/hdjl/xj/index.html")  # a letter's: the same scheme
    assert letter.startswith("letter-") and len(letter) == 17 and letter != bare
    assert post_slug("letter:s:cd", "http://x.gov.cn/hdjl/show.asp?id=210").startswith("210-")


def test_same_title_different_stable_slugs(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """Two 科室简介 posts get their own slugs whatever the order they are created in; deleted and created again
    (in the other order) they are at the same addresses; a post with WordPress's numbered slug moves to its
    own on update, and its old address 301s to the new one."""
    site_url = wp.new_subsite()
    exporter = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    column = ExportColumn(source_key="column:portal:ksjj", column_id="ksjj", name="科室", path=["科室"],
                          parent_key=None, subsite=None)
    articles = [_article("lgedu", f"http://www.lgedu.net/contents/1912{n}/38368{n}.html") for n in (1, 2)]
    articles.append(_article("jspn", "http://www.jspn.gov.cn/contents/19121/383681.html"))  # same id, other site
    try:
        category = exporter.put_column(column, None)
        first = [exporter.put_article(a, category, None) for a in articles]
        slugs = [_post(wp, site_url, ref)["slug"] for ref in first]
        assert slugs == [post_slug(a.source_key, a.source_url) for a in articles]
        assert len(set(slugs)) == 3 and all(_last_segment(ref.url) == s for ref, s in zip(first, slugs, strict=True))
        for article, ref in zip(articles, first, strict=True):
            exporter.delete(article.source_key, ref)
        again = [exporter.put_article(a, category, None) for a in reversed(articles)][::-1]
        assert [ref.url for ref in again] == [ref.url for ref in first]
        assert [ref.target_id for ref in again] != [ref.target_id for ref in first], "new posts, same addresses"

        old = again[0]  # as pushed before slugs: WordPress's numbered slug, the previous payload version
        httpx.post(f"{site_url}wp-json/wp/v2/posts/{old.target_id.rsplit('/', 1)[1]}", auth=(wp.user, wp.password),
                   json={"slug": f"{SAME_TITLE}-14", "meta": {"consolidate_content_hash": f"{articles[0].content_hash}/wp2"}},
                   timeout=30).raise_for_status()
        before = _post(wp, site_url, old)["link"]
        assert _last_segment(before) == f"{SAME_TITLE}-14"
        moved = exporter.put_article(articles[0], category, old)
    finally:
        exporter.close()
    assert moved.url == first[0].url and moved.target_id == old.target_id
    answer = httpx.get(before, follow_redirects=False, timeout=30)
    assert answer.status_code == 301 and answer.headers["location"] == moved.url


def test_rollback_then_push_gives_the_same_urls(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """Push jyj (one article of each column and kind of files) into its sub-site, roll back, push again: every
    article's new URL is what it was."""
    portal = _unique_subsite_paths(crawled.config.portal)
    with crawled.store.session() as session:
        mapped = session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == "jyj").limit(1))
    if not mapped:
        pipeline.map_site(crawled, "jyj")
    exporter = _exporter(crawled, wp, portal=portal)
    sample = variety(crawled, "jyj")
    try:
        first = pipeline.push_site(crawled, "jyj", exporter, only=sample)
        before = _article_urls(crawled, exporter.target)
        rollback_site(crawled, "jyj", exporter)
        second = pipeline.push_site(crawled, "jyj", exporter, only=sample)
        after = _article_urls(crawled, exporter.target)
    finally:
        exporter.close()
    assert first.failed == second.failed == 0 and first.pushed == second.pushed == len(before) > 1
    assert after == before
    assert all(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1].isascii() for url in after.values())


def _article_urls(ws: pipeline.Workspace, target: str) -> dict[str, str]:
    """Legacy URL → target URL of every article of jyj in the target."""
    with ws.store.session() as session:
        return {r.source_url: r.target_url for r in session.scalars(select(PushRecord).where(
            PushRecord.target == target, PushRecord.site_id == "jyj", PushRecord.kind == "article",
            PushRecord.status.in_(pipeline.IN_TARGET)))}
