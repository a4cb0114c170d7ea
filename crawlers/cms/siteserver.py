"""SiteServer CMS: contents/{channel}/{id}.html articles, channels/{id}[_n].html lists (信息公开 tables)."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.SITESERVER,
    marks=("siteserver", "sitefiles/", "/sitefiles/", "stl.js", "stlclient", "/api/sys/stl/"),
    generator=("siteserver",),
    url_marks=re.compile(r"/contents/\d+/\d+\.html|/channels/\d+(?:_\d+)?\.html", re.I),
    article_urls=rules(siteserver_content=r"/contents/\d+/\d+(?:_\d+)?\.html$"),
    list_urls=rules(siteserver_channel=r"/channels/\d+(?:_\d+)?\.html$"),
)
