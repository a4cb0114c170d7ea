"""DedeCMS 织梦: {aid}.html articles (at the root, under a type folder or a {Y}/{md} folder), {aid}_{n}.html their
further pages, list_{tid}_{n}.html lists."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.DEDECMS,
    marks=("dedecms", "/plus/count.php", "/plus/search.php", "dede_", "powered by dedecms", "/plus/list.php",
           "/templets/"),
    generator=("dede",),
    url_marks=re.compile(r"/list_\d+_\d+\.html|/a/[\w/]+/(?:19|20)\d{2}/\d{4}/\d+\.html|/plus/(?:count|view)\.php", re.I),
    article_urls=rules(dede_article=r"/\d+(?:_\d+)?\.html$", dede_view=r"/plus/view\.php\?aid=\d+"),
    list_urls=rules(dede_list=r"/list_\d+(?:_\d+)?\.html$", dede_plus_list=r"/plus/list\.php\?tid=\d+"),
    own_only=frozenset({"dede_article"}),
    other_urls=rules(dede_search=r"/plus/search(?:-[\w]+)?\.(?:php|html)"),
)
