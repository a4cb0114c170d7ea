"""Crawl scope and URL kinds; canonical_url (from the core, which every floor shares) is re-exported here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from consolidate.core.urls import canonical_url, significant_query

__all__ = ["Scope", "canonical_url", "media_kind", "resource_kind", "significant_query"]

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".zip", ".rar",
                         ".7z", ".txt", ".ppt", ".pptx", ".csv")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")
# Video and audio: content, but not fetched by the crawl (see docs/decisions.md, "Video and audio in bodies"); push
# names each one it takes out of a body as not migrated.
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".flv", ".f4v", ".mov", ".wmv", ".avi", ".rm", ".rmvb", ".webm", ".mkv", ".mpg",
                    ".mpeg", ".3gp", ".ogv", ".m3u8")
AUDIO_EXTENSIONS = (".mp3", ".wav", ".wma", ".m4a", ".aac", ".ogg", ".amr")
ASSET_EXTENSIONS = (".css", ".js", ".ico", ".swf", ".woff", ".woff2", ".ttf", ".eot", ".svg", ".mp4", ".flv",
                    ".mp3", ".exe", ".apk")
FILE_KINDS = ("attachment", "image")  # what a body takes from a server: fetched wherever on the site's host names
ATTACHMENT_URL_HINTS = re.compile(r"(download\.jsp|downfile|filedownload|attachment|fileid=)", re.I)


def media_kind(url: str) -> str | None:
    """'video' or 'audio' for a URL naming such a file (by its extension), else None."""
    path = urlsplit(url).path.lower()
    if path.endswith(VIDEO_EXTENSIONS):
        return "video"
    return "audio" if path.endswith(AUDIO_EXTENSIONS) else None


def resource_kind(url: str) -> str:
    """'attachment', 'image', 'asset' or 'page', judged from the URL alone."""
    path = urlsplit(url).path.lower()
    if path.endswith(ATTACHMENT_EXTENSIONS) or ATTACHMENT_URL_HINTS.search(url):
        return "attachment"
    if path.endswith(IMAGE_EXTENSIONS):
        return "image"
    if path.endswith(ASSET_EXTENSIONS):
        return "asset"
    return "page"


@dataclass
class Scope:
    """Which URLs belong to a site: its hosts, minus excluded patterns."""

    hosts: set[str]
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)
    home: str = ""  # scheme://host[:port] of the home page: where links to aliases are moved
    others: set[str] = field(default_factory=set)  # host[:port] of the other configured sites: theirs, not ours
    _names: set[str] = field(default_factory=set, repr=False)  # the hosts' names without port (made when asked)

    @classmethod
    def for_site(cls, home_url: str, aliases: list[str], include: list[str], exclude: list[str],
                 siblings: Iterable[str] = ()) -> Scope:
        """Scope from the site's home URL, aliases (URLs or bare hosts), patterns and the other sites' home URLs
        and aliases."""
        hosts = {_netloc(home_url)}
        for alias in aliases:
            hosts.add(_netloc(alias if "://" in alias else f"http://{alias}"))
        home = urlsplit(home_url)
        others = {_netloc(u if "://" in u else f"http://{u}") for u in siblings} - hosts
        return cls(hosts=hosts, include=[re.compile(p) for p in include], exclude=[re.compile(p) for p in exclude],
                   home=f"{home.scheme.lower()}://{_netloc(home_url)}", others=others)

    def _at_home(self, url: str) -> bool:
        """True when the URL starts with the home page's scheme://host[:port] (then its host is in scope; most links
        of a crawl are, and this spares them a urlsplit)."""
        home = self.home
        return bool(home) and url.startswith(home) and url[len(home):len(home) + 1] in ("/", "?", "#", "") \
            and home[home.find("://") + 3:] in self.hosts

    def on_site(self, url: str) -> str:
        """The URL with an alias host replaced by the home page's scheme and host (one site, one spelling)."""
        if not self.home or url.startswith(self.home):
            return url
        netloc = _netloc(url)
        if netloc not in self.hosts:
            return url
        rest = url.split("://", 1)[-1]
        slash = rest.find("/")
        return self.home + (rest[slash:] if slash >= 0 else "/")

    def __call__(self, url: str) -> bool:
        """True when the crawler may fetch this URL for the site."""
        if not self._at_home(url) and _netloc(url) not in self.hosts:
            return False
        return self._patterns_allow(url)

    def _patterns_allow(self, url: str) -> bool:
        """True when no exclude pattern and (when there are any) some include pattern matches the URL."""
        if any(p.search(url) for p in self.exclude):
            return False
        return not self.include or any(p.search(url) for p in self.include)

    def own_host(self, url: str) -> bool:
        """True when the URL's host name is the site's or an alias's, on any port (the CMS's upload server on
        :8086 is the same site: its files go when the site goes), unless that host:port is another site's."""
        netloc = _netloc(url)
        if netloc in self.hosts:
            return True
        if netloc in self.others:
            return False
        if not self._names:
            self._names = {urlsplit(f"http://{h}").hostname or h for h in self.hosts}
        return (urlsplit(url).hostname or "").lower() in self._names

    def admits(self, url: str, kind: str) -> bool:
        """True when the crawl fetches this URL as `kind` for the site: pages on the site's hosts, images and
        attachments on its host names at any port (see docs/decisions.md, "The site's own files")."""
        if self(url):
            return True
        return kind in FILE_KINDS and self.own_host(url) and self._patterns_allow(url)


def _netloc(url: str) -> str:
    """host[:port] of a URL, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return host
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        return f"{host}:{port}"
    return host
