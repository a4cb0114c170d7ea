"""A page whose content the legacy site could not serve is held, not published as migrated (trial 9, finding 1):
what a CMS leaves when its media is gone (a download label, a file name with spaces, a size note, the title
repeated where a video player was) is no body, and a few words beside lost images or files are none either. A
short text with an attachment the crawl fetched, or a caption beside its photo, still goes live."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.checklist import site_checklist
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord
from consolidate.holds import EMPTY_BODY
from tests.conftest import crawl_real_sites, make_workspace, push_sites

SITE = "sfj"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PAGES = {  # path → (title, body); the news column lists them all
    "news/2020/5191.html": ("关于举办公益慈善项目大赛的通知",  # 6 scanned pages (404), a leftover list of files
                            "".join(f'<p><img src="/up/2020_05/scan{i}.jpg" alt=""></p>' for i in range(6))
                            + '<h2>附件下载：</h2><div>1. 附件1. 参赛申报表.doc<table><tr><td><a href="javascript:;">'
                              '</a></td><td>01343d80f598b96375ecc4cd7a130745.doc&nbsp;(276.50 KB)</td></tr></table>'
                              '</div><p>“海峡众联”公众号：</p><p><img src="/up/qr.png" alt=""></p>'),
    "news/2020/511.html": ("从严查处哄抬价格行为的思考",  # a file name with spaces, its icon 404, no address
                           '<p><img src="/icons/icon_pdf.gif"><a title="" href="javascript:;">转载 从严查处哄抬价格'
                           '行为__切实做好保供稳价工作 稳价措施的思考_许光建.pdf</a></p>'),
    "news/2020/601.html": ("2020年度项目申报表",  # short text, its attachment fetched: an article
                           '<p>申报表见附件：<a href="/up/2020/申报表.pdf">申报表.pdf</a></p>'),
    "news/2020/602.html": ("植树活动",  # a caption beside its photo: an article
                           '<p><img src="/up/2020/tree.png" alt=""></p><p>3月12日，机关干部参加义务植树。</p>'),
    "news/2020/603.html": ("全市工作会议召开",  # a long text whose photo is gone: still an article
                           '<p><img src="/up/2020/gone.jpg" alt=""></p><p>'
                           + "会议总结了去年工作，部署了今年的重点任务，要求各单位抓好落实。" * 3 + "</p>"),
}
HELD = {"/news/2020/5191.html", "/news/2016/664.html", "/news/2020/511.html"}
LIVE = {"/news/2020/601.html", "/news/2020/602.html", "/news/2020/603.html"}
HOME = ('<html><head><meta charset="utf-8"><title>市司法局</title></head><body><div class="nav">'
        '<a href="/">首页</a> <a href="/news/">工作动态</a></div><ul>{items}</ul></body></html>')
ARTICLE = ('<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
           '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">工作动态</a></div>'
           '<h1>{title}</h1><p>发布日期：2020-05-{day:02d}</p><div class="content">{body}</div></body></html>')
VIDEO_TITLE = "政府购买服务政策解读 讲师：王水清"
VIDEO = (f'<html><head><meta charset="utf-8"><title>{VIDEO_TITLE}</title></head><body>'  # fjmjzz's video page, player gone
         '<p>您当前的位置：<a href="/">首页</a>&nbsp;>&nbsp;<a href="/news/">工作动态</a></p><div class="news-list1">'
         f'<p align="center" style="font-size:24px;">{VIDEO_TITLE}</p><div align="center">时间：2016-06-30 18:00:17&nbsp;'
         '&nbsp;来源：本站</div><p align="left"></p><p align="center"><a class="media {width:800, height:633}" '
         f'href="javascript:;">{VIDEO_TITLE}</a></p></div></body></html>')
ITEMS = "".join(f'<li><a href="/{path}">{title}</a> 2020-05-{n + 1:02d}</li>'
                for n, (path, (title, _body)) in enumerate(PAGES.items())) \
    + f'<li><a href="/news/2016/664.html">{VIDEO_TITLE}</a> 2016-06-30</li>'
SMALL_SITE: dict[str, str | bytes] = {
    "index.html": HOME.format(items=ITEMS), "news/index.html": HOME.format(items=ITEMS),
    **{path: ARTICLE.format(title=title, body=body, day=n + 1) for n, (path, (title, body)) in enumerate(PAGES.items())},
    "news/2016/664.html": VIDEO, "up/qr.png": PNG + b"qr", "up/2020/tree.png": PNG + b"tree",
    "up/2020/申报表.pdf": b"%PDF-1.4\n% application form\n%%EOF\n",
}
REAL_HELD = {("fjmjzz", "tzgg/2020-05-26/5191.html"), ("fjmjzz", "jpkj/2016-06-30/664.html"),
             ("fjmjzz", "jpkj/2016-06-26/547.html"), ("jspn", "col3/articleinfo-511.html")}


def _migrate_every_column(ws: pipeline.Workspace, site_id: str) -> None:
    """The office migrates every column of the site (the pages without one too) into 部门动态."""
    pipeline.map_site(ws, site_id)
    with ws.store.session() as session:
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == site_id)
                        .values(decision="migrate", target="bmdt", decided_by="office"))


def _outcomes(ws: pipeline.Workspace, site_id: str) -> dict[str, tuple[str, str | None]]:
    """Article path (after the host) → (push status, reason)."""
    with ws.store.session() as session:
        rows = session.execute(select(PushRecord.source_url, PushRecord.status, PushRecord.reason).where(
            PushRecord.site_id == site_id, PushRecord.kind == "article")).all()
    return {"/" + url.split("/", 3)[3]: (status, reason) for url, status, reason in rows}


def test_pages_whose_media_is_gone_are_held_and_short_articles_with_their_files_go_live(
        small_site: str, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    pipeline.crawl(ws, [SITE])
    with ws.store.session() as session:
        crawled = {"/" + a.url.split("/", 3)[3] for a in session.scalars(select(ArticleRow).where(
            ArticleRow.site_id == SITE))}
    assert crawled >= HELD | LIVE
    _migrate_every_column(ws, SITE)
    push_sites(ws, [SITE], allow_untriaged=True)
    outcomes = _outcomes(ws, SITE)
    assert {p for p in HELD | LIVE if outcomes[p][0] == "skipped"} == HELD, outcomes
    assert all(outcomes[p][0] in ("pushed", "updated", "unchanged") for p in LIVE), outcomes
    reasons = {p: outcomes[p][1] or "" for p in HELD}
    assert all(r.startswith(f"{EMPTY_BODY}: held for review (") and "正文为空" in r for r in reasons.values())
    assert "only '海峡众联公众号' left of its text, having lost 6 of 7 images:" in \
        reasons["/news/2020/5191.html"]
    assert "nothing left but its title" in reasons["/news/2016/664.html"]
    assert "only a file name left (" in reasons["/news/2020/511.html"]
    step = next(s for s in site_checklist(ws, SITE)["steps"] if s["step"] == "content_migrated")
    assert any(b.startswith("3 articles held for review (3 empty body)") for b in step["blocked_by"]), step


def test_real_pages_that_lost_their_content_are_held(tmp_path: Path) -> None:
    """fjmjzz's scanned notice (22 images, all 404) and its two video pages, and jspn's PDF page whose file name
    has spaces: held for review, never published (before: pushed and verified ok)."""
    ws = crawl_real_sites(tmp_path / "ws", ["fjmjzz", "jspn"])
    for site_id in ("fjmjzz", "jspn"):
        _migrate_every_column(ws, site_id)
    push_sites(ws, ["fjmjzz", "jspn"], allow_untriaged=True)
    for site_id, path in REAL_HELD:
        status, reason = _outcomes(ws, site_id)[f"/{path}"]
        assert status == "skipped" and (reason or "").startswith(f"{EMPTY_BODY}: held for review"), (path, reason)
