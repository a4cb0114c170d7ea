"""Speed shortcuts of the page analysis give exactly what the plain rule they stand for gives."""

from __future__ import annotations

import random

from crawlers.cms import FAMILIES, marks_in


def test_marks_in_agrees_with_one_search_per_mark() -> None:
    """Marks glued together, overlapping, one inside another or cut short: the same set as `mark in page`."""
    rng = random.Random(19)
    marks = sorted({mark for family in FAMILIES for mark in family.marks})
    pieces = marks + [mark[: rng.randint(1, len(mark))] for mark in marks] + [mark[rng.randint(0, len(mark) - 1):]
                                                                            for mark in marks]
    pieces += ["<", "/", "a", " ", "x", "中", "j", "_", "m", "&", "?", "大", "天"]
    pages = ["", "/plus/list.php?m=content&c=index", "epoint.jsucap-contentjpage/module/web/jpage/"]
    pages += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for page in pages:
        assert marks_in(page) == {mark for mark in marks if mark in page}, page


def test_marks_found_at_a_rare_character_hold_it_there() -> None:
    """Each mark is either searched alone or anchored at one of its own rare characters (where the search stops)."""
    from crawlers.cms import _ANCHORS, _BY_ANCHOR, _RARE, _SCANNED

    for mark, at in _ANCHORS.items():
        assert mark[at] in _RARE or not mark[at].isascii()
        assert (mark, at) in _BY_ANCHOR[mark[at]] and mark not in _SCANNED
    assert all(not any(char in _RARE or not char.isascii() for char in mark) for mark in _SCANNED)


def test_dated_row_and_record_count_agree_with_their_patterns() -> None:
    """Lines of dates, brackets, dots, spaces, newlines and record counts: the same verdict as a search of the
    whole line with the pattern the shortcut stands for."""
    from crawlers.discover import _DATED_ROW, _RECORD_COUNT, _dated_row, _record_count

    rng = random.Random(6)
    pieces = ["2024", "12", "3", "-", "/", ".", "...", "…", " ", "\n", "\t", "[", "]", "【", "】", "(", "）", "·", "|",
              "标题", "共", "条", "页", "记录", "数", "：", "次", "１２", "x"]
    lines = ["[08-31] 标题", "12-20·标题", "标题 16-03-02", "标题…", "标题 …", "标题 2024-1-2\n", "共 3 页", "12条记录"]
    lines += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    for line in lines:
        assert _dated_row(line) == bool(_DATED_ROW.search(line)), line
        assert _record_count(line) == bool(_RECORD_COUNT.search(line)), line


def _plain_in_nav(node: object) -> bool:
    """The plain rule: a <nav> or an element with a menu class or id among the 10 nearest ancestors."""
    from crawlers._common import ancestors, klass_id
    from crawlers.discover import _NAV_CLASS

    return any(parent.tag == "nav" or _NAV_CLASS.search(klass_id(parent)) for parent in ancestors(node, 10))


def test_in_nav_with_shared_heights_agrees_with_the_plain_walk() -> None:
    """Links nested 0 to 14 levels under menus, in any order: the same verdict when one page's links share the
    heights they have answered."""
    from selectolax.lexbor import LexborHTMLParser

    from crawlers.discover import _in_nav

    rng = random.Random(10)
    opens = ["<div>", "<div class='menu'>", "<nav>", "<ul>", "<li>", "<div id='TopNav'>", "<span class='x'>"]
    for _ in range(300):
        html, depth = "<body>", 0
        for _ in range(rng.randint(1, 60)):
            roll = rng.random()
            if roll < 0.45 and depth < 14:
                html, depth = html + rng.choice(opens), depth + 1
            elif roll < 0.7 and depth:
                html, depth = html + "</div>", depth - 1
            else:
                html += "<a href='x'>x</a>"
        tree = LexborHTMLParser(html)
        heights: dict[int, int] = {}
        for anchor in tree.css("a"):
            assert _in_nav(anchor, heights) == _plain_in_nav(anchor), html


def test_the_analysis_leaves_its_tree_as_parsed_and_the_extractor_gives_the_same_record_on_it() -> None:
    """Every page of a real-weight fleet, in crawl order: the tree analyse_parsed hands on serialises as a fresh
    parse does, and a site extractor fed it gives the record (and learns the templates) one parsing anew gives."""
    from dataclasses import asdict

    from consolidate.samplefleet import build_fleet
    from crawlers._common import parse_html
    from crawlers.discover import analyse_parsed
    from crawlers.encoding import decode_html
    from crawlers.extract import SiteExtractor

    fleet = build_fleet(seed=3, articles_per_site=12, weight="real")
    for site in fleet.sites:
        shared, fresh = SiteExtractor(site.site_id), SiteExtractor(site.site_id)
        for path in site.all_paths():
            answer = site.respond(path)
            if answer.status != 200 or "html" not in (answer.content_type or ""):
                continue
            text, url = decode_html(answer.body, answer.content_type).text, f"http://{site.site_id}.example{path}"
            info, tree = analyse_parsed(text, url)
            assert tree is not None and tree.html == parse_html(text).html, url
            assert asdict(shared.extract(text, url, tree)) == asdict(fresh.extract(text, url)), url
        assert (shared.hits, shared.misses, shared.generic) == (fresh.hits, fresh.misses, fresh.generic)
