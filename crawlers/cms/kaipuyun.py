"""开普云 UCAP / gov.cn style: /content_{N}.htm articles, body in #UCAP-CONTENT, firstpublishedtime meta."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.KAIPUYUN,
    marks=("ucap-content", "kaipuyun", "ucap", "pages_content", "firstpublishedtime"),
    url_marks=re.compile(r"/content_\d+\.s?html?", re.I),
    article_urls=rules(kaipuyun_content=r"/content_\d+\.s?html?$"),
    list_urls=rules(kaipuyun_list=r"/(?:index|home)_\d+\.s?html?$"),
)
