"""analyse_page & friends on small snippets in the styles of TRS, Hanweb, PHPCMS, DedeCMS, Kaipuyun, generic."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborNode

from crawlers._common import absolutize, attr, klass_id, open_targets, parse_html, same_site
from crawlers.discover import (
    _CRUMB_CLASS,
    _CRUMB_NAMED,
    _PAGE_WORDS,
    _STRONG_PAGE_WORDS,
    _crumb_tagged,
    _link_word,
    _page_number,
    _pagination_links,
    _worded_anchors,
    analyse_page,
    create_page_html,
    detect_cms,
    hanweb_proxy_urls,
    parse_datastore,
    site_facts_from_text,
)

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
    assert info.article_parts == ["http://www.example.gov.cn/zwgk/201510/t20151009_67430_1.html",
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
    assert info.article_parts == []


def test_trs_parts_are_own_name_plus_number() -> None:
    base = "http://www.example.gov.cn/xxgk/201608/t20160831_123456"
    html = _trs_article_with_links('<a href="./t20160831_123456_1.html">下一页</a>'
                                   '<a href="./t20160831_789012_1.html">尾页</a>')
    assert analyse_page(html, base + ".html").article_parts == [base + "_1.html"]


def test_trs_part_page_links_its_siblings_and_first_part() -> None:
    base = "http://www.example.gov.cn/xxgk/201608/t20160831_123456"
    html = _trs_article_with_links('<a href="./t20160831_123456.html">上一页</a>'
                                   '<a href="./t20160831_123456_2.html">下一页</a><a href="./t20160831_789012.html">尾页</a>')
    assert analyse_page(html, base + "_1.html").article_parts == [base + ".html", base + "_2.html"]


def test_dedecms_article_parts_keep_working() -> None:
    base = "http://www.example.gov.cn/a/tzgg/2016/0831/123"
    html = _trs_article_with_links('<a href="./123_2.html">下一页</a><a href="./124.html">尾页</a>')
    assert analyse_page(html, base + ".html").article_parts == [base + "_2.html"]
    html = _trs_article_with_links('<a href="./123.html">上一页</a><a href="./123_3.html">下一页</a>')
    assert analyse_page(html, base + "_2.html").article_parts == [base + ".html", base + "_3.html"]


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
                got = _pagination_links(tree, base, url)
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
