"""Round 12 extraction speed changes: each shortcut gives what the longer way gives."""

from __future__ import annotations

import random


def test_text_nodes_found_by_searching_their_joined_text_are_those_that_hold_a_word() -> None:
    from crawlers._common import parse_html
    from crawlers._fields import joined_texts, text_nodes
    from crawlers.extract import _ATTACH_WORDS, _holding_words

    rng = random.Random(12)
    pieces = ["附件", "附", "件", "相关文件", "相关", "下载", "相关下载", "正文", "\u3000", " ", "<br>", "</p><p>",
              "<span>", "</span>"]
    for _ in range(500):
        html = "<body><p>" + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) + "</p></body>"
        texts = text_nodes(parse_html(html).body)[0]
        want = [entry for entry in texts if any(word in entry[2] for word in _ATTACH_WORDS)]
        assert _holding_words(texts, joined_texts(texts), _ATTACH_WORDS) == want, html
        assert _holding_words(texts, None, _ATTACH_WORDS) == texts


def test_links_inside_hidden_elements_are_found_as_the_ancestor_walk_finds_them() -> None:
    from crawlers._common import ancestors, parse_html
    from crawlers.extract import _ATTACH_QUERY, _hidden_inside, _hidden_near

    rng = random.Random(13)

    def element(depth: int) -> str:
        if depth > 34 or rng.random() < 0.3:
            return rng.choice(["<a href='/f/a.pdf'>a.pdf</a>", "<span onclick=\"window.open('/b.doc')\">b</span>", "字"])
        tag = rng.choice(["div", "p", "span", "a"])
        hidden = " style='display:none'" if rng.random() < 0.15 else ""
        inner = "".join(element(depth + 1) for _ in range(rng.randint(1, 2 if depth < 30 else 1)))
        return f"<{tag}{hidden}>{inner}</{tag}>"

    for _ in range(150):
        tree = parse_html("<body>" + element(0) + "</body>")
        hidden = tree.body.css("[style]")
        hidden_ids = {node.mem_id for node in hidden}
        links = tree.body.css(_ATTACH_QUERY)
        inside = _hidden_inside(hidden, len(links) + 1)
        for node in links:
            walked = node.mem_id in hidden_ids or any(a.mem_id in hidden_ids for a in ancestors(node, 30))
            assert _hidden_near(node, hidden_ids, inside) == walked
            assert _hidden_near(node, hidden_ids, None) == walked


def test_counting_a_word_piece_by_piece_agrees_with_counting_it_whole() -> None:
    from crawlers.extract import _holds_more

    rng = random.Random(14)
    for _ in range(3000):
        text = "".join(rng.choice(["style=", "sty", "le=", "x", "s", "字"]) for _ in range(rng.randint(0, 60)))
        for limit in range(8):
            assert _holds_more(text, "style=", limit, piece=rng.randint(1, 9)) == (text.count("style=") > limit)
