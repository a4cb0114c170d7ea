"""Fast paths of the page library agree with the plain rules they replace."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers import _common
from crawlers._common import (
    _FULL_DATE,
    absolutize,
    attr,
    base_href,
    date_span,
    doc_order,
    iso,
    parse_date,
    parse_html,
)
from tests.crawlers.crawl_helpers import shortcut_answers


def _slow_parse(text: str) -> str | None:
    """parse_date by the plain rule: iso() (datetime validation) of each full-date match in turn."""
    for match in _FULL_DATE.finditer(text[:5000]):
        y, m, d, hh, mm, ss = match.groups()
        value = iso(int(y), int(m), int(d), int(hh) if hh else None, int(mm) if mm else None,
                    int(ss) if ss else None)
        if value:
            return value
    return None


def _slow_span(text: str) -> tuple[int, int] | None:
    """date_span by the plain rule."""
    for match in _FULL_DATE.finditer(text[:5000]):
        y, m, d = match.group(1, 2, 3)
        if iso(int(y), int(m), int(d)):
            return match.span()
    return None


TRICKY_DATES = [
    "2020-02-29", "2021-02-29", "1900-02-29", "2000-02-29", "2100-02-28", "2019-2-30", "2019-04-31", "2019-4-30",
    "2019-00-10", "2019-13-01", "2019-12-00", "2019-12-32", "2019-1-1 24:00", "2019-1-1 23:60", "2019-1-1 23:59:60",
    "2019-1-1 23:59:59", "2019-1-1 0:0:0", "2019-1-1 99:99:99", "2019年1月1日 8时5分", "2019-02-30 2019-03-01",
    "2019-02-30 12:00 then 2019-03-01 13:14:15", "20190-01-01", "12019-01-01 2019-1-2", "2019-01-011",
    "２０１９-０２-２９ 2020-０２-２９", "2019-٠٢-٢٨", "发布时间：2024-06-05 09:30:00 来源：市政府", "",
    "1899-01-01", "2099-12-31T23:59:59", "2019 13 1 2019.12.1", "2019-1-1 7:5:",
]


@pytest.mark.parametrize("text", TRICKY_DATES)
def test_dates_match_the_datetime_rule(text: str) -> None:
    assert parse_date(text) == _slow_parse(text)
    assert date_span(text) == _slow_span(text)


def test_every_month_and_day_of_a_leap_cycle_matches_the_datetime_rule() -> None:
    for year in (1900, 1999, 2000, 2023, 2024, 2099):
        for month in range(100):
            for day in range(100):
                text = f"{year}-{month}-{day} 23:59:{day}"
                assert parse_date(text) == _slow_parse(text), text
                assert date_span(text) == _slow_span(text), text


BASE_PAGES = [
    "<p>no base</p>", "<html><head><base href='/a/'></head><body></body></html>", "<base target=_blank><base href='x'>",
    "<svg><base xlink:href='/svg/'></svg><base href='/html/'>", "<template><base href='/t/'></template>",
    "<base href><base href='/second/'>", "<base xlink:href='/x/'><base href='/y/'>", "<math><base href='/m/'></math>",
    "<table><base href='http://other.example/tb/'></table>", "<base href='javascript:void(0)'>",
]


@pytest.mark.parametrize("html", BASE_PAGES)
def test_base_href_matches_the_css_rule(html: str) -> None:
    url = "http://www.example.gov.cn/a/b/page.html"
    tree = parse_html(html)
    node = tree.css_first("base[href]")
    expected = (absolutize(attr(node, "href"), url) if node is not None else None) or url
    if _common.host_of(expected) != _common.host_of(url):  # a base on another host is not trusted
        expected = url
    assert base_href(tree, url) == expected


def test_foreign_base_href_does_not_make_the_page_external() -> None:
    """<base href> to another host (injected, or a mirror's leftover): the page's links stay on the site."""
    from crawlers.discover import analyse_page

    html = ("<html><head><base href='http://spam.example.com/'></head><body><ul>"
            + "".join(f"<li><a href='/xxgk/t2024010{i}_{i}.html'>通知{i}</a><span>2024-01-0{i}</span></li>"
                      for i in range(1, 8)) + "</ul><a href='news/list.html'>新闻</a></body></html>")
    page = "http://www.example.gov.cn/col/index.html"
    links = [link.url for link in analyse_page(html, page).links]
    assert links and all(u.startswith("http://www.example.gov.cn/") for u in links), links
    assert "http://www.example.gov.cn/col/news/list.html" in links
    own = "<html><head><base href='http://example.gov.cn/other/'></head><body><a href='x.html'>x</a></body></html>"
    assert "http://example.gov.cn/other/x.html" in [link.url for link in analyse_page(own, page).links]


def test_doc_order_is_the_capped_traversal(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = parse_html("<div><p>a<b>b</b></p><ul><li>1</li><li>2</li></ul></div>" * 5)
    nodes = list(tree.root.traverse())
    assert doc_order(tree) == {node.mem_id: i for i, node in enumerate(nodes)}
    monkeypatch.setattr(_common, "MAX_NODES", 6)
    assert doc_order(tree) == {node.mem_id: i for i, node in enumerate(nodes[:7])}


def _slow_attachment(url: str) -> bool:
    """is_attachment_url by the plain rule: extension, download servlet, or a query value naming a document."""
    if not url:
        return False
    if _common.url_ext(url):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    tail = parts.path + ("?" + parts.query if parts.query else "")
    if _common._DOWNLOAD_RE.search(tail):
        return True
    return any(_common._EXT_RE.search(v.split("?")[0]) for vs in parse_qs(parts.query).values() for v in vs)


ATTACHMENT_URLS = [
    "http://a.gov.cn/f.PDF", "http://a.gov.cn/x?file=a.pdf", "http://a.gov.cn/x?file=a%2Epdf", "http://a.gov.cn/x?f=a%2epdf",
    "http://a.gov.cn/x?f=a.pdf%0A", "/index.php?m=content&c=index&id=25", "http://a/x?f=a+pdf", "http://a/x?f=pdf",
    "http://[::1/x.pdf", "http://a/download.jsp?id=1", "http://a/x?u=b.doc?x=1", "", "http://a/x?f=a.zip&g=1",
]


@pytest.mark.parametrize("url", ATTACHMENT_URLS)
def test_is_attachment_url_matches_the_plain_rule(url: str) -> None:
    _common.is_attachment_url.cache_clear()
    assert _common.is_attachment_url(url) == _slow_attachment(url)


@pytest.mark.parametrize("url", ["http://www.a.gov.cn/x.html", "http://spam.example/", "", "no scheme", "http://[::1/"])
def test_a_page_is_never_foreign_to_itself(url: str) -> None:
    assert _common.is_foreign(url, url) is False
    assert _common.is_foreign(url, url) == (not _common.same_site(url, url) and not _common.host_of(url).endswith(
        _common._TRUSTED_SUFFIXES))


def test_klass_id_of_elements_with_and_without_attributes() -> None:
    tree = parse_html("<div><p>x</p><span class=' A b ' id=' Main '>y</span><i id=z>w</i><b class>v</b></div>")
    assert [_common.klass_id(n) for n in tree.css("p, span, i, b")] == [" ", "a b main", " z", " "]


def test_plain_hrefs_join_as_urljoin_does() -> None:
    import random

    from crawlers._common import _plain_join, _url_join

    bases = ["http://www.a.gov.cn/zwgk/202301/t20230101_123.html", "http://h.gov.cn", "http://h.gov.cn/", "ftp://f.example/a/",
             "https://H.Gov.cn:8080/a/b/", "http://h.gov.cn/a/b.html?x=1#f", "HTTP://h.gov.cn/a//b/c.html", "http://h.gov.cn?q",
             "http://h.gov.cn/a/./b.html", "http://h.gov.cn/a/../b/c.html", "http://h.gov.cn/a;p/b.html", "http://h.gov.cn#f",
             "http://h.gov.cn/中文/页.html", "http://user@h.gov.cn/a/", "http://[::1]/a/", "http://h.gov.cn/a b/c.html",
             "http://h.gov.cn/a/..", "http://h.gov.cn/a/.", "http://h.gov.cn:/a/", "mailto:x", "", "http://h.gov.cn//a/b",
             "httpſ://x.gov.cn/d/", "HTTPſ://x.gov.cn/d/", "http://x.gov.cn:１/d/", "http://x.gov.cn:8080/d/"]
    hrefs = ["/a/b.html", "/a//b", "/./a", "/a/../b", "/", "/?q", "/#f", "/中文/a b.pdf", "a.html", "./a.pdf", "../a", "a/b/",
             "a?x=1#f", "a#f", "?q", "a//b", "a/./b", "a/../b", ".", "..", "./", "中文.doc", "a;b", "a:b", "//a", "a?", "a#",
             "index.php?m=content&c=index&a=show&catid=12&id=345", ".a", "a.", "...", "a/.b", "%2e%2e/x", "a%20b"]
    rng = random.Random(1)
    hrefs += ["".join(rng.choice("ab./?#;:%=&中 -_~1/") for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    assert shortcut_answers(_plain_join, _url_join, bases, hrefs) > 10000  # the fast path is taken for most plain links


def test_style_hides_is_the_declaration_by_declaration_rule() -> None:
    import random

    from crawlers._common import declares_hidden, style_hides

    names = ["display", "DISPLAY", "visibility", "opacity", "position", "left", "top", "right", "text-indent", "font-size",
             "overflow", "height", "width", "max-height", "color", "border-bottom", "Font-Size", "dİsplay", "ſont-size",
             " display ", "mso-width-alt", "K-display"]
    values = ["none", "None !important", "hidden", "collapse", "0", "0.0", ".0", "absolute", "fixed", "-9999px", "-999", "1px",
              "0.5pt", "1", "2em", "-100em", "12pt", "hidden auto", "10%", "", "windowtext 0.5pt solid", "İ", "-999.5pt",
              "1.0pt", "1.5px", "0.06em", "0.07em", "-63em", "-62em", "16px", "10.5pt", "!important 0", "0 !important",
              "+0px", "auto", "#0a0b0c"]
    rng = random.Random(5)
    skipped = unread = 0
    for _ in range(20000):
        style = ";".join(f"{rng.choice(names)}{rng.choice([':', ' : ', ''])}{rng.choice(values)}"
                         for _ in range(rng.randint(0, 6)))
        style = style.upper() if rng.random() < 0.1 else style
        style_hides.cache_clear()
        assert style_hides(style) == declares_hidden(style), style
        skipped += not any(name in style.lower() for name in _common._HIDING_PROPERTIES)
        unread += not _common._HIDING_VALUES.search(style.lower())
    assert skipped > 1000  # styles that name no hiding property are answered without reading declarations
    assert unread > 1000  # and so are those with no value that could hide (12px fonts, margins, colours)
    assert style_hides("x" * 3990 + ";display:none") is False and declares_hidden("x" * 3990 + ";display:none") is False
