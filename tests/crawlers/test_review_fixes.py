"""Extraction and discovery classes found by the fresh-eyes trial on real samples (review items 1, 2, 5, 6):
a prev/next box named like a body, media-only and picture-only pages, gallery furniture, and breadcrumbs read
from sibling tiles or a home page's ColumnName."""

from __future__ import annotations

from pathlib import Path

import pytest

from consolidate.samplefleet.realsites import samples_dir
from crawlers._common import parse_html
from crawlers.discover import analyse_page, find_breadcrumb
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor, extract_article

SAMPLES = samples_dir() or Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"  # CONSOLIDATE_SAMPLES
needs_samples = pytest.mark.skipif(not (SAMPLES / "README.md").is_file(),
                                   reason="../shared/samples is absent (real sample sites are not part of the repo)")

NAV = "".join(f'<li><a href="/c{i}/index.html">栏目{i}</a></li>' for i in range(12))
FOOTER = '<div class="footer"><p>版权所有：某某县教育局 ICP备05017763号</p></div>'
LONG = "本规则自2019年1月1日起施行，此前发布的其他有关规定，凡与本规则不一致的，按照本规则执行。" * 6


def _page(main: str, title: str = "某某工作规则") -> str:
    """A legacy page: nav list, the main part, a footer."""
    return f"<html><head><title>{title}_某某网</title></head><body><ul class='nav'>{NAV}</ul>{main}{FOOTER}</body></html>"


# ---------------------------------------------------------------- 1. prev/next box named like a body


def test_prev_next_box_named_article_is_not_the_body() -> None:
    main = (f'<div class="cont"><h1>某某工作规则</h1><div class="info">发布时间：2020-03-13</div>'
            f'<div class="consultCon"><p>{LONG}</p><p>{LONG}</p></div>'
            '<div class="articlePiece"><div class="prev"><span>上一篇：</span><a href="1.html">党委（党组）落实全面从严治党'
            '主体责任规定</a></div><div class="next"><span>下一篇：</span><a href="javascript:;">中国共产党纪律检查机关监督执纪'
            '工作规则</a></div></div></div>')
    rec = extract_article(_page(main), "http://example.gov.cn/contents/1/2.html")
    assert LONG[:30] in rec.body_text
    assert "上一篇" not in rec.body_text and "主体责任规定" not in rec.body_text


# ---------------------------------------------------------------- 1. video-only body


def test_video_only_page_keeps_a_link_to_the_video() -> None:
    main = ('<div id="part7"><div class="dqwz"><p>当前位置：<a href="/">首页</a> - <a href="/c/">电视报道</a></p></div>'
            '<ul><h1>2020年11月6日教育报道</h1><h2>发布时间：2020-11-06 来源：某某局</h2>'
            '<video class="video-js" src="/oldFiles/Video/2020/11/06/news.mp4" controls></video></ul></div>')
    rec = extract_article(_page(main, "2020年11月6日教育报道"), "http://example.gov.cn/contents/18288/1.html")
    assert "http://example.gov.cn/oldFiles/Video/2020/11/06/news.mp4" in rec.body_html
    assert rec.body_text.strip() == "news.mp4"
    assert "发布时间" not in rec.body_text and "no article body found" not in rec.warnings


def test_flash_banner_is_no_body() -> None:
    main = ('<div class="banner"><embed src="/images/top.swf"></div>'
            '<div class="main"><h1>没有正文的页面</h1></div>')
    rec = extract_article(_page(main, "没有正文的页面"), "http://example.gov.cn/a/1.html")
    assert "top.swf" not in rec.body_html


# ---------------------------------------------------------------- 2. picture-only pages


def test_picture_library_page_keeps_its_picture() -> None:
    html = ('<html><head><title>DSC_0916</title></head><body><table width="100%"><tr><td>'
            '<a href=""><img src="W020150917429641323475.jpg" alt="DSC_0916" border="0/"></a>'
            '</td></tr></table></body></html>')
    rec = extract_article(html, "http://example.cas.cn/pic/tpk/201509/t20150917_152530.html")
    assert rec.images == ["http://example.cas.cn/pic/tpk/201509/W020150917429641323475.jpg"]
    assert "no article body found" not in rec.warnings


def test_picture_below_the_title_in_an_unnamed_container() -> None:
    main = ('<div class="cont"><h1>关于违纪典型问题的通报</h1><div class="info"><span>发布时间：2020-02-29</span>'
            '<span>来源：</span></div><div class="consultCon"><p><img src="/oldFiles/File/2020/02/29/notice_new.png">'
            '</p></div><div class="articlePiece"><div class="prev"><span>上一篇：</span><a href="1.html">另一篇</a>'
            '</div></div></div>')
    rec = extract_article(_page(main, "关于违纪典型问题的通报"), "http://example.gov.cn/contents/19177/2.html")
    assert rec.images == ["http://example.gov.cn/oldFiles/File/2020/02/29/notice_new.png"]
    assert "上一篇" not in rec.body_html


def test_empty_page_gets_no_logo_as_body() -> None:
    main = ('<div class="logo"><a href=""><img src="/Picture/logo.png"></a></div>'
            '<div class="cont"><h1>测试</h1><div class="info">发布时间：2020-02-29</div><div class="consultCon"></div>'
            '</div>')
    rec = extract_article(_page(main, "测试"), "http://example.gov.cn/contents/1/3.html")
    assert rec.images == [] and rec.body_text == ""


# ---------------------------------------------------------------- 5. gallery furniture


GALLERY = ('<div class="main-dw"><h3 class="list-h3sz"><img src="/templets/default/images/lh3-bj.jpg">首页>图库</h3>'
           '<h3 class="aklsfh">青岛港自动化码头投产运营</h3><div class="picbox"><center>'
           "<a href='javascript:dPlayPre();'>上一张</a> <a href='javascript:dStopPlay();'>自动 / 暂停播放</a> "
           "<a href='javascript:dPlayNext();'>下一张</a></center><table><tr>"
           '<td><a href="#p"><img alt="上一张" src="http://example.com/images/jiantouleft.jpg"></a></td>'
           '<td><img alt="码头" src="/uploads/allimg/191129/1-L.jpg"></td>'
           '<td><a href="#p"><img alt="下一张" src="http://example.com/images/jiantouright.jpg"></a></td></tr></table></div>'
           '<div class="warp"><img src="/templets/default/images/sprite.png">'
           '<a href="javascript:void(0)"><img src="/uploads/allimg/191129/1-G1.jpg" alt="码头"></a></div>'
           f'<div class="lsdjr">{LONG}</div><div class="lsdjre">2019-11-29 10:10 视觉中国</div>'
           '<h3 class="titlea">热门图集</h3><div class="warp">'
           + "".join(f'<a href="/2020/0{i}17/5{i}.html"><img src="/uploads/allimg/2004{i}/x.jpg" alt="另一组图{i}"></a>'
                     for i in range(1, 8))
           + '</div><div class="s-mian12"><h3>友情链接</h3><ul>'
           + "".join(f'&nbsp;|&nbsp;<a href="javascript:;">友情站点{i}</a>' for i in range(20)) + "</ul></div></div>")


def test_gallery_keeps_pictures_and_caption_without_its_furniture() -> None:
    rec = extract_article(_page(GALLERY, "青岛港自动化码头投产运营"), "http://example.com/2019/1129/51499.html")
    assert LONG[:30] in rec.body_text
    for junk in ("首页>图库", "上一张", "暂停播放", "下一张", "热门图集", "另一组图", "友情链接", "友情站点"):
        assert junk not in rec.body_text and junk not in rec.body_html, junk
    assert rec.images == ["http://example.com/uploads/allimg/191129/1-L.jpg",
                          "http://example.com/uploads/allimg/191129/1-G1.jpg"]


def test_related_heading_inside_the_text_stays() -> None:
    main = f'<div class="article-content"><p>{LONG}</p><p>相关链接</p><p>{LONG[::-1]}</p></div>'
    rec = extract_article(_page(main), "http://example.gov.cn/a/2.html")
    assert "相关链接" in rec.body_text and LONG[::-1][:20] in rec.body_text


def test_site_extractor_gives_the_generic_record_for_media_pages() -> None:
    pages = [(_page(f'<div class="article-content"><h1>标题{i}</h1><p>{LONG}</p></div>', f"标题{i}"),
              f"http://example.gov.cn/a/{i}.html") for i in range(6)]
    video = _page('<ul><h1>电视报道</h1><video src="/v/1.mp4"></video></ul>', "电视报道")
    pages.append((video, "http://example.gov.cn/a/v.html"))
    site = SiteExtractor(learn_after=3)
    for html, url in pages:
        assert site.extract(html, url) == extract_article(html, url)


# ---------------------------------------------------------------- 6. breadcrumbs and the home page


TILES = ('<div class="center_a2"><div class="center_a1t">城市概况</div><ul>'
         + "".join(f'<li><a href="javascript:;"><div class="tile">{name}</div></a></li>'
                   for name in ("历史沿革", "行政区划", "地理位置", "宗室渊源", "市花市雕"))
         + "</ul></div>")


def test_sibling_tiles_are_no_breadcrumb() -> None:
    tree = parse_html(f"<html><body>{TILES}</body></html>")
    assert find_breadcrumb(tree) == []


@pytest.mark.parametrize("label", ["当前位置：", "位置：", "您的位置:", "您当前的位置是："])
def test_labelled_breadcrumb_still_found(label: str) -> None:
    tree = parse_html(f'<html><body>{TILES}<div><span>{label}</span><a href="/">首页</a> &gt; '
                      '<a href="/a/">走进鹰城</a> &gt; <a href="/a/b/">城市概况</a></div></body></html>')
    assert find_breadcrumb(tree) == ["走进鹰城", "城市概况"]


def test_home_column_name_names_no_column() -> None:
    html = ('<html><head><meta name="ColumnName" content="首页"><title>某某网</title></head><body>'
            f'<ul>{NAV}</ul></body></html>')
    assert analyse_page(html, "http://example.gov.cn/qa.html").column_name is None
    filed = html.replace("<body>", '<body><div class="crumb">当前位置：<a href="/">首页</a> &gt; '
                                   '<a href="/x/">信息公开</a></div>')
    assert analyse_page(filed, "http://example.gov.cn/x/report.html").column_name == "信息公开"


# ---------------------------------------------------------------- the real pages


def _real(folder: str, host: str, path: str):
    """The record of one sample page under its original URL."""
    return extract_article(decode_html((SAMPLES / folder / path).read_bytes(), None).text, f"http://{host}/{path}")


@needs_samples
@pytest.mark.parametrize("path,least", [("contents/19173/385070.html", 13000), ("contents/19176/385317.html", 1500),
                                        ("contents/19175/385301.html", 200), ("contents/19177/385328.html", 100)])
def test_real_consult_pages_keep_their_text(path: str, least: int) -> None:
    rec = _real("lgedu_net", "www.lgedu.net", path)
    assert len(rec.body_text) >= least
    assert "上一篇" not in rec.body_text


@needs_samples
def test_real_video_pages_link_their_video() -> None:
    folder = SAMPLES / "lgedu_net" / "contents"
    videos = [p for p in sorted(folder.glob("*/*.html")) if b"<video" in p.read_bytes()]
    assert len(videos) >= 17
    for path in videos:
        rec = _real("lgedu_net", "www.lgedu.net", path.relative_to(SAMPLES / "lgedu_net").as_posix())
        assert ".mp4" in rec.body_html, path


@needs_samples
def test_real_picture_library_pages_keep_their_picture() -> None:
    folder = SAMPLES / "pmodlh_ac_cn"
    pages = sorted((folder / "pic_edlh_pmo" / "tpk").glob("*/t*.html"))
    assert len(pages) >= 40
    for path in pages:
        rec = _real("pmodlh_ac_cn", "www.dlh.pmo.cas.cn", path.relative_to(folder).as_posix())
        assert len(rec.images) == 1 and "/W0" in rec.images[0], path


@needs_samples
def test_real_gallery_pages_lose_their_furniture() -> None:
    folder = SAMPLES / "hncic_net"
    pages = [p for p in sorted(folder.glob("20*/*/*.html")) if "上一张".encode() in p.read_bytes()]
    assert len(pages) >= 20
    for path in pages:
        rec = _real("hncic_net", "www.chinajsxx.com", path.relative_to(folder).as_posix())
        text = rec.body_text
        assert text and not any(junk in text for junk in ("首页>图库", "上一张", "暂停播放", "热门图集", "友情链接")), path
        assert rec.images and not any("/templets/" in image or "jiantou" in image for image in rec.images), path


@needs_samples
def test_real_tiles_and_home_page_make_no_column() -> None:
    for path, crumbs, column in (("channels/13.html", [], "走进鹰城"), ("qa.html", [], None)):
        html = decode_html((SAMPLES / "lgedu_net" / path).read_bytes(), None).text
        info = analyse_page(html, f"http://www.lgedu.net/{path}")
        assert (info.breadcrumb, info.column_name) == (crumbs, column), path
