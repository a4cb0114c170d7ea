"""Page discovery: CMS fingerprint, page kind, breadcrumb, links, list entries, pagination and footer facts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers._common import (
    absolutize,
    ancestors,
    attr,
    base_href,
    is_attachment_url,
    is_viewer_url,
    klass_id,
    node_memo,
    open_targets,
    parse_date,
    parse_html,
    parse_short_date,
    same_site,
    tag_ids,
    text_of,
    viewer_target,
    year_from_url,
)
from crawlers._fields import joined_texts
from crawlers.cms import CmsId, detect, lowered, profile, url_class
from crawlers.text import MAX_HTML, node_lines, normalize_space


@dataclass
class Link:
    """One outgoing link of a page and what it looks like."""

    url: str
    text: str
    kind: str  # 'nav' | 'list_item' | 'pagination' | 'attachment' | 'image' | 'other'


@dataclass
class ListItem:
    """One entry of a list page."""

    url: str
    title: str
    date: str | None


@dataclass
class PageInfo:
    """What a page is and where it leads."""

    cms: str  # a CmsId
    kind: str  # what the crawl stores: article | list | home | part | other
    breadcrumb: list[str] = field(default_factory=list)
    column_name: str | None = None
    links: list[Link] = field(default_factory=list)
    list_items: list[ListItem] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)
    site_facts: dict[str, str] = field(default_factory=dict)
    page_class: str = "other"  # article | list | column-home | other
    unreachable: str | None = None  # why further list pages cannot be fetched (POST pager, JSON feed…), if so
    reason: str = ""  # the rule that decided the class, with its evidence
    addressless: list[ListItem] = field(default_factory=list)  # rows listed with a title whose link goes nowhere


# ---------------------------------------------------------------- URL kinds and CMS (crawlers/cms holds the data)


def url_kind(url: str, cms: str = CmsId.GENERIC) -> str | None:
    """Page kind suggested by the URL alone ('home', 'article', 'list') or None (the profiles' rules)."""
    found = url_class(url, cms)
    return found[0] if found is not None and found[0] != "other" else None


def detect_cms(html: str, url: str) -> str:
    """Fingerprint the CMS family from markup and URL (a CmsId; 'generic' when none is recognised)."""
    low = lowered((html or "")[:MAX_HTML]) if isinstance(html, str) else ""
    return detect(low, url or "")


# ---------------------------------------------------------------- breadcrumb

_CRUMB_MARKERS = ("您现在的位置", "你现在的位置", "您当前的位置", "您当前位置", "当前位置", "您的位置", "你的位置",
                  "所在位置", "现在位置", "当前的位置", "您所在的位置", "位置")
_CRUMB_CLASS = re.compile(r"crumb|position|location|dqwz|weizhi|lujing|curpos|bread|\bpath\b|\bnav_?path|\bpos\b|\bsite_?nav", re.I)
_CRUMB_NAMED = ":is([class], [id]):is(div, p, span, td, ul, ol, nav, section)"  # candidates (_crumb_tagged asks for them)


_CRUMB_TAG_IDS = tag_ids(("div", "p", "span", "td", "ul", "ol", "nav", "section"))  # the tags of _CRUMB_NAMED
_CRUMB_SEP = re.compile(r"\s*(?:>>|»|›|>|＞|→|/|\\|\||－|—|-{2,})\s*")
_HOME_WORDS = {"首页", "网站首页", "主页", "返回首页", "home", "门户首页", "首页>"}
_TAIL_WORDS = {"正文", "详情", "内容", "正文内容", "文章内容", "浏览文章", "阅读文章", "详细内容", "信息详情", "查看内容",
               "详细信息", "文章详情", "内容详情", "详细", "新闻详情", "浏览内容", "文章正文", "查看详情", "信息内容"}


def _compact(text: str) -> str:
    """Text without any whitespace."""
    return "".join(text.split())


def _crumb_parts(node: LexborNode, raw: str) -> list[str]:
    """Names in a breadcrumb container (raw: its text_of), split on the usual separators (or its links)."""
    for marker in _CRUMB_MARKERS:
        if marker in raw:
            raw = raw.split(marker, 1)[1]
            break
    raw = raw.lstrip(":： ")
    parts = [normalize_space(p).strip(":：") for p in _CRUMB_SEP.split(raw)]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        anchors = [text_of(a) for a in node.css("a")]
        anchors = [a for a in anchors if a]
        if len(anchors) >= 2:
            parts = anchors
    return parts


_CRUMB_DEBRIS = re.compile(r"^(?:是|为)?\s*[:：]\s*|^[\s\-—–_=>»›·.。:：|]+|[\s\-—–_=>»›·.。:：|]+$")
_YEAR_FOLDER = re.compile(r"(?:19|20)\d{2}\s*年?(?:\s*\d{1,2}\s*月?)?")
_BRACKETED = re.compile(r"^[\[【〔(（](.+)[\]】〕)）]$")


def clean_crumb_item(item: str) -> str:
    """One breadcrumb name without separator debris ("首页 --", "是：首页", "» 通知") and outer brackets."""
    previous = None
    while previous != item:
        previous, item = item, _CRUMB_DEBRIS.sub("", item).strip()
    bracketed = _BRACKETED.match(item)
    return bracketed.group(1).strip() if bracketed else item


def _trim_crumb(parts: list[str]) -> list[str] | None:
    """Items after 首页 with the trailing 正文/详情 dropped, each cleaned, year folders left out; None if this is
    no breadcrumb."""
    raw = [p.strip() for p in parts if p.strip()]
    if len(raw) > 1 and _BRACKETED.match(raw[0]):
        raw = raw[1:]  # a "[某某网]" root names the site, not a column
    items = [clean_crumb_item(p) for p in raw]
    items = [p for p in items if p]
    for i, part in enumerate(items):
        if _compact(part).lower() in _HOME_WORDS:
            items = items[i + 1:]
            break
    while items and _compact(items[-1]) in _TAIL_WORDS:
        items.pop()
    items = [p for p in items if not _YEAR_FOLDER.fullmatch(p)]
    if len(items) > 10 or any(len(p) > 60 for p in items):
        return None
    return items


_SITE_NAME = re.compile(r"(?:网|网站|门户|平台|在线|官网|政府|人民政府)$")  # a site's name, not a sub-site's (…分中心)


def _site_root(tree: LexborHTMLParser, items: list[str]) -> list[str]:
    """The breadcrumb without a first item naming the site itself: a part of the page's <title> (first or last)
    that reads as a site's name (…网, …门户, …人民政府), when more follows it."""
    if len(items) < 2:
        return items
    title = tree.css_first("title")
    words = [_compact(w) for w in re.split(r"\s*(?:--|-|_|\||｜|—|–)\s*", text_of(title))] if title else []
    first = _compact(items[0])
    if len(words) >= 2 and first in (words[-1], words[0]) and first != _compact(items[-1]) and \
            _SITE_NAME.search(first):
        return items[1:]
    return items


_Texts = list[tuple[int, LexborNode, str]]  # (walk position, node, text) of text nodes, as _fields.text_nodes gives
_CRUMB_SCAN = 60000  # body nodes a breadcrumb search looks at


def _body_texts(body: LexborNode, texts: _Texts | None, word: str,
                joined: str | None = None) -> Iterable[tuple[int, LexborNode, str]]:
    """(walk position, node, text) of the body's text nodes holding word, from the page's text nodes when known
    (joined: their joined_texts, where a word without a newline is found only if some text holds it)."""
    if texts is not None:
        if joined is not None and word not in joined:
            return iter(())  # one search of the joined texts instead of one per text node
        return (t for t in texts if word in t[2])  # lazily: the breadcrumb is usually found near the top
    return _walk_texts(body, word) if word in body.text(deep=True) else iter(())


def _walk_texts(body: LexborNode, word: str) -> Iterator[tuple[int, LexborNode, str]]:
    """The body's text nodes holding word, walking at most _CRUMB_SCAN nodes."""
    for i, node in enumerate(body.traverse(include_text=True)):
        if i > _CRUMB_SCAN:
            return
        content = node.text_content or ""
        if word in content and node.tag == "-text":
            yield i, node, content


def _crumb_nodes(tree: LexborHTMLParser, texts: _Texts | None = None,
                 joined: str | None = None) -> Iterator[tuple[LexborNode, str]]:
    """Candidate breadcrumb containers with their text, best first (lazily: the first that yields items wins;
    joined: as _body_texts)."""
    body = tree.body
    if body is None:
        return
    found = 0
    for node_text in _marker_crumbs(_body_texts(body, texts, "位置", joined)):
        yield node_text
        found += 1
        if found > 5:
            break
    for node in _crumb_tagged(body):
        if found > 8:
            break
        if _CRUMB_CLASS.search(klass_id(node)):
            txt = text_of(node)
            if 2 <= len(txt) < 300:
                yield node, txt
                found += 1


def _crumb_tagged(body: LexborNode) -> Iterable[LexborNode]:
    """body's elements with a tag of _CRUMB_NAMED and a class or id, in document order (an element without either
    has no klass_id the class pattern finds; one query costs less than walking every element in Python)."""
    try:
        return body.css(_CRUMB_NAMED)
    except Exception:
        return (node for node in body.traverse() if node.tag_id in _CRUMB_TAG_IDS)


def _marker_crumbs(marked: Iterable[tuple[int, LexborNode, str]]) -> Iterator[tuple[LexborNode, str]]:
    """Containers of text nodes (those holding 位置, from _body_texts) that carry a 当前位置-style marker, in order."""
    for i, node, content in marked:
        if i > _CRUMB_SCAN:
            break
        if not any(m in content for m in _CRUMB_MARKERS[:-1]) and not _bare_marker(content):
            continue
        cur = node.parent
        for _ in range(4):
            if cur is None:
                break
            txt = text_of(cur)
            after = txt.split("位置", 1)[-1].lstrip(":： ")
            if len(after) >= 2 and (_CRUMB_SEP.search(after) or cur.css_first("a") is not None):
                if len(txt) < 400:
                    yield cur, txt
                break
            cur = cur.parent


def _bare_marker(content: str) -> bool:
    """True when a short text holds 位置 as a label ("位置：", "的位置") rather than inside a name (地理位置,
    观测中心位置: a tile or a heading, whose siblings are no breadcrumb)."""
    if len(content) >= 20:
        return False
    before = _compact(content).split("位置", 1)[0]
    return len(before) <= 1 or before.endswith(("的", "在", "前"))


def find_breadcrumb(tree: LexborHTMLParser, texts: _Texts | None = None, joined: str | None = None) -> list[str]:
    """Breadcrumb names between 首页 and the page itself (texts: the body's text_nodes, when known; joined: their
    joined_texts, when already made)."""
    try:
        joined = joined_texts(texts) if joined is None and texts is not None else joined
        for node, text in _crumb_nodes(tree, texts, joined):
            items = _trim_crumb(_crumb_parts(node, text))
            if items:
                return _site_root(tree, items)
        return _site_root(tree, _loose_crumb(tree, texts, joined))
    except Exception:
        return []


def _loose_crumb(tree: LexborHTMLParser, texts: _Texts | None = None, joined: str | None = None) -> list[str]:
    """Breadcrumb without marker or class: a short line starting with 首页 and using separators (joined: as
    _body_texts)."""
    body = tree.body
    if body is None:
        return []
    for i, node, _ in _body_texts(body, texts, "首页", joined):
        if i > _CRUMB_SCAN:
            break
        for cur in (node.parent, node.parent.parent if node.parent is not None else None):
            if cur is None:
                continue
            txt = text_of(cur)
            if len(txt) < 200 and re.match(r"^\s*(?:网站)?首\s*页\s*(?:>>|>|＞|»|›|→)", txt):
                items = _trim_crumb(_crumb_parts(cur, txt))
                if items:
                    return items
    return []


# ---------------------------------------------------------------- footer facts

_FACTS = {
    "organiser": re.compile(r"主办(?:单位)?\s*[:：]\s*([^\s|｜，,。；;:：]{2,40})"),
    "icp": re.compile(r"([\u4e00-\u9fff]{1,2}\s*(?:ICP|IPC|icp)\s*[备证]\s*[\d\-]+\s*号(?:\s*-\s*\d+)?)"),
    "psb": re.compile(r"([\u4e00-\u9fff]{1,2}\s*公网安备\s*\d+\s*号?)"),
    "site_code": re.compile(r"网站标识码\s*[:：]?\s*([0-9A-Za-z]{6,20})"),
}
# A word every match holds, preceded in the match by CJK characters and whitespace only (none of which it contains).
_FACT_WORDS = {"icp": ("ICP", "IPC", "icp"), "psb": ("公网安备",)}


def _fact_search(key: str, text: str) -> re.Match[str] | None:
    """_FACTS[key].search(text), started just before the first of its words (the slow scan up to there finds nothing)."""
    pattern, words = _FACTS[key], _FACT_WORDS.get(key)
    if not words:
        return pattern.search(text)
    found = [at for at in (text.find(word) for word in words) if at >= 0]
    if not found:
        return None
    start = min(found)
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return pattern.search(text, max(start - 2, 0))


def site_facts_from_text(text: str) -> dict[str, str]:
    """Footer facts (主办单位, ICP备案号, 公安备案号, 网站标识码) found in page text."""
    facts: dict[str, str] = {}
    tail = text[-20000:] if len(text) > 40000 else text
    for key in _FACTS:
        match = _fact_search(key, tail) or (_fact_search(key, text[:MAX_HTML]) if tail is not text else None)
        if match:
            facts[key] = normalize_space(match.group(1))
    return facts


# ---------------------------------------------------------------- TRS createPageHTML

_CPH = re.compile(r"createPageHTML\s*\(([^()]{0,300})\)")


def _resolve_arg(token: str, script: str) -> str | None:
    """Value of a createPageHTML argument: literal or a variable assigned a literal in the page."""
    token = token.strip()
    if not token:
        return None
    if token[0] in "\"'":
        return token.strip("\"' ")
    if re.fullmatch(r"\d+", token):
        return token
    if re.fullmatch(r"[A-Za-z_$][\w$]*", token):
        return _assigned(token, script)
    return None


def _resolved(args: list[str], script: str) -> list[str] | None:
    """The values of createPageHTML arguments, or None at the first that cannot be resolved (each variable is looked
    for in the whole page: a call inside the pager's own definition names four)."""
    values = []
    for arg in args:
        value = _resolve_arg(arg, script)
        if value is None:
            return None
        values.append(value)
    return values


def _assigned(name: str, script: str) -> str | None:
    """The literal first assigned to a variable in a script: the leftmost match of `\\bname\\s*=\\s*value`, found
    by a search that opens with the name (a pattern that opens with \\b is tried at every position of the page)."""
    pattern = re.compile(re.escape(name) + r"\s*=\s*[\"']?([\w.\-]+)[\"']?\s*(?:[;,\n]|//|/\*)")
    at = script.find(name)  # each place the name is, in order (a substring search outpaces the pattern's own)
    while at >= 0:
        match = pattern.match(script, at)
        if match is not None and _BOUNDARY.match(script, at):  # \b sees the character before the match
            return match.group(1)
        at = script.find(name, at + 1)
    return None


_BOUNDARY = re.compile(r"\b")


def create_page_html(html: str) -> tuple[int, int, str, str] | None:
    """(count, current, name, ext) of the first resolvable createPageHTML call."""
    if "createPageHTML" not in html:  # a quicker search than the pattern's
        return None
    script = html[:MAX_HTML]
    for match in _CPH.finditer(script):
        args = [a for a in match.group(1).split(",")]
        if len(args) < 4:
            continue
        values = _resolved(args[:4], script)
        if values is None:
            continue
        count, current, name, ext = values
        if not (count.isdigit() and current.isdigit()) or not re.fullmatch(r"[\w.\-]{1,100}", name + ext):
            continue
        return int(count), int(current), name, ext
    return None


def trs_pages(spec: tuple[int, int, str, str], url: str) -> list[str]:
    """URLs of the other pages of a createPageHTML series."""
    count, current, name, ext = spec
    out = []
    for i in range(min(count, 5000)):
        if i == current:
            continue
        out.append(urljoin(url, f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}"))
    return out


# ---------------------------------------------------------------- links and pagers written by scripts

_DOC_WRITE = tuple(re.compile(first + r"(?i:ocument\.write(?:ln)?\s*\()") for first in "dD")  # document.write(
# in any case, one pattern per case of its first letter (only d and D match it case-insensitively): a pattern opening
# with a letter in either case is tried at every position, one opening with one letter skips to that letter
_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.){0,4000})"|\'((?:[^\'\\\n]|\\.){0,4000})\'')
_LITERAL_URL = re.compile(r"""(?:href|src)\s*=\s*\\?["']([^"'\\\s<>+]{1,2000})\\?["']""", re.I)
_JS_FUNCTION = re.compile(r"function\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)[^)]{0,80}\)\s*\{(.{0,800}?)\n?\s*\}",
                          re.S)
_JS_CALL = re.compile(r"\b([A-Za-z_$][\w$]*)\s*\(\s*['\"]?(\d{1,5})['\"]?\s*[,)]")
_PAGE_COUNT = re.compile(r"共\s*(\d{1,5})\s*页|页次\s*[:：]?\s*\d+\s*/\s*(\d{1,5})|第\s*\d+\s*/\s*(\d{1,5})\s*页")
_JSON_FEED = re.compile(r"""["']([^"'\s]{0,200}?(?:datas?_?\d*|list\w*|more\w*|page\w*)\.json[^"'\s]{0,100})["']""", re.I)
_JSON_API = re.compile(r"""["']((?![^"']*(?:count|track|hits|stat|visit|click|log))[^"'\s]{0,200}?/api/[^"'\s]{1,200})["']""",
                       re.I)  # an API the list is read from (not a page counter)
_JSON_WORD = re.compile(r"\.json", re.I)  # in every _JSON_FEED match, read with its flags
_API_WORD = re.compile(r"/api/", re.I)  # in every _JSON_API match, at most 201 characters after its start
_POST_FORM = re.compile(r"<form\b[^>]{0,300}\bmethod\s*=\s*[\"']?post", re.I)


def _json_feed(html: str) -> re.Match[str] | None:
    """_JSON_FEED.search(html), only when the page holds a '.json' (the pattern is tried at every quote otherwise)."""
    return _JSON_FEED.search(html) if _JSON_WORD.search(html) is not None else None


def _json_api(html: str) -> re.Match[str] | None:
    """_JSON_API.search(html), begun 201 characters before the page's first '/api/' (no match can begin earlier; the
    pattern is tried at every quote, each try reading on to the next quote)."""
    word = _API_WORD.search(html)
    return _JSON_API.search(html, max(word.start() - 201, 0)) if word is not None else None


def written_links(html: str) -> list[str]:
    """URLs in the markup a page writes with document.write(...): literal href/src values of its string
    arguments (unescape("%3C…") included); values built from variables are left to the pager rules."""
    found: list[str] = []
    if "document.write" not in html:
        return found
    for match in _doc_writes(html[:MAX_HTML]):
        call = html[match.end(): match.end() + 4000]
        end = call.find(");")
        for double, single in _JS_STRING.findall(call[: end if end >= 0 else 4000]):
            literal = double or single
            if "%3c" in literal.lower():
                literal = unquote(literal)
            found += _LITERAL_URL.findall(literal.replace("\\/", "/"))
            if len(found) > 2000:
                return found
    return found


def _doc_writes(html: str) -> list[re.Match[str]]:
    """The document.write( calls of a page in any case, in order: those of each _DOC_WRITE pattern, merged (a call
    holds no other d, so no two overlap)."""
    return sorted((match for pattern in _DOC_WRITE for match in pattern.finditer(html)), key=lambda m: m.start())


def _script_functions(html: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Page functions of one argument: those building a URL as "pre" + arg + "post" (name -> (pre, post)), and
    the names of those submitting a form (a POST pager)."""
    templates: dict[str, tuple[str, str]] = {}
    posting: set[str] = set()
    if "function" not in html:
        return templates, posting
    for match in _JS_FUNCTION.finditer(html[:MAX_HTML]):
        name, arg, body = match.groups()
        if ".submit(" in body:
            posting.add(name)
            continue
        pattern = r"""["']([^"'\s]{0,200})["']\s*\+\s*""" + re.escape(arg) + r"""\s*\+\s*["']([^"'\s]{1,50})["']"""
        built = re.search(pattern, body)
        if built and re.search(r"location|href|window\.open|\.load\s*\(|url", body, re.I):
            templates[name] = (built.group(1), built.group(2))
    return templates, posting


def script_pager(html: str, base: str) -> tuple[list[str], set[str]]:
    """List pages a script pager names (javascript:go(3) / onclick="_gotoPage('3')" with a function building
    "index_" + n + ".jhtml"), and the names of called pager functions that POST a form instead."""
    templates, posting = _script_functions(html)
    if not templates and not posting:
        return [], set()
    numbers: dict[str, set[int]] = defaultdict(set)
    for name, number in _JS_CALL.findall(html[:MAX_HTML]):
        if name in templates or name in posting:
            numbers[name].add(int(number))
    pages: list[str] = []
    for name, seen in numbers.items():
        if name in templates and seen:
            pre, post = templates[name]
            pages += [url for n in range(min(seen), min(max(seen), 2000) + 1)
                      for url in (absolutize(f"{pre}{n}{post}", base),) if url]
    return pages, {name for name in numbers if name in posting}


def select_targets(tree: LexborHTMLParser, base: str) -> tuple[list[str], list[str]]:
    """URLs a <select> whose onchange sets location offers: (pages, others). Options labelled with a number are a
    "jump to page" pager (DedeCMS <option value="list_4_2.html">2</option>; often the only pager left when the
    links are javascript:), the rest navigation (issues of a journal, years of an archive, other columns)."""
    pages: list[str] = []
    others: list[str] = []
    for select in tree.css("select[onchange]")[:20]:
        if not re.search(r"location|window\.open|href", attr(select, "onchange"), re.I):
            continue
        for option in select.css("option")[:2000]:
            value = attr(option, "value").strip()
            url = absolutize(value, base) if value and not value.lower().startswith("javascript") else None
            if url:
                numbered = _compact(option.text(deep=True)).strip("第页").isdigit()
                (pages if numbered else others).append(url)
    return pages, others


def unreachable_pager(html: str, lines: list[str], pages: list[str], posting: set[str],
                      script_only: int, rows: int = 1) -> str | None:
    """Why further pages of this list cannot be reached by GET links, when the page has more and none is known:
    a POST-form pager, a JSON "load more" feed, or a pager of javascript: links only; or why a list page without
    rows shows none (they are rendered by a script from a JSON feed or API)."""
    reason = _pager_reason(html, lines, pages, posting, script_only)
    if reason is None and rows == 0 and not pages:
        feed = _json_feed(html[:MAX_HTML]) or _json_api(html[:MAX_HTML])
        if feed:
            return f"list rendered by a script from a JSON feed ({feed.group(1)}): its entries are not fetched"
    return reason


def _pager_reason(html: str, lines: list[str], pages: list[str], posting: set[str], script_only: int) -> str | None:
    """unreachable_pager's verdict on the pager alone."""
    announced = 0
    for line in lines:
        match = _PAGE_COUNT.search(line) if len(line) < 200 else None
        if match:
            announced = max(announced, int(next(g for g in match.groups() if g)))
    if pages or (announced <= 1 and not script_only and not posting):
        return None
    count = f"{announced} pages announced" if announced > 1 else "further pages"
    if posting and _POST_FORM.search(html[:MAX_HTML]):
        return f"POST-form pager ({', '.join(sorted(posting))} submits a form): {count} not fetched"
    feed = _json_feed(html[:MAX_HTML])
    if feed:
        return f"JSON 'load more' feed ({feed.group(1)}): {count} not fetched"
    if script_only:
        return f"pager of javascript: links only ({script_only} links): {count} not fetched"
    return f"{count} but no link to them" if announced > 1 else None


# ---------------------------------------------------------------- JSON "load more" feeds

_JSONP = re.compile(r"^\s*(?:[\w$.]+\s*=\s*|[\w$.]+\s*\(\s*)?(?P<body>[\[{].*[\]}])\s*\)?\s*;?\s*$", re.S)
_FEED_URL_KEYS = ("url", "link", "href", "docpuburl", "puburl", "linkurl", "detailurl", "infourl", "pageurl",
                  "docurl", "weburl", "htmlurl")
_FEED_TITLE_KEYS = ("title", "doctitle", "infotitle", "subject", "name", "linktitle")
_FEED_DATE_KEYS = ("date", "pubdate", "publishdate", "publishtime", "docreltime", "releasetime", "createtime", "time",
                   "pubtime", "infodate", "docdate")
_FEED_COUNT_KEYS = ("pagecount", "totalpage", "totalpages", "pagetotal", "pages", "page_count", "total_page")
_FEED_PAGE = re.compile(r"^(?P<pre>.*?)(?P<n>\d{1,5})(?P<post>\.json(?:\?.*)?)$", re.I)


def feed_urls(html: str, base: str) -> list[str]:
    """Concrete JSON feed URLs a list page's scripts name (datas_1.json, list.json…): followed like list pages."""
    if ".json" not in html:
        return []
    found = (absolutize(m.group(1), base) for m in _JSON_FEED.finditer(html[:MAX_HTML]))
    return _dedupe([u for u in found if u and same_site(u, base)])[:50]


def feed_entries(text: str, url: str) -> tuple[list[ListItem], list[str]] | None:
    """A JSON or JSONP list feed read as list rows (objects with a URL and a title) and its further pages (a page
    count beside a numbered feed URL); None when the text is no JSON."""
    import json

    match = _JSONP.match(text[:MAX_HTML]) if isinstance(text, str) else None
    try:
        data = json.loads(match.group("body")) if match else None
    except ValueError:
        return None
    if data is None:
        return None
    items: list[ListItem] = []
    counts: list[int] = []
    _walk_feed(data, url, items, counts, 0)
    pages: list[str] = []
    numbered = _FEED_PAGE.match(url)
    if numbered and counts:
        pre, post = numbered.group("pre"), numbered.group("post")
        first = 0 if numbered.group("n") == "0" else 1
        pages = [f"{pre}{n}{post}" for n in range(first, min(max(counts), 2000) + first) if f"{pre}{n}{post}" != url]
    return _dedupe_items(items), pages


def _walk_feed(node: object, base: str, items: list[ListItem], counts: list[int], depth: int) -> None:
    """Collect entries and page counts from a decoded JSON value (depth and size bounded)."""
    if depth > 12 or len(items) > 20000:
        return
    if isinstance(node, list):
        for child in node[:20000]:
            _walk_feed(child, base, items, counts, depth + 1)
        return
    if not isinstance(node, dict):
        return
    keys = {str(k).lower(): v for k, v in node.items()}
    for key in _FEED_COUNT_KEYS:
        if isinstance(keys.get(key), int | str) and str(keys[key]).isdigit():
            counts.append(int(str(keys[key])[:5]))
    link = next((keys[k] for k in _FEED_URL_KEYS if isinstance(keys.get(k), str) and keys[k].strip()), None)
    title = next((keys[k] for k in _FEED_TITLE_KEYS if isinstance(keys.get(k), str) and keys[k].strip()), None)
    if link and title:
        target = absolutize(link.strip(), base)
        if target:
            when = next((parse_date(str(keys[k])) for k in _FEED_DATE_KEYS if keys.get(k)), None)
            items.append(ListItem(target, normalize_space(title), when))
    for value in keys.values():
        if isinstance(value, dict | list):
            _walk_feed(value, base, items, counts, depth + 1)


def _dedupe_items(items: list[ListItem]) -> list[ListItem]:
    """List items, each URL once (the first kept)."""
    seen: set[str] = set()
    return [i for i in items if not (i.url in seen or seen.add(i.url))]


# ---------------------------------------------------------------- Hanweb datastore

_TOTAL_RES = (
    re.compile(r"<totalrecord>\s*(\d+)", re.I),
    re.compile(r"total_?record(?:s|num|count)?\s*[\"']?\s*[:=]\s*[\"']?(\d+)", re.I),
    re.compile(r"(?:record_?count|total_?count|totalnum|total_?num|allcount)\s*[\"']?\s*[:=]\s*[\"']?(\d+)", re.I),
    re.compile(r"\btotal\s*[\"']?\s*[:=]\s*[\"']?(\d+)", re.I),
)
_PERPAGE_RE = re.compile(r"(?:per_?page|pagesize|page_?size|perpagecount)\s*[\"']?\s*[:=]\s*[\"']?(\d+)", re.I)
_HW_PARAMS = ("appid", "webid", "path", "columnid", "unitid", "webname", "permissiontype", "sourcecontenttype")
_HW_PARAM_RE = re.compile(r"\b(" + "|".join(_HW_PARAMS) + r")\b\s*[\"']?\s*[:=]\s*[\"']?([^\"',;&\s}<>)]*)", re.I)


def _cdata(text: str) -> str:
    """Strip a CDATA wrapper."""
    text = text.strip()
    if text.startswith("<![CDATA["):
        text = text[9:]
        end = text.rfind("]]>")
        if end >= 0:
            text = text[:end]
    return text


def _records(text: str) -> list[str]:
    """Raw contents of <record> elements (CDATA unwrapped), tolerant of unterminated ones."""
    out: list[str] = []
    low = text.lower()
    pos, close = 0, -1
    while len(out) < 10000:
        i = low.find("<record", pos)
        if i < 0:
            break
        if low.startswith("<recordset", i):
            pos = i + 10
            continue
        j = low.find(">", i)
        if j < 0:
            break
        if close < j:
            close = low.find("</record>", j)
            if close < 0:
                close = len(text) + 1
        nxt = low.find("<record", j)
        k = close if close <= len(text) else len(text)
        if 0 <= nxt < k and not low.startswith("<recordset", nxt):
            k = nxt
        out.append(_cdata(text[j + 1:k]))
        pos = max(k, j + 1)
    return out


_HREF_RE = re.compile(r"href\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_TITLE_RE = re.compile(r"title\s*=\s*[\"']([^\"']{1,300})[\"']", re.I)


def _record_item(chunk: str, base_url: str) -> ListItem | None:
    """One list entry from a Hanweb record's HTML."""
    tree = parse_html(chunk[:20000])
    anchor = tree.css_first("a[href]") if tree is not None else None
    href = attr(anchor, "href") if anchor is not None else ""
    if not href or href.startswith(("javascript", "#")):
        match = next((m for m in _HREF_RE.finditer(chunk) if not m.group(1).startswith(("javascript", "#"))), None)
        href = match.group(1) if match else ""
    url = absolutize(href, base_url)
    if not url:
        return None
    title = attr(anchor, "title") if anchor is not None else ""
    if not title:
        title = text_of(anchor) if anchor is not None else ""
    if not title:
        match = _TITLE_RE.search(chunk)
        title = normalize_space(match.group(1)) if match else ""
    rest = text_of(tree.body) if tree is not None and tree.body is not None else chunk
    rest = rest.replace(title, " ") if title else rest
    return ListItem(url, title, parse_short_date(rest, year_from_url(url)))


def datastore_total(text: str) -> int | None:
    """Total record count from <totalrecord> or pager literals (totalRecord:120 ...)."""
    for pattern in _TOTAL_RES:
        match = pattern.search(text[:MAX_HTML])
        if match:
            return int(match.group(1)[:9])
    return None


def parse_datastore(xml_or_html: str, base_url: str) -> tuple[list[ListItem], int | None]:
    """Hanweb <datastore> records as list items, plus the total record count when stated."""
    if not isinstance(xml_or_html, str) or not xml_or_html:
        return [], None
    text = xml_or_html[:MAX_HTML]
    items: list[ListItem] = []
    seen: set[str] = set()
    for chunk in _records(text):
        try:
            item = _record_item(chunk, base_url)
        except Exception:
            item = None
        if item is not None and item.url not in seen:
            seen.add(item.url)
            items.append(item)
    return items, datastore_total(text)


def _nextgroup_url(text: str) -> str | None:
    """The dataproxy URL given in <nextgroup>, if any."""
    low = text.lower()
    i = low.find("<nextgroup")
    if i < 0:
        return None
    j = low.find("</nextgroup>", i)
    match = _HREF_RE.search(text[i: j if j > 0 else i + 3000])
    return match.group(1).replace("&amp;", "&") if match else None


def hanweb_proxy_urls(page_html: str, page_url: str, records_on_page: int, total: int | None) -> list[str]:
    """dataproxy.jsp URLs fetching the records beyond the first group (chunks of 3×perpage)."""
    if not isinstance(page_html, str) or total is None or total <= max(records_on_page, 0):
        return []
    html = page_html[:MAX_HTML]
    params: dict[str, str] = {}
    endpoint = "/module/web/jpage/dataproxy.jsp"
    if "/module/jslib/jquery/jpage/" in html and "/module/web/jpage/" not in html:
        endpoint = "/module/jslib/jquery/jpage/dataproxy.jsp"
    nextgroup = _nextgroup_url(html)
    if nextgroup:
        try:
            split = urlsplit(nextgroup)
            if "dataproxy" in split.path:
                endpoint = split.path
            for key, value in parse_qsl(split.query, keep_blank_values=True):
                if key.lower() in _HW_PARAMS:
                    params.setdefault(key.lower(), value)
        except ValueError:
            pass
    for key, value in _HW_PARAM_RE.findall(html):
        params.setdefault(key.lower(), value)
    if "columnid" not in params:
        match = re.search(r"/col/col(\d+)/", page_url or "")
        if match:
            params["columnid"] = match.group(1)
    match = _PERPAGE_RE.search(html)
    perpage = int(match.group(1)) if match and 0 < int(match.group(1)) < 1000 else 15
    step = 3 * perpage
    names = {"sourcecontenttype": "sourceContentType"}
    order = ("appid", "webid", "path", "columnid", "sourcecontenttype", "unitid", "webname", "permissiontype")
    tail = "&".join(f"{names.get(k, k)}={quote(params[k], safe='/')}" for k in order if k in params)
    base = urljoin(page_url, endpoint)
    urls = []
    start = max(records_on_page, 0) + 1
    while start <= total and len(urls) < 5000:
        end = start + step - 1
        query = f"startrecord={start}&endrecord={end}&perpage={perpage}&col=1" + ("&" + tail if tail else "")
        urls.append(f"{base}?{query}")
        start = end + 1
    return urls


# ---------------------------------------------------------------- list entries

_ROW_TAGS = ("li", "tr", "dd", "dt", "p", "h3", "h4")
_NAV_CLASS = re.compile(r"nav|menu|daohang|topbar|header|lanmu|dh_|_dh|subnav|top_?link|channel", re.I)
_PAGE_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", "上一页", "上页", "前页", "next", "last", "prev",
               "previous", "»", "›", ">>", ">", "<<", "<", "«", "‹", "第一页", "首页"}
_STRONG_PAGE_WORDS = {"下一页", "下页", "后页", "尾页", "末页", "最后一页", "next", "last", "上一页", "上页"}


_ROW_TAG_IDS = tag_ids(_ROW_TAGS)
_TOP_TAG_IDS = tag_ids(("body", "html"))


def _row_of(anchor: LexborNode) -> LexborNode:
    """The list row holding an anchor (nearest li/tr/dd/p of its six nearest ancestors, else its parent; the anchor
    itself when its parent is the body or the page)."""
    parent = anchor.parent
    if parent is None:
        return anchor
    tag_id = parent.tag_id
    if tag_id in _ROW_TAG_IDS:
        return parent
    if tag_id in _TOP_TAG_IDS:
        return anchor
    above = parent.parent
    for _ in range(5):
        if above is None:
            break
        if above.tag_id in _ROW_TAG_IDS:
            return above
        above = above.parent
    return parent


def _signature(node: LexborNode, chains: dict[int, tuple] | None = None) -> tuple:
    """Tag/class chain of a row and its ancestors, used to group rows of one list (chains: the chain above a
    parent, by its mem_id, kept while the tree is unchanged: the rows of one list share their parent)."""
    parent = node.parent
    chain = chains.get(parent.mem_id) if chains is not None and parent is not None else None
    if chain is None:
        chain = tuple((above.tag, attr(above, "class")) for above in ancestors(node, 3))
        if chains is not None and parent is not None:
            chains[parent.mem_id] = chain
    return ((node.tag, attr(node, "class")), *chain)


def _anchor_title(anchor: LexborNode, texts: dict[int, str] | None = None) -> str:
    """A list entry's title: the title attribute when it is the fuller one, else the link text (texts: as
    node_memo)."""
    text, title = node_memo(anchor, texts, text_of), normalize_space(attr(anchor, "title"))
    if title and (len(title) >= len(text) or text.endswith(("…", "...", "..")) or not text):
        return title
    return text


_NO_URL = object()  # href_url's memo: not looked at yet


def href_url(node: LexborNode, base: str, urls: dict[int, str | None] | None = None) -> str | None:
    """absolutize(attr(node, "href"), base), remembered in urls by mem_id (kept while the tree and base are
    unchanged: list rows and the page's links read the same anchors)."""
    if urls is None:
        return absolutize(attr(node, "href"), base)
    key = node.mem_id
    url = urls.get(key, _NO_URL)
    if url is _NO_URL:
        url = urls[key] = absolutize(attr(node, "href"), base)
    return url  # type: ignore[return-value]


_url_year = lru_cache(maxsize=8192)(year_from_url)  # a site's list pages repeat its entries' URLs


def _entry_date(anchor: LexborNode, row: LexborNode, title: str, url: str, single: bool) -> str | None:
    """Date shown next to a list entry."""
    year = _url_year(url)
    sib = anchor.next
    for _ in range(4):
        if sib is None:
            break
        txt = text_of(sib) if sib.tag != "-text" else normalize_space(sib.text_content or "")
        if txt:
            found = _short_date(txt, year)
            if found:
                return found
        sib = sib.next
    if single:
        return _short_date(text_of(row).replace(title, " "), year)
    return None


_DIGIT = re.compile(r"\d")


def _short_date(text: str, year: int | None) -> str | None:
    """parse_short_date(text, year), None at once for a text without a digit (every date it reads holds one)."""
    return parse_short_date(text, year) if _DIGIT.search(text) else None


def _group_members(rows: list[tuple[LexborNode, LexborNode, str, str]], rows_count: dict[int, int],
                   cms: str) -> list[tuple[ListItem, bool]] | None:
    """(entry, whether its URL looks like an article's) of each (anchor, row, url, title) of a group, or None when
    fewer than half of them are dated and fewer than half article-like (dates read only until that is certain)."""
    article_like = [url_kind(url, cms) == "article" for _, _, url, _ in rows]
    need = 0 if sum(article_like) * 2 >= len(rows) else (len(rows) + 1) // 2  # dated rows that keep the group
    dates: list[str | None] = []
    dated = 0
    for i, (anchor, row, url, title) in enumerate(rows):
        if dated + len(rows) - i < need:
            return None
        dates.append(_entry_date(anchor, row, title, url, rows_count[row.mem_id] == 1))
        dated += bool(dates[-1])
    if dated < need:
        return None
    return [(ListItem(url, title, date), art)
            for (_, _, url, title), date, art in zip(rows, dates, article_like, strict=True)]


def generic_list_items(tree: LexborHTMLParser, base: str, cms: str = CmsId.GENERIC,
                       texts: dict[int, str] | None = None, urls: dict[int, str | None] | None = None) -> list[ListItem]:
    """Article entries of list containers: groups of ≥3 similar rows with dates or article-like URLs (texts: the
    links' texts, as node_memo; urls: their addresses, as href_url)."""
    body = tree.body
    if body is None:
        return []
    groups: dict[tuple, list[tuple[LexborNode, LexborNode, str, str]]] = defaultdict(list)
    anchors = body.css("a[href]")[:5000]
    rows_count: dict[int, int] = defaultdict(int)
    rows = []
    for anchor in anchors:
        row = _row_of(anchor)
        rows_count[row.mem_id] += 1
        rows.append((anchor, row))
    chains: dict[int, tuple] = {}
    for anchor, row in rows:
        url = href_url(anchor, base, urls)
        if not url or is_attachment_url(url):
            continue
        title = _anchor_title(anchor, texts)
        if len(title) < 4 or title in _PAGE_WORDS:
            continue
        groups[_signature(row, chains)].append((anchor, row, url, title))
    items: list[ListItem] = []
    seen: set[str] = set()
    for rows_of_group in groups.values():
        if len(rows_of_group) < 3:
            continue  # dated only where a group can be kept
        members = _group_members(rows_of_group, rows_count, cms)
        if members is None:
            continue  # neither dated nor article-like rows
        entries = [(item, art) for item, art in members if item.date or art]
        if len(entries) * 5 < len(members) * 4:  # a group mixing rows with menu links: the rows only
            members = entries
        for item, _ in members:
            if item.url not in seen:
                seen.add(item.url)
                items.append(item)
    return items


_MORE_LINK = re.compile(r"(?:点击|请)?(?:查看|阅读|访问|进入|了解|浏览)?(?:全文|详情|详细|更多|原文|内容|信息)?(?:>>|»|…)?")


def addressless_items(tree: LexborHTMLParser) -> list[ListItem]:
    """Entries a list shows whose link goes nowhere (javascript:;, # or empty, no onclick target): groups of ≥3
    similar rows, most of them dated, as generic_list_items finds them; their URL is ""."""
    body = tree.body
    if body is None:
        return []
    groups: dict[tuple, list[tuple[ListItem, bool]]] = defaultdict(list)
    rows: set[int] = set()
    for anchor in body.css("a")[:5000]:
        href = attr(anchor, "href").strip().lower()
        if (href and not href.startswith(("javascript", "#"))) or open_targets(attr(anchor, "onclick")):
            continue
        heading = anchor.css_first("h1, h2, h3, h4, h5")  # a card: the whole entry is the link
        title = text_of(heading) if heading is not None else _anchor_title(anchor)
        if len(title) < 4 or title in _PAGE_WORDS or _MORE_LINK.fullmatch(title.strip("[]【】()（） ")):
            continue
        row = _row_of(anchor)
        if row.mem_id in rows:
            continue  # one entry a row (a title link and its [详情] link)
        rows.add(row.mem_id)
        rest = text_of(row).replace(title, " ").strip()
        date = parse_short_date(rest, None)
        groups[_signature(row)].append((ListItem("", title, date), bool(date or _dated_row(rest))))
    return [item for members in groups.values()
            if len(members) >= 3 and sum(1 for _, dated in members if dated) * 2 >= len(members)
            for item, _ in members]


# ---------------------------------------------------------------- pagination

_PAGE_URL_RES = (
    re.compile(r"^(?P<pre>.*/index_)(?P<n>\d+)(?P<post>\.s?html?)$", re.I),
    re.compile(r"^(?P<pre>.*/list_\d+_)(?P<n>\d+)(?P<post>\.s?html?)$", re.I),
    re.compile(r"^(?P<pre>.*/list_)(?P<n>\d+)(?P<post>\.s?html?)$", re.I),
    re.compile(r"^(?P<pre>.*[?&](?:page|pageno|pageindex|pagenum|curpage|currentpage|p|pn|pageNo|pageIndex|"
               r"currentPage|page_no)=)(?P<n>\d+)(?P<post>(?:&.*)?)$", re.I),
    re.compile(r"^(?P<pre>.*/(?:index|list|default)_?)(?P<n>\d+)(?P<post>\.s?html?)$", re.I),
)


def _page_number(url: str) -> tuple[int, str, str] | None:
    """(page number, prefix, suffix) when a URL looks like a numbered list page."""
    for pattern in _PAGE_URL_RES:
        match = pattern.match(url)
        if match:
            return int(match.group("n")[:6]), match.group("pre"), match.group("post")
    return None


# URL-safe characters ending in a single '/': such an href resolves to a directory URL (no query, ends with '/').
_DIRECTORY_HREF = re.compile(r"(?:[\w.~:/-]*[\w.~:-])?/", re.A)


def _link_word(anchor: LexborNode) -> str | None:
    """An anchor's compacted, lower-cased text when it reads like a pagination link (下一页, a page number)."""
    return _word_of(_raw_text(anchor))


def _raw_text(anchor: LexborNode) -> str | None:
    """anchor.text(deep=True), None when it cannot be read."""
    try:
        return anchor.text(deep=True)
    except Exception:
        return None


@dataclass
class AnchorTexts:
    """The document's <a> elements (tree.tags) and the _raw_text of the first 5000, read once for pager links and
    the page's shape (the same anchors, in the same order, as a selector "a" on the tree finds)."""

    anchors: list[LexborNode]
    raws: list[str | None]


def anchor_texts(tree: LexborHTMLParser) -> AnchorTexts:
    """AnchorTexts of a parsed page."""
    anchors = tree.tags("a")
    return AnchorTexts(anchors, [_raw_text(anchor) for anchor in anchors[:5000]])


def _word_of(raw: str | None) -> str | None:
    """_link_word of an anchor whose _raw_text is raw."""
    if raw is None:
        return None
    text = raw if raw.isalpha() else "".join(raw.split()).strip("[]【】")  # letters hold no space or bracket
    if not text or len(text) > 6:
        return None
    text = text.lower()  # after the strip: brackets have no case
    if len(text) > 6 or not (text in _PAGE_WORDS or text.isdigit()):
        return None
    return text


def _never_numbered(target: str, base: str) -> bool:
    """True when target resolves against base to a URL _page_number rejects: a directory URL without '='."""
    if _DIRECTORY_HREF.fullmatch(target) is None:
        return False
    return "=" not in base.partition("?")[0].partition("#")[0]  # the base's query and fragment are not carried over


def _worded_anchors(tree: LexborHTMLParser, body: LexborNode,
                    texts: AnchorTexts | None = None) -> list[tuple[LexborNode, str]]:
    """(anchor, _link_word) of the first 5000 matches of 'a[href], a[onclick]' in body that have a pagination word
    (texts: the tree's anchor_texts, when read)."""
    quick = _worded_anchors_quick(tree, body, texts)
    if quick is not None:
        return quick
    found = ((anchor, _link_word(anchor)) for anchor in body.css("a[href], a[onclick]")[:5000])
    return [(anchor, word) for anchor, word in found if word is not None]


def _within(node: LexborNode | None, container: LexborNode) -> bool:
    """True when node is container or one of its descendants."""
    target = container.mem_id
    while node is not None:
        if node.mem_id == target:
            return True
        node = node.parent
    return False


def _worded_anchors_quick(tree: LexborHTMLParser, body: LexborNode,
                          texts: AnchorTexts | None = None) -> list[tuple[LexborNode, str]] | None:
    """_worded_anchors from the document's <a> elements (a cheaper lookup than a selector); None when it may differ."""
    anchors = texts.anchors if texts is not None else tree.tags("a")
    if not anchors:
        return []
    if len(anchors) > 2500 or not (_within(anchors[0], body) and _within(anchors[-1], body)):
        return None  # the selector's cut at 5000 could apply, or some <a> lies outside the body
    raws = texts.raws if texts is not None else map(_raw_text, anchors)
    found: list[tuple[LexborNode, str]] = []
    for anchor, raw in zip(anchors, raws, strict=True):
        word = _word_of(raw)
        if word is None:
            continue
        names = anchor.attributes
        if any(":" in name for name in names):
            return None  # [href] also matches a foreign attribute such as xlink:href
        found += [(anchor, word)] * (("href" in names) + ("onclick" in names))  # the selector lists it once per match
    return found


def pagination_links(tree: LexborHTMLParser, base: str, url: str,
                     worded: list[tuple[LexborNode, str]] | None = None) -> list[str]:
    """List-page URLs from 下一页/尾页/numbered links, with the numbered series filled in (worded: the body's
    _worded_anchors, when found)."""
    body = tree.body
    if body is None:
        return []
    found: list[str] = []
    for anchor, text in _worded_anchors(tree, body) if worded is None else worded:
        strong = text in _STRONG_PAGE_WORDS
        href = attr(anchor, "href")
        targets = [href] if href and not href.lower().startswith("javascript") else open_targets(attr(anchor, "onclick"))
        for target in targets:
            if not strong and _never_numbered(target, base):
                continue  # a weak word or number only counts on a numbered page URL
            page = absolutize(target, base)
            if not page or page == url or not same_site(page, url):
                continue
            if strong or _page_number(page):
                found.append(page)
    series: dict[tuple[str, str], int] = {}
    for page in found:
        numbered = _page_number(page)
        if numbered:
            n, pre, post = numbered
            series[(pre, post)] = max(series.get((pre, post), 0), n)
    for (pre, post), top in series.items():
        first = 1 if pre.endswith("index_") else 2
        for n in range(first, min(top, 2000) + 1):
            found.append(f"{pre}{n}{post}")
    return [p for p in found if p != url]


# ---------------------------------------------------------------- links

_KIND_RANK = {"other": 0, "nav": 1, "image": 1, "list_item": 2, "pagination": 3, "attachment": 4}


_NAV_DEPTH = 10  # ancestors of a link looked at for a menu


def _in_nav(node: LexborNode, heights: dict[int, int] | None = None) -> bool:
    """True when an element sits in a navigation/menu container, one of its _NAV_DEPTH nearest ancestors (heights:
    _nav_height by mem_id, kept while the tree is unchanged: the links of one menu share their ancestors)."""
    parent = node.parent
    return parent is not None and _nav_height(parent, {} if heights is None else heights) < _NAV_DEPTH


def _nav_height(node: LexborNode, heights: dict[int, int]) -> int:
    """How far above an element its nearest navigation/menu container is (0: itself), _NAV_DEPTH + 1 when further
    or none; the walk up stops at the first element already answered, and each element walked is answered."""
    walked: list[int] = []
    height = _NAV_DEPTH + 1
    cur: LexborNode | None = node
    while cur is not None:
        key = cur.mem_id
        known = heights.get(key)
        if known is not None:
            height = known
            break
        names = klass_id(cur)  # " " for an element without class and id (most), which no menu name matches
        if cur.tag == "nav" or (names != " " and _NAV_CLASS.search(names) is not None):
            heights[key] = height = 0
            break
        walked.append(key)
        cur = cur.parent
    for key in reversed(walked):
        height = min(_NAV_DEPTH + 1, height + 1)
        heights[key] = height
    return heights[node.mem_id]


def _collect_links(tree: LexborHTMLParser, base: str, items: set[str], pages: set[str], crumbs: set[str],
                   texts: dict[int, str] | None = None, urls: dict[int, str | None] | None = None) -> list[Link]:
    """All outgoing links of a page, classified and de-duplicated (texts: the links' texts, as node_memo; urls:
    their addresses, as href_url)."""
    found: dict[str, Link] = {}

    def add(url: str | None, text: str, kind: str) -> None:
        """Record a link, upgrading its kind when a stronger classification turns up."""
        if not url:
            return
        if url in items:
            kind = "list_item" if kind not in ("attachment",) else kind
        if url in pages:
            kind = "pagination"
        if is_attachment_url(url) and kind != "image":
            kind = "attachment"
        old = found.get(url)
        if old is None:
            found[url] = Link(url, text, kind)
        elif _KIND_RANK.get(kind, 0) > _KIND_RANK.get(old.kind, 0):
            old.kind = kind
            old.text = old.text or text

    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return []
    navs: dict[int, int] = {}
    for node in root.css("a, area, img, iframe, embed, object, [onclick]")[:20000]:
        tag = node.tag
        text = node_memo(node, texts, text_of) if tag in ("a", "area") else ""
        if tag in ("a", "area"):
            url = href_url(node, base, urls)
            kind = "nav" if url and (text in crumbs or _in_nav(node, navs)) else "other"
            add(url, text or normalize_space(attr(node, "title")), kind)
        elif tag == "img":
            add(absolutize(attr(node, "src") or attr(node, "data-src"), base), normalize_space(attr(node, "alt")), "image")
        elif tag in ("iframe", "embed", "object"):
            src = absolutize(attr(node, "src") or attr(node, "data"), base)
            if src and is_viewer_url(src):
                target = viewer_target(src)
                add(absolutize(target, src) if target else src, normalize_space(attr(node, "title")), "attachment")
            else:
                add(src, "", "other")
        for target in open_targets(attr(node, "onclick")):
            add(absolutize(target, base), text_of(node), "other")
    return list(found.values())


# ---------------------------------------------------------------- page class

# An info line: a label a CMS prints under an article's title (发布时间：…, 来源：…, 作者：…, 阅读次数：…).
_INFO_LINE = re.compile(r"(发布时间|发布日期|发表时间|更新时间|成文日期|发文日期|日期|时间|日间|来源|作者|编辑|撰稿|发布人|发布者|"
                        r"发稿|点击|浏览|阅读|访问|(?i:date|time|source|author|posted|published|updated))(?:次数|量|数)?"
                        r"\s*[:：]")
# Where an article's text ends: prev/next links, related lists, print/close links, the footer.
_TEXT_END = re.compile(r"^[【\[]?\s*(?:上一篇|下一篇|上一条|下一条|上篇|下篇|相关(?:文章|阅读|新闻|链接|信息|附件)|打印本?页|"
                       r"关闭(?:本页|窗口)?|版权所有|主办单位|Copyright|©)|ICP[备证]", re.I)
_FOOTER_LINE = re.compile(r"版权|ICP|备案|Copyright|©|地址[:：]|电话[:：]|邮编|技术支持|主办|承办|网站标识码|"
                          r"分辨率|浏览器", re.I)
SINGLE_PAGE_TEXT = 200  # paragraph characters that make a column's own page its content (简介, 联系我们)
_DATE_ONLY = re.compile(r"[\s\d\-/:.年月日时分秒\[\]【】()（）]+")
_DATED_HEAD_RE = r"^[\[【(（](?:\d{2,4}[-/.])?\d{1,2}[-/.]\d{1,2}[\]】)）]|^(?:\d{2,4}[-/.])?\d{1,2}[-/.]\d{1,2}\s*[·•|]"
_DATED_TAIL_RE = r"\S(?:\.\.\.|…)$|\s[\[【(（]?(?:\d{2,4}[-/.])?\d{1,2}[-/.]\d{1,2}[\]】)）]?$"
_DATED_ROW = re.compile(_DATED_HEAD_RE + "|" + _DATED_TAIL_RE)
_DATED_HEAD, _DATED_TAIL = re.compile(_DATED_HEAD_RE), re.compile(_DATED_TAIL_RE)
_DATED_TAIL_SPAN = 16  # characters a _DATED_TAIL match can span (13 at most) with the final newline `$` may leave
_RECORD_COUNT = re.compile(r"共\s*\d+\s*页|\d+\s*条记录|共\s*\d+\s*条(?:信息|记录|数据)?|页次\s*[:：]?\s*\d+\s*/\s*\d+|记录数\s*[:：]\s*\d+")


_HEAD_OPENERS = "[【(（"  # a _DATED_HEAD match opens with one of these or a digit
_TAIL_CLOSERS = ".…]】)）"  # a _DATED_TAIL match closes with one of these or a digit (then a final newline, maybe)


def _dated_row(line: str) -> bool:
    """bool(_DATED_ROW.search(line)), its head tried at the start and its tail near the end only (where `^` and `$`
    hold them), not at every position of the line; each only when the line's first or last character can open or
    close it (most lines' cannot: two pattern calls saved)."""
    first, last = line[:1], line[-1:]
    return bool(((first in _HEAD_OPENERS or first.isdecimal()) and _DATED_HEAD.match(line))
                or ((last in _TAIL_CLOSERS or last.isdecimal() or last == "\n")
                    and _DATED_TAIL.search(line[-_DATED_TAIL_SPAN:])))


def _record_count(line: str) -> bool:
    """bool(_RECORD_COUNT.search(line)), after a look for the words every match holds (most lines hold none)."""
    return ("共" in line or "条" in line or "页" in line or "记录" in line) and _RECORD_COUNT.search(line) is not None


_LIST_NAMES = re.compile(r"(?:index|list|default|more|column|channel)\w*", re.I)
ARTICLE_TEXT = 300  # characters of text after the info line that make a page an article whatever else it holds
LIST_ROWS = 8  # list rows that outweigh a short text


@dataclass
class PageShape:
    """The structure a page's class is read from (the evidence recorded with the class)."""

    info_lines: int = 0  # lines under ~200 characters with an info label and a date
    info_repeat: int = 0  # the most lines starting with the same label (list rows repeat theirs; a 信息公开 header
    # prints 成文日期, 发布日期 and 发布时间 once each)
    date_lines: int = 0  # short lines that are nothing but a date (list rows print one each)
    text: int = 0  # characters of non-link text after the first info line, up to prev/next links or the footer
    items: int = 0  # list rows found
    dated_rows: int = 0  # short lines starting or ending with a date ("12-20·标题", "标题 16-03-02", "[08-31]") or
    # ending in a cut title's "…"
    list_pager: bool = False  # numbered pages of a list name (index_2.html, createPageHTML(…,"index",…))
    part_of: str | None = None  # the first page of the article this page continues
    form_fields: int = 0  # inputs, text areas and drop-downs (an application form, not content)
    prose: int = 0  # characters of paragraph lines (≥ 30 characters, not link texts, not footer lines) anywhere

    def article(self) -> bool:
        """A title with one info line under it (or two: date and source on separate lines)."""
        return self.info_lines >= 1 and self.info_repeat <= 2 and self.date_lines <= 2

    def listy(self) -> bool:
        """Rows of entries: list items, repeated info lines or dates, or a list's numbered pager."""
        return (self.items >= 3 or self.info_repeat >= 3 or self.date_lines >= 3 or self.dated_rows >= 3
                or self.list_pager)

    def evidence(self) -> str:
        """The shape in a few words, for the recorded reason."""
        return (f"{self.info_lines} info line(s) ({self.info_repeat} with one label), {self.text} chars of text, {self.items} list rows, "
                f"{self.date_lines} date-only lines, {self.dated_rows} dated rows" + (", a list pager" if self.list_pager else ""))


def page_shape(tree: LexborHTMLParser, lines: list[str], items: int, texts: AnchorTexts | None = None) -> PageShape:
    """Info lines, date-only lines and the text after the first info line (link texts left out); a lone date line
    under a title serves as the info line of a page that prints no label (texts: the tree's anchor_texts, when
    read)."""
    shape = PageShape(items=items)
    links = _link_texts(tree, texts) if tree.body is not None else set()
    first = first_date = None
    labels: dict[str, int] = defaultdict(int)
    for i, line in enumerate(lines):
        label = _INFO_LINE.search(line) if len(line) < 200 and (":" in line or "：" in line) else None  # every
        # info line holds its label's colon
        if label is not None and parse_date(line):
            shape.info_lines += 1
            labels[label.group(1)] += 1
            first = i if first is None else first
        elif len(line) < 40 and _DATE_ONLY.fullmatch(line) and parse_date(line):
            shape.date_lines += 1
            first_date = i if first_date is None else first_date
        elif len(line) < 120 and _dated_row(line):
            shape.dated_rows += 1
        if len(line) < 60 and _record_count(line):
            shape.list_pager = True
    shape.info_repeat = max(labels.values(), default=0)
    if first is None and first_date is not None and shape.date_lines <= 2:
        first, shape.info_lines, shape.info_repeat, shape.date_lines = first_date, 1, 1, shape.date_lines - 1
    shape.text = _text_after(lines, first, links) if first is not None else 0
    shape.form_fields = len(tree.css("input:not([type=hidden]), textarea, select")[:50]) if tree.body is not None else 0
    shape.prose = sum(len(line) for line in lines if len(line) >= 30 and line not in links
                      and not _FOOTER_LINE.search(line))
    return shape


def _link_texts(tree: LexborHTMLParser, texts: AnchorTexts | None) -> set[str]:
    """The normalised texts of the page's first 5000 <a> elements."""
    if texts is None or None in texts.raws:  # an unreadable text: read again, failing as it did
        return {normalize_space(a.text(deep=True)) for a in tree.css("a")[:5000]}
    return set(map(normalize_space, texts.raws))


def _text_after(lines: list[str], first: int, links: set[str]) -> int:
    """Characters of the lines after the info line that are not link texts, up to the end of the article's text
    (prev/next links, print/close, the footer, or a run of three link lines: a sidebar list)."""
    total = run = 0
    for line in lines[first + 1: first + 400]:
        if _TEXT_END.search(line[:40]):
            break
        if line in links:
            run += 1
            if run >= 3:
                break
            continue
        run = 0
        total += len(line)
    return total


def _list_pager(url: str, pages: list[str], spec: tuple[int, int, str, str] | None) -> bool:
    """True when the page's numbered pages are those of a list (index_N, list_N…), not parts of an article."""
    if spec is not None and _LIST_NAMES.fullmatch(spec[2]):
        return True
    own = urlsplit(url).path.rsplit("/", 1)[-1].split(".", 1)[0]
    if own and not _LIST_NAMES.fullmatch(own) and own not in ("", "index"):
        return False
    return any(_LIST_NAMES.fullmatch(urlsplit(p).path.rsplit("/", 1)[-1].split(".", 1)[0].rsplit("_", 1)[0])
               for p in pages)


def _first_part(url: str, pages: list[str]) -> str | None:
    """The first page this page continues: its URL is `{stem}_N` and it links `{stem}` or another `{stem}_M`."""
    path = urlsplit(url).path
    stem = _article_stem(path)
    if stem == path.rsplit(".", 1)[0] or _LIST_NAMES.fullmatch(stem.rsplit("/", 1)[-1]):
        return None
    sibling = next((p for p in pages if _article_stem(urlsplit(p).path) == stem), None)
    return None if sibling is None else urljoin(url, stem.rsplit("/", 1)[-1] + "." + path.rsplit(".", 1)[-1])


def _is_datastore_only(html: str, url: str) -> bool:
    """True for a bare dataproxy XML answer."""
    head = html[:2000].lower()
    return "dataproxy" in (url or "").lower() or (("<datastore" in head or head.lstrip().startswith("<?xml"))
                                                  and "<body" not in head)


def _folder_index(url: str) -> bool:
    """True for a folder's own page: a path ending in '/' or in index.*/default.* (a column's home)."""
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return name == "" or name.split(".", 1)[0] in ("index", "default", "main")


def classify(url: str, cms: str, shape: PageShape, crumbs: list[str]) -> tuple[str, str, str]:
    """(kind the crawl stores, class article/list/column-home/other, reason): a URL's shape confirmed by the
    page's structure, else the structure alone."""
    found = url_class(url, cms)
    by_url, rule = found if found is not None else (None, "")
    why = shape.evidence()
    if shape.part_of and by_url != "list":
        return "part", "other", f"a further page of the article {shape.part_of}"
    if by_url == "home":
        return "home", "column-home", "the site's home page"
    if by_url == "article":
        if shape.listy() and not shape.article() and shape.text < ARTICLE_TEXT:
            return "list", "list", f"URL looks like an article ({rule}) but the page is a list: {why}"
        return "article", "article", f"URL shape {rule}, not contradicted by the page: {why}"
    if by_url == "list":
        if shape.article() and shape.text >= ARTICLE_TEXT and shape.items < LIST_ROWS and not shape.list_pager:
            return "article", "article", f"URL looks like a list ({rule}) but the page is an article: {why}"
        return "list", ("column-home" if _folder_index(url) else "list"), f"URL shape {rule}: {why}"
    if shape.article() and not shape.list_pager and (shape.items < LIST_ROWS or shape.text >= ARTICLE_TEXT):
        return "article", "article", f"title and info line over a text: {why}"
    if shape.listy():
        if _folder_index(url):
            return "list", "column-home", f"a column folder's page with list rows: {why}"
        return "list", "list", f"list rows: {why}"
    if by_url == "other":
        return "other", "other", f"URL shape {rule}: {why}"
    if crumbs and shape.prose >= SINGLE_PAGE_TEXT and shape.form_fields < 3:
        return "article", "article", f"a single-page column: breadcrumb and {shape.prose} chars of paragraphs, " \
                                     f"no list rows: {why}"
    if crumbs and _folder_index(url):
        return "other", "column-home", f"a column folder's page without list rows: {why}"
    return "other", "other", f"neither an article (no title over an info line) nor a list (no rows): {why}"


def analyse_page(html: str, url: str) -> PageInfo:
    """Everything the crawler needs to know about one page."""
    return analyse_parsed(html, url)[0]


def analyse_parsed(html: str, url: str) -> tuple[PageInfo, LexborHTMLParser | None]:
    """analyse_page, and the tree it parsed the page into (parse_html(html), which the analysis reads and never
    changes), so that an extraction of the same page need not parse it again; None when it parsed none or failed."""
    html = html[:MAX_HTML] if isinstance(html, str) else ""
    low = lowered(html)  # once: the fingerprints and the datastore test read it (a copy of the page each time)
    cms = detect(low, url or "")
    parsed: list[LexborHTMLParser] = []
    try:
        return _analyse(html, url, cms, low, parsed), (parsed[0] if parsed else None)
    except Exception as exc:  # a page the analyser cannot read is recorded as such, never dropped
        return PageInfo(cms=cms, kind="other", reason=f"page could not be analysed ({type(exc).__name__})"), None


def _meta(tree: LexborHTMLParser, name: str) -> str | None:
    """Content of <meta name=...> (case-insensitive)."""
    for node in tree.css("meta")[:300]:
        key = (attr(node, "name") or attr(node, "property") or attr(node, "http-equiv")).lower()
        if key == name.lower():
            value = normalize_space(attr(node, "content"))
            return value or None
    return None


_SITEMAP_LOC = re.compile(r"<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]{1,2000})", re.I)


def sitemap_urls(text: str) -> list[str] | None:
    """The <loc> URLs of a sitemap or sitemap index (None when the text is no sitemap)."""
    head = text[:3000].lower()
    if "<urlset" not in head and "<sitemapindex" not in head:
        return None
    return [loc.replace("&amp;", "&") for loc in _SITEMAP_LOC.findall(text[:MAX_HTML])][:50000]


def _analyse(html: str, url: str, cms: str, low: str, parsed: list[LexborHTMLParser] | None = None) -> PageInfo:
    """analyse_page without the safety net (low: the page lower-cased; parsed: gets the tree, when one is parsed)."""
    listed = sitemap_urls(html)
    if listed is not None:
        return PageInfo(cms=cms, kind="other", page_class="other", reason=f"a sitemap naming {len(listed)} URLs",
                        links=[Link(u, "", "other") for u in _dedupe([absolutize(loc, url) for loc in listed]) if u])
    if "<datastore" in low or "<record" in low:
        ds_items, total = parse_datastore(html, url)
    else:
        ds_items, total = [], None
    if _is_datastore_only(html, url):
        return PageInfo(cms=CmsId.HANWEB, kind="list", list_items=ds_items, page_class="list",
                        reason="a Hanweb dataproxy answer (XML records)",
                        links=[Link(i.url, i.title, "list_item") for i in ds_items])
    tree = parse_html(html)
    if tree is None:
        return PageInfo(cms=cms, kind="other", reason="no HTML could be parsed")
    if parsed is not None:
        parsed.append(tree)
    base = base_href(tree, url)
    lines = node_lines(tree.body)[:3000]
    crumbs = find_breadcrumb(tree)
    texts: dict[int, str] = {}  # link texts, read once for list rows and links
    urls: dict[int, str | None] = {}  # link addresses, likewise
    items = ds_items or generic_list_items(tree, base, cms, texts, urls)
    spec = create_page_html(html)
    series = trs_pages(spec, url) if spec is not None else []
    scripted, posting = script_pager(html, base)
    if spec is None:  # createPageHTML not called in the page: a family's own script pager, then generic's
        for hook in profile(cms).pagers + (profile(CmsId.GENERIC).pagers if cms != CmsId.GENERIC else ()):
            scripted += hook(html, base)
    selected, offered = select_targets(tree, base)
    anchors = anchor_texts(tree)  # read once: pager links and the page's shape
    worded = _worded_anchors(tree, tree.body, anchors) if tree.body is not None else []
    link_pages = pagination_links(tree, base, url, worded) + scripted + [p for p in selected if p != url]
    link_pages += feed_urls(html, base)  # rows loaded from a JSON feed ("load more", script-rendered lists)
    shape = page_shape(tree, lines, len(items), anchors)
    shape.list_pager = shape.list_pager or _list_pager(url, series + link_pages, spec)
    shape.part_of = _first_part(url, series + link_pages)
    kind, page_class, reason = classify(url, cms, shape, crumbs)
    if ds_items and kind != "article":
        kind, page_class, reason = "list", "list", f"Hanweb datastore records ({len(ds_items)})"
    pages: list[str] = []
    parts: list[str] = []
    if spec is not None:
        if kind == "article" or re.fullmatch(r"t\d{8}_\d+", spec[2]):
            parts = series
        else:
            pages = series
    if ds_items:
        pages += hanweb_proxy_urls(html, url, len(ds_items), total)
    if kind in ("article", "part"):
        parts += [p for p in link_pages if is_part_of(p, url)] + ([shape.part_of] if shape.part_of else [])
    else:
        pages += link_pages
    pages, parts = _dedupe(pages), _dedupe(parts)
    if kind == "article":
        items = []
    links = _collect_links(tree, base, {i.url for i in items}, set(pages) | set(parts), set(crumbs), texts,
                           urls)
    written = [absolutize(w, base) for w in written_links(html)]
    links += [Link(u, "", "other") for u in _dedupe(written + offered) if u]
    named = _meta(tree, "ColumnName")
    if named is not None and _compact(named).lower() in _HOME_WORDS:
        named = None  # <meta name="ColumnName" content="首页">: the site's home (or a page filed there) is no column
    column = named or (crumbs[-1] if crumbs else None)
    unreachable = unreachable_pager(html, lines, pages, posting, _script_only(tree, worded), len(items)) \
        if kind == "list" or page_class == "column-home" else None
    listed_nowhere = addressless_items(tree) if kind == "list" or page_class == "column-home" else []
    return PageInfo(cms=cms, kind=kind, breadcrumb=crumbs, column_name=column, links=links, list_items=items,
                    pagination=pages, site_facts=site_facts_from_text("\n".join(lines)),
                    page_class=page_class, reason=reason, unreachable=unreachable, addressless=listed_nowhere)


def _script_only(tree: LexborHTMLParser, worded: list[tuple[LexborNode, str]] | None = None) -> int:
    """Pager links (下一页, numbers) whose href is javascript: and whose onclick opens no URL (worded: the body's
    _worded_anchors, when found)."""
    if tree.body is None:
        return 0
    return sum(1 for anchor, _ in (_worded_anchors(tree, tree.body) if worded is None else worded)
               if attr(anchor, "href").strip().lower().startswith("javascript")
               and not open_targets(attr(anchor, "onclick")))


# File names of whole articles whose `_N` variants are their parts: TRS t{date}_{id}, Hanweb art_{col}_{id}, DedeCMS {id}.
_PART_BASE = re.compile(r"t\d{8}_\d+|art_\d+_\d+|\d+", re.A)


def _article_stem(path: str) -> str:
    """The path without extension, and without the `_N` suffix when the page is itself a part."""
    stem = path.rsplit(".", 1)[0]
    head, sep, tail = stem.rpartition("_")
    if sep and tail.isascii() and tail.isdigit() and _PART_BASE.fullmatch(head.rsplit("/", 1)[-1]):
        return head
    return stem


def is_part_of(candidate: str, url: str) -> bool:
    """True when candidate is the article at url, or its own name plus `_N` (part pages share their first part's)."""
    try:
        stem = _article_stem(urlsplit(url).path)
        cand = urlsplit(candidate).path
    except ValueError:
        return False
    return bool(re.fullmatch(re.escape(stem) + r"(?:_\d+)?\.\w+", cand))


def _dedupe(urls: list[str]) -> list[str]:
    """Order-preserving de-duplication."""
    return list(dict.fromkeys(urls))

