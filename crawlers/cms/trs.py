"""TRS WCM / 拓尔思: t{YYYYMMDD}_{id}.html articles, 0-based index_{n}.html lists paged by createPageHTML."""

import re
from urllib.parse import urljoin, urlsplit

from crawlers.cms.base import CmsId, Profile, rules

_COUNT_PAGE = re.compile(r"countPage\s*=\s*[\"']?(\d{1,5})")  # where a word boundary opens it (_count_page)
_BOUNDARY = re.compile(r"\b")
_PAGE_STEM = re.compile(r"""["'](index|list|default)["']\s*\+\s*["']_["']""")


def count_page_pager(html: str, url: str) -> list[str]:
    """List pages of a TRS list whose createPageHTML call is not in the page (it is in a shared script) but whose
    `var countPage = N` is: index_1 … index_{N-1} beside the page (0-based, page 0 is index.html)."""
    match = _count_page(html)
    if match is None or int(match.group(1)) <= 1:
        return []
    stem = _PAGE_STEM.search(html)
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1] if "." in name else "html"
    return [urljoin(url, f"{stem.group(1) if stem else 'index'}_{i}.{ext}") for i in range(1, min(int(match.group(1)),
                                                                                                  2000))]


def _count_page(html: str) -> re.Match[str] | None:
    """The leftmost `countPage = N` after a word boundary: the pattern opens with its name, so the search skips to
    where the name is (one opening with \\b is tried at every position of the page), then the boundary is checked."""
    match = _COUNT_PAGE.search(html)
    while match is not None and _BOUNDARY.match(html, match.start()) is None:  # \b sees the character before
        match = _COUNT_PAGE.search(html, match.start() + 1)
    return match


PROFILE = Profile(
    id=CmsId.TRS,
    marks=("trs_editor", "trs_autoadd", "trs_web_style", "/wcm", "createpagehtml", "trs wcm", "trs_paper",
           "var countpage"),
    generator=("trs",),
    url_marks=re.compile(r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?", re.I),
    article_urls=rules(trs_article=r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?$"),
    list_urls=rules(trs_list=r"/(?:index|list)_\d+\.s?html?$"),
    pagers=(count_page_pager,),
)
