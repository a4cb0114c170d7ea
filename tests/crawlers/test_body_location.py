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
