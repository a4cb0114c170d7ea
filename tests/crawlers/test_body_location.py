"""Body location on pages no named container and no <p> region finds: lines in <div>/<section>/<li> blocks, short
profiles under a top-bar greeting, a title and date line over a video or a picture, gallery pages (pictures beside
their caption, a 热门图集 list below) — located by our own code, never by the trafilatura fallback — and per-site
templates learned from such bodies."""

from __future__ import annotations

from crawlers._common import klass_id, parse_html
from crawlers.body import block_region, locate_body
from crawlers.extract import SiteExtractor, extract_article

URL = "http://www.example.org.cn/news/2021-03-05/{}.html"
LINE = "县民政局组织社会组织负责人开展年度业务培训，围绕登记管理、年检年报和财务规范等内容进行了详细讲解。"
NAV = "".join(f'<li><a href="/col{i}/index.html">栏目{i}</a></li>' for i in range(10))
GREETING = '<div class="tops"><div class="top_info"><span class="hello"><p>欢迎光临某某县教育局！今天是：</p></span></div></div>'
FOOTER = ('<div class="foot"><p>版权所有：某某县民政局 技术支持：某某公司</p>'
          '<p><a href="javascript:;">ICP备12345678号</a></p></div>')


def _page(main: str, title: str = "某某县社会组织信息网") -> str:
    """A page with a greeting top bar, a menu, the given main part and a footer; no container named like a body."""
    return (f"<html><head><title>{title}</title></head><body>{GREETING}<div class='menu'><ul>{NAV}</ul></div>"
            f"<div class='mainbox'>{main}</div>{FOOTER}</body></html>")


def _located(html: str):
    tree = parse_html(html)
    return locate_body(tree, html, URL.format(1))


def test_article_lines_in_divs_are_located_without_trafilatura() -> None:
    main = ("<div class='unit-list'><p>您当前的位置：<a href='/'>首页</a> &gt; <a href='/news/'>动态</a></p>"
            "<div class='news-list1'><p align='center'>社会组织业务培训举行</p>"
            "<div align='center'>时间：2021-03-05 10:29:24&nbsp;&nbsp;来源：本站</div>"
            f"<p align='left'><div><span>{LINE}</span></div><div><span>{LINE[:30]}</span></div>"
            "<div><img src='/d/file/2021/p1.jpg'></div></div>"
            "<p>上一篇：<a href='/news/2021-03-01/1.html'>上一条新闻</a></p></div>")
    body, how = _located(_page(main))
    assert how == "block" and "news-list1" in klass_id(body)
    record = extract_article(_page(main), URL.format(1))
    assert record.body_text.startswith(LINE) and "当前的位置" not in record.body_text
    assert "上一篇" not in record.body_text and "栏目" not in record.body_text
    assert record.images == ["http://www.example.org.cn/d/file/2021/p1.jpg"]


def test_a_directory_entry_in_a_list_item_is_the_body_not_its_sidebar() -> None:
    regions = "".join(f'<li><a href="javascript:;">省份{i}</a></li>' for i in range(30))
    main = ("<div id='flist'><div id='f_l'><ul><li><strong><a href='javascript:;'>某某公益基金会</a></strong> "
            "<span>2016年10月10日 10:37:54</span><br><strong>所属地区：[<a href='/area/1.html'>上海市</a>] "
            "网址：http://www.example.org/ [<a href='javascript:;'>点击访问</a>]</strong></li></ul></div>"
            f"<div id='f_r'><p><strong>地区导航</strong></p><div class='dqfl'><ul>{regions}</ul></div></div></div>")
    body, how = _located(_page(main))
    assert how == "block" and body is not None
    text = body.text(deep=True)
    assert "2016年10月10日" in text and "http://www.example.org/" in text
    assert "地区导航" not in text and "省份3" not in text  # javascript: links are links too


def test_editor_sections_in_an_unnamed_container_are_the_body() -> None:
    sections = "".join(f"<section><section><span><strong>第{i}条</strong>　{LINE}</span></section></section>"
                       for i in range(1, 4))
    main = ("<div class='cont'><h1>社会组织管理办法</h1><div class='info'><span>发布时间：2020-03-16</span>"
            f"<span>来源：</span></div><div class='consultCon'>{sections}</div>"
            "<div class='articlePiece'><div class='prev'><span>上一篇：</span>没有上一篇</div></div></div>")
    body, how = _located(_page(main))
    assert how == "block" and "consultcon" in klass_id(body)
    record = extract_article(_page(main), URL.format(1))
    assert record.body_text.count(LINE) == 3 and "上一篇" not in record.body_text


def test_a_short_profile_under_a_greeting_bar_is_found_by_its_block() -> None:
    main = ("<div id='part7'><div class='dqwz'><p>当前位置：<a href='/'>首页</a> - <a href='/ld/'>领导分工</a></p></div>"
            "<ul><h1>副局长：张三</h1><h2>发布时间：2020-06-22 来源：某某县教育局</h2>"
            "<p><img src='/oldFiles/image/2019/zs.jpg'></p><p>负责机关党建和人事工作。</p></ul></div>")
    body, how = _located(_page(main, "副局长：张三"))
    assert how == "block" and body.tag == "ul"
    record = extract_article(_page(main, "副局长：张三"), URL.format(1))
    assert record.body_text == "负责机关党建和人事工作。" and "欢迎光临" not in record.body_text
    assert record.images == ["http://www.example.org.cn/oldFiles/image/2019/zs.jpg"]


def test_a_title_and_date_line_over_a_video_make_the_video_the_body() -> None:
    main = ("<div id='part7'><ul><h1>2020年11月6日教育新闻</h1><h2>发布时间：2020-11-06 来源：某某县教育局</h2>"
            "<video src='/oldFiles/Video/2020/11/06/news.mp4' controls></video></ul></div>")
    html = _page(main, "2020年11月6日教育新闻")
    body, how = _located(html)
    assert how == "block" and body.tag == "ul"
    record = extract_article(html, URL.format(1))
    assert "http://www.example.org.cn/oldFiles/Video/2020/11/06/news.mp4" in record.body_html
    assert "欢迎光临" not in record.body_text and "发布时间" not in record.body_text


def test_a_header_with_nothing_below_it_is_no_body() -> None:
    main = "<div id='part7'><ul><h1>2020年11月6日教育新闻</h1><h2>发布时间：2020-11-06 来源：某某县教育局</h2></ul></div>"
    node, how = block_region(parse_html(_page(main, "2020年11月6日教育新闻")))
    assert node is None and how == ""


def _gallery(caption: str) -> str:
    """A gallery page: viewer with 上一张/下一张, a thumbnail strip, the caption, its date line, related galleries."""
    thumbs = "".join(f'<a href="javascript:void(0)"><img src="/uploads/2021/g{i}.jpg" alt="大桥合龙"></a>'
                     for i in (1, 2, 3, 1))
    related = "".join(f'<a href="/2020/1216/{i}.html"><img src="/uploads/2020/r{i}.jpg" alt="其他图集{i}"></a>'
                      for i in range(6))
    friends = "".join(f"&nbsp;|&nbsp;<a href='http://f{i}.example.com/'>友站{i}</a>" for i in range(12))
    return ("<div class='main-dw'><h3 class='crumb-h3'>首页>图库</h3><h3 class='t'>新建大桥合龙</h3>"
            "<div class='picbox'><center><a href='javascript:prev();'>上一张</a>"
            "<a href='javascript:next();'>下一张</a></center><table><tr>"
            "<td><img alt='上一张' src='/images/left.jpg'></td><td><img src='/uploads/2021/g1.jpg'></td>"
            "<td><img alt='下一张' src='/images/right.jpg'></td></tr></table></div>"
            f"<div class='warp'><img src='/templets/default/images/sprite.png'><div class='all'>{thumbs}</div></div>"
            f"{caption}<div class='date'>2021-03-05 13:59   新华社</div>"
            f"<h3 class='titlea'>热门图集</h3><div class='warp'><div class='all'>{related}</div></div>"
            f"<div class='links'><h3>友情链接</h3><ul>{friends}</ul></div></div>")


def test_a_gallery_is_its_pictures_and_caption_without_the_related_galleries() -> None:
    for caption in (f"<div class='cap'><p>{LINE}</p></div>", f"<div class='cap'>{LINE}</div>"):
        html = _page(_gallery(caption), "新建大桥合龙_某某网")
        body, how = _located(html)
        assert how == "gallery", caption
        record = extract_article(html, URL.format(1))
        assert record.body_text == LINE
        assert record.images == [f"http://www.example.org.cn/uploads/2021/g{i}.jpg" for i in (1, 2, 3)]
        assert record.published == "2021-03-05T13:59:00" and record.source == "新华社"


def test_templates_are_learned_from_bodies_the_block_locator_found() -> None:
    pages = []
    for i in range(8):
        main = (f"<div class='news-list1'><p align='center'>第{i}次业务培训</p>"
                f"<div align='center'>时间：2021-03-0{i + 1} 10:29:24 来源：本站</div>"
                f"<p><div><span>{LINE}</span></div><div>{LINE[i:i + 20]}</div></div>")
        pages.append((_page(main), URL.format(i)))
    extractor = SiteExtractor("demo", learn_after=3)
    for html, url in pages:
        assert extractor.extract(html, url) == extract_article(html, url, "demo")
    assert extractor.templates and extractor.hits == len(pages) - 3
    assert extractor.templates[0].body == "div.news-list1"


ARTICLE = ("市人力资源和社会保障局召开全市就业工作推进会议，会议总结了上半年全市就业工作情况，部署下半年重点任务。",
           "会议要求，各地各部门要坚持就业优先战略，落实落细稳就业各项政策措施，确保全年目标任务圆满完成。",
           "会议强调，要压实各级责任，加强督导检查，对工作不力的地方和单位严肃问责。")
HEAD = "<h2>全市就业工作推进会召开</h2><div class='inf'>发布时间：2021-06-01 来源：市人社局</div>"
RELATED = "".join(f"<li><a href='/n/{i}.html'>某某县开展第{i}次安全生产大检查活动</a><span>2021-05-{10 + i}</span></li>"
                  for i in range(12))
CONTACT = ("<div class='lxwm'><div>联系我们</div><div>地址：某某市人民路1号行政中心5楼</div>"
           "<div>电话：0771-1234567 传真：0771-1234568</div><div>邮箱：rsj@example.gov.cn</div>"
           "<div>工作时间：周一至周五 上午8:00-12:00 下午15:00-18:00</div></div>")


def _comments(count: int) -> str:
    """A Discuz-style comment list: a heading, then each comment's user and text in unnamed-looking divs."""
    return "<div class='plk'><h3>网友留言</h3>" + "".join(
        f"<div class='r{i}'><div class='u'>网友{i}</div><div class='t'>这个政策非常好，希望能够尽快落实到基层，"
        f"让更多的群众享受到政策红利，点赞支持，第{i}楼。</div></div>" for i in range(count)) + "</div>"


def _short_article(aside: str, head: str = HEAD) -> str:
    """A short article (header, two lines with <br>) beside a block of plain text lines in a shared wrapper."""
    return f"<div class='wrap'><div class='lft'>{head}<div class='q1'>{ARTICLE[0]}<br>{ARTICLE[1]}<br></div></div>{aside}</div>"


def test_a_short_article_beats_text_blocks_beside_it_whatever_the_title_tag_says() -> None:
    for aside in (_comments(8), f"<div class='r'><h3>最新动态</h3><ul>{RELATED}</ul></div>", CONTACT):
        for title in ("全市就业工作推进会召开_某某市人民政府", "某某市人民政府"):
            html = _page(_short_article(aside), title)
            body, how = _located(html)
            assert how == "block" and klass_id(body).strip() == "lft", (aside[:20], title)
            record = extract_article(html, URL.format(1))
            assert ARTICLE[0] in record.body_text and ARTICLE[1] in record.body_text
            for furniture in ("网友", "楼", "安全生产大检查", "联系我们", "传真", "2021-05"):
                assert furniture not in record.body_text, (furniture, title)
            assert record.published == "2021-06-01"


def test_a_template_learned_on_pages_with_comments_takes_the_article_only() -> None:
    extractor = SiteExtractor("demo", learn_after=3)
    for i in range(8):
        html = _page(_short_article(_comments(i + 3)), "全市就业工作推进会召开_某某市人民政府")
        record = extractor.extract(html, URL.format(i))
        assert record == extract_article(html, URL.format(i), "demo")
        assert ARTICLE[0] in record.body_text and "网友" not in record.body_text
    assert [template.body for template in extractor.templates] == ["div.lft"] and extractor.hits == 5


def test_the_page_body_element_is_never_the_located_body() -> None:
    weather = ("<div class='wea'>今天是2021年6月1日 星期二 农历四月廿一 晴 22℃~31℃ 东南风3级 空气质量：良 "
               "某某市位于某省东南部，总面积12345平方公里，辖5个区3个县，户籍人口345万人。</div>")
    main = ("<div class='x'><h1>市长会见客商</h1><div>时间：2021-04-02</div>"
            "<div class='y'>4月1日，市长会见了来访的某某集团董事长一行，双方就深化合作进行了交流。</div></div>")
    html = (f"<html><head><title>市长会见客商_某某市</title></head><body>{weather}{main}"
            "<div>某某市地形以丘陵为主，属亚热带季风气候，四季分明，雨量充沛，物产丰富，是国家历史文化名城。</div></body></html>")
    body, how = _located(html)
    assert how == "block" and klass_id(body).strip() == "x"
    record = extract_article(html, URL.format(1))
    assert "市长会见了来访的" in record.body_text and "农历" not in record.body_text and "丘陵" not in record.body_text


def test_an_article_over_a_related_news_heading_keeps_all_its_lines() -> None:
    related = "".join(f"<li><a href='/n/{i}.html'>某某县开展第{i}次安全生产大检查活动</a></li>" for i in range(6))
    for picture in ("<div><img src='/u/2021/06/meeting.jpg'></div>", ""):
        main = (f"<div class='art'>{HEAD}{picture}" + "".join(f"<div>{line}</div>" for line in ARTICLE)
                + f"<h3>相关新闻</h3><ul>{related}</ul></div>")
        html = _page(main, "全市就业工作推进会召开_某某市人民政府")
        record = extract_article(html, URL.format(1))
        assert all(line in record.body_text for line in ARTICLE), picture
        assert "相关新闻" not in record.body_text and "安全生产大检查" not in record.body_text
        assert record.images == (["http://www.example.org.cn/u/2021/06/meeting.jpg"] if picture else [])
        assert record.published == "2021-06-01" and _located(html)[1] != "trafilatura"


def test_a_table_layout_body_leaves_its_title_and_date_rows_out() -> None:
    left = "".join(f"<tr><td><a href='/c/{i}'>机构职能{i}</a></td></tr>" for i in range(10))
    main = (f"<table width='1000'><tr><td width='200'><table>{left}</table></td><td><table>"
            "<tr><td class='tit'>关于做好2021年防汛工作的通知</td></tr>"
            "<tr><td>发布日期：2021-05-20 &nbsp; 信息来源：市水利局</td></tr>"
            f"<tr><td>各县（区）水利局：<br>{ARTICLE[0]}<br>{ARTICLE[1]}<br>特此通知。<br>某某市水利局<br>2021年5月20日</td></tr>"
            "</table></td></tr></table>")
    html = _page(main, "关于做好2021年防汛工作的通知")
    record = extract_article(html, URL.format(1))
    assert record.body_text.startswith("各县（区）水利局：") and ARTICLE[1] in record.body_text
    assert "发布日期" not in record.body_text and "防汛工作的通知" not in record.body_text
    assert record.title == "关于做好2021年防汛工作的通知" and record.published == "2021-05-20"


def test_an_article_that_is_a_table_is_located_by_its_table() -> None:
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in (
        ("项目名称", "某某市第一中学教学楼维修改造工程"), ("项目编号", "MMZC2021-G1-0012"), ("采购方式", "公开招标"),
        ("预算金额", "人民币壹佰贰拾万元整（1200000元）"), ("采购人", "某某市第一中学，地址某某市民主路8号"),
        ("投标截止时间", "2021年7月1日9时30分（北京时间）")))
    main = (f"<div class='w'>{CONTACT}<div class='m'><h1>某某市第一中学教学楼维修改造工程招标公告</h1>"
            f"<div>发布时间：2021-06-10 来源：采购中心</div><div class='txt'><table border='1'>{rows}</table></div></div></div>")
    for title in ("某某市第一中学教学楼维修改造工程招标公告", "某某市人民政府"):
        html = _page(main, title)
        assert _located(html)[1] == "block"  # each row alone is shorter than the 联系我们 box beside the article
        record = extract_article(html, URL.format(1))
        assert "MMZC2021-G1-0012" in record.body_text and "投标截止时间" in record.body_text
        assert "联系我们" not in record.body_text and "传真" not in record.body_text and "栏目" not in record.body_text
        assert "<table" in record.body_html and record.published == "2021-06-10"


def test_a_summary_line_in_the_header_does_not_take_the_article_lines_below_it_away() -> None:
    main = ("<div class='art'><div class='hd'>" + HEAD + "<div class='zy'>摘要：全市就业工作推进会议部署下半年就业重点任务。</div>"
            "</div><div class='bd'>" + "".join(f"<div>{line}</div>" for line in ARTICLE) + "</div></div>")
    html = _page(main, "全市就业工作推进会召开_某某市人民政府")
    record = extract_article(html, URL.format(1))
    assert all(line in record.body_text for line in ARTICLE)
