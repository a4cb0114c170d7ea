"""CMS profiles, one module per family: fingerprints, page URL shapes and pager hooks, as data beside the code.

discover asks `detect` for a page's profile, then `url_class` walks that profile's URL rules, then generic's, then
the other families' (a link may lead to a page of a family not seen yet). Adding a family: docs/cms-profiles.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from crawlers.cms import (
    dedecms,
    ecms,
    epoint,
    generic,
    gkmlpt,
    hanweb,
    jeecms,
    kaipuyun,
    phpcms,
    sichuan,
    siteserver,
    tiangong,
    trs,
    vsb,
)
from crawlers.cms.base import CmsId, Profile, Rule

__all__ = ["PROFILES", "CmsId", "Profile", "detect", "profile", "url_class"]

FAMILIES: tuple[Profile, ...] = tuple(m.PROFILE for m in (
    hanweb, trs, kaipuyun, gkmlpt, dedecms, phpcms, ecms, siteserver, epoint, jeecms, vsb, sichuan, tiangong))
GENERIC = generic.PROFILE
PROFILES: dict[CmsId, Profile] = {p.id: p for p in (*FAMILIES, GENERIC)}
_GENERATOR = re.compile(r"<meta[^>]{0,200}name=[\"']?generator[\"']?[^>]{0,200}>")
HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php", "/index.asp",
                        "/index.aspx", "/default.htm", "/default.html", "/default.aspx", "/default.asp", "/main.html",
                        "/portal/", "/index.jhtml"})


def profile(cms: str | CmsId) -> Profile:
    """The profile of a CMS id (generic for an unknown one)."""
    try:
        return PROFILES[CmsId(cms)]
    except ValueError:
        return GENERIC


def _trie(marks: list[str]) -> str:
    """A pattern matching, where one or more of these (non-empty) marks start, the longest of them: alternatives
    by first character, each followed by the pattern of the marks' rests (optional when a mark ends there)."""
    heads: dict[str, list[str]] = {}
    for mark in marks:
        heads.setdefault(mark[0], []).append(mark[1:])
    alternatives = []
    for head, tails in heads.items():
        rests = [tail for tail in tails if tail]
        more = f"(?:{_trie(rests)})" + ("?" if "" in tails else "") if rests else ""
        alternatives.append(re.escape(head) + more)
    return "|".join(alternatives)


_MARKS = tuple(dict.fromkeys(mark for family in FAMILIES for mark in family.marks))
_SCANNED = tuple(mark for mark in _MARKS if not mark or mark[0] == "<")  # looked up one by one: a pattern opening
# with "<" would stop at every tag of the page
_MATCHED = [mark for mark in _MARKS if mark not in _SCANNED]
_MARK_PATTERN = re.compile(_trie(_MATCHED)) if _MATCHED else None
_PREFIXES = {mark: tuple(other for other in _MATCHED if mark.startswith(other)) for mark in _MATCHED}  # the marks
# that start where the pattern found this one (its prefixes, itself included)


def marks_in(low_html: str) -> set[str]:
    """The fingerprints (of all families) the lower-cased page holds: one pattern search per position where one
    starts, each answering the longest there (and so its prefixes), instead of one search of the page per mark."""
    found = {mark for mark in _SCANNED if mark in low_html}
    match = _MARK_PATTERN.search(low_html) if _MARK_PATTERN is not None else None
    while match is not None:
        found.update(_PREFIXES[match.group()])
        match = _MARK_PATTERN.search(low_html, match.start() + 1)  # a mark may start inside the one found
    return found


def detect(low_html: str, url: str) -> CmsId:
    """The family whose fingerprints the page (lower-cased HTML) and its URL carry most, else generic."""
    scores: dict[CmsId, int] = {}
    held = marks_in(low_html)
    for family in FAMILIES:
        score = sum(2 for mark in family.marks if mark in held)
        if family.url_marks is not None and family.url_marks.search(url or ""):
            score += 3
        if score:
            scores[family.id] = score + family.weight
    meta = _GENERATOR.search(low_html[:20000])
    if meta:
        for family in FAMILIES:
            if any(word in meta.group(0) for word in family.generator):
                scores[family.id] = scores.get(family.id, 0) + 5
    if not scores:
        return CmsId.GENERIC
    return max(scores.items(), key=lambda kv: kv[1])[0]


def _tail(url: str) -> tuple[str, str] | None:
    """(lower-cased path, path plus query) of a URL, or None when it does not parse."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path.lower()
    return path, path + ("?" + parts.query if parts.query else "")


def _first(rules_: tuple[Rule, ...], tail: str, skip: frozenset[str]) -> str | None:
    """Name of the first rule matching (rules named in skip left out)."""
    return next((name for name, pattern in rules_ if name not in skip and pattern.search(tail)), None)


@lru_cache(maxsize=65536)  # the same navigation and list links recur on every page of a site
def url_class(url: str, cms: str | CmsId = CmsId.GENERIC) -> tuple[str, str] | None:
    """('home' | 'article' | 'list' | 'other', rule name) the URL's shape suggests, or None: the detected
    profile's rules first, then generic's, then the other families'."""
    split = _tail(url)
    if split is None:
        return None
    path, tail = split
    if path in HOME_PATHS and "?" not in tail:
        return "home", "site_home"
    first = profile(cms)
    order = [first] + ([GENERIC] if first is not GENERIC else []) + [f for f in FAMILIES if f is not first]
    for family in order:
        for kind, rules_ in (("article", family.article_urls), ("list", family.list_urls),
                             ("other", family.other_urls)):
            name = _first(rules_, tail, frozenset() if family is first else family.own_only)
            if name:
                return kind, name
    return None
