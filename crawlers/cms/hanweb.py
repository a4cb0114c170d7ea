"""Hanweb 大汉 JCMS: /art/{Y}/{M}/{D}/art_{col}_{id}.html articles, /col/col{N}/ lists fed by dataproxy.jsp."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.HANWEB,
    marks=("大汉版通", "jcms_files", "/module/jslib/", "/module/web/jpage", "<datastore", "hanweb", "jpage/"),
    generator=("大汉",),
    url_marks=re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|/col/col\d+/|dataproxy\.jsp", re.I),
    article_urls=rules(hanweb_article=r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"),
    list_urls=rules(hanweb_column=r"/col/col\d+/(?:index(?:_\d+)?\.html)?$", hanweb_dataproxy=r"dataproxy\.jsp"),
)
