"""帝国CMS EmpireCMS: {class}/{Y-m-d}/{id}.html articles, {class}/index[_n].html and e/action/ListInfo lists
(middle list pages are often missing: the pager names the last one)."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.ECMS,
    marks=("/e/action/", "/e/search/", "/e/public/", "empirecms", "/e/data/", "/e/enews/", "/skin/default/"),
    generator=("empirecms", "帝国"),
    url_marks=re.compile(r"/e/action/(?:ListInfo|ShowInfo)|/(?:19|20)\d{2}-\d{2}-\d{2}/\d+\.html", re.I),
    article_urls=rules(ecms_article=r"/(?:19|20)\d{2}-\d{2}-\d{2}/\d+(?:_\d+)?\.html$",
                       ecms_show=r"/e/action/ShowInfo\.php\?classid=\d+&id=\d+"),
    list_urls=rules(ecms_listinfo=r"/e/action/ListInfo", ecms_index=r"/index_\d+\.html$"),
    other_urls=rules(ecms_search=r"/e/(?:search|member|enews|tool)/"),
)
