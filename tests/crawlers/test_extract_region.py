"""The body locator for pages with no named container (text_region): paragraphs, grown past title and date lines,
never nav, breadcrumb, footer or a gallery's caption alone."""

from __future__ import annotations

from crawlers._common import klass_id, parse_html
from crawlers.body import locate_body, text_region
from crawlers.extract import extract_article

URL = "http://www.example.gov.cn/news/2021/0305/123.html"
PARA = "为进一步做好本年度春季农业生产工作，县农业农村局组织技术人员深入各乡镇开展技术指导服务，确保粮食生产稳定。"
NAV = "".join(f'<li><a href="/col{i}/">栏目{i}</a></li>' for i in range(12))
FOOTER = '<div id="foot"><p>版权所有：某某县人民政府 主办单位：某某县人民政府办公室</p><p>网站标识码：1234567890</p></div>'


def _page(main: str) -> str:
    """A page with a menu, a breadcrumb, the given main part and a footer, no container named like a body."""
    return (f"<html><head><title>春耕 - 某某县</title></head><body><div class='top'><ul>{NAV}</ul></div>"
            f"<div id='part7'><div class='dqwz'><p>当前位置：<a href='/'>首页</a> - <a href='/news/'>新闻</a></p></div>"
            f"{main}</div>{FOOTER}</body></html>")


def _region(html: str):
    tree = parse_html(html)
    return text_region(tree)


def test_paragraph_block_with_its_title_and_date_line_is_the_body() -> None:
    main = (f"<ul><h1>春耕生产技术指导全面展开</h1><h2>发布时间：2021-03-05 来源：县农业农村局</h2>"
            f"<p>{PARA}</p><p>{PARA}</p></ul>")
    region = _region(_page(main))
    assert region is not None and region.tag == "ul"  # grown to the title, stopped at the breadcrumb
    record = extract_article(_page(main), URL)
    assert record.title == "春耕生产技术指导全面展开"
    assert record.published == "2021-03-05" and record.source == "县农业农村局"
    assert record.body_text == f"{PARA}\n{PARA}"
    assert "版权所有" not in record.body_text and "栏目" not in record.body_text


def test_paragraphs_split_over_table_rows_make_one_region() -> None:
    rows = "".join(f"<tr><td><p>项目{i}</p></td><td><p>{PARA}</p></td></tr>" for i in range(4))
    main = f"<div><p align='center'>春耕项目书</p><div>时间：2021-03-05</div><table>{rows}</table></div>"
    region = _region(_page(main))
    assert region is not None and "春耕项目书" in region.text() and region.text().count(PARA) == 4
    assert "当前位置" not in region.text()


def test_link_lists_and_footers_are_never_the_region() -> None:
    links = "".join(f'<p><a href="/a{i}.html">{PARA[:30]}{i}</a></p>' for i in range(20))
    main = f"<div class='box'>{links}</div><div><h1>通知</h1><p>{PARA}</p></div>"
    region = _region(_page(main))
    assert region is not None and PARA in region.text() and "/a1.html" not in (region.html or "")
    long_footer = f'<div class="footer"><p>{PARA * 3}</p></div>'
    region = _region(_page(f"<div><p>{PARA}</p></div>{long_footer}"))
    assert region is not None and "footer" not in klass_id(region)


def test_no_block_that_clearly_leads_means_no_region() -> None:
    short = "".join(f"<div><p>第{i}段较短的文字内容在这里，共二十余字。</p></div>" for i in range(3))
    assert _region(_page(short)) is None
    assert _region(_page("<div><p>欢迎光临</p></div>")) is None


def test_a_caption_beside_gallery_pictures_is_left_to_the_fallback() -> None:
    main = ("<div class='main-dw'><h3>首页>图库</h3><h3>新建大桥合龙</h3>"
            "<div class='picbox'><img src='/uploads/allimg/2021/big1.jpg'></div>"
            f"<div class='caption'><p>{PARA}</p></div></div>")
    assert _region(_page(main)) is None
    tree = parse_html(_page(main))
    _, how = locate_body(tree, _page(main), URL)
    assert how != "region"


def test_region_pages_take_the_region_path_before_trafilatura() -> None:
    main = f"<ul><h1>春耕生产技术指导全面展开</h1><p>{PARA}</p><p>{PARA}</p></ul>"
    tree = parse_html(_page(main))
    body, how = locate_body(tree, _page(main), URL)
    assert how == "region" and body is not None and body.tag == "ul"


def test_a_page_without_text_skips_trafilatura_and_keeps_its_picture() -> None:
    from crawlers.body import _textless, _trafilatura_body

    picture = ("<html><head><title>图片新闻</title><style>p{margin:0}</style><script>var a = 1;</script></head><body>"
               "<!-- 正文开始 --><div class='pic'><img src='/pic/2021/p1.jpg'></div> &nbsp; </body></html>")
    assert _textless(parse_html(picture))
    body = _trafilatura_body(picture, URL)  # the peer finds no text there either
    assert body is None or not body.text(deep=True).split()
    record = extract_article(picture, URL)
    assert record.images == ["http://www.example.gov.cn/pic/2021/p1.jpg"]
    with_text = [picture.replace("&nbsp;", "图片说明"), picture.replace("<!-- 正文开始 -->", "<template>说明</template>"),
                 picture.replace("<title>", "<noscript>说明</noscript><title>"),
                 "<html><frameset><frame src='a.html'></frameset></html>"]
    assert not any(_textless(parse_html(html)) for html in with_text)
