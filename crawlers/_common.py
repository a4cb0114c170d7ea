"""Shared helpers of the page library: safe parsing, URLs, dates, attachment and hidden-element tests."""

from __future__ import annotations

import re
from calendar import isleap
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from functools import lru_cache, update_wrapper
from hashlib import blake2b
from operator import attrgetter
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers.text import MAX_HTML

MAX_NODES = 200_000


def _memo_short(limit: int, maxsize: int, empty: Any) -> Callable[[Callable[[str], Any]], Callable[..., Any]]:
    """Decorator for a function of one text: `empty` for an empty or None text, memoised up to `limit` characters."""
    def wrap(func: Callable[[str], Any]) -> Callable[..., Any]:
        """The memoised function; `cache_clear()` empties its memo."""
        cached = lru_cache(maxsize=maxsize)(func)

        def call(text: str | None) -> Any:
            """`empty`, the memo's answer or a plain call, by the text's length."""
            if not text:
                return empty
            if isinstance(text, str) and len(text) <= limit:
                return cached(text)
            return func(text)

        update_wrapper(call, func)
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap


# ---------------------------------------------------------------- parsing


def parse_html(html: str) -> LexborHTMLParser | None:
    """Parse HTML tolerantly (capped, NUL-free); None when it cannot be parsed."""
    if not isinstance(html, str):
        return None
    try:
        return LexborHTMLParser(html[:MAX_HTML].replace("\x00", ""))
    except Exception:
        return None


def tag_ids(tags: tuple[str, ...]) -> frozenset[int]:
    """lexbor tag_id of each tag name (an element's tag_id names the same tag as its tag)."""
    parser = LexborHTMLParser("")
    return frozenset(parser.create_node(tag).tag_id for tag in tags)


def attr(node: LexborNode, name: str) -> str:
    """An attribute value as a stripped string ('' when absent)."""
    try:
        value = node.attrs.get(name)
    except Exception:
        return ""
    return (value or "").strip()


def klass_id(node: LexborNode) -> str:
    """Lower-cased class and id of an element, joined by a space (the two read alone: lexbor keeps an element's id
    at hand, and reading every attribute, as `attributes` does, costs a decoded string each)."""
    try:
        klass, ident = node.attrs.get("class"), node.id
    except Exception:
        return " "
    if klass is None and ident is None:  # most elements have neither
        return " "
    return f"{(klass or '').strip()} {(ident or '').strip()}".lower()


def text_of(node: LexborNode | None) -> str:
    """Normalised text content of a node (inline join)."""
    if node is None:
        return ""
    try:
        return " ".join(node.text(deep=True, separator=" ").split())  # normalize_space, without its call
    except Exception:
        return ""


def node_memo(node: LexborNode, memo: dict[int, Any] | None, compute: Callable[[LexborNode], Any]) -> Any:
    """compute(node), remembered in memo by mem_id (kept while the tree is unchanged) when a memo is given."""
    if memo is None:
        return compute(node)
    found = memo.get(node.mem_id)
    if found is None:
        found = memo[node.mem_id] = compute(node)
    return found


def ancestors(node: LexborNode, limit: int = 60):
    """Yield the parents of a node, nearest first."""
    cur = node.parent
    while cur is not None and limit > 0:
        yield cur
        cur = cur.parent
        limit -= 1


def is_inside(node: LexborNode, container: LexborNode) -> bool:
    """True when node is container or one of its descendants."""
    if node.mem_id == container.mem_id:
        return True
    return any(a.mem_id == container.mem_id for a in ancestors(node, 500))


MAX_DEPTH = 400


def too_deep(tree: LexborHTMLParser, limit: int = MAX_DEPTH) -> bool:
    """True when the element tree nests deeper than any real page (hostile or broken markup)."""
    root = tree.root
    if root is None:
        return False
    return nests_deeper(root, 0, limit)


def nests_deeper(node: LexborNode, depth: int, limit: int = MAX_DEPTH) -> bool:
    """too_deep of the subtree of an element that lies this deep (the root at 0), its first MAX_NODES elements."""
    stack: list[tuple[LexborNode, int]] = [(node, depth)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        seen += 1
        if seen > MAX_NODES:
            return False
        stack.extend((child, depth + 1) for child in node.iter())
    return False


_MEM_ID = attrgetter("mem_id")


def doc_order(tree: LexborHTMLParser) -> dict[int, int]:
    """Map node mem_id → position in document order (capped)."""
    order: dict[int, int] = {}
    with suppress(Exception):  # zip stops at the cap; what was read before an error stays, as it did
        order.update(zip(map(_MEM_ID, tree.root.traverse()), range(MAX_NODES + 1), strict=False))
    return order


# ---------------------------------------------------------------- URLs

_DROP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:", "sms:", "file:")
_OPEN_RE = re.compile(r"""(?:window\.open|openwin\w*|location\.href\s*=|location\s*=|download\w*)\s*\(?\s*['"]([^'"\s]{1,2000})['"]""", re.I)


def absolutize(href: str | None, base: str) -> str | None:
    """Absolute URL without fragment; None for javascript:/mailto:/tel:/data: and garbage."""
    if not href:
        return None
    if isinstance(href, str) and isinstance(base, str) and len(href) <= 4000:
        return _absolutize_cached(href, _origin(base) if _rooted(href) else base)
    return _absolutize(href, base)


def _rooted(href: str) -> bool:
    """True for a root-relative href (/path): it resolves against the base's scheme and host only."""
    head = href.lstrip()[:3].replace("\\", "/")
    if head[:1] != "/":
        return False
    if head[1:2] not in ("/", "\n", "\r", "\t"):
        return True
    cleaned = href.strip().replace("\\", "/").replace("\n", "").replace("\r", "").replace("\t", "")
    return not cleaned.startswith("//")


@lru_cache(maxsize=1024)
def _origin(base: str) -> str:
    """scheme://host of an http(s)/ftp base URL (what a root-relative href resolves against); else the base."""
    plain = _plain_base(base)
    if plain is not None:
        return plain[0]
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    if parts.scheme in ("http", "https", "ftp") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return base


@lru_cache(maxsize=8192)
def _absolutize_cached(href: str, base: str) -> str | None:
    """absolutize, memoised (pages of one site repeat the same links)."""
    return _absolutize(href, base)


def _absolutize(href: str, base: str) -> str | None:
    """absolutize without the memo."""
    href = href.strip().replace("\\", "/").replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href.startswith("#") or href.lower().startswith(_DROP_SCHEMES) or len(href) > 4000:
        return None
    plain = _plain_join(href, base)
    if plain is None and href[:1] == ".":
        plain = _dotted_join(href, base)
    return plain if plain is not None else _url_join(href, base)


def _url_join(href: str, base: str) -> str | None:
    """urljoin of a cleaned href, without fragment; None unless http(s)/ftp with a host."""
    try:
        joined = urljoin(base, href)
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", "ftp") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


_PLAIN_BASE = re.compile(r"(https?|ftp)://([A-Za-z0-9.\-]+(?::\d*)?)(/[^?#;\x00-\x20\x7f\\]*)?(?:\?[^#\x00-\x20\x7f]*)?"
                         r"(?:#.*)?", re.I | re.S | re.A)  # groups: scheme, netloc, path (what urlsplit gives)
# re.A: without it, re.I lets 'ſ' (U+017F) match 's' and 'K' (U+212A) match 'k'; urljoin knows no such scheme
_PLAIN_HREF = re.compile(r"/?[^:?#;/\x00-\x20\x7f\\][^:?#;\x00-\x20\x7f\\]*(?:\?[^#\x00-\x20\x7f]*)?(?:#.*)?", re.S)
# plain: no scheme, no ';' parameters, no controls or spaces, not '//'-relative; the path is checked for dot and empty
# segments separately (urljoin resolves or drops those)


def _plain_join(href: str, base: str) -> str | None:
    """What urljoin gives (without fragment) for a plain href under a plain base; None when urljoin must run."""
    if not _PLAIN_HREF.fullmatch(href):
        return None
    parts = _plain_parts(href, base)
    if parts is None:
        return None
    path, query, origin, folder = parts
    return (origin if path[0] == "/" else folder) + path + query


def _plain_parts(href: str, base: str) -> tuple[str, str, str, str] | None:
    """(path, '?query' or '', origin, folder) of a plain href under a plain base; None when urljoin must run."""
    path, _, query = href.partition("#")[0].partition("?")
    if _odd_segments(path):
        return None
    bases = _plain_base(base)
    if bases is None:
        return None
    return path, "?" + query if query else "", bases[0], bases[1]


_DOTS = re.compile(r"(?:\.\.?/)+")  # leading ./ and ../ segments


def _dotted_join(href: str, base: str) -> str | None:
    """What urljoin gives (without fragment) for leading ./ and ../ segments before a plain relative href under a
    plain base: each ../ climbs one folder of the base, none above its root; None when urljoin must run."""
    lead = _DOTS.match(href)
    if lead is None:
        return None
    rest = href[lead.end():]
    if not rest or rest[0] == "/" or not _PLAIN_HREF.fullmatch(rest):
        return None
    parts = _plain_parts(rest, base)
    if parts is None:
        return None
    path, query, origin, folder = parts
    folders = folder[len(origin) + 1:-1].split("/") if len(folder) > len(origin) + 1 else []
    kept = folders[:max(0, len(folders) - lead.group().count("../"))]
    return origin + "/" + "".join(name + "/" for name in kept) + path + query


def _odd_segments(path: str) -> bool:
    """True for a path with an empty, '.' or '..' segment inside (urljoin drops or resolves those)."""
    wrapped = "/" + path + "/"
    return "//" in path or "/./" in wrapped or "/../" in wrapped


@lru_cache(maxsize=1024)
def _plain_base(base: str) -> tuple[str, str] | None:
    """('scheme://netloc', 'scheme://netloc/folder/') of a plain base URL; None for any other base."""
    match = _PLAIN_BASE.fullmatch(base)
    if match is None:
        return None
    scheme, netloc, path = match.group(1).lower(), match.group(2), match.group(3) or ""
    if _odd_segments(path.lstrip("/")) or path.startswith("//"):
        return None
    origin = f"{scheme}://{netloc}"
    return origin, origin + (path[:path.rfind("/") + 1] or "/")


def open_targets(script: str) -> list[str]:
    """URLs passed to window.open(...) / location.href= in an onclick or script snippet."""
    if not script:
        return []
    return _OPEN_RE.findall(script[:20000])


def base_href(tree: LexborHTMLParser, url: str) -> str:
    """The document base URL: <base href> when present and on the page's own host (a `www.` aside). A base on
    another host is suspicious, not authoritative (injected markup, a mirror's leftover): it would turn every
    relative link of the page external, so links resolve against the page URL instead."""
    if not _has_base(tree):
        return url
    try:
        node = tree.css_first("base[href]")
    except Exception:
        node = None
    if node is not None:
        resolved = absolutize(attr(node, "href"), url)
        if resolved and host_of(resolved) == host_of(url):
            return resolved
    return url



def _has_base(tree: LexborHTMLParser) -> bool:
    """False when the document holds no <base> element (a tag lookup, far cheaper than the CSS query)."""
    try:
        return bool(tree.tags("base"))
    except Exception:
        return True  # let the CSS query decide


@lru_cache(maxsize=8192)
def host_of(url: str) -> str:
    """Lower-case host of a URL without port and leading www."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


_TRUSTED_SUFFIXES = (".gov.cn", ".gov", ".edu.cn", ".mil.cn", ".org.cn", ".cpc.people.com.cn")


def same_site(url: str, page_url: str) -> bool:
    """True when url is on the page's host or a sub/parent domain of it."""
    a, b = host_of(url), host_of(page_url)
    if not a or not b:
        return True
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def is_foreign(url: str, page_url: str) -> bool:
    """True for links to other, non-government hosts (candidate spam targets)."""
    if url == page_url and isinstance(url, str):  # a page's own URL (its usual base) is on its own site
        return False
    if same_site(url, page_url):
        return False
    host = host_of(url)
    return not (host.endswith(_TRUSTED_SUFFIXES) or host in ("gov.cn",))


# ---------------------------------------------------------------- attachments

ATTACH_EXTS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "zip", "rar", "txt", "ppt", "pptx", "7z",
               "csv", "dps", "ceb", "tif", "tiff")
_EXT_RE = re.compile(r"\.(" + "|".join(ATTACH_EXTS) + r")$", re.I)
_DOWNLOAD_RE = re.compile(r"(download\w*\.(?:jsp|do|aspx?|php)|downfile|attachment|getfile|fileid=|filedown|attach\w*\.(?:jsp|do|aspx?))", re.I)
_VIEWER_RE = re.compile(r"(pdfjs|viewer\.html|pdfviewer|/web/viewer|ofdview)", re.I)


def url_ext(url: str) -> str:
    """Lower-case extension of the URL path ('' when none)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    match = _EXT_RE.search(path)
    return match.group(1).lower() if match else ""


def viewer_target(url: str) -> str | None:
    """The file a PDF/OFD viewer URL shows (?file= / ?url= / ?src=), if any, percent-encoded."""
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    for key in ("file", "url", "src", "path", "filepath"):
        for value in query.get(key, []):
            if value:
                return quote(value, safe="/:?&=%#+~@!$'()*,;[]")
    return None


@lru_cache(maxsize=8192)
def is_attachment_url(url: str) -> bool:
    """True for document/archive links and download-servlet style URLs."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if _EXT_RE.search(parts.path):  # url_ext
        return True
    tail = parts.path + ("?" + parts.query if parts.query else "")
    if _DOWNLOAD_RE.search(tail):
        return True
    if "." not in parts.query and "%" not in parts.query:  # no query value can then hold a dot (nor end in .pdf)
        return False
    for values in parse_qs(parts.query).values():
        if any(_EXT_RE.search(v.split("?")[0]) for v in values):
            return True
    return False


def is_viewer_url(url: str) -> bool:
    """True for embedded document viewers."""
    return bool(url and (_VIEWER_RE.search(url) or (viewer_target(url) and is_attachment_url(url))))


def filename_from_url(url: str) -> str | None:
    """URL-decoded last path segment (or a filename= query value)."""
    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
    except ValueError:
        return None
    for key in ("filename", "fileName", "name", "file"):
        if query.get(key):
            return unquote(query[key][0]).rsplit("/", 1)[-1] or None
    name = unquote(parts.path.rsplit("/", 1)[-1])
    return name or None


# ---------------------------------------------------------------- hidden elements

_NUM = r"(-?\d+(?:\.\d+)?)"


def _decls(style: str) -> dict[str, str]:
    """CSS declarations of an inline style, lower-cased, later wins."""
    out: dict[str, str] = {}
    for decl in style.lower().split(";")[:60]:
        if ":" in decl:
            key, _, value = decl.partition(":")
            out[key.strip()] = value.replace("!important", "").strip()
    return out


def _px(value: str) -> float | None:
    """Numeric value of a CSS length in px/pt (None for other units)."""
    match = re.match(_NUM + r"\s*(px|pt|em|rem|%)?$", value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    if unit in ("em", "rem"):
        return number * 16
    if unit == "%":
        return None
    return number


_HIDING_PROPERTIES = ("display", "visibility", "opacity", "position", "text-indent", "font-size", "overflow")
# every property style_hides reads: a style whose lower-cased text names none of them hides nothing
_HIDING_VALUES = re.compile(r"none|hidden|collapse|opacity|important|-\d|font-size\s*:\s*(?:[-0]|1(?!\d))")
# a value that could hide, of each test declares_hidden makes (none, hidden/collapse, any opacity, a negative
# offset, a font size of at most 1; !important is cut from values first): without one, nothing is hidden. Word's
# and the templates' style sheets are mostly margins, colours and 12–16px fonts, read without parsing them


@_memo_short(limit=4000, maxsize=4096, empty=False)  # a site repeats the same inline styles
def style_hides(style: str) -> bool:
    """True when an inline style hides its element (display:none, off-screen, 1px font, zero-height clip...)."""
    style = style[:4000]
    lowered = style.lower()  # a style that names no property declares_hidden reads (Word's borders) hides nothing
    return any(name in lowered for name in _HIDING_PROPERTIES) and _HIDING_VALUES.search(lowered) is not None \
        and declares_hidden(style)


def declares_hidden(style: str) -> bool:
    """style_hides read declaration by declaration (the declarations of the first 4000 characters)."""
    decls = _decls(style[:4000])
    if decls.get("display", "").startswith("none") or decls.get("visibility", "").startswith(("hidden", "collapse")):
        return True
    if decls.get("opacity", "").strip() in ("0", "0.0", ".0"):
        return True
    if decls.get("position", "") in ("absolute", "fixed"):
        for side in ("left", "top", "right"):
            value = _px(decls.get(side, "x"))
            if value is not None and value <= -999:
                return True
    indent = _px(decls.get("text-indent", "x"))
    if indent is not None and indent <= -999:
        return True
    size = _px(decls.get("font-size", "x"))
    if size is not None and size <= 1:
        return True
    if decls.get("overflow", "").startswith("hidden"):
        for dim in ("height", "width", "max-height"):
            value = _px(decls.get(dim, "x"))
            if value is not None and value <= 1:
                return True
    return False


_RULE_RE = re.compile(r"([^{}]{1,300})\{([^{}]{0,2000})\}")


def hidden_selectors(css: str) -> list[str]:
    """Simple selectors (.class / #id) that a <style> block hides."""
    if not css:
        return []
    css = css[:200_000]
    return list(_hidden_selectors(css) if len(css) <= 50_000 else _selectors_hidden_by(css))


def _selectors_hidden_by(css: str) -> tuple[str, ...]:
    """The simple selectors (.class / #id) of the rules of `css` that hide what they match, 200 at most."""
    found: list[str] = []
    for selectors, body in _RULE_RE.findall(css[:200_000]):
        if not style_hides(body):
            continue
        for sel in selectors.split(","):
            sel = sel.strip()
            if re.fullmatch(r"[.#][A-Za-z_][\w-]{0,60}", sel):
                found.append(sel)
    return tuple(found[:200])


class _DigestMemo:
    """A function of one text memoised by a digest of the text: the memo keeps no text (a page's joined <style>
    blocks average 14 KiB; 512 of them kept as keys were ~7 MB a parser process). Least recently used goes first."""

    def __init__(self, function: Callable[[str], Any], maxsize: int) -> None:
        self.function = function
        self.maxsize = maxsize
        self._results: dict[bytes, Any] = {}

    def __call__(self, text: str) -> Any:
        """The function's result for `text`, from the memo when a text of the same digest was seen."""
        key = blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        results = self._results
        result = results.pop(key, _MISSING)
        if result is _MISSING:
            result = self.function(text)
            if len(results) >= self.maxsize:
                del results[next(iter(results))]
        results[key] = result
        return result

    def cache_clear(self) -> None:
        """Forget every result."""
        self._results.clear()


_MISSING = object()
_hidden_selectors = _DigestMemo(_selectors_hidden_by, 512)  # one or a few <style> blocks a site: a 200-site crawl


# ---------------------------------------------------------------- dates

_FULL_DATE = re.compile(  # the lookahead only lets the engine skip positions that cannot start a year quickly
    r"(?=[12])(?<!\d)((?:19|20)\d{2})\s*(?:[-/.年]|\s)\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:T|\s)?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
_SHORT_DATE = re.compile(r"(?<![\d\-/.])(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?![\d\-/.])\s*日?")
_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/\d+\.s?html?"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})/"),
)


def iso(year: int, month: int, day: int, hour: int | None = None, minute: int | None = None,
        second: int | None = None) -> str | None:
    """ISO date (or datetime when a time is given); None when the parts are not a real date."""
    try:
        date = datetime(year, month, day)
    except (ValueError, OverflowError):
        return None
    day_text = f"{year:04d}-{month:02d}-{day:02d}" if year >= 1000 else date.strftime("%Y-%m-%d")
    if hour is None or minute is None:
        return day_text
    try:
        datetime(year, month, day, hour, minute, second or 0)
    except (ValueError, OverflowError):
        return day_text
    return f"{day_text}T{hour:02d}:{minute:02d}:{second or 0:02d}"


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # most days of each month (February of a leap year)
_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))  # every group of a _FULL_DATE match is below 100 but the year


def _real_day(year: int, month: int, day: int) -> bool:
    """True when a year of 1900-2099 (what _FULL_DATE reads), a month and a day make a calendar date."""
    if not (0 < month < 13 and 0 < day <= _MONTH_DAYS[month]):
        return False
    return day != 29 or month != 2 or isleap(year)


def _from_match(match: re.Match) -> str | None:
    """ISO value of a _FULL_DATE match: iso() of its numbers, without building datetimes."""
    y, m, d, hh, mm, ss = match.groups()
    year, month, day = int(y), int(m), int(d)
    if not _real_day(year, month, day):
        return None
    day_text = f"{year}-{_TWO_DIGITS[month]}-{_TWO_DIGITS[day]}"
    if hh is None:
        return day_text
    hour, minute, second = int(hh), int(mm), int(ss) if ss else 0
    if hour > 23 or minute > 59 or second > 59:
        return day_text
    return f"{day_text}T{_TWO_DIGITS[hour]}:{_TWO_DIGITS[minute]}:{_TWO_DIGITS[second]}"


def _matches_day(match: re.Match) -> bool:
    """True when a _FULL_DATE match holds a calendar date (_from_match gives a value)."""
    y, m, d = match.group(1, 2, 3)
    return _real_day(int(y), int(m), int(d))


@_memo_short(limit=300, maxsize=4096, empty=None)  # a page reads its info lines and meta dates more than once
def parse_date(text: str | None) -> str | None:
    """First real date in a string as ISO (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)."""
    text = text[:5000]
    match = _FULL_DATE.search(text)  # a search per candidate: what finditer does, without its iterator
    while match is not None:
        value = _from_match(match)
        if value:
            return value
        match = _FULL_DATE.search(text, match.end())
    return None


def date_span(text: str) -> tuple[int, int] | None:
    """Span of the first full date in a string."""
    text = text[:5000]
    match = _FULL_DATE.search(text)
    while match is not None:
        if _matches_day(match):
            return match.span()
        match = _FULL_DATE.search(text, match.end())
    return None


def parse_short_date(text: str | None, year: int | None) -> str | None:
    """A list date: full date, or [MM-DD] completed with the given year (None without a year)."""
    full = parse_date(text)
    if full:
        return full[:10]
    if not text or year is None:
        return None
    match = _SHORT_DATE.search(text[:500])
    if not match:
        return None
    return iso(year, int(match.group(1)), int(match.group(2)))


def date_from_url(url: str) -> str | None:
    """Date encoded in a CMS article URL (TRS t20160831_, Hanweb /art/2016/8/31/, DedeCMS /2016/0831/)."""
    for pattern in _URL_DATES:
        match = pattern.search(url or "")
        if match:
            value = iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if value:
                return value
    return None


def year_from_url(url: str) -> int | None:
    """Year encoded in a URL (also /201608/ TRS folders)."""
    value = date_from_url(url)
    if value:
        return int(value[:4])
    match = re.search(r"/((?:19|20)\d{2})(?:0[1-9]|1[0-2])/", url or "")
    return int(match.group(1)) if match else None
