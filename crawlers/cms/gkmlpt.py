"""Guangdong 政务公开 集约化 platform (gkmlpt): /gkmlpt/content/.../post_{N}.html, lists rendered from JSON."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.GKMLPT,
    marks=("/gkmlpt/",),
    url_marks=re.compile(r"/gkmlpt/", re.I),
    article_urls=rules(gkmlpt_post=r"/post_\d+\.html$"),
    list_urls=rules(gkmlpt_index=r"/gkmlpt/(?:index|mindex)"),
    weight=3,
)
