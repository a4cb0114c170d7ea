"""Duplicate articles: the same story in two columns, on two sites, or republished as new (旧稿重发)."""

from __future__ import annotations

import heapq
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from mappers.synonyms import to_simplified

SHINGLE = 4
MIN_BODY = 60  # characters of normalised text below which content alone proves nothing
SKETCH = 16  # shingle hashes kept per body
MIN_SHARED = 6  # sketch values two bodies must share to be compared in full
MIN_SIMILARITY = 0.9  # rapidfuzz ratio that confirms a candidate
MIN_TITLE_SIMILARITY = 85  # rapidfuzz ratio of titles expected of a content match
MIN_TITLE = 6  # normalised title characters needed for a title + date match
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_TITLE_TAGS = re.compile(r"^(【[^】]{1,8}】|\[[^\]]{1,8}\]|（[^）]{1,8}）)")


@dataclass
class DupArticle:
    """What duplicate detection needs of an article."""

    url: str
    title: str = ""
    published: str | None = None
    body_text: str = ""
    preferred: int = 0  # higher wins as the original: e.g. 2 already on the portal, 1 being migrated


def as_dup_article(item: Any) -> DupArticle:
    """A DupArticle from a DupArticle, a dict or any object with url/title/published/body_text."""
    if isinstance(item, DupArticle):
        return item
    get = item.get if isinstance(item, dict) else (lambda k, d=None: getattr(item, k, d))
    return DupArticle(url=get("url"), title=get("title") or "", published=get("published"),
                      body_text=get("body_text") or "", preferred=int(get("preferred", 0) or 0))


def normalise_title(title: str) -> str:
    """A title for comparison: width, Simplified, no punctuation, no leading 【转载】-style tags."""
    text = unicodedata.normalize("NFKC", title or "").strip()
    text = _TITLE_TAGS.sub("", text)
    return _NOISE.sub("", to_simplified(text)).lower()


def normalise_body(text: str) -> str:
    """Body text for comparison: width, Simplified, letters and digits only."""
    return _NOISE.sub("", to_simplified(unicodedata.normalize("NFKC", text or ""))).lower()


def sketch(text: str, size: int = SKETCH) -> frozenset[int]:
    """Bottom-k sketch of a text: the smallest CRC32 values of its character shingles."""
    values = {zlib.crc32(text[i:i + SHINGLE].encode("utf-8")) for i in range(max(len(text) - SHINGLE + 1, 1))}
    return frozenset(heapq.nsmallest(size, values))


def find_duplicates(articles: Iterable[Any]) -> dict[str, str]:
    """url → url of its original, for every article that repeats another (by title + date or by content)."""
    items = [as_dup_article(a) for a in articles]
    parent = list(range(len(items)))
    bodies = [normalise_body(a.body_text) for a in items]
    titles = [normalise_title(a.title) for a in items]
    for first, second in _title_date_pairs(items, bodies) + _content_pairs(bodies, titles):
        _union(parent, first, second)
    clusters: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
        clusters[_find(parent, index)].append(index)
    links: dict[str, str] = {}
    for members in clusters.values():
        if len(members) < 2:
            continue
        original = min(members, key=lambda i: _original_rank(items[i], i))
        for index in members:
            if index != original and items[index].url != items[original].url:
                links[items[index].url] = items[original].url
    return links


def _original_rank(item: DupArticle, index: int) -> tuple[int, int, str, int]:
    """Sort key of the original in a cluster: preferred first, then the earliest dated, then input order."""
    return (-item.preferred, 0 if item.published else 1, (item.published or "")[:10], index)


def _title_date_pairs(items: list[DupArticle], bodies: list[str]) -> list[tuple[int, int]]:
    """Articles with the same normalised title on the same day, unless their bodies clearly differ."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        title = normalise_title(item.title)
        if len(title) >= MIN_TITLE and item.published:
            groups[(title, item.published[:10])].append(index)
    pairs = []
    for members in groups.values():
        for other in members[1:]:
            first = members[0]
            if bodies[first] and bodies[other] and fuzz.ratio(bodies[first][:3000], bodies[other][:3000]) < 60:
                continue
            pairs.append((first, other))
    return pairs


def _content_pairs(bodies: list[str], titles: list[str]) -> list[tuple[int, int]]:
    """Articles with near-identical bodies (sketch candidates confirmed by rapidfuzz) and similar titles;
    templated pages (办事指南 …) share bodies but not titles, so an identical long body is needed without one."""
    sketches = {i: sketch(body) for i, body in enumerate(bodies) if len(body) >= MIN_BODY}
    buckets: dict[int, list[int]] = defaultdict(list)
    for index, values in sketches.items():
        for value in values:
            buckets[value].append(index)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in buckets.values():
        if len(members) > 50:
            continue  # boilerplate every page shares
        for position, first in enumerate(members):
            for second in members[position + 1:]:
                shared[(first, second)] += 1
    pairs = []
    for (first, second), count in shared.items():
        if count < MIN_SHARED:
            continue
        similarity = fuzz.ratio(bodies[first][:5000], bodies[second][:5000]) / 100
        titled = fuzz.ratio(titles[first], titles[second]) >= MIN_TITLE_SIMILARITY
        if similarity >= MIN_SIMILARITY and (titled or (similarity >= 0.99 and len(bodies[first]) >= 200)):
            pairs.append((first, second))
    return pairs


def _find(parent: list[int], index: int) -> int:
    """Union-find root with path halving."""
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _union(parent: list[int], first: int, second: int) -> None:
    """Join two clusters."""
    parent[_find(parent, first)] = _find(parent, second)
