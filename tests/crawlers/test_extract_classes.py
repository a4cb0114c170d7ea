"""One small page per failure class of real sites (issue 13): attachments, dates, titles, 来源, 信息公开, bodies.

Each page is written in the style of a CMS family, not copied from one: the rules must hold on sites never seen.
"""

from __future__ import annotations

import pytest

from crawlers.extract import SiteExtractor, extract_article, join_parts, script_attachments, short_year_date

SITE = "http://www.example.gov.cn"
URL = SITE + "/xwzx/tzgg/202001/t20200110_1234.html"
PARA = "为切实做好本年度各项工作，现将有关事项通知如下，请各单位认真贯彻落实并按时报送材料。"


def page(head: str = "", top: str = "", body: str = f"<p>{PARA}</p>", after: str = "",
         title_tag: str = "某某市人民政府") -> str:
    """An article page: <title>, header lines, a content container and what follows it."""
    return (f"<html><head><title>{title_tag}</title>{head}</head><body>"
            f"<div class='nav'><a href='/'>首页</a><a href='/xwzx/'>新闻中心</a></div>"
            f"<div class='main'>{top}<div class='article-content'>{body}</div>{after}</div>"
            f"<div class='footer'>主办单位：某某市人民政府办公室 版权所有</div></body></html>")


HEADER = "<h1>关于做好年度工作的通知</h1><div class='info'>发布时间：2020-01-10 09:30 来源：市政府办公室</div>"


def agree(html: str, url: str = URL):
    """The generic record, after checking a learned template gives the same one."""
    rec = extract_article(html, url)
    extractor = SiteExtractor(None, learn_after=1)
    extractor.extract(html, url)
    assert extractor.extract(html, url) == rec
    return rec


# ---------------------------------------------------------------- attachments


def test_dead_href_with_file_name_is_an_unreachable_attachment() -> None:
    body = f"<p>{PARA}</p><p><a href='javascript:;' title='报名表.doc'>报名表.doc</a></p>"
    rec = agree(page(top=HEADER, body=body))
    assert [(a.url, a.name, a.status) for a in rec.attachments] == [("", "报名表.doc", "unreachable")]
    assert "javascript" in rec.attachments[0].reason
    assert "报名表.doc" in rec.body_text and "javascript" not in rec.body_html


def test_server_file_name_loses_to_the_readable_title() -> None:
    body = (f"<p>{PARA}</p><p><a href='javascript:void(0)' title='1. 参赛申报表(定稿).doc'>"
            f"01343d80f598b96375ecc4cd7a130745.doc</a> (276.50 KB)</p>")
    rec = agree(page(top=HEADER, body=body))
    assert [a.name for a in rec.attachments] == ["1. 参赛申报表(定稿).doc"]


def test_address_kept_beside_a_dead_href() -> None:
    body = f"<p>{PARA}</p><p><a href='#' oldsrc='/protect/P0202001.pdf'>实施方案</a></p>"
    rec = agree(page(top=HEADER, body=body))
    assert [(a.url, a.name, a.status) for a in rec.attachments] == [(SITE + "/protect/P0202001.pdf", "实施方案", None)]


@pytest.mark.parametrize("after, want", [
    pytest.param("<div class='fj'>附件：<a href='/attach/get?id=981'>申报指南</a> <a href='/xwzx/index.html'>返回栏目</a>"
                 "</div>", [(SITE + "/attach/get?id=981", "申报指南")], id="block-link-without-extension"),
    pytest.param("<div class='fj'>附件下载：<script>var fj = '<a href=\"./P020200110.doc\">报名表.doc</a>';"
                 "document.write(fj);</script></div>", [(SITE + "/xwzx/tzgg/202001/P020200110.doc", "报名表.doc")],
                 id="script-written"),
])
def test_attachment_block_after_the_body(after: str, want: list[tuple[str, str]]) -> None:
    """The 附件 block after the body: a link without a file extension, a link a script writes."""
    rec = agree(page(top=HEADER, after=after))
    assert [(a.url, a.name) for a in rec.attachments] == want


def test_download_servlet_and_file_named_link_text() -> None:
    body = (f"<p>{PARA}</p><p><a href='/module/download/downfile.jsp?fileid=77'>下载</a></p>"
            f"<p><a href='/files/12345'>汇总表.xlsx</a></p><p><a href='/xwzx/202001/t20200101_1.html'>相关新闻</a></p>")
    rec = agree(page(top=HEADER, body=body))
    assert [a.url for a in rec.attachments] == [SITE + "/module/download/downfile.jsp?fileid=77", SITE + "/files/12345"]
    assert rec.attachments[1].name == "汇总表.xlsx"


def test_script_attachments_ignore_bare_extensions_and_names() -> None:
    code = 'if (ext == ".doc") {} var name = "个人简历.doc"; var path = "/up/2020/a.pdf";'
    assert script_attachments(code, URL) == [(SITE + "/up/2020/a.pdf", "a.pdf")]


def test_attachment_only_body_is_kept() -> None:
    body = "<p><img src='/icons/pdf.gif'><a href='javascript:;' title='研究报告.pdf'>研究报告.pdf</a></p>"
    rec = agree(page(top=HEADER, body=body))
    assert rec.body_text == "研究报告.pdf"
    assert [a.name for a in rec.attachments] == ["研究报告.pdf"]


# ---------------------------------------------------------------- dates


def test_printed_date_beats_url_and_body_dates() -> None:
    top = "<h1>关于做好年度工作的通知</h1><div class='info'>发布时间：2019-12-30 来源：市政府办公室</div>"
    body = f"<p>{PARA}会议定于2020年1月15日召开。</p>"
    rec = agree(page(top=top, body=body))
    assert (rec.published, rec.published_source) == ("2019-12-30", "visible")


@pytest.mark.parametrize(("line", "want"), [("| 19-01-04 |", "2019-01-04"), ("12/02/15", "2012-02-15"),
                                             ("98-05-06", "1998-05-06"), ("2020-08-26 14:55:0", "2020-08-26T14:55:00")])
def test_short_printed_dates(line: str, want: str) -> None:
    top = f"<h1>关于做好年度工作的通知</h1><div class='date'>{line} 【大 中 小】</div>"
    rec = agree(page(top=top), SITE + "/xwzx/202001/t20200110_1.html")
    assert (rec.published, rec.published_source) == (want, "visible")


def test_two_digit_year_needs_a_line_of_its_own() -> None:
    assert short_year_date("| 19-01-04 |") == "2019-01-04"
    assert short_year_date("电话 0371-65-12 转 3") is None


def test_script_variable_then_meta_then_url() -> None:
    script = "<script>var pubdate = '2020-01-08 16:05'; document.write(pubdate);</script>"
    meta = "<meta name='PubDate' content='2020-01-09'>"
    top = "<h1>关于做好年度工作的通知</h1>"
    rec = agree(page(top=top + script, head=meta))
    assert (rec.published, rec.published_source) == ("2020-01-08T16:05:00", "script")
    assert any("date conflict" in w for w in rec.warnings)
    rec = agree(page(top=top, head=meta))
    assert (rec.published, rec.published_source) == ("2020-01-09", "meta")
    rec = agree(page(top=top))
    assert (rec.published, rec.published_source) == ("2020-01-10", "url")


def test_undated_page_stays_undated() -> None:
    rec = agree(page(top="<h1>关于做好年度工作的通知</h1>", body=f"<p>{PARA}2019年5月1日起施行。</p>"),
                SITE + "/xwzx/notice_88.html")
    assert (rec.published, rec.published_source) == (None, None)


def test_date_and_time_joined_by_an_entity() -> None:
    top = "<h1>关于做好年度工作的通知</h1><div class='info'>发布时间：2020-01-02&#32;10:20</div>"
    assert agree(page(top=top)).published == "2020-01-02T10:20:00"


# ---------------------------------------------------------------- titles


def test_styled_paragraph_above_the_date_line_when_title_is_the_site_name() -> None:
    top = ("<p style='font-size:24px'>申报项目注意事项</p>"
           "<div align='center'>时间：2019-06-05 11:40:59&nbsp;&nbsp;来源：</div>")
    rec = agree(page(top=top, title_tag="福建信息网-福建民间组织信息网"))
    assert rec.title == "申报项目注意事项"
    assert rec.published == "2019-06-05T11:40:59" and rec.source is None


def test_site_or_column_name_is_never_the_title() -> None:
    rec = agree(page(top="<div class='info'>2020-01-10</div>", title_tag="张家港市公共资源交易信息网"))
    assert rec.title is None
    rec = agree(page(top=HEADER, title_tag="[通知公告]-某某市人民政府门户网站"))
    assert rec.title == "关于做好年度工作的通知"


def test_heading_opening_the_content_container() -> None:
    body = f"<h1>关于有关保证金退还的通知</h1><p>【信息发布时间：2020-11-06】</p><p>{PARA}</p>"
    rec = agree(page(body=body, title_tag="张家港市公共资源交易信息网-江苏信息网---常熟分中心"))
    assert rec.title == "关于有关保证金退还的通知"
    assert rec.published == "2020-11-06" and rec.body_text == PARA


def test_year_range_in_title_tag_is_not_split() -> None:
    top = "<table><tr><td class='black_20'>2020-2021观测季节状态报告</td></tr></table>"
    rec = agree(page(top=top, title_tag="2020-2021观测季节状态报告----某某观测站"))
    assert rec.title == "2020-2021观测季节状态报告"


def test_markup_and_entities_in_meta_title_are_resolved() -> None:
    head = "<meta name='ArticleTitle' content='表彰大会召开&lt;div&gt;——热烈祝贺&lt;/div&gt; 豫体群&amp;#12308;2020&amp;#12309;18号'>"
    rec = agree(page(head=head, top=HEADER))
    assert rec.title == "表彰大会召开——热烈祝贺 豫体群〔2020〕18号"


def test_breadcrumb_line_is_not_a_title() -> None:
    top = "<div>首页>>政策法规>>律师信息>></div><div>发布时间：2013-07-22 08:52</div>"
    rec = agree(page(top=top, title_tag="尹有林_海南建设信息网"))
    assert rec.title != "首页>>政策法规>>律师信息>>"


# ---------------------------------------------------------------- 来源


@pytest.mark.parametrize(("line", "want"), [
    ("发布时间：2020-01-10 来源：市教育局 分享", "市教育局"),
    ("来源：市教育局 2020-01-10 10:20:00", "市教育局"),
    ("发布时间：2020-01-10 新闻来源：http://www.example.com/a.html", None),
    ("发布时间：2020-01-10 来源：", None),
    ("发布时间：2020-01-10 来源：未知", None),
])
def test_source_without_furniture(line: str, want: str | None) -> None:
    rec = agree(page(top=f"<h1>关于做好年度工作的通知</h1><div class='info'>{line}</div>"))
    assert rec.source == want


def test_source_as_first_body_line() -> None:
    body = f"<p>信息来源：国家发改委</p><p>发改运行〔2020〕1183号</p><p>{PARA}</p>"
    rec = agree(page(top="<h1>关于做好年度工作的通知</h1><div>2020-08-04 15:20:21</div>", body=body))
    assert rec.source == "国家发改委"


def test_unlabelled_organisation_after_the_date() -> None:
    rec = agree(page(top="<h1>关于做好年度工作的通知</h1><div class='info'>2020-01-10 市教育局</div>"))
    assert (rec.source, rec.published) == ("市教育局", "2020-01-10")


# ---------------------------------------------------------------- 信息公开 metadata


def test_empty_table_values_stay_empty() -> None:
    top = ("<table class='xxgk'><tr><td>索引号</td><td>005452487/2020-00001</td><td>发文字号</td><td></td></tr>"
           "<tr><td>发布机构</td><td></td><td>成文日期</td><td>2020-01-06</td></tr>"
           "<tr><td>文号</td><td>〔〕号</td><td>有效性</td><td>有效</td></tr></table>" + HEADER)
    rec = agree(page(top=top))
    assert (rec.index_no, rec.doc_no, rec.publisher, rec.written, rec.validity) == (
        "005452487/2020-00001", None, None, "2020-01-06", "有效")


def test_inline_label_lines_with_empty_values() -> None:
    top = HEADER + "<p>索引号： 发文字号：〔 〕号 发布机构：</p><p>索引号：11410400/2020-00012 有效性：已废止</p>"
    rec = agree(page(top=top))
    assert (rec.index_no, rec.doc_no, rec.publisher, rec.validity) == ("11410400/2020-00012", None, None, "废止")


def test_one_label_per_row_element_blocks() -> None:
    rows = "".join(f"<div class='item'><label>{k}</label><span>{v}</span></div>" for k, v in (
        ("索引号", "005452487/2020-00001"), ("主题分类", "信息公开指南"), ("发文字号", ""), ("成文日期", "2020-01-06")))
    rec = agree(page(top=HEADER + f"<div class='gk'>{rows}</div>"))
    assert (rec.index_no, rec.topic, rec.doc_no, rec.written) == ("005452487/2020-00001", "信息公开指南", None,
                                                                  "2020-01-06")


def test_label_table_is_never_the_body() -> None:
    html = ("<html><head><title>[年度报告]-某某市政府</title></head><body>"
            "<div class='content_xxgk'><table><tr><td>文号</td><td></td><td>索引号</td><td>1/2020-1</td>"
            "<td>关键词</td><td></td></tr><tr><td>主题分类</td><td>年度报告</td><td>体裁分类</td><td>公告</td>"
            "<td>服务对象</td><td>全社会</td></tr></table></div><h1 id='Title'>某某局2019年政府信息公开工作年度报告</h1>"
            "<div>日期：2020-01-29</div><div id='con' class='entry'><p><a href='javascript:;' title='年度报告.doc'>"
            "年度报告.doc</a></p></div></body></html>")
    rec = agree(html)
    assert rec.body_text == "年度报告.doc"
    assert rec.index_no == "1/2020-1"


# ---------------------------------------------------------------- bodies


def test_image_only_and_video_bodies_are_kept() -> None:
    rec = agree(page(top=HEADER, body="<p><img src='/d/file/a.jpg'></p><p><img src='/d/file/b.jpg'></p>"))
    assert rec.images == [SITE + "/d/file/a.jpg", SITE + "/d/file/b.jpg"] and "<img" in rec.body_html
    body = "<p><video controls src='/video/2020/talk.mp4'></video></p><p>编辑：张三</p>"
    rec = agree(page(top=HEADER, body=body))
    assert f'href="{SITE}/video/2020/talk.mp4"' in rec.body_html
    assert "talk.mp4" in rec.body_text


def test_short_body_is_not_the_breadcrumb() -> None:
    top = "<div class='dqwz'>您当前的位置：首页 &gt; 首页幻灯新闻</div>" + HEADER
    rec = agree(page(top=top, body="<p>6月22日上午，捐赠仪式举行。</p>"))
    assert rec.body_text == "6月22日上午，捐赠仪式举行。"


def test_timed_date_and_source_printed_under_the_body() -> None:
    after = "<div class='lsdjre'>2014-07-25 13:59 新华社</div>"
    rec = agree(page(top="<h1>关于做好年度工作的通知</h1>", after=after), SITE + "/tp/24735.html")
    assert (rec.published, rec.published_source, rec.source) == ("2014-07-25T13:59:00", "visible", "新华社")
    signed = page(top="<h1>关于做好年度工作的通知</h1>", after="<div>2014年7月25日</div>")
    assert agree(signed, SITE + "/tp/24735.html").published is None  # a signature date is no publish date


def test_parts_keep_every_unreachable_attachment() -> None:
    first = extract_article(page(top=HEADER, body=f"<p>{PARA}</p><p><a href='javascript:;'>一.doc</a></p>"), URL)
    second = extract_article(page(top=HEADER, body=f"<p>{PARA}</p><p><a href='javascript:;'>二.doc</a></p>"),
                             URL.replace(".html", "_1.html"))
    joined = join_parts(first, [second])
    assert [(a.name, a.status) for a in joined.attachments] == [("一.doc", "unreachable"), ("二.doc", "unreachable")]
    before = joined.compute_hash()
    joined.attachments[1].name = "三.doc"
    assert joined.compute_hash() != before


def test_meta_title_holding_the_site_name_is_ignored() -> None:
    head = "<meta name='SiteName' content='某某市人民政府'><meta name='ArticleTitle' content='某某市人民政府'>"
    rec = agree(page(head=head, top=HEADER, title_tag="某某市人民政府"))
    assert rec.title == "关于做好年度工作的通知"


def test_dead_link_named_by_title_or_by_its_attachment_block() -> None:
    body = (f"<p>{PARA}</p><p>附件：<a href='javascript:;' title='202011051102270683.doc'>课件评选结果</a></p>")
    rec = agree(page(top=HEADER, body=body))
    assert [(a.name, a.status) for a in rec.attachments] == [("课件评选结果", "unreachable")]
    after = "<div class='fj'>附件：<a href='javascript:;'>实施方案</a> <a href='javascript:window.print()'>打印</a></div>"
    rec = agree(page(top=HEADER, after=after))
    assert [a.name for a in rec.attachments] == ["实施方案"]


def test_inline_zoom_hook_is_not_the_body() -> None:
    long_text = "".join(f"<p>第{i}条 {PARA}</p>" for i in range(1, 6))
    body = f"<p><font id='Zoom'>条例已经国务院常务会议通过，现予公布。</font></p>{long_text}"
    html = page(top=HEADER).replace("<div class='article-content'>", "<div class='nr'>").replace(
        f"<p>{PARA}</p>", body)
    rec = agree(html)
    assert rec.body_text.startswith("条例已经国务院常务会议通过") and "第5条" in rec.body_text


def test_sidebar_heading_before_the_article_is_not_the_title() -> None:
    side = "<div class='left'><h1>热点新闻</h1><ul><li><a href='/a.html'>某新闻</a></li></ul></div>"
    top = side + "<div class='title'>关于做好年度工作的通知</div><div class='info'>发布时间：2020-01-10</div>"
    assert agree(page(top=top)).title == "关于做好年度工作的通知"
