"""analyse_page & friends on small snippets in the styles of TRS, Hanweb, PHPCMS, DedeCMS, Kaipuyun, generic."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborNode

from crawlers._common import absolutize, attr, klass_id, open_targets, parse_html, same_site
from crawlers.cms import CmsId, url_class
from crawlers.columns import find_aliases, unified
from crawlers.discover import (
    _CRUMB_CLASS,
    _CRUMB_NAMED,
    _PAGE_WORDS,
    _STRONG_PAGE_WORDS,
    _crumb_tagged,
    _link_word,
    _page_number,
    _worded_anchors,
    analyse_page,
    create_page_html,
    detect_cms,
    feed_entries,
    find_breadcrumb,
    hanweb_proxy_urls,
    pagination_links,
    parse_datastore,
    site_facts_from_text,
)
from crawlers.extract import extract_article
from tests.crawlers.crawl_helpers import crawl, fast_settings, local_site, open_store, resources_by_path

FOOTER = (
    '<div class="footer"><p>主办单位：某某市发展和改革委员会 承办：市信息中心</p>'
    "<p>苏ICP备05012345号-1 苏公网安备 32010202010123号 网站标识码：3201000012</p></div>"
)

TRS_LIST = """<html><head><link href="/trs_web_style.css" rel="stylesheet"></head><body>
<div class="nav"><a href="/">网站首页</a><a href="/xxgk/">信息公开</a><a href="javascript:void(0)">收藏</a>
<a href="mailto:ban@example.gov.cn">信箱</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../">政务公开</a> &gt; <a href="./">通知公告</a></div>
<ul class="list">
<li><a href="./201608/t20160831_123456.html" title="关于做好2016年度防汛工作的通知（全文）">关于做好2016年度防汛工作的通知</a><span>2016-08-31</span></li>
<li><a href="./201608/t20160825_123400.html">关于开展安全生产大检查的通知</a><span>2016-08-25</span></li>
<li><a href="./201608/t20160820_123300.html#top">市政府办公室关于印发实施方案的通知</a><span>[08-20]</span></li>
<li><a href="./201608/t20160820_123300.html">市政府办公室关于印发实施方案的通知</a><span>[08-20]</span></li>
</ul>
<script>var currentPage = 0; var countPage = 5;
createPageHTML(countPage, currentPage, "index", "html");</script>
""" + FOOTER + "</body></html>"


def test_trs_list_page() -> None:
    info = analyse_page(TRS_LIST, "http://www.example.gov.cn/xxgk/tzgg/index.html")
    assert info.cms == "trs"
    assert info.kind == "list"
    assert info.breadcrumb == ["政务公开", "通知公告"]
    assert info.column_name == "通知公告"
    assert [i.url for i in info.list_items] == [
        "http://www.example.gov.cn/xxgk/tzgg/201608/t20160831_123456.html",
        "http://www.example.gov.cn/xxgk/tzgg/201608/t20160825_123400.html",
        "http://www.example.gov.cn/xxgk/tzgg/201608/t20160820_123300.html",
    ]
    assert info.list_items[0].title == "关于做好2016年度防汛工作的通知（全文）"
    assert [i.date for i in info.list_items] == ["2016-08-31", "2016-08-25", "2016-08-20"]
    assert info.pagination == [f"http://www.example.gov.cn/xxgk/tzgg/index_{n}.html" for n in range(1, 5)]
    urls = [link.url for link in info.links]
    assert not any(u.startswith(("javascript", "mailto")) or "#" in u for u in urls)
    assert len(urls) == len(set(urls))
    kinds = {link.url: link.kind for link in info.links}
    assert kinds["http://www.example.gov.cn/xxgk/tzgg/201608/t20160831_123456.html"] == "list_item"
    assert info.site_facts == {"organiser": "某某市发展和改革委员会", "icp": "苏ICP备05012345号-1",
                               "psb": "苏公网安备 32010202010123号", "site_code": "3201000012"}


def test_trs_list_page_n_and_list_prefix() -> None:
    html = TRS_LIST.replace('createPageHTML(countPage, currentPage, "index", "html")',
                            'createPageHTML(3, 1, "list", "shtml")')
    info = analyse_page(html, "http://www.example.gov.cn/xxgk/tzgg/list_1.shtml")
    assert info.pagination == ["http://www.example.gov.cn/xxgk/tzgg/list.shtml",
                               "http://www.example.gov.cn/xxgk/tzgg/list_2.shtml"]


def test_trs_multi_page_article_parts() -> None:
    html = """<html><body><div class="TRS_Editor"><p>第一部分正文内容，较长的一段文字用于测试。</p></div>
    <script>createPageHTML(3,0,"t20151009_67430","html");</script></body></html>"""
    info = analyse_page(html, "http://www.example.gov.cn/zwgk/201510/t20151009_67430.html")
    assert info.kind == "article"
    assert extract_article(html, "http://www.example.gov.cn/zwgk/201510/t20151009_67430.html").part_urls == [
        "http://www.example.gov.cn/zwgk/201510/t20151009_67430_1.html",
        "http://www.example.gov.cn/zwgk/201510/t20151009_67430_2.html"]
    assert info.pagination == []


def _trs_article_with_links(links: str) -> str:
    """A TRS article page whose body ends with the given links."""
    return ('<html><body><div class="TRS_Editor"><p>第一部分正文内容，较长的一段文字用于测试。</p></div>'
            f"<div>{links}</div></body></html>")


def test_trs_article_of_the_same_day_is_not_a_part() -> None:
    html = _trs_article_with_links('<a href="./t20160831_789012.html">2</a><a href="./t20160831_789012.html">下一页</a>')
    info = analyse_page(html, "http://www.example.gov.cn/xxgk/201608/t20160831_123456.html")
    assert info.kind == "article"
    assert extract_article(html, "http://www.example.gov.cn/xxgk/201608/t20160831_123456.html").part_urls == []


def test_trs_parts_are_own_name_plus_number() -> None:
    base = "http://www.example.gov.cn/xxgk/201608/t20160831_123456"
    html = _trs_article_with_links('<a href="./t20160831_123456_1.html">下一页</a>'
                                   '<a href="./t20160831_789012_1.html">尾页</a>')
    assert extract_article(html, base + ".html").part_urls == [base + "_1.html"]


def test_trs_part_page_links_its_siblings_and_first_part() -> None:
    base = "http://www.example.gov.cn/xxgk/201608/t20160831_123456"
    html = _trs_article_with_links('<a href="./t20160831_123456.html">上一页</a>'
                                   '<a href="./t20160831_123456_2.html">下一页</a><a href="./t20160831_789012.html">尾页</a>')
    assert extract_article(html, base + "_1.html").part_urls == [base + ".html", base + "_2.html"]


def test_dedecms_article_parts_keep_working() -> None:
    base = "http://www.example.gov.cn/a/tzgg/2016/0831/123"
    html = _trs_article_with_links('<a href="./123_2.html">下一页</a><a href="./124.html">尾页</a>')
    assert extract_article(html, base + ".html").part_urls == [base + "_2.html"]
    html = _trs_article_with_links('<a href="./123.html">上一页</a><a href="./123_3.html">下一页</a>')
    assert extract_article(html, base + "_2.html").part_urls == [base + ".html", base + "_3.html"]


def _hanweb_record(i: int) -> str:
    debris = "<li style=<br/>" if i == 3 else "<li>"
    return (f'<record><![CDATA[{debris}<a href="/art/2023/11/{(i % 28) + 1}/art_1229_{1000 + i}.html" '
            f'title="工作动态标题{i}" target="_blank">工作动态标题{i}</a><span>2023-11-{(i % 28) + 1:02d}</span></li>]]></record>')


def hanweb_column(records: int = 45, total: int = 120) -> str:
    rows = "\n".join(_hanweb_record(i) for i in range(records))
    return f"""<html><head><meta name="generator" content="大汉版通发布系统"></head><body>
<div class="bt-position">您的位置：<a href="/">首页</a> > <a href="/col/col1228/index.html">新闻中心</a> > <span>工作动态</span></div>
<div id="1234"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=5678&webname=%E6%9F%90%E5%B8%82%E6%94%BF%E5%BA%9C&permissiontype=0"></a>]]></nextgroup>
<recordset>{rows}</recordset></datastore></script>
<script language="javascript">var pageObj = {{totalRecord:{total}, perPage:15, unitid:5678}};</script></div>
<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a></body></html>"""


def test_hanweb_column_datastore_and_proxy_paging() -> None:
    info = analyse_page(hanweb_column(), "http://www.example.gov.cn/col/col1229/index.html")
    assert info.cms == "hanweb"
    assert info.kind == "list"
    assert info.breadcrumb == ["新闻中心", "工作动态"]
    assert len(info.list_items) == 45
    assert info.list_items[3].url == "http://www.example.gov.cn/art/2023/11/4/art_1229_1003.html"
    assert info.list_items[3].title == "工作动态标题3"
    assert info.list_items[3].date == "2023-11-04"
    assert len(info.pagination) == 2
    first = urlsplit(info.pagination[0])
    assert first.path == "/module/web/jpage/dataproxy.jsp"
    query = parse_qs(first.query)
    assert query["startrecord"] == ["46"] and query["endrecord"] == ["90"] and query["perpage"] == ["15"]
    assert query["columnid"] == ["1229"] and query["unitid"] == ["5678"] and query["webname"] == ["某市政府"]
    assert query["appid"] == ["1"] and query["webid"] == ["3"] and query["path"] == ["/"]
    assert parse_qs(urlsplit(info.pagination[1]).query)["startrecord"] == ["91"]


def test_hanweb_dataproxy_answer_is_a_list() -> None:
    rows = "".join(_hanweb_record(i) for i in range(45, 60))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>120</totalrecord><recordset>{rows}</recordset></datastore>'
    url = "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    items, total = parse_datastore(xml, url)
    assert total == 120 and len(items) == 15
    info = analyse_page(xml, url)
    assert info.kind == "list"
    assert [i.url for i in info.list_items] == [i.url for i in items]


def test_hanweb_proxy_urls_old_install_and_no_more_pages() -> None:
    html = ('<script src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>'
            "<script>var columnid='88'; var unitid='99'; var webid=\"2\"; totalRecord = 40; perpage=10;</script>")
    urls = hanweb_proxy_urls(html, "http://a.gov.cn/col/col88/index.html", 30, 40)
    assert urls == ["http://a.gov.cn/module/jslib/jquery/jpage/dataproxy.jsp?startrecord=31&endrecord=60&perpage=10"
                    "&col=1&webid=2&columnid=88&unitid=99"]
    assert hanweb_proxy_urls(html, "http://a.gov.cn/col/col88/index.html", 40, 40) == []
    assert hanweb_proxy_urls(html, "http://a.gov.cn/col/col88/index.html", 40, None) == []


PHPCMS_LIST = """<html><body><div class="crumbs"><a href="/">首页</a><span> &gt; </span><a href="index.php?m=content&c=index&a=lists&catid=5">通知公告</a></div>
<ul class="list">
<li><span class="rt">2019-03-0{d}</span><a href="index.php?m=content&amp;c=index&amp;a=show&amp;catid=5&amp;id=10{d}">公告标题第{d}号文件发布</a></li>
</ul>
<div id="pages"><a class="a1" href="index.php?m=content&amp;c=index&amp;a=lists&amp;catid=5&amp;page=0">上一页</a> <span>1</span>
<a href="index.php?m=content&amp;c=index&amp;a=lists&amp;catid=5&amp;page=2">2</a>
<a href="index.php?m=content&amp;c=index&amp;a=lists&amp;catid=5&amp;page=3">3</a>
<a href="index.php?m=content&amp;c=index&amp;a=lists&amp;catid=5&amp;page=2">下一页</a>
<a href="index.php?m=content&amp;c=index&amp;a=lists&amp;catid=5&amp;page=7">尾页</a></div>
<script src="/statics/js/jquery.min.js"></script></body></html>"""


def test_phpcms_query_string_paging() -> None:
    html = PHPCMS_LIST.replace("<li>", "<li>", 1)
    rows = "".join(f'<li><span class="rt">2019-03-0{d}</span><a href="index.php?m=content&amp;c=index&amp;a=show&amp;'
                   f'catid=5&amp;id=10{d}">公告标题第{d}号文件发布</a></li>' for d in range(1, 6))
    html = html.replace(html[html.index('<ul class="list">'):html.index("</ul>")], '<ul class="list">' + rows)
    url = "http://www.example.gov.cn/index.php?m=content&c=index&a=lists&catid=5"
    info = analyse_page(html, url)
    assert info.cms == "phpcms"
    assert info.kind == "list"
    assert info.breadcrumb == ["通知公告"]
    assert len(info.list_items) == 5
    assert info.list_items[0].url == "http://www.example.gov.cn/index.php?m=content&c=index&a=show&catid=5&id=101"
    assert info.list_items[0].date == "2019-03-01"
    pages = {parse_qs(urlsplit(u).query).get("page", ["?"])[0] for u in info.pagination}
    assert {"2", "3", "4", "5", "6", "7"} <= pages


def test_dedecms_list_pages_and_short_dates() -> None:
    rows = "".join(f'<li><a href="/a/zwgk/2018/05{d:02d}/{300 + d}.html">政务公开信息标题{d}</a><span>05-{d:02d}</span></li>'
                   for d in range(1, 5))
    html = f"""<html><head><meta name="generator" content="DedeCMS"></head><body>
    <div class="place">当前位置: <a href="/">主页</a> > <a href="/a/zwgk/">政务公开</a> ></div>
    <ul class="e2">{rows}</ul>
    <div class="dede_pages"><ul class="pagelist"><li><a href="list_3_2.html">下一页</a></li><li><a href="list_3_4.html">末页</a></li></ul></div>
    </body></html>"""
    info = analyse_page(html, "http://www.example.gov.cn/a/zwgk/")
    assert info.cms == "dedecms"
    assert info.breadcrumb == ["政务公开"]
    assert [i.date for i in info.list_items] == ["2018-05-01", "2018-05-02", "2018-05-03", "2018-05-04"]
    assert info.pagination == ["http://www.example.gov.cn/a/zwgk/list_3_2.html",
                               "http://www.example.gov.cn/a/zwgk/list_3_4.html",
                               "http://www.example.gov.cn/a/zwgk/list_3_3.html"]


def test_short_dates_without_year_context_stay_none() -> None:
    rows = "".join(f'<li><a href="/news/show.asp?id={d}">本地新闻标题第{d}条</a><span>[11-0{d}]</span></li>' for d in range(1, 5))
    info = analyse_page(f'<ul class="news">{rows}</ul>', "http://www.example.gov.cn/news/list.asp")
    assert len(info.list_items) == 4
    assert all(i.date is None for i in info.list_items)


def test_kaipuyun_and_gkmlpt_detection() -> None:
    kpy = '<meta name="firstpublishedtime" content="2021-03-05 10:00:00"><div id="UCAP-CONTENT"><p>正文</p></div>'
    assert detect_cms(kpy, "http://www.example.gov.cn/zhengce/content/202103/content_123.htm") == "kaipuyun"
    assert detect_cms("<div>x</div>", "http://www.sz.gov.cn/gkmlpt/content/0/508/post_8123.html") == "gkmlpt"
    assert detect_cms("<p>plain</p>", "http://example.org/a.html") == "generic"
    info = analyse_page(kpy, "http://www.example.gov.cn/zhengce/content/202103/content_123.htm")
    assert info.kind == "article"


def test_onclick_window_open_targets_are_links() -> None:
    html = """<div><a href="javascript:void(0)" onclick="window.open('/module/download/downfile.jsp?classid=0&filename=abc.pdf')">下载文件</a>
    <span onclick="window.open('/col/col9/index.html')">更多</span><a href="tel:12345">电话</a><a href="/page.html#frag">本页</a></div>"""
    info = analyse_page(html, "http://www.example.gov.cn/art/2020/1/2/art_9_1.html")
    kinds = {link.url: link.kind for link in info.links}
    assert kinds["http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=abc.pdf"] == "attachment"
    assert "http://www.example.gov.cn/col/col9/index.html" in kinds
    assert "http://www.example.gov.cn/page.html" in kinds
    assert not any(u.startswith("tel:") for u in kinds)


def test_generic_site_kind_by_content_and_home() -> None:
    body = "<p>" + "为进一步加强本市政府网站建设管理工作，现就有关事项通知如下，请认真贯彻执行。" * 4 + "</p>"
    article = (f"<html><body><div class='top'><a href='/'>首页</a></div><h2>关于加强政府网站管理的通知</h2>"
               f"<div class='info'>发布日期：2019年4月2日 来源：市政府办公室</div><div class='txt'>{body}</div></body></html>")
    assert analyse_page(article, "http://www.example.gov.cn/news/view?n=77").kind == "article"
    rows = "".join(f"<tr><td><a href='/news/view?n={n}'>市政府召开常务会议研究部署第{n}项工作</a></td><td>2019-04-0{n}</td></tr>"
                   for n in range(1, 7))
    listing = f"<html><body><table class='lb'>{rows}</table></body></html>"
    info = analyse_page(listing, "http://www.example.gov.cn/news/")
    assert info.kind == "list" and len(info.list_items) == 6
    home = analyse_page(listing + FOOTER, "http://www.example.gov.cn/")
    assert home.kind == "home"
    assert home.site_facts["site_code"] == "3201000012"


def test_breadcrumb_with_double_arrows_and_tail() -> None:
    html = ("<table><tr><td><a href='../index.html'>首页</a> >>&nbsp;<a href='articlecolumn.html'>工作动态</a>"
            " >>&nbsp;正文</td></tr></table><div>" + "<p>内容文字</p>" * 3 + "</div>")
    info = analyse_page(html, "http://www.example.js.cn/col1/articleinfo-12.html")
    assert info.breadcrumb == ["工作动态"]
    assert info.kind == "article"


def test_hostile_inputs_do_not_raise() -> None:
    for html in ("", "<", "<<<>>>", "\x00\x01\x02", "<datastore><record><![CDATA[<a href=", "<a href='http://[::1'>x</a>",
                 "createPageHTML(99999999999,0,'index','html')", "<div>" * 5000):
        info = analyse_page(html, "http://www.example.gov.cn/x/index.html")
        assert info.kind in ("article", "list", "home", "other")
    assert parse_datastore(None, "http://x/") == ([], None)  # type: ignore[arg-type]


def _plain_rule_page(anchor: LexborNode, base: str, url: str) -> str | None:
    """The page an anchor adds by the pagination rule, read without shortcuts (every target resolved and checked)."""
    text = "".join(anchor.text(deep=True).split()).lower().strip("[]【】")
    if not text or len(text) > 6 or not (text in _PAGE_WORDS or text.isdigit()):
        return None
    href = attr(anchor, "href")
    targets = [href] if href and not href.lower().startswith("javascript") else open_targets(attr(anchor, "onclick"))
    for page in (absolutize(target, base) for target in targets):
        if page and page != url and same_site(page, url) and (text in _STRONG_PAGE_WORDS or _page_number(page)):
            return page
    return None


def test_pagination_shortcuts_agree_with_the_plain_rule() -> None:
    texts = ["下一页", "下 一\n页", "下<span>一</span>页", "[尾页]", "【 NEXT 】", "首页", "首<b>页</b>", "2", "<i>1</i>2", "[ 3 ]",
             "①", "1234567", "[[[[[[[4]]]]]]]", "关于印发实施方案的通知", "", "»", "İİİİ", "NeXt", "ＮＥＸＴ", "Ⅻ", "下一頁"]
    links = ["href='/'", "href='../../'", "href='./'", "href='http://www.example.gov.cn/xxgk/'", "href='//'", "href='http://'",
             "href='\\/'", "href='/a&page=2&b/'", "href='index_2.html'", "href='list_3.htm'", "href='?page=4'",
             "href='/xxgk/index_5.shtml'", "href='javascript:void(0)' onclick=\"window.open('index_6.html')\"",
             "onclick=\"location.href='/'\"", "onclick=\"location.href='?page=7'\""]
    url = "http://www.example.gov.cn/xxgk/t20200101_1.html"
    for base in (url, "http://www.example.gov.cn/xxgk/index_3.html", "http://www.example.gov.cn/a&page=2&/b/list.jsp",
                 "http://www.example.gov.cn/list.jsp?page=3"):
        for text in texts:
            for link in links:
                tree = parse_html(f"<html><body><a {link}>{text}</a></body></html>")
                expected = _plain_rule_page(tree.body.css_first("a"), base, url)
                got = pagination_links(tree, base, url)
                assert (got[:1] or [None]) == [expected], (base, text, link)


def _selector_worded_anchors(body: LexborNode) -> list[tuple[int, str | None]]:
    """(node id, word) of worded anchors, found by the selector the pagination rule is written with."""
    anchors = body.css("a[href], a[onclick]")[:5000]
    return [(a.mem_id, _link_word(a)) for a in anchors if _link_word(a) is not None]


def test_worded_anchors_agree_with_the_selector() -> None:
    pages = ["<a href=index_2.html>下一页</a><a>2</a><a onclick='go(3)' href='index_3.html'>3</a><a name=x>尾页</a>",
             "<svg><a xlink:href='index_2.html'>2</a><a href='index_3.html'>3</a></svg><math><a href=4>4</a></math>",
             "<a foo:href=5>5</a><a xml:onclick=6>6</a><a href>下页</a><a onclick>next</a><a HREF=7 OnClick=8>7</a>",
             "<head><template><a href=1>1</a></template><noscript><a href=2>2</a></noscript></head><a href=3>3</a>",
             "<table><a href=1>1</a><tr><td><a href=2>2</a></table>", "<p>no links</p>",
             "<a href='index_2.html'>2</a>" * 2600, "<a onclick='go(9)' href='index_9.html'>9</a>" * 2600]
    for html in pages:
        tree = parse_html(f"<html>{html}</html>")
        assert [(a.mem_id, w) for a, w in _worded_anchors(tree, tree.body)] == _selector_worded_anchors(tree.body), html
    for before, after in ((True, False), (False, True)):  # anchors outside the body, in the document's <a> list
        tree = parse_html("<html><head></head><body><a href=index_2.html>2</a><a href=index_3.html>3</a></body></html>")
        if before:
            tree.head.insert_child(tree.body.css_first("a").clone())
        if after:
            tree.root.insert_child(tree.body.css("a")[-1].clone())
        assert [(a.mem_id, w) for a, w in _worded_anchors(tree, tree.body)] == _selector_worded_anchors(tree.body)


def test_crumb_walk_finds_what_the_selector_finds() -> None:
    html = ("<html><head><template><div class=position>t</div></template></head><body class=position>"
            "<template><div class=crumb>t</div></template><svg><section class=position>s</section><g class=position/>"
            "<foreignObject><div class=crumb>f</div></foreignObject></svg><math><mi><span id=pos>m</span></mi></math>"
            "<DIV CLASS=Location>u</DIV><td class=pos>lost</td><table><tr><td class=pos>c</td><th class=pos>h</th>"
            "</tr></table><ul id=bread><li class=crumb>i</li></ul><ol class=''><nav class=weizhi><p id=path>"
            "<section class=lujing><a class=crumb>a</a><div-x class=crumb>x</div-x><h2 class=dqwz>h</h2></section>"
            "</p></nav></ol><span class='site_nav x' id=pos>s</span></body></html>")
    body = parse_html(html).body
    walked = [node.mem_id for node in _crumb_tagged(body) if _CRUMB_CLASS.search(klass_id(node))]
    selected = [node.mem_id for node in body.css(_CRUMB_NAMED) if _CRUMB_CLASS.search(klass_id(node))]
    assert walked == selected and len(selected) == 10


def test_create_page_html_needs_the_call_name() -> None:
    script = "<script>createPageHTML(3, 0, 'index', 'html');</script>"
    assert create_page_html(script) == (3, 0, "index", "html")
    assert create_page_html(script.replace("createPageHTML", "createpagehtml")) is None


def test_footer_numbers_found_after_earlier_false_starts() -> None:
    head = "网站 北京\u3000 \n ICP备05012345号-1 公网安备见下 江苏  公网安备 32010202010123号 "
    for text in (head, head + "正文" * 30000):  # a long text's tail is searched first, then its head
        facts = site_facts_from_text(text)
        assert facts["icp"] == "北京 ICP备05012345号-1"
        assert facts["psb"] == "江苏 公网安备 32010202010123号"
    assert site_facts_from_text(head + "正文" * 30000 + " 浙ICP证1号")["icp"] == "浙ICP证1号"
    assert site_facts_from_text("京ICP 公网安备") == {}


# ---------------------------------------------------------------- page classes on real-site failure classes

SIDEBAR = "".join(f'<li><a href="/2020/1216/5581{i}.html">侧栏推荐文章标题第{i}条</a></li>' for i in range(10))
NAV = '<div class="nav"><a href="/">首页</a><a href="/news/">新闻</a><a href="/zcfg/">政策法规</a></div>'
CRUMB = '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻动态</a></div>'
PARAGRAPH = "本市召开工作会议，部署下一阶段重点任务，要求各单位认真落实责任，确保各项工作按期完成。" * 4


def _page(body: str, title: str = "页面") -> str:
    """A page with the usual furniture around a body."""
    return (f"<html><head><title>{title}</title></head><body>{NAV}{CRUMB}{body}"
            "<div class='footer'>版权所有：某某市人民政府 ICP备05012345号</div></body></html>")


def test_article_url_with_long_sidebar_lists_is_an_article() -> None:
    """A DedeCMS {aid}.html page: title, info line and a long text beside 10 sidebar rows is an article."""
    html = _page(f"<h1>关于开展检查的通知</h1><p>时间：2020-11-18 16:58 来源：本网</p><p>{PARAGRAPH}</p>"
                 f"<ul class='side'>{SIDEBAR}</ul><div><a href='/plus/search.php'>搜索</a></div>")
    info = analyse_page(html, "http://www.example.com/55542.html")
    assert info.cms == "dedecms"
    assert (info.kind, info.page_class) == ("article", "article")
    assert "dede_article" in info.reason and info.list_items == []


def test_long_text_under_an_info_line_is_an_article_whatever_the_url() -> None:
    """No URL rule knows the shape; the title, info line and text decide."""
    html = _page(f"<h1>标题</h1><div>发布日期：2021-03-04</div><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p><ul>{SIDEBAR}</ul>")
    info = analyse_page(html, "http://www.example.com/some/odd/page.asp?x=1")
    assert info.kind == "article" and "info line" in info.reason


def test_short_image_and_attachment_only_articles_are_articles() -> None:
    """One sentence, a picture with an 作者/编辑 line, or only an attachment: still articles."""
    short = _page("<h1>会议召开</h1><p>作者： 编辑：管理员 2020-11-17 10:40:14</p><p>会议圆满结束。</p>")
    assert analyse_page(short, "http://www.example.com/col26/picinfo-573.html").kind == "article"
    image = _page("<h1>图片新闻</h1><p>发布时间：2020-11-17</p><p><img src='/a.jpg'></p>")
    assert analyse_page(image, "http://www.example.com/xwzx/2016-10-10/5320.html").kind == "article"
    attachment = _page("<h1>申请表</h1><p>发布时间：2020-11-17</p><p><a href='/f/a.doc'>申请表.doc</a></p>")
    assert analyse_page(attachment, "http://www.example.com/x/20191028/0bf3676a-b6c7-4be7.html").kind == "article"
    empty = _page("<h1>置顶：关于做好后续工作的通知</h1><div>2020-06-09 11:38:58</div>")
    assert analyse_page(empty, "http://www.example.com/col1/articleinfo-460.html").kind == "article"


def test_article_shaped_url_holding_a_list_is_a_list() -> None:
    """Rows with dates and no info line under a title: a list, whatever the URL looks like."""
    rows = "".join(f"<li><a href='/a/{i}.html'>第{i}条通知的标题文字</a><span>2020-01-{i + 10}</span></li>"
                   for i in range(8))
    info = analyse_page(_page(f"<ul>{rows}</ul>"), "http://www.example.com/news/show_123.html")
    assert info.kind == "list" and "is a list" in info.reason


def test_repeated_info_lines_make_a_list_but_one_header_does_not() -> None:
    """Excerpts each followed by 来源/日期 are list rows; a 信息公开 header of three labels is one article."""
    rows = "".join(f"<div><a href='/c/{i}.html'>标题{i}</a><p>摘要文字……</p><p>来源：日报 日期：2020-12-3{i}</p></div>"
                   for i in range(1, 4))
    assert analyse_page(_page(rows), "http://www.example.com/channels/4.html").kind == "list"
    header = ("<table><tr><td>发布机构：某局 成文日期：2025年05月06日</td></tr><tr><td>发文字号： 发布日期：2025年05月11日"
              "</td></tr></table><h1>一图读懂</h1><p>发布时间：2025-05-11 17:04 浏览次数：</p><p>短文。</p>")
    info = analyse_page(_page(header), "http://www.example.gov.cn/xxgk/zcjd/202505/t20250511_100481.html")
    assert info.kind == "article"


def test_index_page_with_numbered_siblings_is_a_list_not_an_article_with_parts() -> None:
    """index.html linking index_2/index_3 is a list's first page (its pages are pagination, not parts)."""
    body = (f"<h2>一网汇爱心</h2><p>{PARAGRAPH}</p><div>2016-06-30</div><p>{PARAGRAPH}</p><div>2016-06-30</div>"
            "<div>页次1/3 <a href='index_2.html'>2</a> <a href='index_3.html'>3</a> <a href='index_2.html'>下一页</a></div>")
    info = analyse_page(_page(body), "http://www.example.com/axzl/index.html")
    assert info.kind == "list"
    assert "http://www.example.com/axzl/index_2.html" in info.pagination


def test_a_further_page_of_an_article_is_a_part() -> None:
    """{id}_3.html linking only {id}_2.html continues the article {id}.html: stored as a part, not an article."""
    body = f"<h1>管理办法(3)</h1><p>时间：2013-11-14 18:28</p><p>{PARAGRAPH}</p><a href='15427_2.html'>上一页</a>"
    info = analyse_page(_page(body), "http://www.example.com/zc/15427_3.html")
    assert info.kind == "part" and info.page_class == "other"
    assert "http://www.example.com/zc/15427.html" in info.reason


def test_single_page_column_is_content_but_a_form_is_not() -> None:
    """A column's own page holding paragraphs (简介) is migrated as an article; a form's answer page is not."""
    about = _page(f"<h2>观测站简介</h2><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>")
    info = analyse_page(about, "http://www.example.com/qhzgk/qhgczjj/index.html")
    assert info.kind == "article" and "single-page column" in info.reason
    form = _page(f"<form><input name='a'><input name='b'><textarea></textarea></form><p>{PARAGRAPH}</p>")
    assert analyse_page(form, "http://www.example.com/apply/index.html").kind != "article"


def test_column_home_and_other_pages_have_a_class_and_reason() -> None:
    """A column folder's page without rows is a column home; a bare page is other; both say why."""
    home = analyse_page(_page("<div>栏目</div>"), "http://www.example.com/xwzx/")
    assert (home.page_class, bool(home.reason)) == ("column-home", True)
    bare = analyse_page("<html><body><p>hello</p></body></html>", "http://www.example.com/a.html")
    assert bare.page_class == "other" and "neither an article" in bare.reason


def test_breadcrumb_names_are_normalised() -> None:
    """No 是：首页 root, no "--" tails, no bracketed or <title> site-name root, no year folder."""
    def crumbs(crumb: str, title: str = "x") -> list[str]:
        tree = parse_html(f"<html><head><title>{title}</title></head><body><div class='crumb'>{crumb}</div>"
                          "<p>text</p></body></html>")
        return find_breadcrumb(tree)

    assert crumbs("您当前的位置是：首页 > 鹰城快讯 > 鹰城要闻") == ["鹰城快讯", "鹰城要闻"]
    assert crumbs("当前位置：首页 -- 通知公告 --") == ["通知公告"]
    assert crumbs("当前位置：[海南建设信息网] > 新闻 > 2019") == ["新闻"]
    assert crumbs("当前位置：海南建设信息网 > 政策法规 > 通知", "通知 - 海南建设信息网") == ["政策法规", "通知"]


def test_links_written_by_document_write_are_followed() -> None:
    """Literal hrefs inside document.write(...) (and unescape("%3C…")) are links; variable-built ones are not."""
    html = ("<html><body><script>document.write('<a href=\"/zwgk/list.html\">政务公开</a>');"
            "document.write(unescape(\"%3Ca href='/hidden/a.html'%3Ex%3C/a%3E\"));"
            "document.write(\"<a href=\\\"\" + name + \"_1.html\\\">2</a>\");</script></body></html>")
    urls = {link.url for link in analyse_page(html, "http://www.example.com/").links}
    assert {"http://www.example.com/zwgk/list.html", "http://www.example.com/hidden/a.html"} <= urls
    assert not any("_1.html" in u for u in urls)


def test_select_jump_pager_and_navigation_drop_downs() -> None:
    """Numbered options of a location-setting <select> are list pages; other options are ordinary links."""
    html = _page("<ul><li><a href='javascript:;'>2</a></li><li><a href='javascript:;'>下一页</a></li></ul>"
                 "<select onchange='location.href=this.value'><option value='list_4_1.html'>1</option>"
                 "<option value='list_4_2.html'>2</option></select>"
                 "<select onchange='window.location=this.value'><option value='?issue=5'>2018年第5期</option></select>")
    info = analyse_page(html, "http://www.example.com/a/list_4_1.html")
    assert "http://www.example.com/a/list_4_2.html" in info.pagination
    assert "http://www.example.com/a/list_4_1.html?issue=5" in {link.url for link in info.links}


def test_script_function_pager_is_followed() -> None:
    """JEECMS-style _gotoPage('3') with a function building "index_" + n + ".jhtml" names the list pages."""
    html = _page("<script>function _gotoPage(pageNo) { location.href = 'index_' + pageNo + '.jhtml'; }</script>"
                 "<a href='javascript:void(0)' onclick=\"_gotoPage('2')\">2</a>"
                 "<a href='javascript:void(0)' onclick=\"_gotoPage('3')\">尾页</a>")
    info = analyse_page(html, "http://www.example.com/news/index.jhtml")
    assert {"http://www.example.com/news/index_2.jhtml", "http://www.example.com/news/index_3.jhtml"} <= set(
        info.pagination)
    assert info.unreachable is None


def test_unreachable_pagers_are_reported_with_a_reason() -> None:
    """A POST-form pager and a javascript:-only pager are reported, not dropped; a JSON load-more feed is followed."""
    rows = "".join(f"<li><a href='articleinfo-{i}.html'>第{i}条标题文字</a><span>2020-06-0{i}</span></li>"
                   for i in range(1, 6))
    post = _page(f"<ul>{rows}</ul><script>function goToPageURL(n) {{ document.pageForm.currpage.value = n;"
                 " document.pageForm.submit(); }</script><form method='post' name='pageForm'></form>"
                 "<a href='Javascript:goToPageURL(2)'>2</a>")
    info = analyse_page(post, "http://www.example.com/col1/articlecolumn.html")
    assert info.kind == "list" and info.unreachable and info.unreachable.startswith("POST-form pager")
    feed = _page(f"<ul>{rows}</ul><script>var url = 'datas_2.json'; function more() {{}}</script>"
                 "<div>共5页</div><a href='javascript:;' onclick='more()'>下一页</a>")
    info = analyse_page(feed, "http://www.example.com/news/index.html")
    assert "http://www.example.com/news/datas_2.json" in info.pagination and info.unreachable is None  # followed
    plain = _page(f"<ul>{rows}</ul><div>当前第1页 共330页</div><a href='javascript:;'>2</a><a href='javascript:;'>下一页</a>")
    info = analyse_page(plain, "http://www.example.com/channels/10320.html")
    assert info.unreachable and "330 pages announced" in info.unreachable


def test_sitemap_body_lists_its_urls() -> None:
    """A sitemap (or sitemap index) is read as links; it is no article and no list."""
    xml = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           "<url><loc>http://www.example.com/zt/a.html</loc></url><url><loc><![CDATA[http://www.example.com/b?x=1&amp;y=2]]>"
           "</loc></url></urlset>")
    info = analyse_page(xml, "http://www.example.com/sitemap.xml")
    assert info.page_class == "other" and "sitemap" in info.reason
    assert [link.url for link in info.links] == ["http://www.example.com/zt/a.html", "http://www.example.com/b?x=1&y=2"]


def test_profiles_know_the_real_sample_families() -> None:
    """SiteServer, Epoint and 帝国CMS URL shapes are recognised, and a family's broad rule stays its own."""
    assert url_class("http://a/contents/18103/318811.html") == ("article", "siteserver_content")
    assert url_class("http://a/channels/4_2.html") == ("list", "siteserver_channel")
    assert url_class("http://a/cs/032001/20191028/0bf3676a-b6c7-4be7-beff.html")[0] == "article"
    assert url_class("http://a/dh/jjh/2016-10-10/5320.html")[0] == "article"
    assert url_class("http://a/55542.html") is None  # DedeCMS's {aid}.html only on DedeCMS pages
    assert url_class("http://a/55542.html", CmsId.DEDECMS) == ("article", "dede_article")
    assert detect_cms('<meta name="generator" content="SiteServer CMS">', "http://a/") == CmsId.SITESERVER


# ---------------------------------------------------------------- the crawl records classes and reads sitemaps

HIDDEN_ARTICLE = _page(f"<h1>无人链接的文章</h1><p>发布时间：2020-01-01</p><p>{PARAGRAPH}</p>")
FEED_ARTICLE = _page(f"<h1>只在数据源里的文章</h1><p>发布时间：2020-01-02</p><p>{PARAGRAPH}</p>")
SITE_PAGES = {
    "/": _page("<a href='/about.html'>关于</a><a href='/news/index.html'>新闻</a>"),
    "/news/index.html": _page("<ul id='list'></ul><script>$.getJSON('datas_1.json', render);</script>"),
    "/news/datas_1.json": '{"pageCount": 1, "datas": [{"title": "只在数据源里的文章", "url": "202001/t20200102_2.html"}]}',
    "/news/202001/t20200102_2.html": FEED_ARTICLE,
    "/about.html": "<html><body><p>hello</p></body></html>",
    "/robots.txt": "User-agent: *\nDisallow:\nSitemap: /maps/sitemap.xml\n",
    "/maps/sitemap.xml": '<?xml version="1.0"?><urlset><url><loc>/zt/202001/t20200101_1.html</loc></url></urlset>',
    "/zt/202001/t20200101_1.html": HIDDEN_ARTICLE,
}


class _SiteHandler(BaseHTTPRequestHandler):
    """Serves SITE_PAGES (robots.txt as text, the sitemap as XML)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802
        """One page, or 404."""
        body = SITE_PAGES.get(self.path)
        kind = {"txt": "text/plain", "xml": "text/xml", "json": "application/json"}.get(self.path.rsplit(".", 1)[-1],
                                                                                     "text/html")
        data = (body or "not found").encode("utf-8")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_crawl_reads_robots_sitemaps_and_records_each_pages_class(tmp_path: Path) -> None:
    """A section only the sitemap names and an article only a JSON feed lists are crawled; every fetched page keeps
    its class and the rule's reason."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SiteHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = open_store(tmp_path)
        home = f"http://127.0.0.1:{server.server_address[1]}/"
        crawl(store, local_site(home, "maps"), fast_settings(), tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    rows = resources_by_path(store, "maps")
    article = rows["/zt/202001/t20200101_1.html"]
    assert article.status == "fetched" and article.kind == "article"
    assert article.hint["class"] == "article" and "trs_article" in article.hint["class_reason"]
    assert rows["/maps/sitemap.xml"].hint["class_reason"] == "a sitemap naming 1 URLs"
    assert rows["/about.html"].hint["class"] == "other" and rows["/about.html"].hint["class_reason"]
    assert rows["/"].hint["class"] == "column-home"
    feed = rows["/news/datas_1.json"]
    assert (feed.kind, feed.hint["class"], feed.hint["class_reason"]) == ("list", "list", "a JSON feed of 1 entries")
    assert rows["/news/202001/t20200102_2.html"].kind == "article"


def test_spellings_of_one_column_become_one_node() -> None:
    """Same folder, same depth and last name, one name differing: the spelling fewer articles use is renamed,
    below it too; columns that merely share a last name in different folders stay apart."""
    pages = [(f"http://a/zjg/031001/2020010{i}/x{i}.html", ["张家港市分中心", "新闻动态", "通知公告"]) for i in range(3)]
    pages += [("http://a/zjg/031001/20200201/y.html", ["张家港分中心", "新闻动态", "通知公告"]),
              ("http://a/zjg/031003/20200201/z.html", ["张家港分中心", "办事指南", "操作手册"]),
              ("http://a/ks/034001/20200201/k.html", ["昆山分中心", "新闻动态", "通知公告"])]
    renames = find_aliases(pages)
    assert renames == {("张家港分中心",): ("张家港市分中心",)}
    assert unified(["张家港分中心", "办事指南", "操作手册"], renames) == ["张家港市分中心", "办事指南", "操作手册"]
    assert unified(["昆山分中心", "新闻动态", "通知公告"], renames) == ["昆山分中心", "新闻动态", "通知公告"]


def test_trs_count_page_without_the_call_names_the_list_pages() -> None:
    """A TRS list whose createPageHTML call lives in a shared script still pages: var countPage = 3 (0-based)."""
    rows = "".join(f"<li><a href='./2019{i:02d}/t2019{i:02d}01_{i}.html'>通知标题第{i}条</a><span>19-{i:02d}-01</span></li>"
                   for i in range(1, 6))
    html = _page(f"<ul>{rows}</ul><script>var currentPage = 0;//所在页从0开始\nvar countPage = 3//共多少页\n"
                 'function toPage(){ var str = "index"+"_"+(_num-1)+"."+"html"; }</script>')
    info = analyse_page(html, "http://www.example.cas.cn/tzgg/index.html")
    assert info.cms == "trs"
    assert {"http://www.example.cas.cn/tzgg/index_1.html", "http://www.example.cas.cn/tzgg/index_2.html"} <= set(
        info.pagination)
    assert "http://www.example.cas.cn/tzgg/index_3.html" not in info.pagination


def test_list_rendered_from_a_json_api_is_reported() -> None:
    """A list page with no rows whose entries a script reads from an API says so; a page counter is no such API."""
    html = _page("<div id='list'></div><script>$.getJSON('/gkmlpt/api/all/508?page=1', render);"
                 "$.get('/api/stl/actions/add_tracker_count/1/5');</script>")
    info = analyse_page(html, "http://www.example.gov.cn/gkmlpt/index")
    assert info.kind == "list"
    assert info.unreachable and "/gkmlpt/api/all/508?page=1" in info.unreachable
    counter = _page("<div id='list'></div><script>$.get('/api/stl/actions/add_tracker_count/1/5');</script>")
    assert analyse_page(counter, "http://www.example.gov.cn/gkmlpt/index").unreachable is None


def test_json_load_more_feed_is_read_as_list_rows() -> None:
    """A JSONP feed of entries with URL/title/date keys is list rows; its page count names the other feed pages."""
    text = ('jsonpCallback({"pageCount": 3, "datas": [{"title": "关于开展检查的通知", "url": "/art/2021/1/5/art_1_9.html",'
            ' "pubDate": "2021-01-05"}, {"docTitle": "第二条", "docPubUrl": "./t20210104_8.html"}, {"title": "无链接"}]})')
    items, pages = feed_entries(text, "http://www.example.gov.cn/news/datas_1.json")
    assert [(i.url, i.title, i.date) for i in items] == [
        ("http://www.example.gov.cn/art/2021/1/5/art_1_9.html", "关于开展检查的通知", "2021-01-05"),
        ("http://www.example.gov.cn/news/t20210104_8.html", "第二条", None)]
    assert pages == ["http://www.example.gov.cn/news/datas_2.json", "http://www.example.gov.cn/news/datas_3.json"]
    assert feed_entries("<html>not json</html>", "http://www.example.gov.cn/a.json") is None
    page = _page("<ul id='list'></ul><script>loadMore('datas_1.json');</script>")
    info = analyse_page(page, "http://www.example.gov.cn/news/index.html")
    assert "http://www.example.gov.cn/news/datas_1.json" in info.pagination and info.unreachable is None
