"""Sichuan 集约化 government platform: /{...}/{Y}/{M}/{D}/{32-hex}.shtml articles, index.shtml column homes."""

import re

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.SICHUAN,
    marks=("scgov", "sc.gov.cn/10462"),
    url_marks=re.compile(r"/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{32}\.shtml", re.I),
    article_urls=rules(sichuan_article=r"/\d{4}/\d{1,2}/\d{1,2}/[0-9a-f]{32}\.shtml$"),
    list_urls=rules(sichuan_list=r"/index_\d+\.shtml$"),
)
