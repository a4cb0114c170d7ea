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
REISSUE = re.compile(r"[（(【\[]\s*(重发|重新发布|再次发布|更正|更正版|更正公告|修订|修订版|修正|补发|补充)\s*[)）】\]]"
                     r"|(重发|更正|修订版)$")  # a notice issued again: it supersedes the original
SAME_BODY = 0.995  # bodies this close are the same text whatever their numbers
_DIGITS = re.compile(r"\d+")


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


def is_reissue(title: str) -> bool:
    """True for a notice marked as issued again: (重发), (更正), 【修订】 …"""
    return REISSUE.search(unicodedata.normalize("NFKC", title or "")) is not None


def find_duplicates(articles: Iterable[Any]) -> dict[str, str]:
    """url → url of the article that stands for it, for every article that repeats another (by title + date or
    by content); a re-issued notice (重发/更正) stands for its original, not the other way round."""
    items = [as_dup_article(a) for a in articles]
    return cluster_links([[(i, items[i]) for i in members] for members in duplicate_clusters(items)])


def duplicate_clusters(items: list[DupArticle], bodies: list[str] | None = None) -> list[list[int]]:
    """The groups (indices into `items`, two or more each) of articles that repeat one another; the costly part
    (normalising, sketching, comparing bodies), independent of which article is preferred as the original.
    `bodies`: the items' bodies already normalised (normalise_body), so a caller need not hold the raw texts."""
    parent = list(range(len(items)))
    bodies = bodies if bodies is not None else [normalise_body(a.body_text) for a in items]
    titles = [normalise_title(a.title) for a in items]
    pairs = _title_date_pairs(items, bodies) + _content_pairs(bodies, titles) + _reissue_pairs(items, bodies)
    for first, second in pairs:
        _union(parent, first, second)
    clusters: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
        clusters[_find(parent, index)].append(index)
    return [members for members in clusters.values() if len(members) >= 2]


def cluster_links(clusters: list[list[tuple[int, DupArticle]]]) -> dict[str, str]:
    """url → url of its cluster's original, for clusters of (input index, article): the original is chosen by
    preference, re-issue, earliest date, then input order."""
    links: dict[str, str] = {}
    for members in clusters:
        first, original = min(members, key=lambda m: _original_rank(m[1], m[0]))
        for index, item in members:
            if index != first and item.url != original.url:
                links[item.url] = original.url
    return links


def _original_rank(item: DupArticle, index: int) -> tuple[int, int, int, str, int]:
    """Sort key of the article a cluster keeps: preferred first, then a re-issue (it supersedes), then the
    earliest dated, then input order."""
    return (-item.preferred, 0 if is_reissue(item.title) else 1, 0 if item.published else 1,
            (item.published or "")[:10], index)


def _reissue_pairs(items: list[DupArticle], bodies: list[str]) -> list[tuple[int, int]]:
    """A re-issued notice and its original: the same title once the 重发/更正 mark is taken off, and bodies that
    are not plainly different texts (a correction changes a few details, not the whole notice)."""
    marked = [i for i, item in enumerate(items) if is_reissue(item.title)]
    if not marked:
        return []
    by_title: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        by_title[normalise_title(REISSUE.sub("", unicodedata.normalize("NFKC", item.title or "")))].append(index)
    pairs = []
    for index in marked:
        base = normalise_title(REISSUE.sub("", unicodedata.normalize("NFKC", items[index].title or "")))
        if len(base) < MIN_TITLE:
            continue
        for other in by_title.get(base, []):
            if other != index and not is_reissue(items[other].title) and _related(bodies[index], bodies[other]):
                pairs.append((other, index))
    return pairs


def _related(first: str, second: str) -> bool:
    """True unless both bodies are there and plainly different texts."""
    return not (first and second) or fuzz.ratio(first[:3000], second[:3000]) >= 60


def _different_notices(first: str, second: str, similarity: float) -> bool:
    """Two templated notices (第一批/第二批, other dates, other names' numbers) differ in their numbers: a body
    that is not the same text and does not carry the same numbers is another notice, never a duplicate."""
    return similarity < SAME_BODY and _DIGITS.findall(first) != _DIGITS.findall(second)


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
            if bodies[first] and bodies[other]:
                similarity = fuzz.ratio(bodies[first][:3000], bodies[other][:3000]) / 100
                if similarity < 0.6 or _different_notices(bodies[first], bodies[other], similarity):
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
        if _different_notices(bodies[first], bodies[second], similarity) or \
                _DIGITS.findall(titles[first]) != _DIGITS.findall(titles[second]):
            continue
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
