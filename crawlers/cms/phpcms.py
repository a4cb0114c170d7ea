"""PHPCMS: index.php?m=content&c=index&a=show&catid=N&id=M articles, a=lists&catid=N&page=P lists."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.PHPCMS,
    marks=("phpcms", "m=content&c=index", "m=content&amp;c=index", "/statics/js/", "index.php?m=content"),
    generator=("phpcms",),
    url_marks=re.compile(r"index\.php\?m=content", re.I),
    article_urls=rules(phpcms_show=r"[?&]a=show(?:&|$)", phpcms_html=r"/show-\d+-\d+(?:-\d+)?\.html$"),
    list_urls=rules(phpcms_lists=r"[?&]a=lists(?:&|$)", phpcms_list_html=r"/list-\d+(?:-\d+)?\.html$"),
)
