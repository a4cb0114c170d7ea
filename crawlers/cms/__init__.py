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

__all__ = ["PROFILES", "CmsId", "Profile", "detect", "lowered", "profile", "url_class"]

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


_RARE = "?&6jk_yvuwbmfg"  # characters rare in pages (the rarest first): a mark is found where its rarest one
# (any non-ASCII character before these) is, which the search skips to; marks holding none are searched one by one


def _anchor(mark: str) -> int | None:
    """Where the mark's rarest character is (_RARE), or None when it holds none."""
    ranks = [(-1 if not char.isascii() else _RARE.index(char), at) for at, char in enumerate(mark)
             if not char.isascii() or char in _RARE]
    return min(ranks)[1] if ranks else None


_MARKS = tuple(dict.fromkeys(mark for family in FAMILIES for mark in family.marks))
_ANCHORS = {mark: at for mark in _MARKS if mark and (at := _anchor(mark)) is not None}
_SCANNED = tuple(mark for mark in _MARKS if mark not in _ANCHORS)
_BY_ANCHOR: dict[str, tuple[tuple[str, int], ...]] = {}  # rare character -> (mark, its place in the mark)
for _mark, _at in _ANCHORS.items():
    _BY_ANCHOR[_mark[_at]] = (*_BY_ANCHOR.get(_mark[_at], ()), (_mark, _at))


def _anchored(char: str, marks: tuple[tuple[str, int], ...]) -> str:
    """A pattern matching at a rare character where one of these marks holding it there lies around it: each mark's
    part after the character, then a look back at the whole mark. An alternative that opens with a character is
    passed over at once where the page has another (one opening with a look back runs it at every rare character);
    those that open with a look back (marks ending at their rare character) come last."""
    ordered = sorted(marks, key=lambda mark_at: len(mark_at[0]) == mark_at[1] + 1)
    rests = [re.escape(mark[at + 1:]) + (f"(?<={re.escape(mark)})" if at else "") for mark, at in ordered]
    return re.escape(char) + "(?:" + "|".join(rests) + ")"


_MARK_PATTERN = re.compile("|".join(_anchored(char, marks) for char, marks in _BY_ANCHOR.items())) \
    if _BY_ANCHOR else None


def marks_in(low_html: str) -> set[str]:
    """The fingerprints (of all families) the lower-cased page holds: one pattern search per place of a rare
    character where a mark lies around it, then each mark holding that character there is checked, instead of one
    search of the page per mark."""
    found = {mark for mark in _SCANNED if mark in low_html}
    match = _MARK_PATTERN.search(low_html) if _MARK_PATTERN is not None else None
    while match is not None:
        at = match.start()
        found.update(mark for mark, offset in _BY_ANCHOR[low_html[at]]
                     if offset <= at and low_html.startswith(mark, at - offset))
        match = _MARK_PATTERN.search(low_html, at + 1)
    return found


_LOWERED_INTO_ASCII = ("\u0130", "\u212a")  # İ and the Kelvin sign: the only non-ASCII characters str.lower()
# turns into ASCII ones (İ into two characters); a test checks this against every character


def lowered(html: str) -> str:
    """The page lower-cased for its fingerprints: html.lower() with its non-ASCII letters left as they are (the ASCII
    ones lowered as UTF-8 bytes, two to three times quicker than str.lower on a page of Chinese text). The marks, the
    generator words and the datastore tags are ASCII and Chinese characters (which have no case), so they are found
    in it where html.lower() holds them; on a page holding a character lower() turns into ASCII it is html.lower()."""
    if any(char in html for char in _LOWERED_INTO_ASCII):
        return html.lower()
    try:
        return html.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")
    except UnicodeError:
        return html.lower()


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
