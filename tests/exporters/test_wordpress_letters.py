"""Interaction records pushed into a real WordPress Multisite: posts of the mu-plugin's type consolidate_letter in
the site's sub-site, their fields as REST meta, the Q&A layout masked, idempotent by the legacy URL (also when the
local push map is lost), and their old pages migrated in the ledger."""

from __future__ import annotations

import uuid
from datetime import UTC

import httpx
import pytest
from sqlalchemy import delete, update

from consolidate import interaction as stage
from consolidate import letters_push, pipeline
from consolidate.core.legacy_time import legacy_instant
from consolidate.core.store import PushRecord
from consolidate.ledger import site_ledger
from consolidate.verify import rollback_site
from exporters.wordpress import PAYLOAD_VERSION, post_slug
from tests.consolidate.test_interaction import mailbox_fleet, ws  # noqa: F401 - the crawled mailbox fleet
from tests.exporters.test_wordpress import map_all
from tests.exporters.test_wordpress_slugs import _last_segment
from tests.services.wordpress import WordPressService

ENV = "CONSOLIDATE_TEST_WP_PASSWORD"


@pytest.fixture
def wp(wordpress: WordPressService, monkeypatch: pytest.MonkeyPatch) -> WordPressService:
    """The WordPress service with its Application Password in the environment variable the tests name."""
    monkeypatch.setenv(ENV, wordpress.password)
    return wordpress


def _letters(wp: WordPressService, site_url: str) -> list[dict]:
    """Every consolidate_letter post of a site (edit context, all statuses)."""
    response = httpx.get(f"{site_url}wp-json/wp/v2/consolidate_letters", auth=(wp.user, wp.password), timeout=60,
                         params={"per_page": 100, "context": "edit", "status": "publish,draft,private"})
    response.raise_for_status()
    return response.json()


def _push(workspace: pipeline.Workspace, wp: WordPressService) -> pipeline.PushSummary:
    """One push of jyj into the WordPress network (sub-site mode), its columns mapped first."""
    map_all(workspace)
    exporter = pipeline.open_exporter(workspace, "wordpress", {"url": wp.url, "user": wp.user,
                                                               "app_password_env": ENV})
    try:
        return pipeline.push_site(workspace, "jyj", exporter)
    finally:
        exporter.close()


def test_letters_become_consolidate_letter_posts_with_their_fields(ws, mailbox_fleet, wp):  # noqa: F811
    """Each record of jyj is one consolidate_letter post in jyj's sub-site: meta kind, received, replied,
    reply_unit, status and the legacy URL; the body the masked Q&A layout; dated by its date received. A second
    push writes nothing; with the local map lost the posts are found again by key, never duplicated; a rollback
    removes them."""
    subsite = next(s for s in ws.config.portal.subsites if s.id == "jyj")
    original, subsite.path = subsite.path, f"jyj-{uuid.uuid4().hex[:6]}"
    try:
        summary = _push(ws, wp)
        rows = {row.url: row for row in stage.stored_records(ws, "jyj")}
        assert summary.letters["pushed"] == len(rows) == 10 and summary.letters["failed"] == 0
        posts = _letters(wp, wp.site_url(subsite.path))
        by_url = {p["meta"]["consolidate_source_url"]: p for p in posts}
        assert sorted(by_url) == sorted(rows) and len(posts) == len(rows)
        for url, post in by_url.items():
            row, meta = rows[url], post["meta"]
            assert meta["consolidate_source_key"] == letters_push.letter_key("jyj", url)
            assert (meta["consolidate_letter_kind"], meta["consolidate_letter_status"]) == (row.kind, row.status)
            assert meta["consolidate_letter_received"] == (row.received or "")
            assert meta["consolidate_letter_replied"] == (row.replied or "")
            assert meta["consolidate_letter_reply_unit"] == (row.reply_unit or "")
            if row.received:
                assert post["date_gmt"] == legacy_instant(row.received).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        everything = " ".join(p["content"]["raw"] + p["title"]["raw"] for p in posts)
        for letter in mailbox_fleet.site("jyj").letters:
            assert letter.writer not in everything and letter.phone not in everything
        answered = next(x for x in mailbox_fleet.site("jyj").letters if x.reply and x.path)
        post = next(p for p in posts if p["title"]["raw"] == answered.subject)
        assert "问</h2>" in post["content"]["raw"] and answered.reply[:12] in post["content"]["raw"]
        assert post["type"] == "consolidate_letter" and post["status"] == "publish"
        page = httpx.get(post["link"], timeout=60, follow_redirects=True)  # the reader's page under /hudong/
        assert page.status_code == 200 and answered.subject in page.text and "答" in page.text

        again = _push(ws, wp)
        assert again.letters["unchanged"] == len(rows) and again.letters["pushed"] == 0

        with ws.store.session() as session:
            session.execute(delete(PushRecord).where(PushRecord.site_id == "jyj", PushRecord.kind == "letter"))
        adopted = _push(ws, wp)
        assert adopted.letters["pushed"] == len(rows)  # found by key in WordPress, adopted, not created
        assert len(_letters(wp, wp.site_url(subsite.path))) == len(rows)

        entries = {e.url: e for e in site_ledger(ws, "jyj", adopted.target)}
        for url in letters_push.letter_pages(ws, "jyj"):
            assert entries[url].disposition == "migrated" and entries[url].new_url == by_url[url]["link"]

        exporter = pipeline.open_exporter(ws, "wordpress", {"url": wp.url, "user": wp.user, "app_password_env": ENV})
        try:
            removed = rollback_site(ws, "jyj", exporter)
        finally:
            exporter.close()
        assert removed.letters == len(rows) and not removed.failed
        assert _letters(wp, wp.site_url(subsite.path)) == []
        entries = {e.url: e for e in site_ledger(ws, "jyj", adopted.target)}
        assert {entries[url].disposition for url in letters_push.letter_pages(ws, "jyj")} == {"unresolved"}
    finally:
        subsite.path = original


def test_a_portal_with_an_older_plugin_fails_each_letter_clearly(ws, wp):  # noqa: F811
    """A portal whose mu-plugin predates the consolidate_letter type: each letter is a failure naming the plugin
    to update (recorded, never dropped), and nothing is written."""
    exporter = pipeline.open_exporter(ws, "wordpress", {"url": wp.url, "user": wp.user, "app_password_env": ENV,
                                                        "subsite_mode": "main"})
    try:
        exporter._info["version"] = 2  # what an older plugin's /consolidate/v1/info says
        summary = letters_push.push_letters(ws, "sfj", exporter)
    finally:
        exporter.close()
    records = letters_push.letter_records(ws, "sfj", exporter.target)
    assert summary.failed == summary.records == len(records) > 0
    assert all(r.status == "failed" and "older than version 3" in (r.reason or "") for r in records.values())


def _rollback(workspace: pipeline.Workspace, wp: WordPressService) -> None:
    """Roll jyj back out of the WordPress network (its articles and letters)."""
    exporter = pipeline.open_exporter(workspace, "wordpress", {"url": wp.url, "user": wp.user,
                                                               "app_password_env": ENV})
    try:
        assert not rollback_site(workspace, "jyj", exporter).failed
    finally:
        exporter.close()


def test_letters_get_stable_slugs_and_those_pushed_before_move_once(ws, wp):  # noqa: F811
    """Each letter's slug is its own, as a post's (legacy number + hash of its key), so a rollback and a push again
    give every letter the address it had; a letter pushed before slugs (WordPress's title slug, its hash without
    the payload version) moves to its slug on the next push, once, and its old address 301s to the new one."""
    subsite = next(s for s in ws.config.portal.subsites if s.id == "jyj")
    original, subsite.path = subsite.path, f"jyj-{uuid.uuid4().hex[:6]}"
    try:
        first = _push(ws, wp)
        posts = {p["meta"]["consolidate_source_url"]: p for p in _letters(wp, wp.site_url(subsite.path))}
        assert first.letters["pushed"] == len(posts) == 10
        for url, post in posts.items():
            assert post["slug"] == post_slug(letters_push.letter_key("jyj", url), url)
            assert _last_segment(post["link"]) == post["slug"]
        assert len({p["slug"] for p in posts.values()}) == len(posts)
        links = {url: p["link"] for url, p in posts.items()}

        _rollback(ws, wp)
        assert _push(ws, wp).letters["pushed"] == len(links)
        posts = {p["meta"]["consolidate_source_url"]: p for p in _letters(wp, wp.site_url(subsite.path))}
        assert {url: p["link"] for url, p in posts.items()} == links

        url, post = sorted(posts.items())[0]  # as pushed before slugs: the title's slug, the hash unversioned
        stored = post["meta"]["consolidate_content_hash"]
        assert stored.endswith(f"/{PAYLOAD_VERSION}")
        earlier = stored.removesuffix(f"/{PAYLOAD_VERSION}")
        httpx.post(f"{wp.site_url(subsite.path)}wp-json/wp/v2/consolidate_letters/{post['id']}",
                   auth=(wp.user, wp.password), timeout=60,
                   json={"slug": f"{post['title']['raw']}-2", "meta": {"consolidate_content_hash": earlier}}
                   ).raise_for_status()
        with ws.store.session() as session:
            session.execute(update(PushRecord).where(PushRecord.source_key == letters_push.letter_key("jyj", url))
                            .values(content_hash=earlier))
        before = next(p["link"] for p in _letters(wp, wp.site_url(subsite.path)) if p["id"] == post["id"])
        assert before != links[url]
        moved = _push(ws, wp)
        assert (moved.letters["updated"], moved.letters["unchanged"]) == (1, len(links) - 1)
        now = next(p for p in _letters(wp, wp.site_url(subsite.path)) if p["id"] == post["id"])
        assert now["slug"] == post["slug"] and now["link"] == links[url]
        answer = httpx.get(before, follow_redirects=False, timeout=60)
        assert answer.status_code == 301 and answer.headers["location"] == links[url]
        assert _push(ws, wp).letters["unchanged"] == len(links)  # moved once
    finally:
        try:
            _rollback(ws, wp)  # the other tests start with no letter of jyj in WordPress
        finally:
            subsite.path = original
