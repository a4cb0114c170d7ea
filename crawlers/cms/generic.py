"""Shapes many CMSs share: dated article folders, *detail*/*show*/*info* pages, list/column/more pages."""

from crawlers.cms.base import CmsId, Profile, rules

PROFILE = Profile(
    id=CmsId.GENERIC,
    article_urls=rules(
        dated_folder=r"/(?:19|20)\d{2}(?:-?\d{2}-?\d{2}|/\d{4}|\d{2}|/\d{1,2}/\d{1,2})/(?!(?:index|list|default)[_.])[\w-]*\d[\w-]*"
                     r"\.(?:s?html?|jhtml)$",
        info_page=r"/info/\d+/\d+\.htm$",
        numbered_article=r"/(?:art|article|news|detail|content|show|view)[_-]?(?:detail|show|view|info)?[_-]?\d+"
                         r"\.(?:s?html?|jsp|aspx?|php)$",
        media_article=r"/(?:pic|photo|img|image|video|vod|tp|sp)[_-]?(?:info|show|detail|view)[_-]?\d+\.(?:s?html?|aspx?|php)$",
        detail_query=r"(?:detail|show|view|newsinfo|articleshow|article_show|news_show|shownews|info)\w*"
                     r"\.(?:jsp|aspx?|php|do)\?(?:.*&)?\w*id=\d+",
    ),
    list_urls=rules(
        numbered_list=r"/(?:index|list|default)_\d+(?:_\d+)?\.s?html?$",
        list_page=r"/(?:\w*(?:list|lanmu)|column|more)\w*\.(?:jsp|aspx?|php|do|s?html?)(?:\?|$)",
        column_folder=r"/(?:col|list)/\d+(?:_\d+)?(?:\.s?html?)?$",
        column_listing=r"/(?:article|pic|news)column(?:-\d+)?\.html$",
    ),
    other_urls=rules(search=r"/(?:search|so|query)\w*\.(?:jsp|aspx?|php|do|s?html?)(?:\?|$)",
                     login=r"/(?:login|logon|register|reg)\w*\.(?:jsp|aspx?|php|do|s?html?)(?:\?|$)"),
)
