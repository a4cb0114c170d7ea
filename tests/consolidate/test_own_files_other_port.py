"""A body's images on the site's own host name at another port (the CMS's upload server on :8086) are the site's
own files: fetched and re-hosted, or taken out with a message; an image still taken from a legacy server of the
programme (a sibling site's) or from another site is named per page, never left as a silent hotlink."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.checklist import content_blockers
from consolidate.cli import app
from consolidate.core.store import EventRow, PushRecord, Resource
from consolidate.holds import is_held
from tests.conftest import crawl_real_sites, make_workspace, push_sites

SITE = "sfj"
SIBLING = "http://127.0.0.1:8701"  # the example config's fgw: a legacy site of the programme, shut down at cutover
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
PAGE = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">工作动态</a></div>'
        '<h1>{title}</h1><p>发布日期：2015-09-17</p><div class="content"><p>{text}</p>'
        '<p><img src="{upload}/upload/a.png"><img src="{upload}/upload/gone.png">'
        '<img src="' + SIBLING + '/img/s.png"><img src="http://www.example.org/pic.gif"></p>'
        '<p><a href="{upload}/other.html">另一页</a></p></div></body></html>')
LIST = ('<html><head><meta charset="utf-8"><title>市司法局</title></head><body><a href="/news/">工作动态</a><ul>'
        '<li><a href="/news/201509/t20150917_1001.html">司法行政工作会议召开</a> 2015-09-17</li></ul></body></html>')


class _Quiet(SimpleHTTPRequestHandler):
    """A folder served without a request log."""

    def log_message(self, *args: object) -> None:
        """No request log on stderr."""


def _serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    """A static server of `root` on 127.0.0.1, and its base URL (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def two_ports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The site on one port of 127.0.0.1, its upload server on another: (home URL, upload base URL)."""
    upload_root, site_root = tmp_path_factory.mktemp("upload"), tmp_path_factory.mktemp("site")
    (upload_root / "upload").mkdir()
    (upload_root / "upload" / "a.png").write_bytes(PNG)
    (upload_root / "other.html").write_text(LIST, encoding="utf-8")
    upload, upload_url = _serve(upload_root)
    page = PAGE.format(title="司法行政工作会议召开", text="会议总结了去年工作，部署了今年的重点任务。" * 4, upload=upload_url)
    for path, text in {"index.html": LIST, "news/index.html": LIST, "news/201509/t20150917_1001.html": page}.items():
        (site_root / path).parent.mkdir(parents=True, exist_ok=True)
        (site_root / path).write_text(text, encoding="utf-8")
    site, site_url = _serve(site_root)
    try:
        yield site_url + "/", upload_url
    finally:
        for server in (site, upload):
            server.shutdown()
            server.server_close()


def test_files_on_the_sites_host_at_another_port_are_its_own(two_ports: tuple[str, str], tmp_path: Path) -> None:
    home, upload = two_ports
    ws = make_workspace(tmp_path / "ws", {SITE: home})
    pipeline.crawl(ws, [SITE])
    with ws.store.session() as session:
        fetched = dict(session.execute(select(Resource.url, Resource.status).where(Resource.site_id == SITE)).all())
    assert fetched.get(f"{upload}/upload/a.png") == "fetched"
    assert fetched.get(f"{upload}/upload/gone.png") == "error"  # tried: its 404 is said at push
    assert f"{upload}/other.html" not in fetched  # pages at another port stay out of the crawl
    assert not any(u.startswith((SIBLING, "http://www.example.org")) for u in fetched)  # others' files are theirs

    pipeline.map_site(ws, SITE)
    summary = push_sites(ws, [SITE], allow_untriaged=True)[0]
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "ws" / ".consolidate" / "preview").rglob("*.html")
             if "司法行政工作会议召开" in p.read_text(encoding="utf-8") and "<img" in p.read_text(encoding="utf-8")]
    assert len(pages) == 1
    assert f"{upload}/upload/" not in pages[0]  # re-hosted or taken out: no image left on the upload server
    assert f'href="{upload}/other.html"' in pages[0]  # a link to a page there is a link, not a hotlinked file
    assert f"{SIBLING}/img/s.png" in pages[0] and "http://www.example.org/pic.gif" in pages[0]
    with ws.store.session() as session:
        events = session.execute(select(EventRow.level, EventRow.code, EventRow.message).where(
            EventRow.site_id == SITE, EventRow.stage == "push")).all()
    said = {code: (level, message) for level, code, message in events}
    assert said["legacy_hotlink"][0] == "warning" and f"{SIBLING}/img/s.png" in said["legacy_hotlink"][1]
    assert said["external_hotlink"][0] == "info" and "http://www.example.org/pic.gif" in said["external_hotlink"][1]
    assert any(code == "unresolved_link" and f"{upload}/upload/gone.png" in m for _, code, m in events)
    assert (summary.legacy_hotlinks, summary.external_hotlinks) == (1, 1)

    push_sites(ws, [SITE], allow_untriaged=True)  # a second push says it again, once
    with ws.store.session() as session:
        again = session.scalars(select(EventRow.code).where(EventRow.site_id == SITE,
                                                            EventRow.code == "legacy_hotlink")).all()
    assert len(again) == 1

    blockers = [b for b in content_blockers(ws, SITE) if "legacy server" in b]
    assert len(blockers) == 1 and blockers[0].startswith("1 page still takes")
    ws.store.engine.dispose()
    cli = ["checklist", SITE, "-c", str(ws.loaded.path), "--db", ws.store.url, "--accept-hotlinks"]
    refused = CliRunner().invoke(app, cli)  # no evidence given
    assert refused.exit_code == 2 and "--ref" in refused.output
    accepted = CliRunner().invoke(app, [*cli, "--ref", "已复制到门户"])
    assert accepted.exit_code == 0 and "1 page taking files from a legacy server acknowledged" in accepted.output
    assert not [b for b in content_blockers(ws, SITE) if "legacy server" in b]


def test_real_upload_server_images_are_not_left_as_hotlinks(tmp_path: Path) -> None:
    """zjgztb's 20210104 notice takes 8 of its 16 images from www.szzyjy.com.cn:8086 (its eWebEditor upload
    server): the crawl asks for them as the site's own (the samples hold none of them), the preview keeps none,
    and the notice, its pictures gone (404) and no text of its own, is held with an upload server's image named."""
    ws = crawl_real_sites(tmp_path / "ws", ["zjgztb"])
    with ws.store.session() as session:
        other_port = session.scalars(select(Resource.url).where(Resource.site_id == "zjgztb",
                                                                Resource.url.like("http://www.szzyjy.com.cn:8086/%"))
                                     ).all()
    assert len(other_port) >= 8
    pipeline.map_site(ws, "zjgztb")
    push_sites(ws, ["zjgztb"], allow_untriaged=True)
    preview = tmp_path / "ws" / ".consolidate" / "preview"
    kept = [p for p in preview.rglob("*.html") if 'src="http://www.szzyjy.com.cn:8086' in p.read_text(encoding="utf-8")]
    assert kept == []
    with ws.store.session() as session:  # its pictures gone, no text: held, the loss named
        status, reason = session.execute(select(PushRecord.status, PushRecord.reason).where(
            PushRecord.site_id == "zjgztb", PushRecord.kind == "article",
            PushRecord.source_url.like("%/20210104/d528dae9%"))).one()
    assert status == "skipped" and is_held(reason) and "http://www.szzyjy.com.cn:8086/" in (reason or ""), reason
