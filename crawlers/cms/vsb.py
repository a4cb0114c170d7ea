"""博达 VSB: /info/{col}/{id}.htm articles, /{col}.htm and /{col}/{n}.htm lists."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.VSB,
    marks=("_sitegray", "vsb_", "/system/resource/", "_vsb", "visittimes", "vsbscreen"),
    generator=("vsb", "博达"),
    url_marks=re.compile(r"/info/\d+/\d+\.htm", re.I),
    article_urls=rules(vsb_info=r"/info/\d+/\d+\.htm$", vsb_content=r"/content\.jsp\?urltype=news\.NewsContentUrl"),
    own_only=frozenset({"vsb_list"}),
    list_urls=rules(vsb_list=r"/(?:\w+/)?\d+\.htm$", vsb_jsp=r"/list\.jsp\?urltype=tree\.TreeTempUrl"),
)
