"""Which page a further page belongs to: a column's later list pages and an article's further parts.

Every CMS numbers the pages after the first with a `_N` before the extension (TRS `index_1.html`, SiteServer
`18105_2.html`, DedeCMS `list_456_2.html` after `list_456_1.html`, `12308_2.html` after `12308.html`); the crawl
may also name the first page (a part's referrer, or its class reason). These URLs share their first page's outcome.
"""

from __future__ import annotations

import re
from typing import Any

_NUMBERED = re.compile(r"_\d+(\.[A-Za-z0-9]{2,6})$")
_PART_REASON = re.compile(r"a further page of the article (\S+)")


def first_pages(url: str) -> list[str]:
    """The URLs the first page of `url`'s series may have: `x_N.ext` → `x.ext`, `x_1.ext` and, for an index
    page, its folder; [] for a URL with no `_N` suffix."""
    if "?" in url or not _NUMBERED.search(url):
        return []
    bare = _NUMBERED.sub(r"\1", url)
    found = [bare, _NUMBERED.sub(r"_1\1", url)]
    folder = re.sub(r"/(?:index|default)\.[A-Za-z0-9]{2,6}$", "/", bare)
    return list(dict.fromkeys(found + [folder]))


def part_articles(resource: Any) -> list[str]:
    """The article URLs a further page of a multi-page article may belong to, surest first: the one its class
    reason names, its referrer, then its first page by the `_N` rule."""
    reason = _PART_REASON.search(str((resource.hint or {}).get("class_reason") or ""))
    named = [reason.group(1)] if reason else []
    return list(dict.fromkeys(named + ([resource.referrer] if resource.referrer else []) + first_pages(resource.url)))
