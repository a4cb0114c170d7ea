"""JEECMS: {channel}/{id}.jhtml articles, {channel}/index[_n].jhtml lists; pagers often in onclick handlers."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.JEECMS,
    marks=("jeecms", ".jhtml", "/r/cms/", "/jeeadmin/"),
    generator=("jeecms",),
    url_marks=re.compile(r"\.jhtml", re.I),
    article_urls=rules(jeecms_content=r"/\d+(?:_\d+)?\.jhtml$"),
    list_urls=rules(jeecms_index=r"/index(?:_\d+)?\.jhtml$"),
)
