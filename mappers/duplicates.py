"""Duplicate articles: the same story in two columns, on two sites, or republished as new (旧稿重发)."""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
import zlib
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
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
OTHER_TITLE = 50  # rapidfuzz partial ratio under which two titles are clearly different (not a trimmed/tagged copy)
_NOISE = re.compile(r"[\W_]+", re.UNICODE)
_TITLE_TAGS = re.compile(r"^(【[^】]{1,8}】|\[[^\]]{1,8}\]|（[^）]{1,8}）)")
REISSUE = re.compile(r"[（(【\[]\s*(重发|重新发布|再次发布|更正|更正版|更正公告|修订|修订版|修正|补发|补充)\s*[)）】\]]"
                     r"|(重发|更正|修订版)$")  # a notice issued again: it supersedes the original if the text is the same
SAME_BODY = 0.995  # bodies this close are the same text whatever their numbers
_DIGITS = re.compile(r"\d+")
CHUNK = 500  # articles whose texts are held at once while candidate pairs are confirmed
BODY_PREFIX = 5000  # normalised body characters compared
PARTS = 16  # slices of the hash space the sketch values are sorted in
Fetch = Callable[[list[int]], dict[int, tuple[str | None, str | None]]]  # indices → (title, body text)


@dataclass
class DupArticle:
    """What duplicate detection needs of an article."""

    url: str
    title: str = ""
    published: str | None = None
    body_text: str = ""
    preferred: int = 0  # higher wins as the original: e.g. 2 already on the portal, 1 being migrated
    gone: bool = False  # gone from the legacy site: the original only when every copy is gone


def as_dup_article(item: Any) -> DupArticle:
    """A DupArticle from a DupArticle, a dict or any object with url/title/published/body_text."""
    if isinstance(item, DupArticle):
        return item
    get = item.get if isinstance(item, dict) else (lambda k, d=None: getattr(item, k, d))
    return DupArticle(url=get("url"), title=get("title") or "", published=get("published"),
                      body_text=get("body_text") or "", preferred=int(get("preferred", 0) or 0),
                      gone=bool(get("gone", False)))


def normalise_title(title: str) -> str:
    """A title for comparison: width, Simplified, no punctuation, no leading 【转载】-style tags."""
    text = unicodedata.normalize("NFKC", title or "").strip()
    text = _TITLE_TAGS.sub("", text)
    return _NOISE.sub("", to_simplified(text)).lower()


def normalise_body(text: str) -> str:
    """Body text for comparison: width, Simplified, letters and digits only."""
    # every body is a text of its own: to_simplified's cache would only hold thousands of bodies in memory
    return _NOISE.sub("", to_simplified.__wrapped__(unicodedata.normalize("NFKC", text or ""))).lower()


def sketch(text: str, size: int = SKETCH) -> frozenset[int]:
    """Bottom-k sketch of a text: the smallest CRC32 values of its character shingles."""
    values = {zlib.crc32(text[i:i + SHINGLE].encode("utf-8")) for i in range(max(len(text) - SHINGLE + 1, 1))}
    return frozenset(heapq.nsmallest(size, values))


def is_reissue(title: str) -> bool:
    """True for a notice marked as issued again: (重发), (更正), 【修订】 …"""
    return REISSUE.search(unicodedata.normalize("NFKC", title or "")) is not None


def find_duplicates(articles: Iterable[Any]) -> dict[str, str]:
    """url → url of the article that stands for it, for every article that repeats another (by title + date or
    by content); a re-issued notice (重发/更正) stands for its original, not the other way round, only when it
    carries the original's text (a re-issue that changes it leaves the original a record of its own)."""
    items = [as_dup_article(a) for a in articles]
    return cluster_links([[(i, items[i]) for i in members] for members in duplicate_clusters(items)])


def duplicate_clusters(items: list[DupArticle]) -> list[list[int]]:
    """The groups (indices into `items`, two or more each) of articles that repeat one another; the costly part
    (normalising, sketching, comparing bodies), independent of which article is preferred as the original."""
    finder = DuplicateFinder()
    for item in items:
        finder.add(item.title, item.published, item.body_text)
    return finder.groups(lambda indices: {i: (items[i].title, items[i].body_text) for i in indices})


def cluster_links(clusters: list[list[tuple[int, DupArticle]]]) -> dict[str, str]:
    """url → url of its cluster's original, for clusters of (input index, article): the original is chosen among
    the copies still on the legacy site (a copy gone from it never stands for one still there), then by
    preference, re-issue, earliest date, input order."""
    links: dict[str, str] = {}
    for members in clusters:
        first, original = min(members, key=lambda m: _original_rank(m[1], m[0]))
        for index, item in members:
            if index != first and item.url != original.url:
                links[item.url] = original.url
    return links


def _original_rank(item: DupArticle, index: int) -> tuple[int, int, int, int, str, int]:
    """Sort key of the article a cluster keeps: one still on the legacy site, preferred first, then a re-issue
    (it supersedes), then the earliest dated, then input order."""
    return (int(item.gone), -item.preferred, 0 if is_reissue(item.title) else 1, 0 if item.published else 1,
            (item.published or "")[:10], index)


class DuplicateFinder:
    """The duplicate groups of articles fed one at a time (`add`), holding a few numbers per article, never its
    text: the length and a digest of the numbers of its normalised body, its sketch, digests of its title keys.
    The texts of the candidate pairs are asked for again (`groups(fetch)`), at most CHUNK articles at a time, so
    the memory taken does not grow with the bodies."""

    def __init__(self, chunk: int = CHUNK) -> None:
        self.count, self.chunk = 0, chunk
        self.lengths = array("I")  # normalised body length
        self.numbers = array("Q")  # digest of the normalised body's numbers
        self.texts = array("Q")  # digest of the whole normalised body
        self.sketches = array("I")  # every article's sketch values, one after the other
        self.ends = array("I")  # where each article's sketch values end in `sketches`
        self.dated = array("Q")  # digest of (normalised title, day), 0 without a long title or a date
        self.bases = array("Q")  # digest of the normalised title with any 重发/更正 mark taken off
        self.reissued = bytearray()  # 1 for a notice marked as issued again
        self.marked: list[int] = []  # re-issued notices whose unmarked title is long enough to match
        self.suspects: list[tuple[int, int]] = []  # the same body under clearly different titles: for a person to look

    def add(self, title: str | None, published: str | None, body_text: str | None) -> None:
        """Take in one article (its index is the number of articles added before it)."""
        body, title_key, index = normalise_body(body_text or ""), normalise_title(title or ""), self.count
        self.count += 1
        self.lengths.append(len(body))
        self.numbers.append(_digest(",".join(_DIGITS.findall(body))))
        self.texts.append(_digest(body))
        if len(body) >= MIN_BODY:
            self.sketches.extend(sorted(sketch(body)))
        self.ends.append(len(self.sketches))
        dated = len(title_key) >= MIN_TITLE and bool(published)
        self.dated.append(_digest(f"{title_key}\n{(published or '')[:10]}") if dated else 0)
        base = _unmarked_title(title or "")
        self.bases.append(_digest(base))
        self.reissued.append(is_reissue(title or ""))
        if self.reissued[index] and len(base) >= MIN_TITLE:
            self.marked.append(index)

    def groups(self, fetch: Fetch) -> list[list[int]]:
        """The groups (indices, two or more each, in order) of articles that repeat one another; `fetch(indices)`
        gives index → (title, body text) of the articles asked for. Pairs with the same body under clearly
        different titles are not joined: they are kept in `suspects` for the office to look at."""
        parent, self.suspects = list(range(self.count)), []
        checks = sorted(self._title_date_checks() + self._content_checks() + self._reissue_checks())
        for chunk in _chunks(checks, self.chunk):
            texts = {i: (normalise_title(title or ""), normalise_body(body or "")[:BODY_PREFIX])
                     for i, (title, body) in fetch(sorted({i for first, second, _ in chunk for i in (first, second)}))
                     .items()}
            for first, second, kind in chunk:
                verdict = self._verdict(kind, first, second, texts)
                if verdict == "same":
                    _union(parent, first, second)
                elif verdict == "suspect":
                    self.suspects.append((first, second))
        clusters: dict[int, list[int]] = defaultdict(list)
        for index in range(self.count):
            clusters[_find(parent, index)].append(index)
        return [members for members in clusters.values() if len(members) >= 2]

    def _title_date_checks(self) -> list[tuple[int, int, str]]:
        """Articles with the same normalised title on the same day: each against the first of its group."""
        order = sorted((i for i in range(self.count) if self.dated[i]), key=self.dated.__getitem__)
        checks = []
        for start, end in _runs(order, self.dated.__getitem__):
            checks += [(order[start], other, "dated") for other in order[start + 1:end]]
        return checks

    def _content_checks(self) -> list[tuple[int, int, str]]:
        """Pairs whose sketches share MIN_SHARED values or more (values shared by over 50 articles are
        boilerplate). The (value, article) keys are held sorted in PARTS compact arrays, so each article's
        partners are counted by looking its values up, without a table of every pair that shares one."""
        total, parts = self.count, [array("Q") for _ in range(PARTS)]
        for index, value in self._sketch_values():
            parts[value % PARTS].append(value * total + index)
        for number, part in enumerate(parts):
            parts[number] = array("Q", sorted(part))
        checks = []
        for index, value_list in self._sketches_by_article():
            shared: dict[int, int] = defaultdict(int)
            for value in value_list:
                part = parts[value % PARTS]
                low, high = bisect_left(part, value * total), bisect_left(part, (value + 1) * total)
                if high - low <= 50:  # more: boilerplate every page shares
                    for key in part[low:high]:
                        if key % total > index:
                            shared[key % total] += 1
            checks += [(index, other, "content") for other, count in shared.items() if count >= MIN_SHARED]
        return checks

    def _sketch_values(self) -> Iterator[tuple[int, int]]:
        """(article, value) for every value of every sketch."""
        for index, values in self._sketches_by_article():
            for value in values:
                yield index, value

    def _sketches_by_article(self) -> Iterator[tuple[int, array]]:
        """(article, its sketch values) of every article with a sketch."""
        start = 0
        for index, end in enumerate(self.ends):
            if end > start:
                yield index, self.sketches[start:end]
            start = end

    def _reissue_checks(self) -> list[tuple[int, int, str]]:
        """A re-issued notice and every unmarked article with its title once the mark is taken off."""
        if not self.marked:
            return []
        wanted: dict[int, list[int]] = defaultdict(list)
        for index in self.marked:
            wanted[self.bases[index]].append(index)
        return [(other, index, "reissue") for other in range(self.count)
                if not self.reissued[other] and self.bases[other] in wanted
                for index in wanted[self.bases[other]] if index != other]

    def _verdict(self, kind: str, first: int, second: int, texts: dict[int, tuple[str, str]]) -> str:
        """'same' when a candidate pair repeats one another by the test of its kind, 'suspect' for the same body
        under clearly different titles (one page may carry another's text by a mistake of the old site: which title
        is right is not for a rule to guess), else 'other'."""
        first_body, second_body = texts[first][1], texts[second][1]
        if kind == "reissue":
            return "same" if self._same_text(first, second) else "other"
        if kind == "dated":  # the same title and day, unless the bodies clearly differ
            similarity = fuzz.ratio(first_body[:3000], second_body[:3000]) / 100 if first_body and second_body else 1
            verdict = "same" if similarity >= 0.6 and not self._different_notices(first, second, similarity) \
                else "other"
        else:
            verdict = self._content_verdict(first, second, texts)
        if verdict == "same" and self.reissued[first] != self.reissued[second] and not self._same_text(first, second):
            return "other"  # a re-issue that changed its original's text, however found, never merges it away
        return verdict

    def _same_text(self, first: int, second: int) -> bool:
        """True when a re-issued notice (重发/更正/补发) and an unmarked article carry the same text: the whole
        normalised body alike (only spacing, punctuation, width or script may differ) and long enough to prove it
        (MIN_BODY). A re-issue that changed anything — a name, a date, a figure, a sentence — or bodies too short to
        compare (an attachment-only notice) leave the original a public record of its own: both are kept."""
        return self.texts[first] == self.texts[second] and self.lengths[first] >= MIN_BODY

    def _content_verdict(self, first: int, second: int, texts: dict[int, tuple[str, str]]) -> str:
        """The verdict on a pair found by content: near-identical bodies under like titles (a reprint's 【转载】 or
        site-name suffix, a trimmed title) are the same; the same long body under clearly different titles is a
        suspect."""
        (first_title, first_body), (second_title, second_body) = texts[first], texts[second]
        similarity = fuzz.ratio(first_body[:5000], second_body[:5000]) / 100
        if similarity < MIN_SIMILARITY or self._different_notices(first, second, similarity) or \
                _DIGITS.findall(first_title) != _DIGITS.findall(second_title):
            return "other"
        if fuzz.ratio(first_title, second_title) >= MIN_TITLE_SIMILARITY:
            return "same"
        if similarity < 0.99 or self.lengths[first] < 200:
            return "other"
        return "suspect" if other_titles(first_title, second_title) else "same"

    def _different_notices(self, first: int, second: int, similarity: float) -> bool:
        """Two templated notices (第一批/第二批, other dates, other names' numbers) differ in their numbers: a body
        that is not the same text and does not carry the same numbers is another notice, never a duplicate."""
        return similarity < SAME_BODY and self.numbers[first] != self.numbers[second]


def other_titles(first: str, second: str) -> bool:
    """True when two normalised titles are clearly different: neither is empty and the shorter is not, even
    loosely, a part of the longer (a tagged, suffixed or trimmed copy of a title still is)."""
    if not first or not second:
        return False
    shorter, longer = sorted((first, second), key=len)
    return fuzz.partial_ratio(shorter, longer) < OTHER_TITLE


def _unmarked_title(title: str) -> str:
    """A title normalised with any 重发/更正 mark taken off."""
    return normalise_title(REISSUE.sub("", unicodedata.normalize("NFKC", title)))


def _digest(text: str) -> int:
    """A 64-bit digest of a text (never 0)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") or 1


def _runs(items: Sequence[Any], key: Callable[[Any], Any]) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of consecutive items with the same key."""
    start = 0
    for position in range(1, len(items) + 1):
        if position == len(items) or key(items[position]) != key(items[start]):
            yield start, position
            start = position


def _chunks(checks: list[tuple[int, int, str]], limit: int) -> Iterator[list[tuple[int, int, str]]]:
    """The checks in consecutive chunks that name at most `limit` articles each (two per check at least)."""
    chunk: list[tuple[int, int, str]] = []
    named: set[int] = set()
    for check in checks:
        if chunk and len(named) + (check[0] not in named) + (check[1] not in named) > limit:
            yield chunk
            chunk, named = [], set()
        chunk.append(check)
        named.update(check[:2])
    if chunk:
        yield chunk


def _find(parent: list[int], index: int) -> int:
    """Union-find root with path halving."""
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _union(parent: list[int], first: int, second: int) -> None:
    """Join two clusters."""
    parent[_find(parent, first)] = _find(parent, second)
