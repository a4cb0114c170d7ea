"""extract_article, join_parts, templates and html_to_text on snippets in legacy CMS styles."""

from __future__ import annotations

import random

from consolidate.samplefleet import Fleet
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor, clear_caches, extract_article, join_parts, learn_template
from crawlers.text import html_to_text, normalize_space
from tests.crawlers.pages import legacy_page

SITE = "http://www.example.gov.cn"

TRS_ARTICLE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>关于做好2016年度防汛工作的通知_某某市人民政府</title>
<meta name="ArticleTitle" content="关于做好2016年度防汛工作的通知">
<meta name="PubDate" content="2016-08-31 10:20">
<meta name="ContentSource" content="市防汛办">
<link href="/images/trs_web_style.css" rel="stylesheet"></head>
<body><div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/tzgg/">通知公告</a></div>
<div class="article"><h1>关于做好2016年度防汛工作的通知</h1>
<div class="info">发布时间：2016-08-31 10:20 &nbsp; 信息来源：市防汛办 &nbsp; 浏览次数：<span id="count">12</span></div>
<div class="TRS_Editor"><style>.TRS_Editor P{line-height:2}</style>
<p class="MsoNormal" style="text-indent:2em">各区县人民政府，市各有关单位：</p>
<p>为切实做好今年防汛工作，现将有关事项通知如下。</p>
<table border="1"><tr><td>单位</td><td>联系人</td></tr><tr><td>市水务局</td><td>张三</td></tr></table>
<p><img src="./W020160831.jpg" alt="图"></p>
<p>附件：<a href="./P020160831_1.pdf">防汛工作方案.pdf</a></p>
</div>
<div class="fj">相关附件：<a href="./P020160831_1.pdf">防汛工作方案.pdf</a> <a href="./P020160831_2.DOC?v=1">联系表</a></div>
<div class="tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="footer">主办单位：某某市人民政府办公室 苏ICP备05012345号</div></body></html>"""

TRS_URL = SITE + "/zwgk/tzgg/201608/t20160831_123456.html"


def test_trs_article_from_gbk_bytes() -> None:
    page = decode_html(TRS_ARTICLE.encode("gbk"), "text/html")
    rec = extract_article(page.text, TRS_URL, "example")
    assert rec.site == "example"
    assert rec.title == "关于做好2016年度防汛工作的通知"
    assert rec.published == "2016-08-31T10:20:00"
    assert rec.warnings == []
    assert rec.source == "市防汛办"
    assert rec.column_path == ["政务公开", "通知公告"]
    assert rec.body_text == ("各区县人民政府，市各有关单位：\n为切实做好今年防汛工作，现将有关事项通知如下。\n"
                             "单位 联系人\n市水务局 张三")
    assert "打印本页" not in rec.body_html and "浏览次数" not in rec.body_html
    assert "class=" not in rec.body_html and "style" not in rec.body_html
    assert rec.images == [SITE + "/zwgk/tzgg/201608/W020160831.jpg"]
    assert [(a.url, a.name) for a in rec.attachments] == [
        (SITE + "/zwgk/tzgg/201608/P020160831_1.pdf", "防汛工作方案.pdf"),
        (SITE + "/zwgk/tzgg/201608/P020160831_2.DOC?v=1", "联系表"),
    ]
    assert all(a.bytes is None and a.sha256 is None for a in rec.attachments)
    assert rec.content_hash is None


XXGK_ARTICLE = """<html><head><title>某某区2021年政府信息公开工作年度报告 - 某某区人民政府</title></head><body>
<table class="xxgk_table">
<tr><td>索 引 号：</td><td>11441700007280420Y/2021-00050</td><td>主题分类：</td><td>综合政务</td></tr>
<tr><td>发布机构：</td><td>某某区人民政府办公室</td><td>成文日期：</td><td>2021年01月25日</td></tr>
<tr><td>发文字号：</td><td>某府办〔2021〕5号</td><td>发布日期：</td><td>2021-01-28</td></tr>
<tr><td>标题：</td><td colspan="3">某某区2021年政府信息公开工作年度报告</td></tr>
</table>
<div class="zw_title">某某区2021年政府信息公开工作年度报告</div>
<div id="zoom"><p>根据《中华人民共和国政府信息公开条例》要求，现公布本年度报告。</p><p>一、总体情况</p></div>
</body></html>"""


def test_disclosure_header_table_fields() -> None:
    rec = extract_article(XXGK_ARTICLE, SITE + "/xxgk/content/post_8123.html")
    assert rec.index_no == "11441700007280420Y/2021-00050"
    assert rec.topic == "综合政务"
    assert rec.publisher == "某某区人民政府办公室"
    assert rec.written == "2021-01-25"
    assert rec.doc_no == "某府办〔2021〕5号"
    assert rec.published == "2021-01-28"
    assert rec.title == "某某区2021年政府信息公开工作年度报告"
    assert rec.body_text == "根据《中华人民共和国政府信息公开条例》要求，现公布本年度报告。\n一、总体情况"


HANWEB_ARTICLE = """<html><head><meta name="PubDate" content="2016-09-01 08:00:00">
<meta name="ColumnName" content="部门动态"><title>市发改委召开专题会议_部门动态_某某市人民政府</title></head><body>
<div class="bt-position">您现在的位置：<a href="/">首页</a> > <a href="/col/col1228/index.html">新闻中心</a> > <a href="/col/col1229/index.html">部门动态</a> > 正文</div>
<table class="con"><tr><td class="title">市发改委召开专题会议研究部署重点项目建设</td></tr>
<tr><td class="info">发布日期：2016年8月31日 &nbsp;&nbsp;来源：市发改委 &nbsp; 字体：【大 中 小】</td></tr>
<tr><td id="zoom"><p>8月30日，市发改委召开专题会议。</p><p>会议要求，各单位要切实加快项目进度。</p>
<div style="display:none"><a href="http://www.bet365-casino.example.com/">澳门博彩</a><a href="http://pills.example.net/buy">特效药</a></div>
<p style="position:absolute;left:-9999px"><a href="http://www.sportsbet.example.org/">体育投注</a></p>
<ul style="display:none" class="dropdown"><li><a href="/col/col1230/index.html">县区动态</a></li><li><a href="http://www.other-dept.gov.cn/">兄弟单位</a></li></ul>
</td></tr></table>
<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>
</body></html>"""


def test_hanweb_article_dates_conflict_and_spam_links() -> None:
    rec = extract_article(HANWEB_ARTICLE, SITE + "/art/2016/8/31/art_1229_45678.html")
    assert rec.title == "市发改委召开专题会议研究部署重点项目建设"
    assert rec.published == "2016-08-31"
    assert rec.warnings == ["date conflict: visible=2016-08-31 meta=2016-09-01T08:00:00"]
    assert rec.source == "市发改委"
    assert rec.column_path == ["新闻中心", "部门动态"]
    assert rec.body_text == "8月30日，市发改委召开专题会议。\n会议要求，各单位要切实加快项目进度。"
    assert rec.spam_links == ["http://www.bet365-casino.example.com/", "http://pills.example.net/buy",
                              "http://www.sportsbet.example.org/"]
    assert "县区动态" not in rec.body_html and "博彩" not in rec.body_html


def test_same_site_hidden_menu_is_not_spam() -> None:
    html = HANWEB_ARTICLE.split('<div style="display:none">')[0] + "</td></tr></table>" + (
        '<ul style="display:none"><li><a href="/col/col1230/index.html">县区动态</a></li></ul>'
        '<span style="font-size:0px"><a href="https://sub.example.gov.cn/x">子站</a></span></body></html>')
    rec = extract_article(html, SITE + "/art/2016/8/31/art_1229_45678.html")
    assert rec.spam_links == []


def test_tiny_font_and_zero_height_spam() -> None:
    html = ("<div class='content'><p>正文第一段，内容足够长以便被识别为正文区域。</p>"
            "<font style='font-size:1px'><a href='http://dubo.example.cc/'>赌博</a></font>"
            "<div style='height:0;overflow:hidden'><a href='http://loan.example.biz/'>贷款</a></div></div>")
    rec = extract_article(html, SITE + "/news/1.html")
    assert rec.spam_links == ["http://dubo.example.cc/", "http://loan.example.biz/"]
    assert rec.body_text == "正文第一段，内容足够长以便被识别为正文区域。"


ATTACH_ARTICLE = """<html><body><h1 class="title">关于公布2020年度行政许可事项清单的通知</h1>
<div class="pages-date">2020/6/5 9:30:00 <span class="font">来源：市审批局</span></div>
<div class="pages_content" id="UCAP-CONTENT">
<p>现将2020年度行政许可事项清单予以公布。</p>
<p><a href="javascript:void(0)" onclick="window.open('/module/download/downfile.jsp?classid=0&filename=abc123.pdf&fileid=77')">行政许可事项清单</a></p>
<p><a href="/attach/download.jsp?fileid=9876">办事指南汇编.docx</a></p>
<iframe src="/pdfjs/web/viewer.html?file=/uploads/2020/%E8%A7%A3%E8%AF%BB.pdf" width="100%"></iframe>
<p><a href="/uploads/2020/%E8%A1%A8%E6%A0%BC.xlsx">下载</a></p>
<p><a href="/news/other.html">相关新闻</a></p>
</div></body></html>"""


def test_attachments_onclick_download_jsp_iframe_viewer() -> None:
    rec = extract_article(ATTACH_ARTICLE, SITE + "/zhengce/content/202006/content_555.htm")
    assert [(a.url, a.name) for a in rec.attachments] == [
        (SITE + "/module/download/downfile.jsp?classid=0&filename=abc123.pdf&fileid=77", "行政许可事项清单"),
        (SITE + "/attach/download.jsp?fileid=9876", "办事指南汇编.docx"),
        (SITE + "/uploads/2020/%E8%A7%A3%E8%AF%BB.pdf", "解读.pdf"),
        (SITE + "/uploads/2020/%E8%A1%A8%E6%A0%BC.xlsx", "表格.xlsx"),
    ]
    assert rec.published == "2020-06-05T09:30:00"
    assert rec.source == "市审批局"
    assert "<iframe" not in rec.body_html and "onclick" not in rec.body_html
    assert f'href="{SITE}/module/download/downfile.jsp?classid=0&amp;filename=abc123.pdf&amp;fileid=77"' in rec.body_html
    assert f'href="{SITE}/news/other.html"' in rec.body_html


def test_kaipuyun_meta_date_when_nothing_visible() -> None:
    html = ('<meta name="firstpublishedtime" content="2021-03-05 10:00:00"><div class="article-title">'
            '<h1>国务院办公厅关于印发某某方案的通知</h1></div><div id="UCAP-CONTENT"><p>各省、自治区、直辖市人民政府：</p></div>')
    rec = extract_article(html, "http://www.gov.cn/zhengce/content/2021-03/05/content_5590000.htm")
    assert rec.title == "国务院办公厅关于印发某某方案的通知"
    assert rec.published == "2021-03-05T10:00:00"
    assert rec.body_text == "各省、自治区、直辖市人民政府："


def test_date_formats_url_fallback_and_none() -> None:
    base = '<h1>标题文字标题文字</h1><div class="info">{}</div><div class="content"><p>正文内容正文内容正文内容正文内容正文内容。</p></div>'
    for shown, expected in (("发布时间：2016.08.31", "2016-08-31"), ("日期：2016/8/31 10:20:00", "2016-08-31T10:20:00"),
                            ("发布日期：2016年8月1日", "2016-08-01"), ("时间：2016-8-31 7:05", "2016-08-31T07:05:00")):
        assert extract_article(base.format(shown), SITE + "/x/1.html").published == expected
    assert extract_article(base.format(""), SITE + "/zwgk/201608/t20160830_1.html").published == "2016-08-30"
    assert extract_article(base.format(""), SITE + "/x/1.html").published is None



def test_a_byline_ending_in_its_date_gives_the_published_date() -> None:
    base = '<h1>标题文字标题文字</h1><div class="info">{}</div><div class="content"><p>正文内容正文内容正文内容正文内容正文内容。</p></div>'
    url = SITE + "/x/1.html"
    for shown in ("作者：&nbsp;&nbsp;编辑：系统管理员&nbsp;&nbsp;<span>2019-07-17 14:01:52</span>",
                  "来源：市发展改革委 作者：张三 2019-07-17 14:01:52", "信息来源：本站 | 浏览次数：35 | 2019年7月17日 14:01:52"):
        assert extract_article(base.format(shown), url).published == "2019-07-17T14:01:52", shown
    for shown in ("作者：张三 2019-07-17 编辑：李四 2019-08-01",  # two dates: which one is the page's is not guessed
                  "作者：张三 2019-07-17 点击：12"):  # a date that ends nothing
        assert extract_article(base.format(shown), url).published is None, shown
    deep = '<h1>标题文字标题文字</h1><p>第一段。</p><p>第二段。</p><p>第三段。</p><p>第四段。</p><p>来源：新华社 2019-07-17</p>'
    assert extract_article(deep, url).published is None  # a byline is read right under the title only

DEDE_ARTICLE = """<html><head><title>某某镇开展环境整治活动_新闻动态_某某镇人民政府</title></head><body>
<div class="place"><strong>当前位置:</strong> <a href="/">主页</a> > <a href="/a/xwdt/">新闻动态</a> > </div>
<div class="viewbox"><div class="title"><h2>某某镇开展环境整治活动</h2></div>
<div class="info"><small>时间:</small>2018-05-03 09:12<small>来源:</small>镇党政办<small>作者:</small>admin <small>点击:</small>
<script src="/plus/count.php?view=yes&aid=305"></script>次</div>
<div class="content"><table width="100%"><tr><td><p>5月2日，某某镇组织开展环境卫生集中整治活动。</p>
<p>此次活动共清理垃圾10余吨。</p></td></tr></table></div>
<div class="boxoff"><strong>------分隔线----------------------------</strong></div>
<div class="handle"><div class="context"><ul><li>上一篇：<a href="/a/xwdt/2018/0502/304.html">上一条新闻</a></li>
<li>下一篇：没有了</li></ul></div></div></div></body></html>"""


def test_dedecms_article() -> None:
    rec = extract_article(DEDE_ARTICLE, SITE + "/a/xwdt/2018/0503/305.html")
    assert rec.title == "某某镇开展环境整治活动"
    assert rec.published == "2018-05-03T09:12:00"
    assert rec.source == "镇党政办"
    assert rec.column_path == ["新闻动态"]
    assert rec.body_text == "5月2日，某某镇组织开展环境卫生集中整治活动。\n此次活动共清理垃圾10余吨。"


def test_generic_page_without_known_container_uses_fallback() -> None:
    paras = "".join(f"<p>第{i}段：为进一步优化营商环境，市政府决定在全市范围内推行一网通办改革，切实提高办事效率。</p>"
                    for i in range(1, 6))
    html = (f"<html><head><title>推行一网通办改革 - 某市</title></head><body><div class='top'><a href='/'>首页</a>"
            f"<a href='/a'>栏目一</a></div><div class='main'><h3>推行一网通办改革</h3><div class='x1'>{paras}</div></div>"
            "<div class='foot'>版权所有 某市人民政府</div></body></html>")
    rec = extract_article(html, SITE + "/p/77")
    assert rec.title == "推行一网通办改革"
    assert "第1段" in rec.body_text and "第5段" in rec.body_text
    assert "版权所有" not in rec.body_text


def _part(n: int, parts: int = 3) -> str:
    return (f'<html><head><meta name="ArticleTitle" content="长篇报告"></head><body><div class="TRS_Editor">'
            f'<p>第{n}页正文内容。</p><p><a href="./P02015100{n}.pdf">材料{n}</a></p><p><img src="./W{n}.png"></p></div>'
            f'<script>createPageHTML({parts},{n},"t20151009_67430","html");</script></body></html>')


def test_multi_page_join() -> None:
    base = SITE + "/zwgk/201510/t20151009_67430"
    first = extract_article(_part(0), base + ".html")
    assert first.part_urls == [base + "_1.html", base + "_2.html"]
    rest = [extract_article(_part(n), f"{base}_{n}.html") for n in (1, 2)]
    joined = join_parts(first, rest)
    assert joined.body_text == "第0页正文内容。\n材料0\n第1页正文内容。\n材料1\n第2页正文内容。\n材料2"
    assert [a.name for a in joined.attachments] == ["材料0", "材料1", "材料2"]
    assert joined.images == [SITE + f"/zwgk/201510/W{n}.png" for n in range(3)]
    assert joined.title == "长篇报告" and joined.url == base + ".html"


def _site_page(n: int) -> str:
    return legacy_page(f"第{n}条新闻_某局",
                       f"<table><tr><td class='art_title'>某局召开第{n}次工作会议</td></tr>"
                       f"<tr><td class='art_info'>发布时间：2022-0{n}-1{n} 来源：某局办公室</td></tr>"
                       f"<tr><td><div id='artContent_{1000 + n}' class='art_content'><p>会议第{n}项内容，"
                       f"研究部署下一阶段工作任务。</p><p>附件：<a href='/f/{n}.pdf'>材料{n}</a></p></div></td></tr></table>")


def test_template_agrees_with_generic_path() -> None:
    samples = [(_site_page(n), f"{SITE}/news/{n}.html") for n in (1, 2, 3)]
    template = learn_template(samples)
    assert template is not None
    for n in (4, 5, 6):
        html, url = _site_page(n), f"{SITE}/news/{n}.html"
        via_template = template.extract(html, url)
        assert via_template is not None
        assert via_template == extract_article(html, url)
        assert via_template.title == f"某局召开第{n}次工作会议"
        assert via_template.attachments[0].name == f"材料{n}"
    assert template.extract("<html><body><p>完全不同的页面</p></body></html>", SITE + "/x.html") is None


def test_learn_template_rejects_disagreeing_samples() -> None:
    other = "<html><body><h1>另一种版式的标题</h1><div class='TRS_Editor'><p>另一种版式的正文内容很长很长。</p></div></body></html>"
    assert learn_template([(_site_page(1), SITE + "/1.html"), (other, SITE + "/2.html")]) is None
    assert learn_template([]) is None


def _guide_page(n: int) -> str:
    """A second layout of the same site (办事指南): the article container holds title, info and body."""
    return legacy_page(f"第{n}项办事指南_某局",
                       f"<div id='Article'><h2 class='gtitle'>第{n}项事项办理指南</h2><div class='ginfo'>发布时间：2021-0{n}-0{n}</div>"
                       f"<div>一、事项名称</div><p>第{n}项行政许可事项的办理，需要准备身份证明和申请表。</p>"
                       f"<div>二、办理时限</div><p>自受理之日起{n + 5}个工作日内办结，特殊情况可延长。</p></div>")


def test_site_extractor_learns_then_uses_templates_and_stays_exact() -> None:
    extractor = SiteExtractor("news", learn_after=3)
    pages = [(_site_page(n), f"{SITE}/news/{n}.html") for n in range(1, 10)]
    records = [extractor.extract(html, url) for html, url in pages]
    assert records == [extract_article(html, url, "news") for html, url in pages]
    assert len(extractor.templates) == 1
    assert (extractor.generic, extractor.hits, extractor.misses) == (3, 6, 0)
    assert records[-1].title == "某局召开第9次工作会议" and records[-1].site == "news"


def test_site_extractor_falls_back_and_learns_a_second_layout() -> None:
    extractor = SiteExtractor("mixed", learn_after=3)
    for n in (1, 2, 3):
        extractor.extract(_site_page(n), f"{SITE}/news/{n}.html")
    guides = [(_guide_page(n), f"{SITE}/guide/{n}.html") for n in range(1, 7)]
    records = [extractor.extract(html, url) for html, url in guides]
    assert records == [extract_article(html, url, "mixed") for html, url in guides]
    assert records[0].title == "第1项事项办理指南" and "行政许可" in records[0].body_text
    assert len(extractor.templates) == 2, extractor.templates
    assert extractor.misses >= 2 and extractor.hits >= 1
    odd = "<html><body><p>完全不同的页面，没有任何正文容器。</p></body></html>"
    assert extractor.extract(odd, SITE + "/odd.html") == extract_article(odd, SITE + "/odd.html", "mixed")


def test_site_extractor_survives_hostile_pages() -> None:
    extractor = SiteExtractor("fuzz", learn_after=2)
    for n in (1, 2):
        extractor.extract(_site_page(n), f"{SITE}/news/{n}.html")
    assert extractor.templates
    for html in [m for seed in range(2) for m in _mutations(seed)] + [None, "", "<div>" * 2000]:
        record = extractor.extract(html, TRS_URL)  # type: ignore[arg-type]
        assert record == extract_article(html, TRS_URL, "fuzz")  # type: ignore[arg-type]


def test_template_title_miss_takes_the_generic_pick() -> None:
    template = learn_template([(_site_page(n), f"{SITE}/news/{n}.html") for n in (1, 2)])
    assert template is not None and template.title is not None
    html = _site_page(3).replace("class='art_title'", "class='headline_x'")
    via_template = template.extract(html, SITE + "/news/3.html")
    assert via_template is not None
    assert via_template == extract_article(html, SITE + "/news/3.html")


def test_fleet_sites_template_path_equals_generic_path(fleet: Fleet) -> None:
    """Every article page of every sample site: the template path's record is the generic path's record."""
    clear_caches()
    for site in fleet.sites:
        base = f"http://{site.site_id}.example.gov.cn"
        extractor = SiteExtractor(site.site_id)
        for truth in site.truth(base + "/"):
            page = site.respond(truth.url.removeprefix(base), {})
            html = decode_html(page.body, page.content_type).text
            assert extractor.extract(html, truth.url) == extract_article(html, truth.url, site.site_id), truth.url
        assert extractor.templates, site.site_id
        assert extractor.hits >= 0.8 * (extractor.hits + extractor.misses + extractor.generic), site.site_id


def test_html_to_text_rule() -> None:
    html = ("<div>标题&nbsp;&nbsp;一\u3000二</div><table><tr><td> 甲 </td><th>乙</th></tr><tr><td>丙</td><td></td></tr></table>"
            "<p>第一行<br>第二行<br/><br>\t第三行 <span>续</span></p><ul><li>项一</li><li> </li><li>项二</li></ul>"
            "<script>var x=1;</script><h3>小标题</h3><blockquote>引文</blockquote><pre>a   b</pre><center>居中</center>")
    assert html_to_text(html) == "标题 一 二\n甲 乙\n丙\n第一行\n第二行\n第三行 续\n项一\n项二\n小标题\n引文\na b\n居中"
    assert normalize_space(" a\u00a0\u3000b\t\nc ") == "a b c"
    assert html_to_text("") == ""


def _mutations(seed: int) -> list[str]:
    rng = random.Random(seed)
    sources = [TRS_ARTICLE, XXGK_ARTICLE, HANWEB_ARTICLE, ATTACH_ARTICLE, DEDE_ARTICLE, _part(1)]
    junk = ["<table>", "</div>", "<p style='display:none'>", "<a href='javascript:", "<![CDATA[", "<td>", "<script>",
            "\x00", "<iframe src='?file=", "附件：", "发布时间：2099-99-99", "<!--", "&#xFFFF;", "<img src=>", "<<>>"]
    out = []
    for _ in range(60):
        text = rng.choice(sources)
        cut = rng.randrange(len(text))
        op = rng.randrange(4)
        if op == 0:
            text = text[:cut]
        elif op == 1:
            text = text[:cut] + rng.choice(junk) + text[cut:]
        elif op == 2:
            text = text[cut:] + text[:cut]
        else:
            text = "".join(rng.choice(junk) + text[i:i + 40] for i in range(0, len(text), 40))
        out.append(text)
    return out


def test_fuzz_never_raises() -> None:
    from crawlers.discover import analyse_page

    pages = [m for seed in range(5) for m in _mutations(seed)]
    assert len(pages) == 300
    template = learn_template([(_site_page(n), f"{SITE}/news/{n}.html") for n in (1, 2)])
    assert template is not None
    for html in pages:
        rec = extract_article(html, TRS_URL)
        assert isinstance(rec.body_text, str)
        assert analyse_page(html, TRS_URL).kind in ("article", "list", "home", "other")
        template.extract(html, TRS_URL)
        html_to_text(html)
        decode_html(html.encode("utf-8", "surrogatepass"), "text/html; charset=gbk")


def _nested_page(depth: int, text: str) -> str:
    """A titled page whose one paragraph lies inside `depth` nested content divs."""
    return ("<html><head><title>深层页面</title></head><body>" + '<div class="content">' * depth + f"<p>{text}</p>"
            + "</div>" * depth + "</body></html>")


def test_pathological_nesting_is_bounded() -> None:
    """20,000 nested divs: no RecursionError, the page's title read, its body refused with the one warning that
    says why (never a half-read body); nested just within the bound, the same paragraph is read whole."""
    from crawlers._common import MAX_DEPTH

    text = "临江市教育局召开全市教育工作会议，部署新学年重点工作。会议要求各地各校抓好安全稳定和课程改革。" * 3
    deep = extract_article(_nested_page(20000, text), SITE + "/deep.html")
    assert (deep.title, deep.body_html, deep.body_text) == ("深层页面", "", "")
    assert deep.warnings == ["page nesting too deep; body not extracted"]
    assert deep.images == [] and deep.attachments == []
    within = extract_article(_nested_page(MAX_DEPTH - 10, text), SITE + "/deep.html")
    assert within.body_text == text and within.warnings == []


def test_hidden_spam_outside_body_is_reported_vendor_link_is_not() -> None:
    html = ('<div style="position:absolute;top:-1200px"><a href="http://www.casino-royal.example.com/">娱乐城</a></div>'
            '<div class="TRS_Editor"><p>正文内容。</p></div>'
            '<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络</a>')
    rec = extract_article(html, SITE + "/zwgk/201608/t20160831_1.html")
    assert rec.spam_links == ["http://www.casino-royal.example.com/"]
    assert rec.body_text == "正文内容。"


# ---------------------------------------------------------------- fast paths agree with the slow ones they replace

_TRICKY_BODIES = [
    "<p>正文<o:p></o:p><font>字</font></p><table><tr><td>单元</td><td>格</td></tr></table>",
    "<p>一</p><math><mi>公式</mi></math><p>二</p>",  # sanitising drops math with its text
    "<form><p>表单</p></form><nav>导航</nav><p>尾</p>",  # sanitising unwraps form/nav: no line break
    "<p>图<img src='./a.jpg' alt='a&gt;b'><img src='http://x.example.gov.cn/b c.jpg'></p>",
    "<xmp><b>原样</b></xmp><pre>\n\n预排</pre><!-- 注释 --><p>&nbsp;</p>",
    "<ul><li>甲</li><li>乙<select><option>选</option></select></li></ul><marquee><p>滚</p></marquee>",
    "<p>于<st1:chsdate year='2019' month='4'>2019年4月</st1:chsdate>发布<o:p></o:p></p><v:shapetype><v:stroke></v:stroke>"
    "<v:formulas><v:f eqn='if'></v:f></v:formulas></v:shapetype><p>二</p>",  # Word's Office markup: unwrapped
    "<w:wrap><p>段一</p><div>段二</div></w:wrap><st1:x>行<br>内</st1:x><o:p><table><tr><td>格</td></tr></table></o:p>",
    "<st1:chmetcnv unitname='米'><p>三米</p></st1:chmetcnv><v:imagedata src='a.jpg'></v:imagedata>尾",
]


def _clean_both(inner: str, wrapper: str) -> tuple[tuple[str, list[str]], tuple[str, list[str]]]:
    """(text, images) of one cleaned body read from its tree and from its sanitised HTML parsed again."""
    from crawlers._common import parse_html
    from crawlers.extract import _clean_body, _text_and_images

    body = parse_html(f"<html><body>{wrapper.format(inner)}</body></html>").css_first("#b")
    html, text = _clean_body(body, None, set(), SITE + "/a/b.html")
    return _text_and_images(html, text), _text_and_images(html)


def test_body_text_from_the_tree_equals_text_of_the_sanitised_html() -> None:
    for inner in _TRICKY_BODIES:
        for wrapper in ("<div id='b'>{}</div>", "<table><tr><td id='b'>{}</td></tr></table>",
                        "<table id='b'><tr><td>{}</td></tr></table>", "<span id='b'>{}</span>"):
            fast, slow = _clean_both(inner, wrapper)
            assert fast == slow, (inner, wrapper)


def test_label_cells_from_text_nodes_equal_the_full_scan() -> None:
    from crawlers._common import doc_order, parse_html
    from crawlers._fields import _scan_cells, table_fields, text_nodes

    pages = [
        "<table><tr><td>索 引 号：</td><td>001/2016</td><td><b>发布机构</b>:</td><td>市政府</td></tr></table>",
        "<ul><li><span>索引号</span><span>002</span></li><li><label>主题分类</label>：<em>农业</em></li></ul>",
        "<table><tr><td>分类<select><option>x</option></select></td><td>v</td></tr>"
        "<tr><td><script>var a;</script>文号</td><td>苏政发〔2016〕1号</td></tr></table>",
        "<div><p>来源：</p><p>新华社</p><p>日期</p><p>2016-08-31</p><p>成文日期：</p><font>2016年8月1日</font></div>",
        "<table><tr><td><span>发文</span><b>字号</b>：</td><td>发改〔2020〕3号</td><th>成\u3000文\xa0日\u2028期\x1c：</th>"
        "<td>2020-01-02</td></tr><tr><td><p><span>主题<em>分类</em></span></p>：</td><td>经济</td></tr></table>",
        "<dl><dt>索" + " " * 300 + "引" + "\n" * 300 + "号:</dt><dd>003</dd><dt>发布机构：" + " " * 500 + "x</dt><dd>委</dd>"
        "<dt>" + "：" * 30 + "日期</dt><dd>2020</dd><dt>信息来源来源来源</dt><dd>a</dd><dt>信息来源来源来源来</dt><dd>b</dd></dl>",
        "<table><tr><td><svg><td>文号</td><font>日期</font></svg></td><td>x</td></tr><tr><td><x-td>来源</x-td></td>"
        "<td>y</td></tr><tr><td><math><mi>标题</mi></math></td><td>z</td></tr><tr><td>名称<!--注-->：</td><td>w</td></tr></table>",
    ]
    for html in pages:
        tree = parse_html(f"<html><body>{html}<p>正文很长的一段文字，不是标签。</p></body></html>")
        order = doc_order(tree)
        cells = [(n.mem_id, f) for n, f in _scan_cells(tree.body)]
        found, whole = text_nodes(tree.body)
        assert whole
        from crawlers._fields import _label_cells

        assert [(n.mem_id, f) for n, f in _label_cells(tree.body, order, found)] == cells
        assert table_fields(tree, order) == table_fields(tree)


def test_label_char_texts_match_the_plain_rule() -> None:
    from crawlers._fields import _FIELD_CHARS, _label_char_texts

    spaces = [" ", "\n", "\t", "\u3000", "\xa0", "\x1c", "\x85", "\u2028", "\u200b", "\ufeff"]
    alphabet = [*"索引号发布机构文日期来源字x1", ":", "：", "\x00", "", *spaces]
    rnd = random.Random(7)
    for _ in range(400):
        texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.choice([1, 3, 8, 40]))) for _ in range(rnd.randint(0, 12))]
        if rnd.random() < 0.5:
            texts = [t.replace("\x00", "") for t in texts]  # the usual case: no text holds the separator
        items = [(i, None, text) for i, text in enumerate(texts)]
        plain = [item for item in items if _FIELD_CHARS.issuperset("".join(item[2].split()))]
        assert _label_char_texts(items) == plain, texts  # type: ignore[arg-type]


def test_label_and_container_tags_by_tag_id_match_the_tag_names() -> None:
    from crawlers._common import ancestors, parse_html
    from crawlers._fields import _LABEL_TAG_IDS, _LABEL_TAGS, _container

    html = ("<div><table><tr><td><span>a</span><b>b</b><font>f</font><em>e</em><strong>s</strong></td><th>h</th></tr>"
            "</table><dl><dt>t</dt><dd>d</dd></dl><ul><li>l</li></ul><ol><li><p>p<label>l</label></p></li></ol>"
            "<svg><font>f</font><td>t</td><foreignObject><div><span>s</span></div></foreignObject></svg>"
            "<math><mi><table><tr><td>m</td></tr></table></mi></math><x-td>c</x-td><section><i>i</i></section>"
            "<b><b><b><b><b><b><b><i>7</i></b></b></b></b></b></b></b><b><b><b><b><b><b><b><b><i>8</i></b></b></b>"
            "</b></b></b></b></b></div>")
    tree = parse_html(f"<html><body>{html}</body></html>")
    for node in tree.root.traverse(include_text=True):
        assert (node.tag_id in _LABEL_TAG_IDS) == (node.tag in _LABEL_TAGS), node.tag
        plain = next((p for p in ancestors(node, 8) if p.tag in ("table", "ul", "dl", "div", "ol")), None)
        box = _container(node)
        assert (box.mem_id if box else None) == (plain.mem_id if plain else None), node.tag


def test_root_relative_links_resolve_the_same_through_the_origin_memo() -> None:
    from crawlers._common import _absolutize, absolutize

    bases = ["http://a.gov.cn/x/y/z.html?q=1", "https://A.gov.cn:8080/p;par?x", "http://h.gov.cn", "ftp://f/a/", "mailto:x",
             "http://[::1", "", "http://h.gov.cn/a/../b/"]
    rng = random.Random(3)
    hrefs = ["/", "//", "/\n/", "/\t\t/x", " /a b ", "\\a\\b", "/a/../b", "///a", "//x.gov.cn/a"]
    hrefs += ["".join(rng.choice("/\\\n\t .a?#;%") for _ in range(rng.randint(1, 6))) for _ in range(500)]
    for base in bases:
        for href in hrefs:
            assert absolutize(href, base) == _absolutize(href, base), (base, href)


def test_known_container_search_equals_one_query_per_selector() -> None:
    from crawlers._common import parse_html
    from crawlers.body import TIER1, _tier1, _usable_stats

    def one_by_one(tree):  # the search without the combined first query
        best, best_len = None, -1
        for selector in TIER1:
            for node in tree.css(selector)[:50]:
                stats = _usable_stats(node, 1)
                if stats is not None and stats[0] > best_len:
                    best, best_len = node, stats[0]
        return best

    rng = random.Random(5)
    names = ["TRS_Editor", "trs_editor", "zoom", "Zoom", "ZOOM", "UCAP-CONTENT", "artCon", "TRS_AUTOADD_12",
             "trs_autoadd_1", "ArticleContent", "x"]
    for _ in range(300):
        parts = [f"<div {rng.choice(['class', 'id'])}='{rng.choice(names)}'>" + "字" * rng.randint(0, 30)
                 + "<p>段落</p>" * rng.randint(0, 2) + "</div>" for _ in range(rng.randint(1, 5))]
        tree = parse_html(rng.choice(["", "<!DOCTYPE html>"]) + "<html><body>" + "".join(parts) + "</body></html>")
        want, got = one_by_one(tree), _tier1(tree)
        assert (want.mem_id if want else None) == (got.mem_id if got else None)


def test_page_walk_gives_the_lines_of_every_part_and_the_text_nodes() -> None:
    from crawlers._common import parse_html
    from crawlers._fields import text_nodes
    from crawlers.text import PageWalk, node_lines

    pages = ["<html><body><div>头<span>部</span></div><noscript><div id='n'>不</div></noscript><!-- c -->"
             "<div id='b'><p>正文</p>尾巴<br>换行</div><td id='c'>格</td><script>x()</script><p></p></body></html>"]
    rng = random.Random(8)
    tags = ["div", "p", "span", "td", "br", "script", "noscript", "select", "li", "b"]
    for _ in range(60):
        pages.append("<body>" + "".join(rng.choice(["字", "  ", "<!--x-->", f"<{t}>", f"</{t}>"])
                                        for t in rng.choices(tags, k=rng.randint(1, 40))))
    for html in pages:
        tree = parse_html(html)
        for cap in (100_000, 5):
            walk = PageWalk(tree.body, cap)
            assert walk.lines() == node_lines(tree.body)
            assert [(i, n.mem_id, t) for i, n, t in walk.texts] == [(i, n.mem_id, t) for i, n, t in
                                                                    text_nodes_capped(tree.body, cap)[0]]
            assert walk.whole == text_nodes_capped(tree.body, cap)[1]
        for part in tree.root.traverse(include_text=True):
            assert walk.part_lines(part) == node_lines(part)
    assert text_nodes(None) == ([], True)


def text_nodes_capped(body, cap: int):  # noqa: ANN001, ANN201 - the reference walk with another cap
    """_fields.text_nodes with a given cap."""
    from crawlers import _fields

    saved, _fields.TEXT_NODES_CAP = _fields.TEXT_NODES_CAP, cap
    try:
        return _fields.text_nodes(body)
    finally:
        _fields.TEXT_NODES_CAP = saved


def test_narrowed_queries_find_the_same_title_and_content_candidates() -> None:
    from crawlers._common import doc_order, parse_html
    from crawlers.body import _TIER2_ANY, _TIER2_TAG_SET, _entries, _tier2, named_runs
    from crawlers.extract import _TITLE_ANY, _TITLE_TAG_SET, _title_candidates, _title_inner

    rng = random.Random(6)
    tags = ["div", "td", "section", "span", "font", "p", "h1", "h4", "b", "ul"]
    attrs = ["", " class='content'", " id='zoom'", " class=''", " class='nav content'", " class='title'", " id='bt'",
             " class='title' id='zoom'", " id=''"]
    for _ in range(200):
        parts = [f"<{t}{a}>" + "正文内容" * rng.randint(0, 12) + "<p>" + "段落" * rng.randint(0, 20) + "</p>"
                 + ("<a href='/x'>链接</a>" * rng.randint(0, 2)) + (f"</{t}>" if rng.random() < .6 else "")
                 for t, a in ((rng.choice(tags), rng.choice(attrs)) for _ in range(rng.randint(1, 20)))]
        tree = parse_html("<html><body>" + "".join(parts) + "</body></html>")
        order = doc_order(tree)
        assert [n.mem_id for n in _title_candidates(tree, order)] == [n.mem_id for n in _title_candidates(tree)]
        slow, fast = _tier2(tree), _tier2(tree, order)
        assert (slow.mem_id if slow else None) == (fast.mem_id if fast else None)
        runs = named_runs(tree.body)  # one query: each heading and each element with a class or id, once
        for query, headings, named_tags in ((_TITLE_ANY, ("h1", "h2", "h3"), _TITLE_TAG_SET), (_TIER2_ANY, (), _TIER2_TAG_SET)):
            usable = [n.mem_id for n in tree.body.css(query) if n.tag in headings or {"class", "id"} & set(n.attributes)]
            assert [n.mem_id for n in _entries(runs, headings, named_tags)] == usable
        shared = _tier2(tree, order, runs)
        assert (shared.mem_id if shared else None) == (fast.mem_id if fast else None)
        assert [n.mem_id for n in _title_candidates(tree, order, runs)] == [n.mem_id for n in _title_candidates(tree)]
        for node in _title_candidates(tree):
            blocks = [n for n in node.css("li, table, p, div, h1, h2, h3")[:5] if n.mem_id != node.mem_id]
            has_block, links = _title_inner(node)
            assert has_block == bool(blocks) and (links >= 2) == (len(node.css("a")) >= 2)


def test_safe_text_is_node_text_of_bodies_with_allowed_elements_only() -> None:
    from crawlers._common import parse_html
    from crawlers.text import node_text, safe_text

    allowed = frozenset(("p", "div", "span", "br", "td", "-comment"))
    rng = random.Random(9)
    tags = ["div", "p", "span", "td", "br", "script", "b"]
    for _ in range(300):
        html = "<body>" + "".join(rng.choice(["字", " \n ", "<!--x-->", f"<{t}>", f"</{t}>"])
                                  for t in rng.choices(tags, k=rng.randint(0, 30)))
        body = parse_html(html).body
        for cap in (100, 3):
            nodes = list(body.traverse())
            unsafe = any(n.tag not in allowed for n in nodes[1:]) or len(nodes) > cap + 1
            assert safe_text(body, allowed, cap) == (None if unsafe else node_text(body))


def test_one_head_query_gives_base_meta_and_hidden_elements() -> None:
    from crawlers._common import base_href, parse_html
    from crawlers.extract import _PAGE_META, _head_facts, _hidden_nodes, meta_map

    rng = random.Random(11)
    pieces = ["<base href='/root/'>", "<base>", "<base href='javascript:x'>", "<meta name='SiteName' content='甲'>",
              "<meta property='og:title' content=' 乙  丙 '>", "<meta http-equiv='X' content=''>",
              "<meta name='sitename' content='丁'>", "<meta name='PubDate' content=' 2016-08-31  10:20 '>",
              "<meta name='ContentSource' content='戊'>", "<meta name='pubdate' content='2017-01-01'>",
              "<style>.gone{display:none}</style>", "<style hidden></style>",
              "<div class='gone'><a href='http://spam.example.com/'>x</a></div>", "<p style='display:none'>y</p>",
              "<p hidden>z</p>", "<p hidden style='display:none'>v</p>", "<span style='color:red'>w</span>", "<meta style='display:none' name='m' content='v'>",
              "<svg><style>#s{visibility:hidden}</style><a id='s' href='/a'>s</a></svg>", "<p>正文</p>",
              "<svg><base xlink:href='http://a.example/'></svg>", "<svg><rect xlink:hidden='h' style='display:none'/></svg>",
              "<base href='http://www.b.gov.cn/z/'>", "<html hidden style='display:none'>", "<body hidden>",
              "<head style='display:none'>", "<body style='visibility:hidden'>"]
    for _ in range(300):
        html = "<html><head>" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) + "</head><body>" + \
               "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) + "</body></html>"
        tree = parse_html(html)
        url = "http://www.example.gov.cn/a/b.html"
        base, meta, hidden = _head_facts(tree, url)
        wanted = {key: value for key, value in meta_map(tree).items() if key in _PAGE_META}  # all extraction reads
        assert (base, meta) == (base_href(tree, url), wanted), html
        assert [n.mem_id for n in hidden] == [n.mem_id for n in _hidden_nodes(tree)], html


def test_undercut_check_reading_the_parent_once_equals_the_separate_counts() -> None:
    from crawlers._common import ancestors, klass_id, parse_html, text_of
    from crawlers.body import _NOT_BODY_RE, _TIER2_RE, _holds, _stats, _usable_stats
    from crawlers.extract import _not_undercut

    def separate(node):  # the rule as _usable_stats and _holds state it, one parent at a time
        total, links = _stats(node)
        for parent in ancestors(node, 3):
            key = klass_id(parent)
            if key.strip() and _TIER2_RE.search(key) and not _NOT_BODY_RE.search(key):
                stats = _usable_stats(parent)
                if stats is not None and not _holds(node, total - links, parent, stats[0] - stats[1]):
                    return False
        return True

    rng = random.Random(17)
    paragraphs = ["<p>" + "正文内容" * 9 + "</p>", "<p>短</p>", "<p><a href='/x.html'>" + "链接文字" * 9 + "</a></p>",
                  "<p>上一篇：" + "标题" * 20 + "</p>", "<p><a href='/f.pdf'>" + "附件名称" * 9 + "</a></p>",
                  "<p>" + "字" * 28 + "<a href='/y'>12</a></p>", "<img src='a.jpg'>", "<a href='/n'>导航</a>"]
    for _ in range(400):
        inner = "".join(rng.choice(paragraphs) for _ in range(rng.randint(0, 5)))
        outer = "".join(rng.choice(paragraphs) for _ in range(rng.randint(0, 5)))
        html = (f"<html><body><div class='{rng.choice(['content', 'main', 'article', 'nav'])}'>{outer}"
                f"<div class='{rng.choice(['con', 'zw'])}' id='b'>{inner}</div>{outer}</div></body></html>")
        node = parse_html(html).css_first("#b")
        total, links = len(text_of(node)), _stats(node)[1]
        assert _not_undercut(node, total - links) == separate(node), html


def test_bodies_whose_text_says_nothing_removable_lose_the_same_elements() -> None:
    from crawlers._common import parse_html
    from crawlers._fields import compact
    from crawlers.extract import _says_nothing_removable, _subtree, _tag_targets, _text_targets, _Texts

    rng = random.Random(23)
    pieces = ["<p>正文第一段，内容很长很长很长很长很长很长很长很长很长很长很长很长。</p>", "<p>比例为3:1，时间12：30。</p>",
              "<p>发布<span>时间</span>：2016-08-31</p>", "<p>上一<b>篇</b>：旧闻</p>", "<p>打<i>印</i>本页</p>",
              "<div class='bdshare'>分享</div>", "<div class='Share-box'>" + "长" * 210 + "</div>", "<script>var a=1;</script>",
              "<p style='display:none'>藏</p>", "<p>附件：<a href='a.pdf'>a</a></p>", "<div><p>关于印发通知</p></div>",
              "<p>版权所有</p>", "<td>单元格</td>", "<p>下一步工作</p>", "<p>作者：<b>张三</b> 编辑：李四</p>", "<br>",
              "<p>（一）总体要求：</p>", "<div id='jiathis'>x</div>", "<p>当前位置</p>"]
    fast = found = 0
    for _ in range(600):
        inner = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        body = parse_html(f"<html><body><div id='b'>{inner}</div></body></html>").css_first("#b")
        title = rng.choice(["关于印发通知", "旧闻", "无关标题", ""])
        nodes = _subtree(body)
        tags = [n.tag for n in nodes]
        hidden = {n.mem_id for n in body.css("[style]")}
        texts = _Texts()
        if not _says_nothing_removable(texts.of(body), compact(title)):
            continue
        fast += 1
        want = _text_targets(nodes, tags, compact(title), hidden, SITE + "/a.html", _Texts())
        got = _tag_targets(nodes, tags, body.mem_id, hidden, texts)
        found += bool(want)
        assert [n.mem_id for n in got] == [n.mem_id for n in want], inner
    assert fast > 100 and found > 50  # the quick path is taken, and it removes elements


def test_elements_whose_text_says_nothing_removable_are_read_by_their_tags_alone(monkeypatch) -> None:
    from crawlers import extract
    from crawlers._common import parse_html
    from crawlers._fields import compact
    from crawlers.extract import _subtree, _text_targets, _Texts

    rng = random.Random(31)
    pieces = ["<p>正文第一段，内容很长很长很长很长很长很长很长很长很长很长很长很长。</p>", "<p>比例为3:1，时间12：30。</p>",
              "<p>发布<span>时间</span>：2016-08-31</p>", "<p>上一<b>篇</b>：旧闻</p>", "<p>打<i>印</i>本页</p>",
              "<div class='bdshare'>分享</div>", "<span class='Share-box'>" + "长" * 210 + "</span>", "<script>1</script>",
              "<p style='display:none'>藏</p>", "<p>附件：<a href='a.pdf'>a</a></p>", "<div><p>关于印发通知</p></div>",
              "<p>版权所有</p>", "<p>下一步<span class='fenxiang'>工作</span></p>", "<p>作者：<b>张三</b> 编辑：李四</p>",
              "<p><img src='/skin/arrow.gif'><img src='a.jpg'></p>", "<!-- c -->", "<p>热门图集</p>", "<div id='JiaThis'>x</div>"]

    def block(depth: int) -> str:
        """Random pieces, some wrapped in a further block."""
        out = []
        for _ in range(rng.randint(1, 4)):
            if depth < 3 and rng.random() < 0.4:
                out.append(f"<{rng.choice(['div', 'section', 'p'])} class='{rng.choice(['x', 'share'])}'>{block(depth + 1)}"
                           f"</div>")
            else:
                out.append(rng.choice(pieces))
        return "".join(out)

    cases = []
    for _ in range(400):
        body = parse_html(f"<html><body><div id='b'>{block(0)}</div></body></html>").css_first("#b")
        title = compact(rng.choice(["关于印发通知", "旧闻", "无关标题", ""]))
        nodes = _subtree(body)
        hidden = {n.mem_id for n in body.css("[style]")}
        got = _text_targets(nodes, [n.tag for n in nodes], title, hidden, SITE + "/a.html", _Texts())
        cases.append((nodes, title, hidden, [n.mem_id for n in got]))
    monkeypatch.setattr(extract, "_says_nothing_removable", lambda text, title_key: False)  # every element read
    for nodes, title, hidden, got in cases:
        want = _text_targets(nodes, [n.tag for n in nodes], title, hidden, SITE + "/a.html", _Texts())
        assert got == [n.mem_id for n in want], nodes[0].html
    assert sum(bool(got) for *_, got in cases) > 200


def test_anchors_of_small_and_large_hidden_elements_match_the_query() -> None:
    from crawlers._common import parse_html
    from crawlers.extract import _SMALL_SUBTREE, _linked_anchors

    rng = random.Random(29)
    pieces = ["<a href='http://x.example/'>x</a>", "<a>no href</a>", "<a href=''>empty</a>", "<span>s</span>",
              "<svg><a href='/svg'>v</a></svg>", "<template><a href='/t'>t</a></template>", "<p><a HREF='/P'>p</a></p>",
              "<area href='/a'>", "<div><a href='/d'><b>d</b></a></div>"]
    sizes = set()
    for _ in range(300):
        inner = "".join(rng.choice(pieces) for _ in range(rng.choice([0, 2, 5, 40])))
        node = parse_html(f"<html><body><div id='h'>{inner}</div></body></html>").css_first("#h")
        sizes.add(sum(1 for _ in node.traverse()) >= _SMALL_SUBTREE)
        assert [n.mem_id for n in _linked_anchors(node)] == [n.mem_id for n in node.css("a[href]")[:500]], inner
    assert sizes == {True, False}  # both the walk and the query were used


def test_site_extractor_learns_each_layout_of_an_interleaved_site() -> None:
    """Pages of two layouts arriving mixed: each batch teaches the template most of its pages fit, the other
    layout's pages wait for the next one; every record stays the generic path's."""
    extractor = SiteExtractor("interleaved", learn_after=4)
    pages = []
    for n in range(1, 9):
        pages.append((_site_page(n % 9 + 1), f"{SITE}/news/{n}.html"))
        pages.append((_guide_page(n % 9 + 1), f"{SITE}/guide/{n}.html"))
    records = [extractor.extract(html, url) for html, url in pages]
    assert records == [extract_article(html, url, "interleaved") for html, url in pages]
    assert len(extractor.templates) == 2, extractor.templates
    assert extractor.hits >= 8


def test_pages_whose_body_has_no_selector_teach_no_template() -> None:
    """A site whose bodies are text regions in unnamed blocks (no class, no id up to <body>): no selector to learn,
    so no template, and generic records."""
    extractor = SiteExtractor("plain", learn_after=2)
    pages = [(f"<html><head><title>第{n}篇_站</title></head><body><div class='top'><a href='/'>首页</a></div><div>"
              f"<h1>第{n}篇文章的标题</h1><p>这是第{n}篇文章的正文第一段，内容足够长，足以作为正文。</p>"
              f"<p>第二段同样是正文的一部分，讲述了更多的细节和情况。</p></div></body></html>", f"{SITE}/p/{n}.html")
             for n in range(1, 7)]
    records = [extractor.extract(html, url) for html, url in pages]
    assert records == [extract_article(html, url, "plain") for html, url in pages]
    assert records[0].body_text and extractor.templates == [] and extractor.hits == 0


def test_scripts_passed_over_hold_no_script_date() -> None:
    from crawlers.extract import _SCRIPT_DATE, _SCRIPT_DATE_NAMES, _names_a_date, script_date

    rng = random.Random(37)
    letters = "abcdeilmnoprstuvK_=\"' ;.2021-03-05"
    skipped = 0
    for _ in range(3000):
        name = rng.choice(_SCRIPT_DATE_NAMES)
        name = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
        if rng.random() < 0.5:  # a letter swapped for one that matches it only case-insensitively, or dropped
            at = rng.randrange(len(name))
            name = name[:at] + rng.choice(["\u017f", "\u212a", "\u0131", "\u0130", ""]) + name[at + 1:]
        code = "".join(rng.choice(letters) for _ in range(rng.randint(0, 20))) + f"var {name} = '2021-03-05';"
        if not _names_a_date(code):
            skipped += 1
            assert _SCRIPT_DATE.findall(code) == [], code
    assert skipped > 200
    assert script_date([(None, "var pubDate = '2021-03-05 10:20';")]) == "2021-03-05T10:20:00"
