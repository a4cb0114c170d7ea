"""What a CMS profile is: data (fingerprints, URL shapes) plus small hooks (pagers), and the CMS id enum."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class CmsId(StrEnum):
    """The CMS families the crawler knows (a str: stored as text, compared with plain strings)."""

    TRS = "trs"
    HANWEB = "hanweb"
    DEDECMS = "dedecms"
    PHPCMS = "phpcms"
    ECMS = "ecms"
    SITESERVER = "siteserver"
    EPOINT = "epoint"
    JEECMS = "jeecms"
    VSB = "vsb"
    KAIPUYUN = "kaipuyun"
    GKMLPT = "gkmlpt"
    SICHUAN = "sichuan"
    TIANGONG = "tiangong"
    GENERIC = "generic"


Rule = tuple[str, re.Pattern[str]]  # (rule name recorded as the reason, pattern searched in path + "?" + query)
Pager = Callable[[str, str], "list[str]"]  # (page html, page url) -> URLs of further list pages


def rules(flags: int = re.I, **patterns: str) -> tuple[Rule, ...]:
    """Named URL rules from keyword patterns (the keyword is the rule's name)."""
    return tuple((name, re.compile(pattern, flags)) for name, pattern in patterns.items())


@dataclass(frozen=True)
class Profile:
    """One CMS family: how to recognise it and the shapes of its page URLs; hooks for its script pagers."""

    id: CmsId
    marks: tuple[str, ...] = ()  # lower-case substrings of a page's HTML that this family writes
    generator: tuple[str, ...] = ()  # words of <meta name="generator">
    url_marks: re.Pattern[str] | None = None  # URLs only this family writes
    article_urls: tuple[Rule, ...] = ()
    list_urls: tuple[Rule, ...] = ()
    other_urls: tuple[Rule, ...] = ()  # pages that are neither (search, login, vote)
    pagers: tuple[Pager, ...] = field(default_factory=tuple)
    weight: int = 0  # added to a detection score that is already > 0 (a platform path that decides alone)
    own_only: frozenset[str] = frozenset()  # rules too broad to trust on pages of another family
