"""Speed shortcuts of the page library give exactly what the plain rule they stand for gives."""

from __future__ import annotations

import random
import re

from crawlers.discover import _assigned, create_page_html
from tests.crawlers.crawl_helpers import shortcut_answers


def _plain_assigned(name: str, script: str) -> str | None:
    """The plain rule: one search for `\\bname\\s*=\\s*value` over the whole script."""
    match = re.search(r"\b" + re.escape(name) + r"\s*=\s*[\"']?([\w.\-]+)[\"']?\s*(?:[;,\n]|//|/\*)", script)
    return match.group(1) if match else None


def test_assigned_agrees_with_the_plain_search_on_tricky_scripts() -> None:
    """Names glued to other words, `$` names, repeated and half-written assignments: the same value or None."""
    rng = random.Random(19)
    names = ["n", "countPage", "$page", "_x", "a1", "page"]
    pieces = ["n", "countPage", "$page", "_x", "a1", "page", "x", "$", "_", "=", " = ", "'", '"', "5", "index", "html",
              ";", ",", "\n", "//", "/*", " ", "var ", "my", ".", "-"]
    scripts = ["mycountPage=3;countPage=4;", "$$page=1;$page=2;", "a1 = 'x' //\n", "xn=1; n = \"7\"/*", "page"]
    scripts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    for script in scripts:
        for name in names:
            assert _assigned(name, script) == _plain_assigned(name, script), (name, script)


def test_create_page_html_reads_variables_assigned_in_the_page() -> None:
    """A TRS pager whose arguments are variables: the values assigned to them, not to names that end like them."""
    html = ('<script>var mycountPage = 9; var countPage = 3; var currentPage = 1;'
            'createPageHTML(countPage, currentPage, "t2020_1", "html");</script>')
    assert create_page_html(html) == (3, 1, "t2020_1", "html")


def test_depth_read_from_the_body_walk_agrees_with_too_deep() -> None:
    """Nesting around the limit, in plain, skipped and table elements, with and without text at the bottom: the page
    walk's depth bound gives too_deep's answer."""
    from crawlers._common import MAX_DEPTH, doc_order, parse_html, too_deep
    from crawlers.extract import _too_deep
    from crawlers.text import PageWalk

    pages = []
    for depth in range(MAX_DEPTH - 4, MAX_DEPTH + 3):
        for opener, leaf in (("<div>", "x"), ("<div>", ""), ("<div>", "<br>"), ("<span>", "<img>"),
                             ("<noscript><div>", "t"), ("<table><tr><td>", "c"), ("<p>", "<i></i>")):
            pages.append("<html><head><title>t</title></head><body>" + "<p>filler</p>" * 450 +
                         opener * depth + leaf + "</body></html>")
    pages.append("<p>" * 500)
    for html in pages:
        tree = parse_html(html)
        order = doc_order(tree)
        assert len(order) > MAX_DEPTH + 1
        assert _too_deep(tree, order, PageWalk(tree.body, 10)) == too_deep(tree), html[-80:]


def test_dotted_hrefs_join_as_urljoin_does() -> None:
    """../ and ./ before a plain href, under plain and odd bases (too many ../, dot segments later on, queries,
    fragments, ports, an empty path): the shortcut's URL is urljoin's, and it is taken for most of them."""
    from crawlers._common import _dotted_join, _url_join

    bases = ["http://www.a.gov.cn/zwgk/202301/t20230101_123.html", "http://h.gov.cn", "http://h.gov.cn/", "ftp://f.example/a/",
             "https://H.Gov.cn:8080/a/b/", "http://h.gov.cn/a/b.html?x=1#f", "HTTP://h.gov.cn/a//b/c.html", "http://h.gov.cn?q",
             "http://h.gov.cn/a/./b.html", "http://h.gov.cn/a/../b/c.html", "http://h.gov.cn/a;p/b.html", "http://h.gov.cn#f",
             "http://h.gov.cn/中文/页.html", "http://h.gov.cn/a/b/c/d/e.html", "http://h.gov.cn/a/..", "http://h.gov.cn/a/.",
             "http://h.gov.cn:/a/", "", "http://h.gov.cn//a/b", "http://x.gov.cn:8080/d/", "http://h.gov.cn/a/b/c/"]
    rng = random.Random(2)
    hrefs = ["../a", "./a", "../../a/b.html", "../../../../../../x.pdf", "./../a?x#y", "../a/../b", "../.", "../..", "..//a",
             "../a b", "../中文.doc", "../?q", "../#f", ".././a", "../a;b", "../a:b", "../%2e%2e/x", "...", "../...", "./"]
    hrefs += ["".join(rng.choice(["../", "./", "..", ".", "/", "a", "b.html", "?", "#", ";", ":", "%", "中", " ", "x=1"])
                      for _ in range(rng.randint(1, 7))) for _ in range(3000)]
    assert shortcut_answers(_dotted_join, _url_join, bases, hrefs) > 1000
