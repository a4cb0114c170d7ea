"""Speed shortcuts of the page analysis give exactly what the plain rule they stand for gives."""

from __future__ import annotations

import random

from crawlers.cms import FAMILIES, _trie, marks_in


def test_marks_in_agrees_with_one_search_per_mark() -> None:
    """Marks glued together, overlapping, one inside another or cut short: the same set as `mark in page`."""
    rng = random.Random(19)
    marks = sorted({mark for family in FAMILIES for mark in family.marks})
    pieces = marks + [mark[: rng.randint(1, len(mark))] for mark in marks] + ["<", "/", "a", " ", "x", "中"]
    pages = ["", "/plus/list.php?m=content&c=index", "epoint.jsucap-contentjpage/module/web/jpage/"]
    pages += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for page in pages:
        assert marks_in(page) == {mark for mark in marks if mark in page}, page


def test_trie_pattern_answers_the_longest_mark_starting_at_a_position() -> None:
    """Of marks that are prefixes of one another the pattern takes the longest the text holds, else a shorter."""
    import re

    pattern = re.compile(_trie(["ab", "abcd", "abce", "b"]))
    assert [pattern.match(text).group() for text in ("abcdx", "abcx", "abcex", "bx")] == ["abcd", "ab", "abce", "b"]

