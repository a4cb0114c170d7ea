"""URL canonicalisation and crawl scope."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".zip", ".rar",
                         ".7z", ".txt", ".ppt", ".pptx", ".csv")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")
ASSET_EXTENSIONS = (".css", ".js", ".ico", ".swf", ".woff", ".woff2", ".ttf", ".eot", ".svg", ".mp4", ".flv",
                    ".mp3", ".exe", ".apk")
ATTACHMENT_URL_HINTS = re.compile(r"(download\.jsp|downfile|filedownload|attachment|fileid=)", re.I)
# Query parameters that never change what a page says: sessions, tracking, cache-busting timestamps.
INSIGNIFICANT_PARAMS = frozenset({
    "jsessionid", "phpsessid", "aspsessionid", "sessionid", "_", "_t", "t_", "timestamp", "random", "rnd",
    "spm", "isappinstalled", "fbclid", "gclid", "share_token", "scene", "clicktime", "enterid",
})
INSIGNIFICANT_PREFIXES = ("utm_",)
PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#]*", re.I)


def canonical_url(url: str, base: str | None = None) -> str | None:
    """Absolute http(s) URL without fragment, host lower-cased, default port and dot segments removed."""
    url = url.strip().replace("\\", "/")
    if url.lower().startswith(("javascript:", "file:", "mailto:", "data:", "tel:", "vbscript:")):
        return None
    if base:
        url = urljoin(base, url)
    try:
        url, _fragment = urldefrag(url)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        scheme = parts.scheme.lower()
        host = parts.hostname.lower()
        port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    except ValueError:  # e.g. a port out of range or a broken IPv6 literal
        return None
    netloc = f"{host}:{port}" if port else host
    path = _clean_path(PATH_SESSION.sub("", parts.path or "/"))
    return urlunsplit((scheme, netloc, path, significant_query(parts.query), ""))


def significant_query(query: str) -> str:
    """The query without session, tracking and cache-busting parameters; order and the rest kept as written."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _insignificant(k)]
    if len(kept) == len(pairs):
        return query
    return urlencode(kept, safe="/:,")


def _insignificant(name: str) -> bool:
    """True for a parameter that only tracks or busts caches (PHPCMS m,c,a,catid,id,page are kept)."""
    lowered = name.lower()
    return lowered in INSIGNIFICANT_PARAMS or lowered.startswith(INSIGNIFICANT_PREFIXES)


def _clean_path(path: str) -> str:
    """Resolve ./ and ../ segments, keeping a trailing slash."""
    cleaned = posixpath.normpath(path)
    if cleaned in (".", "//"):
        cleaned = "/"
    if path.endswith("/") and not cleaned.endswith("/"):
        cleaned += "/"
    return cleaned if cleaned.startswith("/") else "/" + cleaned


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

    @classmethod
    def for_site(cls, home_url: str, aliases: list[str], include: list[str], exclude: list[str]) -> Scope:
        """Scope from the site's home URL, aliases (URLs or bare hosts) and patterns."""
        hosts = {_netloc(home_url)}
        for alias in aliases:
            hosts.add(_netloc(alias if "://" in alias else f"http://{alias}"))
        home = urlsplit(home_url)
        return cls(hosts=hosts, include=[re.compile(p) for p in include], exclude=[re.compile(p) for p in exclude],
                   home=f"{home.scheme.lower()}://{_netloc(home_url)}")

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
        if _netloc(url) not in self.hosts:
            return False
        if any(p.search(url) for p in self.exclude):
            return False
        return not self.include or any(p.search(url) for p in self.include)


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
