"""Epoint 新点 (public resource trading): {categorynum}/{yyyymmdd}/{uuid}.html articles, *moreinfo*.html lists."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.EPOINT,
    marks=("epoint", "ewb-", "/epointweb", "infodetail", "epoint.js", "categorynum"),
    generator=("epoint",),
    url_marks=re.compile(r"/\d{6,}/(?:19|20)\d{6}/[0-9a-f]{8}-[0-9a-f-]+\.html|moreinfo\w*\.html", re.I),
    article_urls=rules(epoint_article=r"/(?:19|20)\d{6}/[0-9a-f]{8}-[0-9a-f-]+\.html$",
                       epoint_infodetail=r"/infodetail/\?infoid="),
    list_urls=rules(epoint_moreinfo=r"moreinfo\w*\.html$|/(?:\d+/)?tradeinfo\w*\.html$"),
)
