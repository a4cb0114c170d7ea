"""The article-page inventory of the real sample sites, written by reading their folders (not by our crawler).

Each site's rules were set by opening its files: which path shapes hold one article's first page, which hold a
further page of a multi-page article ("part"), and how the column folder of an article is read from its path.
An article page is counted whether or not anything links to it; `bench/realsites.py` reports separately how many
of them some page of the site links to (a crawler can only find those, plus what sitemaps and start URLs name).

How each rule was read (2026-12-06):
- jspn (custom ASP.NET-style): `colN/[colN/]articleinfo-N.html` text articles, `picinfo-N.html` picture articles;
  `articlecolumn[-N].html` / `piccolumn.html` are lists.
- hncic (DedeCMS): `{aid}.html` anywhere (root, `zhengcefagui/{col}/`, `{Y}/{md}/`) is an article, `{aid}_{n}.html`
  its further pages; `index*.html` and `list_{tid}_{n}.html` are lists.
- zjgztb (Epoint): `{categorynum}/{yyyymmdd}/{uuid}.html` articles; `*moreinfo*.html`, `tradeInfo.html` lists.
- fjmjzz (帝国CMS): `{class}/{Y-m-d}/{id}.html` articles; `index[_N].html`, `e/action/ListInfo-*.html` lists.
- lgedu (SiteServer): `contents/{chan}/{id}.html` articles; `channels/{id}[_n].html` lists.
- pmodlh (TRS WCM): `t{yyyymmdd}_{id}.html` articles; `index[_n].html` lists.
Single-page columns (added 2026-12-06 by reading the pages): a column whose own index page is its content — a
title and paragraphs, no list (简介, 欢迎辞, 现任领导, 招聘概况, a research group's page). They are migrated as one
article each, so `content_pages` lists them: they count neither as missed nor as false articles. Only pmodlh has
them among the six (qhzgk/lrld, 历任领导, is an empty page and is not one). lgedu's Information/InformationReport.html
is a form's answer page, not content.
Column folders: the article's folder with date folders (2019, 1129, 201901, 20200904, 2020-05-26) dropped. DedeCMS
articles at the root or under date folders are filed by breadcrumb only, so hncic's folder count is a floor.
"""

from __future__ import annotations

import re
from pathlib import Path

ARTICLE = {
    "jspn": r"(?:^|/)(?:articleinfo|picinfo)-\d+\.html$",
    "hncic": r"(?:^|/)\d+\.html$",
    "zjgztb": r"/\d{8}/[0-9a-f]{6,}-[0-9a-f-]+\.html$",
    "fjmjzz": r"/\d{4}-\d{2}-\d{2}/\d+\.html$",
    "lgedu": r"^contents/\d+/\d+\.html$",
    "pmodlh": r"(?:^|/)t\d{8}_\d+\.html$",
}
PART = {"hncic": r"(?:^|/)\d+_\d+\.html$"}
CONTENT = {"pmodlh": frozenset({"qhzgk/qhzhyc/index.html", "qhzgk/qhgczjj/index.html", "qhzgk/xrld/index.html",
                                "jgsz/gcyjz/index.html", "jgsz/song/index.html", "rczp/gk/index.html"})}
# Pages whose URL looks like an article but that are interaction records (a letter with its reply, read by eye):
# they go to the interaction platform, not the article count (issue 21).
LETTERS = {"lgedu": frozenset({"contents/18296/20507.html"})}
DATE_FOLDER = re.compile(r"^(?:\d{4}|\d{4}\d{2}|\d{8}|\d{4}-\d{2}-\d{2}|\d{4})$")
PAGE_SUFFIXES = (".html", ".htm", ".shtml")


def article_paths(site_id: str, folder: Path) -> set[str]:
    """Paths (relative, '/'-separated) of the site's article first pages."""
    rule = re.compile(ARTICLE[site_id])
    return {p for p in _pages(folder) if rule.search(p)} - LETTERS.get(site_id, frozenset())


def part_paths(site_id: str, folder: Path) -> set[str]:
    """Paths of further pages of multi-page articles."""
    rule = PART.get(site_id)
    return {p for p in _pages(folder) if re.search(rule, p)} if rule else set()


def content_pages(site_id: str) -> frozenset[str]:
    """Paths of the site's single-page columns: content migrated as an article, not in the article count."""
    return CONTENT.get(site_id, frozenset())


def column_folder(path: str) -> str:
    """The column folder of an article path: its folder without date folders."""
    return "/".join(part for part in path.split("/")[:-1] if not DATE_FOLDER.match(part))


def linked_paths(folder: Path, paths: set[str]) -> set[str]:
    """Those paths whose file name appears in some other page of the site (a crawler can reach them)."""
    names = {p.rsplit("/", 1)[-1]: p for p in paths}
    found: set[str] = set()
    for page in _pages(folder):
        text = (folder / page).read_bytes().decode("latin-1")
        for name, path in names.items():
            if path not in found and path != page and name in text:
                found.add(path)
    return found


def _pages(folder: Path) -> list[str]:
    """Every HTML page of the folder as a relative path."""
    return sorted(str(p.relative_to(folder)).replace("\\", "/") for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
