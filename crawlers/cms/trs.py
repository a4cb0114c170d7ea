"""TRS WCM / 拓尔思: t{YYYYMMDD}_{id}.html articles, 0-based index_{n}.html lists paged by createPageHTML."""

import re
from urllib.parse import urljoin, urlsplit

from crawlers.cms.base import CmsId, Profile, rules

_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*[\"']?(\d{1,5})")
_PAGE_STEM = re.compile(r"""["'](index|list|default)["']\s*\+\s*["']_["']""")


def count_page_pager(html: str, url: str) -> list[str]:
    """List pages of a TRS list whose createPageHTML call is not in the page (it is in a shared script) but whose
    `var countPage = N` is: index_1 … index_{N-1} beside the page (0-based, page 0 is index.html)."""
    match = _COUNT_PAGE.search(html)
    if match is None or int(match.group(1)) <= 1:
        return []
    stem = _PAGE_STEM.search(html)
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1] if "." in name else "html"
    return [urljoin(url, f"{stem.group(1) if stem else 'index'}_{i}.{ext}") for i in range(1, min(int(match.group(1)),
                                                                                                  2000))]


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
