"""Extraction shortcuts of the fourth speed round give exactly what the plain code they replace gives."""

from __future__ import annotations

import random
import re

import justext.core
import trafilatura

from crawlers import body as body_location
from crawlers import extract
from crawlers._common import base_href, parse_html

_PAGE = ("<html><head><title>通知</title></head><body><div class='menu'><a href='/a'>首页</a><a href='/b'>机构</a></div>"
         "<div>" + "".join(f"<div>第{i}段：为进一步做好全市中小学校园安全工作，现将有关事项通知如下，请各单位认真贯彻落实。"
                           f"This paragraph has some English words in it as well, so the stop words count.</div>"
                           for i in range(6)) + "</div><div>版权所有 某某市教育局</div></body></html>")


def test_stoplist_once_gives_justexts_set_and_works_it_out_once() -> None:
    """The same frozenset as justext's define_stoplist, for a tuple worked out on the first call only."""
    calls: list[object] = []

    def counting(stoplist):
        """justext's own function, counting its calls."""
        calls.append(stoplist)
        return justext.core.define_stoplist(stoplist)

    words = ("The", "and", "ÄND", "x")
    once = body_location._StoplistOnce(counting)
    assert once(words) == justext.core.define_stoplist(words) == frozenset({"the", "and", "änd", "x"})
    assert once(words) is once(words)
    assert len(calls) == 1
    assert once(frozenset({"A"})) == frozenset({"a"}) and len(calls) == 2  # not a tuple: justext's own answer


def test_trafilatura_body_is_the_plain_call_and_leaves_justext_as_it_was() -> None:
    """The fallback body is trafilatura's own answer, and justext's function is restored after the call."""
    before = justext.core.define_stoplist
    plain = trafilatura.extract(_PAGE, url="http://x.example/a.html", output_format="html", include_tables=True,
                                include_images=True, include_links=True, include_comments=False, favor_recall=True)
    body = body_location._trafilatura_body(_PAGE, "http://x.example/a.html")
    again = body_location._trafilatura_body(_PAGE, "http://x.example/a.html")
    assert justext.core.define_stoplist is before
    assert plain and "第5段" in plain
    assert body is not None and again is not None
    assert body.html == again.html == parse_html(plain).body.html


def test_word_lists_spelt_out_find_what_the_grouped_patterns_find() -> None:
    """The 热门图集/相关文章 heading pattern written word by word and the one search for breadcrumb and 附件 words
    agree with the grouped pattern and the word-by-word test, on texts made of their pieces."""
    grouped = re.compile(r"(?:热门|相关|更多|精彩|最新)(?:图集|图片|组图|文章|新闻|阅读|推荐|链接|资讯)|推荐阅读|延伸阅读|"
                         r"猜你喜欢|友情链接")
    words = ("当前位置", "您的位置", "当前的位置", "所在位置", "现在的位置", "附件", "相关文件", "相关下载")
    pieces = ["热门", "相关", "更多", "精彩", "最新", "图集", "组图", "文章", "阅读", "推荐", "链接", "资讯", "延伸阅读",
              "猜你", "喜欢", "友情", "热", "门", "当前", "位置", "的", "附", "件", "下载", "x", "：", "【"]
    rng = random.Random(4)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert bool(extract._TAIL_HEADING.search(text)) == bool(grouped.search(text)), text
        assert bool(extract._TAIL_HEADING.fullmatch(text)) == bool(grouped.fullmatch(text)), text
        assert bool(extract._REMOVAL_WORDS.search(text)) == any(word in text for word in words), text


def test_head_facts_base_is_base_href() -> None:
    """The base URL read with the head query is base_href's, with and without a <base> anywhere in the page."""
    url = "http://x.example/a/b.html"
    pages = ["<p>no base</p>", "<head><base href='/c/'></head>", "<BASE HREF='http://x.example/d/'>",
             "<svg><base href='/e/'></svg>", "<template><base href='/f/'></template>", "<base href='http://y.example/'>",
             "<div><base></div><base href='/g/'>", "<noscript><base href='/h/'></noscript>", "<p>base</p><basefont>"]
    for html in pages:
        tree = parse_html(html)
        assert extract._head_facts(tree, url)[0] == base_href(tree, url), html


def test_styles_dropped_before_sanitising_change_nothing_it_writes() -> None:
    """A cleaned body's style attributes removed before sanitising: the same HTML and text, for any markup."""
    rng = random.Random(3)
    pieces = ["<p style='text-align:center' lang='EN-US' title='t'>甲</p>", "<span style=\"font-size:12pt\">乙</span>",
              "<table style='width:100%' border='1'><tr style='height:1pt'><td style='border:solid' colspan='2'>丙</td>"
              "</tr></table>", "<font style='x' face='黑体'>丁</font>", "<svg style='a'><rect style='b'/></svg>",
              "<a href='/f.pdf' style='color:red' title='附件'>戊</a>", "<img src='/i.png' style='width:1px' alt='i'>",
              "<div style=\"a:'b'\" class='c'><p>己</p></div>", "<o:p style='q'></o:p>", "<STYLE>p{}</STYLE>", "庚 <br style=x>",
              "<td style='s'>辛</td>", "<p style='display:none'>壬</p>", "<math style='m'><mi>x</mi></math>"]
    for _ in range(400):
        html = "<div>" + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))) + "</div>"
        plain, dropped = parse_html(html).body.css_first("div"), parse_html(html).body.css_first("div")
        extract._drop_styles(dropped)
        assert dropped.css_first("[style]") is None
        assert extract.sanitize(dropped.inner_html) == extract.sanitize(plain.inner_html), html
        assert extract._plain_text(dropped) == extract._plain_text(plain), html
    assert extract._many_styles("<p style='a'>x</p>" * 6000) and not extract._many_styles("<p style='a'>x</p>" * 500)


def test_subtree_is_the_first_elements_of_the_walk(monkeypatch) -> None:
    """_subtree lists the body's elements in traverse order, the first _SUBTREE_CAP + 1 of them."""
    body = parse_html("<div><p>a<b>b</b></p><!--c--><table><tr><td>d</td></tr></table><i>e</i></div>").body.css_first("div")
    walked = list(body.traverse())
    assert [n.mem_id for n in extract._subtree(body)] == [n.mem_id for n in walked]
    for cap in (0, 1, 3, len(walked) - 1, len(walked)):
        monkeypatch.setattr(extract, "_SUBTREE_CAP", cap)
        assert [n.mem_id for n in extract._subtree(body)] == [n.mem_id for n in walked[:cap + 1]]


def test_text_read_before_cleaning_is_the_cleaned_bodys_when_nothing_is_removed(monkeypatch) -> None:
    """_clean_body given the body's lines from the unmodified tree writes the same HTML and text as without them,
    for any markup (removed blocks, media, unsafe and Office tags, dead links, comments), and uses them."""
    rng = random.Random(5)
    pieces = ["<p>甲段正文</p>", "<span>乙</span>丙", "<table><tr><td>丁</td><td>戊</td></tr></table>", "<br>",
              "<a href='javascript:void(0)'>己</a>", "<a href='/f.pdf'>附件.pdf</a>", "<img src=''>", "<img src='/i.png'>",
              "<o:p>庚</o:p>", "<st1:chsdate>辛</st1:chsdate>", "<!--注释-->", "<noscript>壬</noscript>",
              "<script>var a;</script>", "<div class='share'>分享到</div>", "<p>上一篇：某某</p>", "<video src='/v.mp4'></video>",
              "<form>癸</form>", "<div><p>子</p>丑</div>", "<li>寅</li>", "<h2>卯</h2>", "<marquee>辰</marquee>", "巳 "]
    plain_calls: list[int] = []
    plain_text = extract._plain_text
    monkeypatch.setattr(extract, "_plain_text", lambda body: plain_calls.append(1) or plain_text(body))
    shortcuts = 0
    for _ in range(600):
        html = "<div>" + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) + "</div>"
        fast, plain = parse_html(html).body.css_first("div"), parse_html(html).body.css_first("div")
        before = len(plain_calls)
        got = extract._clean_body(fast, "标题", set(), "http://x.example/a/", lines=extract.node_lines(fast))
        shortcuts += len(plain_calls) == before
        assert got == extract._clean_body(plain, "标题", set(), "http://x.example/a/"), html
    assert shortcuts > 50
