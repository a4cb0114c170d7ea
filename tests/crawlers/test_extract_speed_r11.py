"""Round 11 extraction speed changes: each shortcut gives what the longer way gives."""

from __future__ import annotations

import random
import re


def test_known_container_search_from_the_named_elements_equals_one_query_per_selector() -> None:
    from crawlers._common import parse_html
    from crawlers.body import TIER1, _tier1, _usable_stats, named_runs

    def one_by_one(tree):  # every selector asked of the whole tree
        best, best_len = None, -1
        for selector in TIER1:
            for node in tree.css(selector)[:50]:
                stats = _usable_stats(node, 1)
                if stats is not None and stats[0] > best_len:
                    best, best_len = node, stats[0]
        return best

    rng = random.Random(6)
    names = ["TRS_Editor", "zoom", "ZOOM", "artCon", "TRS_AUTOADD_12", " trs_autoadd_1", "a zoom", "zoom b", "x"]

    def element(tag: str) -> str:
        return f"{tag} {rng.choice(['class', 'id'])}='{rng.choice(names)}'" if rng.random() < 0.5 else tag

    for _ in range(300):
        parts = [f"<{element('div')}>" + "字" * rng.randint(0, 30) + "<p>段落</p>" * rng.randint(0, 2) + "</div>"
                 for _ in range(rng.randint(1, 5))]
        tree = parse_html(rng.choice(["", "<!DOCTYPE html>"]) + f"<{element('html')}><{element('head')}>"
                          f"<{element('title')}>题</title></head><{element('body')}>" + "".join(parts) + "</body></html>")
        want, got = one_by_one(tree), _tier1(tree, named_runs(tree.body))
        assert (want.mem_id if want else None) == (got.mem_id if got else None)


def test_a_search_for_the_fewest_words_finds_what_a_search_for_all_finds() -> None:
    from crawlers.body import _FURNITURE, _TAIL_WORDS, any_word, fewest_words

    words = (*_TAIL_WORDS, *(word for word in _FURNITURE if len(word) > 1))
    every = re.compile("|".join(re.escape(word) for word in words))
    fewest = any_word(words)
    assert set(fewest_words(words)) < set(words)
    rng = random.Random(7)
    pieces = [*words, "评", "论", "打", "印本页", "正文", "内容", "，"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        assert (fewest.search(text) is None) == (every.search(text) is None), text
