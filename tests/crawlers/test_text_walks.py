"""The text walks' shortcuts (tag ids for tag names, one-pass line split) agree with the plain body_text rule."""

from __future__ import annotations

import random

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers.text import (
    _ROLES,
    _TAG_NAMES,
    BLOCK_TAGS,
    CELL_TAGS,
    SKIP_TAGS,
    PageWalk,
    _lines,
    _role,
    node_lines,
    safe_text,
)

_TAGS = ["div", "p", "td", "th", "td", "tr", "table", "table", "br", "hr", "span", "a", "b", "script", "textarea", "template", "select",
         "noscript", "title", "svg", "math", "DIV", "Td", "P", "my-el", "o:p", "svg:p", "foreignObject", "li", "iframe"]
_TEXTS = ["字", " ", "  \n ", "\u3000", "\xa0", "\x1c\x1f", "\x85", "a b", "\x00", "<!--c-->", "<![CDATA[x]]>", "&nbsp;"]


def _pages(seed: int, count: int) -> list[str]:
    """Random tag soup with foreign content, odd case, custom tags, comments and odd whitespace."""
    rng = random.Random(seed)
    pages = ["<table><tr><td>格<TD>格</td><th>头</th></tr></table>字", "<svg><td>格</td>字<title>题</title><p>段</p></svg>",
             "<math><mi>式<DIV>块</DIV></mi></math>", "<template><p>模</p></template>a<textarea>b</textarea>c<br>d",
             "<my-el>自<td>定</td></my-el><o:p>义</o:p>", "<select><option>甲<option>乙</select>尾\x1c\x85\u3000尾"]
    for _ in range(count):
        parts = [rng.choice(_TEXTS) if rng.random() < .5 else rng.choice(["<{}>", "</{}>", "<{}/>"]).format(
            rng.choice(_TAGS)) for _ in range(rng.randint(0, 40))]
        pages.append("<html><body>" + "".join(parts))
    return pages


def _plain_chunks(node: LexborNode, out: list[str]) -> None:
    """The body_text rule by tag name, recursively: block marks, cell spaces, <br> breaks, skipped elements."""
    tag = node.tag
    text = node.text_content
    if text is not None:
        out.append(text)
        return
    if tag == "br":
        out.append("\x00")
        return
    if tag and tag[0] == "-" or tag in SKIP_TAGS:
        return
    mark = "\x00" if tag in BLOCK_TAGS else " " if tag in CELL_TAGS else ""
    out.append(mark)
    child = node.child
    while child is not None:
        _plain_chunks(child, out)
        child = child.next
    out.append(mark)


def _plain_lines(node: LexborNode) -> list[str]:
    """node_lines by the plain rule."""
    out: list[str] = []
    _plain_chunks(node, out)
    lines = (" ".join(part.split()) for part in "".join(out).split("\x00"))
    return [line for line in lines if line]


def test_tag_id_table_names_the_tag_of_every_node() -> None:
    for html in _pages(1, 300):
        for node in LexborHTMLParser(html).root.traverse(include_text=True):
            tag_id = node.tag_id
            if tag_id < len(_TAG_NAMES) and _TAG_NAMES[tag_id] is not None:
                assert _TAG_NAMES[tag_id] == node.tag
                assert _ROLES[tag_id] == _role(node.tag)


def test_walks_give_the_lines_of_the_plain_rule() -> None:
    for html in _pages(2, 300):
        tree = LexborHTMLParser(html)
        walk = PageWalk(tree.body, 100_000)
        assert walk.lines() == _plain_lines(tree.body)
        for node in tree.root.traverse(include_text=True):
            assert node_lines(node) == _plain_lines(node)
            assert walk.part_lines(node) == node_lines(node)
        tags = {n.tag for n in tree.body.traverse()} - {"body"}
        want = None if tags & SKIP_TAGS else "\n".join(_plain_lines(tree.body))
        assert safe_text(tree.body, frozenset(tags - SKIP_TAGS), 100_000) == want


def test_lines_split_like_strip_per_part() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        chunks = ["".join(rng.choice("a \x00\u3000\n\x1c\x85b\xa0") for _ in range(rng.randint(0, 6)))
                  for _ in range(rng.randint(0, 6))]
        flat = " ".join("".join(chunks).split())
        assert _lines(chunks) == [line for part in flat.split("\x00") if (line := part.strip(" "))]
