"""A widget or form page is no article (round 10 trial: lgedu's 满意度评价 page, titled with the department it rates,
was published as content): a body that is nothing but page furniture — a rating's, a comment box's, a search's, a
login's or a feedback form's words, labels with no value but a date or a count, a captcha — is held for review,
counted and listed for the office, never published (a mailbox form the crawl knows is classed other and listed, as
before). A page titled with an office's name that says something, a result that speaks of 满意, and an article
above its rating box still go live."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.checklist import site_checklist
from consolidate.core.store import ArticleRow, ColumnMapping, EventRow, PushRecord, Resource
from consolidate.holds import EMPTY_BODY, content_images, hold_reason, widget_text
from tests.conftest import crawl_real_sites, make_workspace, push_sites

SITE = "sfj"
HEAD = ('<html><head><meta charset="utf-8"><title>{title}</title><meta name="PubDate" content="2016-10-{day:02d}">'
        '</head><body><div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">工作动态</a></div>')
TOOLS = ('<div class="condate"><div class="condatel">统计日期：2016-10-11  视力保护:</div><div class="condater">'
         '<span style="background:#E6FFFF" onclick="c()"></span><span style="background:#CFF"></span></div></div>')
COMMENT = ('<div class="comment"><div class="commentt">我要留言</div><div class="commentb"><textarea placeholder="请输入'
           '评论内容"></textarea><a href="javascript:;" class="post_btn">发布</a><span>暂无评论</span></div></div>')
RATING = ('<div class="content" id="con"><div class="contitle" id="Title">市教育体育局</div>' + TOOLS +  # SiteServer's
          '<div class="conconter"><div id="ajaxElement_1_1"><img src="/sitefiles/assets/loading.gif"></div></div>'
          + COMMENT + '</div><div class="updown">上一篇：<a href="javascript:;">市科技局</a></div>')
PAGES = {  # path → (title, body after the breadcrumb)
    "news/2016/52197.html": ("市教育体育局", RATING),
    "news/2016/rate.html": ("市发改委",  # a rating form, its radio buttons and a results link
                            '<h1>市发改委</h1><div class="content"><form action="/vote.jsp"><p>请评价：<label><input '
                            'type="radio" name="r">非常满意</label> <label><input type="radio" name="r">满意</label> '
                            '<label><input type="radio" name="r">不满意</label></p><input type="submit" value="提交"> '
                            '<a href="/vote.jsp?result=1">查看结果</a></form></div>'),
    "news/2016/login.html": ("用户登录",  # a login form with its captcha
                             '<h1>用户登录</h1><div class="content"><form action="/login.jsp"><table><tr><td>用户名：'
                             '</td><td><input name="u"></td></tr><tr><td>密码：</td><td><input type="password"></td>'
                             '</tr><tr><td>验证码：</td><td><input name="c"><img src="/code.jsp" width="60" height="20">'
                             '</td></tr></table><input type="submit" value="登录"> <a href="/reg.jsp">注册</a> '
                             '<a href="/pwd.jsp">忘记密码</a></form></div>'),
    "news/2016/feedback.html": ("我要写信",  # a mailbox form: the crawl's, classed other and listed
                                '<h1>我要写信</h1><div class="content"><form action="/msg.jsp"><p>姓名：<input></p>'
                                '<p>联系电话：<input></p><p>电子邮箱：<input></p><p>留言内容：<textarea></textarea></p>'
                                '<p><input type="submit" value="提交"><input type="reset" value="重置"></p></form></div>'),
    "news/2016/jgzn.html": ("市教育体育局",  # an office's own page titled with its name
                            '<h1>市教育体育局</h1><div class="content"><p>主要职责：贯彻执行国家教育和体育工作的方针政策，'
                            '统筹全市教育事业和体育事业发展。</p></div>'),
    "news/2016/result.html": ("满意度评价结果",  # a result in the rating's own words
                              '<h1>满意度评价结果</h1><div class="content"><p>本季度群众满意度评价：满意 96 票，基本满意 3 '
                              '票，不满意 1 票，满意率 99%。</p></div>'),
    "news/2016/notice.html": ("关于开展师德师风评议的通知",  # an article above its rating box
                              '<h1>关于开展师德师风评议的通知</h1><div class="content"><p>各学校：为加强师德师风建设，现就'
                              '开展评议工作通知如下。请于10月30日前报送评议结果。</p></div><form><p>请评价：<input '
                              'type="radio">满意 <input type="radio">不满意 <input type="submit" value="提交"></p></form>'),
}
HELD = {"/news/2016/52197.html", "/news/2016/rate.html", "/news/2016/login.html"}
MAILBOX = "/news/2016/feedback.html"
LIVE = {"/news/2016/jgzn.html", "/news/2016/result.html", "/news/2016/notice.html"}
HOME = ('<html><head><meta charset="utf-8"><title>市司法局</title></head><body><div class="nav"><a href="/">首页</a> '
        '<a href="/news/">工作动态</a></div><ul>{items}</ul></body></html>')
ITEMS = "".join(f'<li><a href="/{path}">{title}</a> 2016-10-{n + 11:02d}</li>'
                for n, (path, (title, _body)) in enumerate(PAGES.items()))
SMALL_SITE: dict[str, str | bytes] = {
    "index.html": HOME.format(items=ITEMS), "news/index.html": HOME.format(items=ITEMS),
    **{path: HEAD.format(title=title, day=n + 11) + body + "</body></html>"
       for n, (path, (title, body)) in enumerate(PAGES.items())},
}
LGEDU_RATING = "contents/10353/52197.html"


def _record(text: str, html: str | None = None, **fields: object) -> SimpleNamespace:
    """A record titled 市教育体育局 whose body's text is `text` (its HTML `html`, else the text in a <p>)."""
    values = {"title": "市教育体育局", "published": "2016-10-11", "attachments": [], "images": [],
              "body_text": text, "body_html": f"<p>{text}</p>" if html is None else html}
    return SimpleNamespace(**(values | fields))


@pytest.mark.parametrize("text", [
    "统计日期：2016-10-11 视力保护:\n我要留言",  # lgedu's page as extracted
    "请评价：非常满意 满意 基本满意 不满意\n查看结果", "关键字： 搜索 高级搜索", "用户名：\n密码：\n验证码：\n登录 注册 忘记密码",
    "姓名：\n联系电话：\n电子邮箱：\n留言内容：\n提交 重置", "发布时间：2016-10-11 10:20 浏览次数：35次 【打印】【关闭】",
])
def test_a_body_of_nothing_but_page_furniture_is_held(text: str) -> None:
    record = _record(text, f'<p>{text}</p><p><img src="/sitefiles/assets/loading.gif"></p>',
                     images=["http://x/sitefiles/assets/loading.gif"])
    assert widget_text(record) is not None
    reason = hold_reason(record, ["岚皋县教育体育局"])
    assert reason is not None and reason.startswith(f"{EMPTY_BODY}: held for review (empty body but page furniture")


@pytest.mark.parametrize("record", [
    _record("主要职责：贯彻执行国家教育和体育工作的方针政策。"),  # an office's page under its name says something
    _record("本季度群众满意度评价：满意 96 票，不满意 1 票。"),  # the rating's words with something to say
    _record("我要留言", '<p>我要留言</p><p><a href="/xx/2016/tz.html">关于开展评议的通知</a></p>'),  # a link to follow
    _record("我要留言", '<p>我要留言</p><p><img src="/up/2016/photo.jpg"></p>', images=["/up/2016/photo.jpg"]),
    _record("打印 关闭", attachments=[{"url": "http://x/up/a.pdf", "name": "a.pdf"}]),  # a file
    _record("市教育体育局"),  # its title and nothing else: bare's at push, with its own words
    _record("联系电话：88888888"),  # a label whose value is no count: a phone number is content
])
def test_a_body_that_says_or_carries_something_is_no_widget(record: SimpleNamespace) -> None:
    assert widget_text(record) is None


def test_a_captcha_is_no_picture_whatever_its_size() -> None:
    assert content_images('<p><img src="/code.jsp" width="60" height="20"></p>') == 0
    assert content_images('<p><img src="/servlet/img?type=verifycode&r=0.3" width="80"></p>') == 0
    assert content_images('<p><img src="/up/2016/code.jpg" width="600"></p>') == 1  # a picture named code


def _outcomes(ws: pipeline.Workspace, site_id: str) -> dict[str, tuple[str, str | None]]:
    """Article path (after the host) → (push status, reason)."""
    with ws.store.session() as session:
        rows = session.execute(select(PushRecord.source_url, PushRecord.status, PushRecord.reason).where(
            PushRecord.site_id == site_id, PushRecord.kind == "article")).all()
    return {"/" + url.split("/", 3)[3]: (status, reason) for url, status, reason in rows}


def _migrate_every_column(ws: pipeline.Workspace, site_id: str) -> None:
    """The office migrates every column of the site into 部门动态."""
    pipeline.map_site(ws, site_id)
    with ws.store.session() as session:
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == site_id)
                        .values(decision="migrate", target="bmdt", decided_by="office"))


def test_widget_pages_are_held_counted_and_listed_and_articles_go_live(small_site: str, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {SITE: small_site})
    pipeline.crawl(ws, [SITE])
    with ws.store.session() as session:
        crawled = {"/" + a.url.split("/", 3)[3] for a in session.scalars(select(ArticleRow).where(
            ArticleRow.site_id == SITE))}
        mailbox = session.scalar(select(Resource.kind).where(Resource.url == small_site + MAILBOX[1:]))
        listed = set(session.scalars(select(EventRow.url).where(EventRow.code == "interaction_form")))
    assert crawled >= HELD | LIVE and MAILBOX not in crawled
    assert mailbox == "other" and listed == {small_site + MAILBOX[1:]}
    _migrate_every_column(ws, SITE)
    [summary] = push_sites(ws, [SITE], allow_untriaged=True)
    outcomes = _outcomes(ws, SITE)
    assert {p for p in HELD | LIVE if outcomes[p][0] == "skipped"} == HELD, outcomes
    assert all(outcomes[p][0] == "pushed" for p in LIVE), outcomes
    assert all((outcomes[p][1] or "").startswith(f"{EMPTY_BODY}: held for review (") for p in HELD), outcomes
    assert "page furniture ('统计日期：2016-10-11 视力保护:" in (outcomes["/news/2016/52197.html"][1] or "")
    assert summary.skipped[EMPTY_BODY] == len(HELD), summary.skipped
    step = next(s for s in site_checklist(ws, SITE)["steps"] if s["step"] == "content_migrated")
    assert any(b.startswith(f"{len(HELD)} articles held for review ({len(HELD)} empty body)")
               for b in step["blocked_by"]), step
    preview = "".join(p.read_text(encoding="utf-8") for p in (ws.loaded.path.parent / ".consolidate" / "preview").rglob("*.html"))
    assert "主要职责" in preview and "视力保护" not in preview and "忘记密码" not in preview


def test_lgedus_rating_page_is_held_not_published(tmp_path: Path) -> None:
    """The real page (SiteServer 满意度评价, titled 市教育体育局): held for review, every other lgedu article as
    before."""
    ws = crawl_real_sites(tmp_path / "ws", ["lgedu"])
    _migrate_every_column(ws, "lgedu")
    push_sites(ws, ["lgedu"], allow_untriaged=True)
    outcomes = _outcomes(ws, "lgedu")
    status, reason = outcomes[f"/{LGEDU_RATING}"]
    assert status == "skipped" and (reason or "").startswith(f"{EMPTY_BODY}: held for review (empty body but page "
                                                              "furniture ('统计日期：2016-10-11 视力保护: 我要留言')"), reason
    furniture = [p for p, (_s, r) in outcomes.items() if "page furniture" in (r or "")]
    assert furniture == [f"/{LGEDU_RATING}"], furniture
