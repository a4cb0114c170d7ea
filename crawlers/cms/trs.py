"""TRS WCM / 拓尔思: t{YYYYMMDD}_{id}.html articles, 0-based index_{n}.html lists paged by createPageHTML."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.TRS,
    marks=("trs_editor", "trs_autoadd", "trs_web_style", "/wcm", "createpagehtml", "trs wcm", "trs_paper"),
    generator=("trs",),
    url_marks=re.compile(r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?", re.I),
    article_urls=rules(trs_article=r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?$"),
    list_urls=rules(trs_list=r"/(?:index|list)_\d+\.s?html?$"),
)
