"""Pushing the crawled jyj site into a real WordPress Multisite: complete, faithful, idempotent, reversible.

jyj is pushed whole once for the module (jyj_pushed: read back in full, verified, then rolled back); tests of
what volume does not change (re-push, adoption, delete, a kill and resume) push variety(): one article of each
column and kind of files."""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import sys
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import delete, select

from consolidate import pipeline
from consolidate.core.config import Portal
from consolidate.core.errors import ExporterError
from consolidate.core.legacy_time import same_legacy_moment
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord, Resource
from exporters.base import ExportContext, Exporter, TargetRef, create_exporter
from tests.conftest import copy_workspace
from tests.processes import kill_series
from tests.services.wordpress import WordPressService

ENV = "CONSOLIDATE_TEST_WP_PASSWORD"
THROTTLE_PLUGIN = r"""<?php
// Test only: answer 429 (Retry-After: 1) to the first request carrying a given X-Test-Throttle token.
if (!empty($_SERVER['HTTP_X_TEST_THROTTLE'])) {
    $flag = sys_get_temp_dir() . '/wp-throttle-' . md5($_SERVER['HTTP_X_TEST_THROTTLE']);
    if (!file_exists($flag)) {
        touch($flag);
        http_response_code(429);
        header('Retry-After: 1');
        exit;
    }
}
"""


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def _exporter(ws: pipeline.Workspace, wp: WordPressService, portal: Portal | None = None, **options) -> Exporter:
    """A started WordPress exporter, every site mapped first."""
    map_all(ws)
    context = ExportContext(workspace=ws.dir, portal=portal or ws.config.portal,
                            programme_name=ws.config.programme.name)
    exporter = create_exporter("wordpress", {"url": wp.url, "user": wp.user, "app_password_env": ENV, **options},
                               context)
    exporter.start()  # authenticates: the errors of a wrong password or URL come from here
    return exporter


def map_all(ws: pipeline.Workspace) -> None:
    """Column decisions for every site that has none, as `consolidate map` makes them (a live target refuses a
    site without, consolidate/push.py)."""
    with ws.store.session() as session:
        mapped = set(session.scalars(select(ColumnMapping.site_id).distinct()))
    for site in ws.config.sites:
        if site.id not in mapped:
            pipeline.map_site(ws, site.id)


def variety(ws: pipeline.Workspace, site_id: str) -> list[str]:
    """Legacy URLs of the first article (by id) of each column and kind of files linked of a site: a push of these
    creates every kind of object a whole push of it does (posts in each category, images, attachments named by
    their address and behind a download script) at a fraction of the requests."""
    first: dict[tuple[tuple[str, ...], frozenset[str]], str] = {}
    with ws.store.session() as session:
        for article in session.scalars(select(ArticleRow).where(ArticleRow.site_id == site_id)
                                       .order_by(ArticleRow.id)):
            first.setdefault((tuple(article.column_path or []), _file_kinds(article)), article.url)
    return list(first.values())


def _file_kinds(article: ArticleRow) -> frozenset[str]:
    """What an article links: 'image', 'named' (a file name in the address), 'script' (a download script)."""
    kinds = {"image"} if article.images else set()
    for attachment in article.attachments or []:
        parts = urlsplit(attachment["url"])
        kinds.add("script" if parts.query or not PurePosixPath(parts.path).suffix else "named")
    return frozenset(kinds)


@dataclass
class PushedSite:
    """A site pushed whole into the sub-site a fresh portal path creates, in a workspace of its own."""

    ws: pipeline.Workspace
    portal: Portal
    summary: pipeline.PushSummary
    target: str

    def site_url(self, wp: WordPressService, site_id: str) -> str:
        """The URL of the site's sub-site."""
        return wp.site_url(next(s.path for s in self.portal.subsites if s.id == site_id))


@pytest.fixture(scope="module")
def jyj_pushed(crawled_template: Path, tmp_path_factory: pytest.TempPathFactory,
               wordpress: WordPressService) -> PushedSite:
    """jyj pushed whole once for the module: the tests that read it run first (file order), the one that rolls it
    back last."""
    ws = copy_workspace(crawled_template, tmp_path_factory.mktemp("jyj-pushed") / "ws")
    portal = _unique_subsite_paths(ws.config.portal)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, wordpress.password)
        exporter = _exporter(ws, wordpress, portal=portal)
        try:
            summary = pipeline.push_site(ws, "jyj", exporter)
        finally:
            exporter.close()
    return PushedSite(ws, portal, summary, exporter.target)


def _unique_subsite_paths(portal: Portal) -> Portal:
    """The portal with every sub-site at a fresh path, so this test owns its WordPress sub-sites."""
    copy = portal.model_copy(deep=True)
    suffix = uuid.uuid4().hex[:6]
    for subsite in copy.subsites:
        subsite.path = f"{subsite.path}-{suffix}"
    return copy


def _all(wp: WordPressService, site_url: str, collection: str) -> list[dict]:
    """Every object of a REST collection of a site (edit context, all statuses)."""
    params = {"per_page": 100, "context": "edit", "page": 1}
    if collection == "posts":
        params["status"] = "publish,future,draft,pending,private"
    items: list[dict] = []
    while True:
        response = httpx.get(f"{site_url}wp-json/wp/v2/{collection}", params=params, auth=(wp.user, wp.password),
                             timeout=60)
        response.raise_for_status()
        items += response.json()
        if params["page"] >= int(response.headers.get("X-WP-TotalPages", "1")):
            return items
        params["page"] += 1


def _ours(items: list[dict]) -> list[dict]:
    return [i for i in items if (i.get("meta") or {}).get("consolidate_source_key")]


def _migrated(ws: pipeline.Workspace, target: str) -> dict[str, PushRecord]:
    with ws.store.session() as session:
        return {r.source_key: r for r in session.scalars(select(PushRecord).where(
            PushRecord.target == target, PushRecord.site_id == "jyj", PushRecord.kind == "article",
            PushRecord.status.in_(pipeline.IN_TARGET)))}


def _failed_files(ws: pipeline.Workspace, target: str) -> int:
    with ws.store.session() as session:
        return len(session.scalars(select(PushRecord).where(PushRecord.target == target, PushRecord.kind == "file",
                                                            PushRecord.status == "failed")).all())


def _post_counter(exporter: Exporter) -> list[str]:
    """Record the URL of every POST the exporter sends."""
    posts: list[str] = []
    exporter.http.event_hooks["request"].append(
        lambda request: posts.append(str(request.url)) if request.method == "POST" else None)
    return posts


def test_push_jyj_into_its_subsite(jyj_pushed: PushedSite, wp: WordPressService) -> None:
    """Every migrated article is in the created sub-site once, with its date, column, metadata and files."""
    summary = jyj_pushed.summary
    assert summary.failed == 0 and summary.pushed > 0
    site_url = jyj_pushed.site_url(wp, "jyj")
    posts = _ours(_all(wp, site_url, "posts"))
    by_key = {p["meta"]["consolidate_source_key"]: p for p in posts}
    records = _migrated(jyj_pushed.ws, jyj_pushed.target)
    assert len(posts) == len(by_key) == len(records) == summary.pushed
    categories = {c["id"]: c for c in _all(wp, site_url, "categories")}
    with jyj_pushed.ws.store.session() as session:
        articles = {pipeline.article_key("jyj", a.url): a for a in session.scalars(
            select(ArticleRow).where(ArticleRow.site_id == "jyj"))}
        targets = {m.column_path: m.target for m in session.scalars(
            select(ColumnMapping).where(ColumnMapping.site_id == "jyj"))}
        sha_of = {r.url: r.sha256 for r in session.scalars(select(Resource).where(Resource.site_id == "jyj"))}
    checked_files = 0
    for key, post in by_key.items():
        article = articles[key]
        assert post["title"]["raw"] == article.title
        assert article.published, "undated articles are held, never pushed as 'now'"
        assert same_legacy_moment(f"{post['date_gmt']}+00:00", article.published), (post["date_gmt"], article.published)
        assert same_legacy_moment(post["date"], article.published), "the sub-site is in Beijing time"
        assert (post["comment_status"], post["ping_status"]) == ("closed", "closed")
        meta = post["meta"]
        assert meta["consolidate_source_url"] == article.url
        for field in ("source", "publisher", "index_no", "doc_no", "written", "topic"):
            assert meta[f"consolidate_{field}"] == (getattr(article, field) or ""), field
        expected_column = targets[" > ".join(article.column_path)]
        assert [categories[c]["meta"]["consolidate_column_id"] for c in post["categories"]] == [expected_column]
        for listed in json.loads(meta["consolidate_attachments"]):
            data = httpx.get(listed["url"], timeout=30).content
            assert hashlib.sha256(data).hexdigest() == sha_of[listed["source_url"]]
            assert listed["url"] in post["content"]["raw"]
            checked_files += 1
    assert checked_files > 0
    media = _ours(_all(wp, site_url, "media"))
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in m["title"]["raw"]) for m in media)


def test_repush_lost_map_and_delete(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """Second push sends nothing; with the push map lost, objects are adopted via find; delete removes ours only."""
    site_url = wp.new_subsite()
    auth = (wp.user, wp.password)
    theirs_category = httpx.post(f"{site_url}wp-json/wp/v2/categories", json={"name": "通知公告"}, auth=auth).json()
    theirs_post = httpx.post(f"{site_url}wp-json/wp/v2/posts", json={"title": "门户原有文章", "status": "publish"},
                             auth=auth).json()
    first = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    sample = variety(crawled, "jyj")
    summary = pipeline.push_site(crawled, "jyj", first, only=sample)
    first.close()
    assert summary.failed == 0 and summary.pushed > 0
    posts_before = _ours(_all(wp, site_url, "posts"))
    media_before = _ours(_all(wp, site_url, "media"))
    assert len(posts_before) == summary.pushed and media_before
    categories = {c["name"]: c for c in _all(wp, site_url, "categories")}
    assert categories["通知公告"]["id"] == theirs_category["id"]  # term_exists → adopted, not duplicated

    unreadable = _failed_files(crawled, first.target)
    assert unreadable == 0, "every file (named from its Content-Type when the link says nothing) is accepted"

    second = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    sent = _post_counter(second)
    again = pipeline.push_site(crawled, "jyj", second, only=sample)
    assert again.pushed == 0 and again.unchanged == summary.pushed
    assert [u for u in sent if not u.endswith("/media")] == [] and len(sent) <= unreadable
    sent.clear()

    with crawled.store.session() as session:
        session.execute(delete(PushRecord).where(PushRecord.target == second.target))
    adopted = pipeline.push_site(crawled, "jyj", second, only=sample)
    creates = [u for u in sent if u.rstrip("/").endswith(("/posts", "/media", "/categories"))]
    assert len(creates) <= unreadable and adopted.failed == 0
    assert [u for u in creates if not u.endswith("/media")] == []
    assert sorted(p["id"] for p in _ours(_all(wp, site_url, "posts"))) == sorted(p["id"] for p in posts_before)
    assert len(_ours(_all(wp, site_url, "media"))) == len(media_before)

    with crawled.store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.target == second.target,
                                                           PushRecord.target_id.is_not(None))).all()
    refused = 0
    for record in records:
        try:
            second.delete(record.source_key, TargetRef(record.target_id, record.target_url or ""))
        except ExporterError:
            refused += 1  # the adopted category is theirs: left in place
    with pytest.raises(ExporterError, match="does not carry"):
        second.delete("article:jyj:x", TargetRef(f"./post/{theirs_post['id']}", ""))
    second.close()
    assert refused == 1
    assert _ours(_all(wp, site_url, "posts")) == [] and _ours(_all(wp, site_url, "media")) == []
    assert _ours(_all(wp, site_url, "categories")) == []
    assert [p["id"] for p in _all(wp, site_url, "posts") if p["id"] == theirs_post["id"]]
    assert any(c["id"] == theirs_category["id"] for c in _all(wp, site_url, "categories"))


def test_read_returns_the_post_as_stored(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """read() gives title, date_gmt, body, portal column id and the attachments' hashes."""
    site_url = wp.new_subsite()
    exporter = _exporter(crawled, wp, url=site_url, subsite_mode="main")
    pipeline.push_site(crawled, "jyj", exporter, limit=8)
    with crawled.store.session() as session:
        record = session.scalars(select(PushRecord).where(PushRecord.target == exporter.target,
                                                          PushRecord.kind == "article",
                                                          PushRecord.status != "skipped")
                                 .order_by(PushRecord.id)).first()
        article = session.scalars(select(ArticleRow).where(ArticleRow.url == record.source_url)).one()
    snapshot = exporter.read(record.source_key, TargetRef(record.target_id, record.target_url))
    assert snapshot is not None and snapshot.title == article.title
    assert snapshot.url == record.target_url and snapshot.column_ids and snapshot.column_ids[0].startswith("jyj-")
    assert snapshot.published and same_legacy_moment(snapshot.published, article.published or "")
    assert "consolidate:attachments" not in snapshot.body_html
    exporter.delete(record.source_key, TargetRef(record.target_id, record.target_url))
    assert exporter.read(record.source_key, TargetRef(record.target_id, record.target_url)) is None
    exporter.close()


def test_throttled_requests_are_retried(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """A 429 with Retry-After is waited out and the request repeated."""
    plugin = wp.root / "wp-content" / "mu-plugins" / "test-throttle.php"
    plugin.write_text(THROTTLE_PLUGIN, encoding="utf-8")
    exporter = _exporter(crawled, wp, url=wp.new_subsite(), subsite_mode="main")
    statuses: list[int] = []
    exporter.http.event_hooks["response"].append(lambda response: statuses.append(response.status_code))
    exporter.http.headers["X-Test-Throttle"] = uuid.uuid4().hex
    assert exporter.find("article:jyj:nothing") is None
    exporter.close()
    assert statuses[:2] == [429, 200]


def test_unknown_option_lists_valid_ones(crawled: pipeline.Workspace) -> None:
    """A misspelt option is one error naming the valid options."""
    with pytest.raises(ExporterError) as info:
        _exporter(crawled, WordPressService("http://127.0.0.1:9/", "admin", "x", crawled.dir), subsite="jyj")
    assert "subsite" in info.value.message and "app_password_env" in (info.value.hint or "")
    assert "subsite_mode" in (info.value.hint or "")


def test_wrong_password_is_one_clear_error(crawled: pipeline.Workspace, wp: WordPressService,
                                           monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
                                           ) -> None:
    """Bad credentials: an ExporterError naming the variable, never the secret; the secret is in no repr."""
    good = _exporter(crawled, wp)
    assert wp.password not in repr(good) and wp.password not in repr(good.options)
    good.close()
    wrong = "wrong-" + wp.password[::-1]
    monkeypatch.setenv(ENV, wrong)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ExporterError) as info:
        _exporter(crawled, wp)
    text = f"{info.value.message} {info.value.hint}"
    assert ENV in text and wrong not in text and wp.password not in text
    assert wrong not in caplog.text
    monkeypatch.delenv(ENV)
    with pytest.raises(ExporterError, match=ENV):
        _exporter(crawled, wp)


def test_verify_clean_then_rollback_leaves_nothing_of_ours(jyj_pushed: PushedSite, wp: WordPressService) -> None:
    """`verify` (another exporter, as another run) reads every post of the whole push back equal (files by
    bytes); `rollback` then empties the sub-site of our objects. The module's last reader of jyj_pushed."""
    from consolidate.verify import rollback_site, verify_site

    ws, pushed = jyj_pushed.ws, jyj_pushed.summary
    exporter = _exporter(ws, wp, portal=jyj_pushed.portal)
    try:
        checked = verify_site(ws, "jyj", exporter)
        assert checked.ok == pushed.pushed > 0 and checked.mismatch == checked.missing == 0, \
            [r for r in checked.results if r.status != "ok"][:3]
        removed = rollback_site(ws, "jyj", exporter)
    finally:
        exporter.close()
    assert removed.articles == pushed.pushed and not removed.failed
    site_url = jyj_pushed.site_url(wp, "jyj")
    for collection in ("posts", "media", "categories"):
        assert _ours(_all(wp, site_url, collection)) == [], collection


def test_push_killed_midway_then_resumed_is_exactly_once(crawled: pipeline.Workspace, wp: WordPressService) -> None:
    """`consolidate push` into WordPress SIGKILLed at seeded points of its progress (articles recorded), then
    re-run: each article is one post."""
    import subprocess

    site_url = wp.new_subsite()
    config = crawled.loaded.path
    text = config.read_text(encoding="utf-8")
    export = text[text.index("\nexport:"):text.index("\nsites:")]
    config.write_text(text.replace(export, f"\nexport:\n  exporter: wordpress\n  options:\n    url: {site_url}\n"
                                           f"    user: {wp.user}\n    app_password_env: {ENV}\n"
                                           "    subsite_mode: main\n"), encoding="utf-8")
    map_all(crawled)
    sample = variety(crawled, "jyj")
    command = [sys.executable, "-m", "consolidate.cli", "push", "jyj", "-c", str(config), "--db", crawled.store.url,
               *(arg for url in sample for arg in ("--only", url))]
    database = Path(crawled.store.engine.url.database)
    crawled.store.engine.dispose()
    kills = kill_series(command, lambda: _articles_recorded(database), len(sample), seed=5, points=3)
    assert kills >= 2, "the push finished before most kill points: the test proves little"
    final = subprocess.run(command, capture_output=True, text=True)  # the password: `wp` put it in the environment
    assert final.returncode == 0, final.stdout + final.stderr
    posts = _ours(_all(wp, site_url, "posts"))
    keys = [p["meta"]["consolidate_source_key"] for p in posts]
    assert len(keys) == len(set(keys)), "an article was created twice"
    with crawled.store.session() as session:
        pushed = set(session.scalars(select(PushRecord.source_key).where(
            PushRecord.kind == "article", PushRecord.site_id == "jyj", PushRecord.status.in_(("pushed", "updated")))))
    assert set(keys) == pushed and len(pushed) > 1


def _articles_recorded(database: Path) -> int:
    """Progress of a running push: its article rows in the push map so far (WAL: this read never blocks it)."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as conn:
        return conn.execute("SELECT count(*) FROM push_records WHERE kind = 'article'").fetchone()[0]
