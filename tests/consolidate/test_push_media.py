"""A video or audio file in an article's body is content the crawl does not fetch: push says, per article and in
its summary, that it was not migrated, rather than the generic "file removed from the body"."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import EventRow
from crawlers.urls import media_kind
from tests.conftest import make_workspace

SITE = "sfj"
HOME = ('<html><head><meta charset="utf-8"><title>司法局</title></head><body><div class="nav">'
        '<a href="/">首页</a> <a href="/news/">工作动态</a></div><ul>'
        '<li><a href="/news/a1.html">法律援助宣传月电视报道</a> 2024-03-01</li>'
        '<li><a href="/news/a2.html">司法行政工作会议召开</a> 2024-03-02</li></ul></body></html>')
ARTICLE = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
           '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">工作动态</a></div>'
           '<h1>{title}</h1><p>发布日期：2024-03-0{day}</p>'
           '<p>{text}</p>{media}</body></html>')


# served by conftest's small_site: one article whose body is a video (the .mp4 is served), one with text
SMALL_SITE = {
    "index.html": HOME, "news/index.html": HOME,
    "news/a1.html": ARTICLE.format(
        title="法律援助宣传月电视报道", day=1, text="本台记者报道法律援助宣传月活动开展情况。" * 3,
        media='<video controls src="/video/report.mp4"><source src="/video/report.mp4" type="video/mp4"></video>'),
    "news/a2.html": ARTICLE.format(title="司法行政工作会议召开", day=2, text="会议总结了去年工作，部署了今年的重点任务。" * 3,
                                   media=""),
    "video/report.mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
}


def test_a_video_in_a_body_is_said_not_migrated(small_site: str, tmp_path: Path) -> None:
    """The push line counts the video, the message names it as a video not migrated, and a dry run says the same."""
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    pipeline.crawl(ws, [SITE])
    args = ["-c", str(ws.loaded.path), "--db", ws.store.url, "--allow-untriaged"]
    dry = CliRunner().invoke(app, ["push", SITE, "--dry-run", *args])
    result = CliRunner().invoke(app, ["push", SITE, *args])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 videos or audio files in article bodies not migrated (the crawl does not fetch them)" in said
    assert "1 videos or audio files in article bodies not migrated" in " ".join(dry.output.split())
    with ws.store.session() as session:
        events = session.execute(select(EventRow.code, EventRow.message).where(
            EventRow.stage == "push", EventRow.message.like("%report.mp4%"))).all()
    assert [code for code, _ in events] == ["media_not_migrated"]
    assert events[0][1].startswith("video not migrated (the crawl does not fetch video or audio)")


def test_media_kind_by_extension() -> None:
    assert [media_kind(u) for u in ("http://a/x.MP4", "http://a/y.mp3?x=1", "http://a/z.pdf", "http://a/v.flv")] \
        == ["video", "audio", None, "video"]
