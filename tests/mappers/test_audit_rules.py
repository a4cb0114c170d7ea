"""Inspection rules read without a crawl: hidden links to the site's own host names are not 暗链."""

from __future__ import annotations

from dataclasses import dataclass, field

from mappers.audit import defect_findings


@dataclass
class _Page:
    url: str
    spam: list[str]
    scripts: list[str] = field(default_factory=list)


def test_a_hidden_link_to_the_sites_own_alias_is_not_spam() -> None:
    """The restored site's hidden block links to its own alias and to foreign hosts: only the foreign ones are
    暗链; a page whose hidden links all go to its own names has no finding."""
    pages = [_Page("http://www.chinajsxx.com/", ["https://www.hncic.net/", "https://www.chaoji007.com/"]),
             _Page("http://www.chinajsxx.com/a.html", ["http://HNCIC.net/x.html"])]
    found = defect_findings("hncic", pages, {}, frozenset({"www.chinajsxx.com", "hncic.net", "www.hncic.net"}))
    assert [(f["evidence"]["url"], f["evidence"]["links"]) for f in found] == \
        [("http://www.chinajsxx.com/", ["https://www.chaoji007.com/"])]
    assert len(defect_findings("hncic", pages, {})) == 2  # without the site's names both pages are flagged
