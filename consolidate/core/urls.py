"""URL canonicalisation: one spelling of a legacy URL for every stage (crawl, ledger, workspace, redirects)."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

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
