"""The crawl's summary breaks its errors down by cause from the store: the legacy site's own dead links (404 for
images, files and pages it lost) apart from the crawl's trouble (timeouts, refused addresses …)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import Resource
from consolidate.crawl_figures import ErrorGroup, crawl_errors, describe_errors, error_cause, url_kind
from tests.conftest import make_workspace

SITE = "sfj"
HOME = ('<html><head><meta charset="utf-8"><title>司法局</title></head><body><ul>'
        '<li><a href="/news/a1.html">关于开展法律援助宣传月活动的通知</a></li>'
        '<li><a href="/news/gone.html">已删除的旧文章</a></li></ul></body></html>')
ARTICLE = ('<html><head><meta charset="utf-8"><title>关于开展法律援助宣传月活动的通知</title></head><body>'
           '<h1>关于开展法律援助宣传月活动的通知</h1><p>发布日期：2024-03-01</p>'
           '<p>各区县司法局：现将法律援助宣传月活动安排通知如下。</p>'
           '<img src="/images/lost1.jpg"><img src="/images/lost2.png">'
           '<p>附件：<a href="/files/plan.pdf">活动方案.pdf</a></p></body></html>')
# conftest's small_site serves these: a legacy site that lost two images, an attachment and an article
SMALL_SITE = {"index.html": HOME, "news/a1.html": ARTICLE}


def test_crawl_line_says_what_the_errors_are(small_site: str, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    args = ["-c", str(ws.loaded.path), "--db", ws.store.url]
    result = CliRunner().invoke(app, ["crawl", SITE, *args])
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n  ")  # the site's line, then its indented lines (words joined where wrapped)
    assert " 4 errors, " in lines[0] and " ".join(lines[1].split()) == \
        f"4 errors: 4 × 404 (2 images, 1 file, 1 page; gone from the legacy site) — `consolidate messages {SITE} " \
        "--stage crawl`"
    assert lines[2].startswith("archive:")
    document = json.loads(CliRunner().invoke(app, ["crawl", SITE, "--json", *args]).stdout)
    site = document["sites"][0]
    assert site["errors"] == 0 and site["errors_recorded"] == 4  # this run's count kept, the store's added
    assert site["error_causes"] == [{"cause": "404", "http_status": 404, "count": 4,
                                     "kinds": {"image": 2, "file": 1, "page": 1}}]


def test_failures_without_a_status_are_told_by_cause(small_site: str, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    pipeline.crawl(ws, [SITE])
    with ws.store.session() as session:
        failed = session.scalars(select(Resource.id).where(Resource.site_id == SITE, Resource.status == "error")
                                 .order_by(Resource.url)).all()
        fetched = session.scalar(select(Resource.id).where(Resource.site_id == SITE, Resource.kind == "article"))
        for row_id, (status, error) in zip(failed, [(None, "transient: timeout after 20s"),
                                                    (None, "transient: ConnectError: [Errno 111] Connection refused"),
                                                    (503, "HTTP 503")], strict=False):
            session.execute(update(Resource).where(Resource.id == row_id).values(http_status=status, error=error))
        session.execute(update(Resource).where(Resource.id == fetched)
                        .values(status="error", error="page could not be analysed"))
    groups = crawl_errors(ws, SITE)
    assert [(g.cause, g.count) for g in groups] == \
        [("404", 1), ("503", 1), ("connection", 1), ("timeout", 1), ("unreadable", 1)]
    assert describe_errors(groups) == ("1 × 404 (1 page; gone from the legacy site), 1 × 503 (1 image), "
                                       "1 connection failure (1 image), 1 timeout (1 file), "
                                       "1 unreadable response (1 article)")  # a 503 is trouble, not a lost URL
    again = CliRunner().invoke(app, ["crawl", SITE, "-c", str(ws.loaded.path), "--db", ws.store.url])
    # the two without an answer are asked again by a plain run (round 12): the legacy site's own 404s
    assert "5 URLs failed in all (2 in this run): 3 × 404" in " ".join(again.output.split())


@pytest.mark.parametrize(("status", "error", "cause"), [
    (404, "HTTP 404", "404"), (None, "too slow: response not complete within its time", "timeout"),
    (None, "transient: ReadTimeout: ", "timeout"), (None, "refused: 10.0.0.8 is a private address", "refused"),
    (None, "too many redirects (> 10)", "redirect loop"), (200, "could not process: ValueError: x", "not processed"),
    (None, "transient: ConnectError: Connection refused", "connection"), (None, None, "connection")])
def test_error_cause(status: int | None, error: str | None, cause: str) -> None:
    assert error_cause(status, error) == cause


def test_kinds_are_counted_as_a_reader_names_them() -> None:
    assert [url_kind(k) for k in ("image", "attachment", "file", "list", "article", "page", "part", None)] == \
        ["image", "file", "file", "list", "article", "page", "page", "page"]
    group = ErrorGroup("404", 404, 1199, {"list": 1097, "image": 92, "file": 1, "article": 9})
    assert describe_errors([group]) == "1199 × 404 (1097 list pages, 92 images, 1 file, 9 articles; gone from the " \
                                       "legacy site)"
