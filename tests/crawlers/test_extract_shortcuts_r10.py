"""Extraction shortcuts of round 10 give exactly what the plain code they replace gives."""

from __future__ import annotations

import random

from crawlers import body as body_location
from crawlers import extract
from crawlers._common import parse_html


def _keys(rng: random.Random, pieces: list[str]) -> list[str]:
    """Lower-cased class-and-id keys made of random pieces (klass_id lower-cases what it reads)."""
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 5))).lower() for _ in range(20000)]


def test_title_and_content_names_are_the_patterns_answers() -> None:
    """The letter and word pre-checks answer as _TITLE_CLASS and _TIER2_RE do, folded letters (ı, İ, ſ, K) too."""
    rng = random.Random(7)
    pieces = ["ti", "tle", "bia", "oti", "bt", "_", "head", "ing", "line", "tit", "con", "tent", "zoom", "zheng", "wen",
              "zw", "art", "icle", "de", "tail", "text", "nr", "box", "en", "try", "xl", " ", "-", "1", "ı", "İ", "ſ", "K",
              "msonormal", "xl65", "main", "news"]
    titled = contented = 0
    for key in _keys(rng, pieces):
        assert extract._title_named(key) == bool(extract._TITLE_CLASS.search(key)), key
        assert body_location.content_named(key) == bool(body_location._TIER2_RE.search(key)), key
        titled += extract._title_named(key)
        contented += body_location.content_named(key)
    assert titled > 300 and contented > 1000


def test_named_runs_list_each_named_element_once_with_its_tag() -> None:
    """named_runs gives the elements the named query finds, each once, in order, each with its own tag name."""
    rng = random.Random(9)
    pieces = ["<div class='a' id='b'>x</div>", "<h1>t</h1>", "<h2 class='t'>t</h2>", "<td class='xl65'>1</td>",
              "<span id='s'>s</span>", "<o:p class='w'>o</o:p>", "<st1:chsdate id='d'>d</st1:chsdate>", "<p>p</p>",
              "<svg><title class='v'>v</title></svg>", "<font class='f' id='g'>f</font>", "<h3 id='h'>h</h3>",
              "<custom-tag class='c'>c</custom-tag>", "<table><tr><td id='c'>c</td></tr></table>"]
    for _ in range(300):
        html = "<body>" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) + "</body>"
        body = parse_html(html).body
        plain = [(node, node.tag) for node, _ in body_location._runs(body.css(body_location._NAMED_QUERY))]
        got = body_location.named_runs(body)
        assert [(node.mem_id, tag) for node, tag in got] == [(node.mem_id, tag) for node, tag in plain], html


def test_head_facts_read_by_style_are_the_listed_ones() -> None:
    """_head_facts (a [style] query read element by element) gives the base, meta and hidden elements of the one-query
    reading, on pages with and without a hidden attribute."""
    rng = random.Random(13)
    pieces = ["<base href='/r/'>", "<meta name='SiteName' content='甲'>", "<meta name='PubDate' content='2016-08-31'>",
              "<style>.gone{display:none}</style>", "<div class='gone'>g</div>", "<p style='display:none'>y</p>",
              "<span style='font-size:12pt'>w</span>", "<span style='FONT-SIZE: 0px'>z</span>", "<p style>e</p>",
              "<meta style='display:none' name='m' content='v'>", "<body style='display:none'>", "<p hidden>h</p>",
              "<svg><rect style='display:none'/></svg>", "<td style='visibility:hidden'>t</td>", "<p>正文</p>"]
    url = "http://www.example.gov.cn/a/b.html"
    for _ in range(400):
        html = "<html><head>" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3))) + "</head><body>" + \
               "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) + "</body></html>"
        tree = parse_html(html)
        base, meta, hidden = extract._head_facts(tree, url)
        want_base, want_meta, want_hidden = extract._listed_head_facts(tree, url)
        assert (base, meta) == (want_base, want_meta), html
        assert [n.mem_id for n in hidden] == [n.mem_id for n in want_hidden], html
