"""Page discovery: CMS fingerprint, page kind, breadcrumb, links, list entries, pagination and footer facts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers._common import (
    absolutize,
    ancestors,
    attr,
    base_href,
    is_attachment_url,
    is_viewer_url,
    klass_id,
    open_targets,
    parse_date,
    parse_html,
    parse_short_date,
    same_site,
    text_of,
    viewer_target,
    year_from_url,
)
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

    cms: str
    kind: str
    breadcrumb: list[str] = field(default_factory=list)
    column_name: str | None = None
    links: list[Link] = field(default_factory=list)
    list_items: list[ListItem] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)
    article_parts: list[str] = field(default_factory=list)
    site_facts: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- URL kinds

ARTICLE_URL = re.compile(
    r"(/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?$"
    r"|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"
    r"|[?&]a=show(?:&|$)"
    r"|/(?:19|20)\d{2}/\d{4}/\d+(?:_\d+)?\.html$"
    r"|/content_\d+\.s?html?$"
    r"|/post_\d+\.html$"
    r"|/articleinfo-\d+\.html$"
    r"|/info/\d+/\d+\.htm$"
    r"|/(?:art|article|news|detail|content|show|view)[_-]?(?:detail|show|view|info)?[_-]?\d+\.(?:s?html?|jsp|aspx?|php)$"
    r"|(?:detail|show|view|newsinfo|articleshow|article_show|news_show|shownews)\w*\.(?:jsp|aspx?|php|do)\?.*id=\d+)",
    re.I,
)
LIST_URL = re.compile(
    r"(/col/col\d+/(?:index(?:_\d+)?\.html)?$"
    r"|/index_\d+\.s?html?$"
    r"|/list_\d+(?:_\d+)?\.s?html?$"
    r"|[?&]a=lists(?:&|$)"
    r"|/articlecolumn\.html$|/piccolumn\.html$"
    r"|dataproxy\.jsp"
    r"|/(?:list|column|lanmu|more)\w*\.(?:jsp|aspx?|php|do|s?html?)(?:\?|$)"
    r"|/gkmlpt/(?:index|mindex)"
    r"|/(?:col|list)/\d+(?:_\d+)?(?:\.s?html?)?$)",
    re.I,
)
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php", "/index.asp",
               "/index.aspx", "/default.htm", "/default.html", "/default.aspx", "/default.asp", "/main.html", "/portal/"}


def url_kind(url: str) -> str | None:
    """Page kind suggested by the URL alone ('home', 'article', 'list') or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path.lower()
    if path in _HOME_PATHS and not parts.query:
        return "home"
    tail = path + ("?" + parts.query if parts.query else "")
    if ARTICLE_URL.search(tail):
        return "article"
    if LIST_URL.search(tail):
        return "list"
    return None


# ---------------------------------------------------------------- CMS fingerprint

_CMS_MARKS = {
    "hanweb": ("大汉版通", "jcms_files", "/module/jslib/", "/module/web/jpage", "<datastore", "hanweb", "jpage/"),
    "trs": ("trs_editor", "trs_autoadd", "trs_web_style", "/wcm", "createpagehtml", "trs wcm", "trs_paper"),
    "kaipuyun": ("ucap-content", "kaipuyun", "ucap", "pages_content", "firstpublishedtime"),
    "gkmlpt": ("/gkmlpt/",),
    "dedecms": ("dedecms", "/plus/count.php", "/plus/search.php", "dede_", "powered by dedecms", "/plus/list.php"),
    "phpcms": ("phpcms", "m=content&c=index", "m=content&amp;c=index", "/statics/js/", "index.php?m=content"),
}
_CMS_URLS = {
    "hanweb": re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|/col/col\d+/|dataproxy\.jsp", re.I),
    "trs": re.compile(r"/t(?:19|20)\d{6}_\d+(?:_\d+)?\.s?html?", re.I),
    "kaipuyun": re.compile(r"/content_\d+\.s?html?", re.I),
    "gkmlpt": re.compile(r"/gkmlpt/", re.I),
    "dedecms": re.compile(r"/list_\d+_\d+\.html|/a/[\w/]+/(?:19|20)\d{2}/\d{4}/\d+\.html", re.I),
    "phpcms": re.compile(r"index\.php\?m=content", re.I),
}


def detect_cms(html: str, url: str) -> str:
    """Fingerprint the CMS from markup and URL: trs, hanweb, dedecms, phpcms, kaipuyun, gkmlpt or generic."""
    low = (html or "")[:MAX_HTML].lower() if isinstance(html, str) else ""
    url = url or ""
    scores: dict[str, int] = {}
    for cms, marks in _CMS_MARKS.items():
        score = sum(2 for mark in marks if mark in low)
        if _CMS_URLS[cms].search(url):
            score += 3
        if score:
            scores[cms] = score
    if "gkmlpt" in scores:
        scores["gkmlpt"] += 3
    meta = re.search(r"<meta[^>]{0,200}name=[\"']?generator[\"']?[^>]{0,200}>", low[:20000])
    if meta:
        gen = meta.group(0)
        for cms, word in (("trs", "trs"), ("hanweb", "大汉"), ("dedecms", "dede"), ("phpcms", "phpcms")):
            if word in gen:
                scores[cms] = scores.get(cms, 0) + 5
    if not scores:
        return "generic"
    return max(scores.items(), key=lambda kv: kv[1])[0]


# ---------------------------------------------------------------- breadcrumb

_CRUMB_MARKERS = ("您现在的位置", "你现在的位置", "您当前的位置", "您当前位置", "当前位置", "您的位置", "你的位置",
                  "所在位置", "现在位置", "当前的位置", "您所在的位置", "位置")
_CRUMB_CLASS = re.compile(r"crumb|position|location|dqwz|weizhi|lujing|curpos|bread|\bpath\b|\bnav_?path|\bpos\b|\bsite_?nav", re.I)
_CRUMB_NAMED = ":is([class], [id]):is(div, p, span, td, ul, ol, nav, section)"  # candidates (_crumb_tagged walks to them)


def _tag_ids(names: tuple[str, ...]) -> frozenset[int]:
    """Lexbor's tag ids of some HTML tag names."""
    tree = LexborHTMLParser("<table><tr><td></td></tr></table>" + "".join(f"<{name}></{name}>" for name in names))
    return frozenset(node.tag_id for node in tree.body.traverse() if node.tag in names)


_CRUMB_TAG_IDS = _tag_ids(("div", "p", "span", "td", "ul", "ol", "nav", "section"))  # the tags of _CRUMB_NAMED
_CRUMB_SEP = re.compile(r"\s*(?:>>|»|›|>|＞|→|/|\\|\||－|—)\s*")
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


def _trim_crumb(parts: list[str]) -> list[str] | None:
    """Items after 首页 with the trailing 正文/详情 dropped; None if this is no breadcrumb."""
    items = [p for p in parts if p]
    for i, part in enumerate(items):
        if _compact(part).lower() in _HOME_WORDS:
            items = items[i + 1:]
            break
    while items and _compact(items[-1]) in _TAIL_WORDS:
        items.pop()
    if len(items) > 10 or any(len(p) > 60 for p in items):
        return None
    return items


_Texts = list[tuple[int, LexborNode, str]]  # (walk position, node, text) of text nodes, as _fields.text_nodes gives
_CRUMB_SCAN = 60000  # body nodes a breadcrumb search looks at


def _body_texts(body: LexborNode, texts: _Texts | None, word: str) -> Iterable[tuple[int, LexborNode, str]]:
    """(walk position, node, text) of the body's text nodes holding word, from the page's text nodes when known."""
    if texts is not None:
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


def _crumb_nodes(tree: LexborHTMLParser, texts: _Texts | None = None) -> Iterator[tuple[LexborNode, str]]:
    """Candidate breadcrumb containers with their text, best first (lazily: the first that yields items wins)."""
    body = tree.body
    if body is None:
        return
    found = 0
    for node_text in _marker_crumbs(_body_texts(body, texts, "位置")):
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


def _crumb_tagged(body: LexborNode) -> Iterator[LexborNode]:
    """body's elements with a tag of _CRUMB_NAMED, in document order (lazily: a walk that stops early is cheap)."""
    for node in body.traverse():
        if node.tag_id in _CRUMB_TAG_IDS:
            yield node


def _marker_crumbs(marked: Iterable[tuple[int, LexborNode, str]]) -> Iterator[tuple[LexborNode, str]]:
    """Containers of text nodes (those holding 位置, from _body_texts) that carry a 当前位置-style marker, in order."""
    for i, node, content in marked:
        if i > _CRUMB_SCAN:
            break
        if len(content) >= 20 and not any(m in content for m in _CRUMB_MARKERS[:-1]):
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


def find_breadcrumb(tree: LexborHTMLParser, texts: _Texts | None = None) -> list[str]:
    """Breadcrumb names between 首页 and the page itself (texts: the body's text_nodes, when known)."""
    try:
        for node, text in _crumb_nodes(tree, texts):
            items = _trim_crumb(_crumb_parts(node, text))
            if items:
                return items
        return _loose_crumb(tree, texts)
    except Exception:
        return []


def _loose_crumb(tree: LexborHTMLParser, texts: _Texts | None = None) -> list[str]:
    """Breadcrumb without marker or class: a short line starting with 首页 and using separators."""
    body = tree.body
    if body is None:
        return []
    for i, node, _ in _body_texts(body, texts, "首页"):
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
        match = re.search(r"\b" + re.escape(token) + r"\s*=\s*[\"']?([\w.\-]+)[\"']?\s*[;,\n]", script)
        return match.group(1) if match else None
    return None


def create_page_html(html: str) -> tuple[int, int, str, str] | None:
    """(count, current, name, ext) of the first resolvable createPageHTML call."""
    if "createPageHTML" not in html:  # a quicker search than the pattern's
        return None
    for match in _CPH.finditer(html[:MAX_HTML]):
        args = [a for a in match.group(1).split(",")]
        if len(args) < 4:
            continue
        values = [_resolve_arg(a, html[:MAX_HTML]) for a in args[:4]]
        if any(v is None for v in values):
            continue
        count, current, name, ext = values
        if not (count.isdigit() and current.isdigit()) or not re.fullmatch(r"[\w.\-]{1,100}", name + ext):
            continue
        return int(count), int(current), name, ext
    return None


def _trs_pages(spec: tuple[int, int, str, str], url: str) -> list[str]:
    """URLs of the other pages of a createPageHTML series."""
    count, current, name, ext = spec
    out = []
    for i in range(min(count, 5000)):
        if i == current:
            continue
        out.append(urljoin(url, f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}"))
    return out


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


def _row_of(anchor: LexborNode) -> LexborNode:
    """The list row holding an anchor (nearest li/tr/dd/p, else its parent)."""
    for i, node in enumerate(ancestors(anchor, 6)):
        if node.tag in _ROW_TAGS:
            return node
        if i == 0 and node.tag in ("body", "html"):
            return anchor
    return anchor.parent if anchor.parent is not None else anchor


def _signature(node: LexborNode) -> tuple:
    """Tag/class chain of a row and its ancestors, used to group rows of one list."""
    sig = [(node.tag, attr(node, "class"))]
    for parent in ancestors(node, 3):
        sig.append((parent.tag, attr(parent, "class")))
    return tuple(sig)


def _anchor_title(anchor: LexborNode) -> str:
    """A list entry's title: the title attribute when it is the fuller one, else the link text."""
    text, title = text_of(anchor), normalize_space(attr(anchor, "title"))
    if title and (len(title) >= len(text) or text.endswith(("…", "...", "..")) or not text):
        return title
    return text


def _entry_date(anchor: LexborNode, row: LexborNode, title: str, url: str, single: bool) -> str | None:
    """Date shown next to a list entry."""
    year = year_from_url(url)
    sib = anchor.next
    for _ in range(4):
        if sib is None:
            break
        txt = text_of(sib) if sib.tag != "-text" else normalize_space(sib.text_content or "")
        if txt:
            found = parse_short_date(txt, year)
            if found:
                return found
        sib = sib.next
    if single:
        return parse_short_date(text_of(row).replace(title, " "), year)
    return None


def generic_list_items(tree: LexborHTMLParser, base: str) -> list[ListItem]:
    """Article entries of list containers: groups of ≥3 similar rows with dates or article-like URLs."""
    body = tree.body
    if body is None:
        return []
    groups: dict[tuple, list[tuple[ListItem, bool]]] = defaultdict(list)
    anchors = body.css("a[href]")[:5000]
    rows_count: dict[int, int] = defaultdict(int)
    rows = []
    for anchor in anchors:
        row = _row_of(anchor)
        rows_count[row.mem_id] += 1
        rows.append((anchor, row))
    for anchor, row in rows:
        url = absolutize(attr(anchor, "href"), base)
        if not url or is_attachment_url(url):
            continue
        title = _anchor_title(anchor)
        if len(title) < 4 or title in _PAGE_WORDS:
            continue
        date = _entry_date(anchor, row, title, url, rows_count[row.mem_id] == 1)
        article_like = url_kind(url) == "article"
        groups[_signature(row)].append((ListItem(url, title, date), article_like))
    items: list[ListItem] = []
    seen: set[str] = set()
    for members in groups.values():
        if len(members) < 3:
            continue
        dated = sum(1 for item, _ in members if item.date)
        articles = sum(1 for _, art in members if art)
        if dated * 2 < len(members) and articles * 2 < len(members):
            continue
        for item, _ in members:
            if item.url not in seen:
                seen.add(item.url)
                items.append(item)
    return items


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
    try:
        raw = anchor.text(deep=True)
    except Exception:
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


def _worded_anchors(tree: LexborHTMLParser, body: LexborNode) -> list[tuple[LexborNode, str]]:
    """(anchor, _link_word) of the first 5000 matches of 'a[href], a[onclick]' in body that have a pagination word."""
    quick = _worded_anchors_quick(tree, body)
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


def _worded_anchors_quick(tree: LexborHTMLParser, body: LexborNode) -> list[tuple[LexborNode, str]] | None:
    """_worded_anchors from the document's <a> elements (a cheaper lookup than a selector); None when it may differ."""
    anchors = tree.tags("a")
    if not anchors:
        return []
    if len(anchors) > 2500 or not (_within(anchors[0], body) and _within(anchors[-1], body)):
        return None  # the selector's cut at 5000 could apply, or some <a> lies outside the body
    found: list[tuple[LexborNode, str]] = []
    for anchor in anchors:
        word = _link_word(anchor)
        if word is None:
            continue
        names = anchor.attributes
        if any(":" in name for name in names):
            return None  # [href] also matches a foreign attribute such as xlink:href
        found += [(anchor, word)] * (("href" in names) + ("onclick" in names))  # the selector lists it once per match
    return found


def _pagination_links(tree: LexborHTMLParser, base: str, url: str) -> list[str]:
    """List-page URLs from 下一页/尾页/numbered links, with the numbered series filled in."""
    body = tree.body
    if body is None:
        return []
    found: list[str] = []
    for anchor, text in _worded_anchors(tree, body):
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


def _in_nav(node: LexborNode) -> bool:
    """True when an element sits in a navigation/menu container."""
    return any(parent.tag == "nav" or _NAV_CLASS.search(klass_id(parent)) for parent in ancestors(node, 10))


def _collect_links(tree: LexborHTMLParser, base: str, items: set[str], pages: set[str], crumbs: set[str]) -> list[Link]:
    """All outgoing links of a page, classified and de-duplicated."""
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
    for node in root.css("a, area, img, iframe, embed, object, [onclick]")[:20000]:
        tag = node.tag
        text = text_of(node) if tag in ("a", "area") else ""
        if tag in ("a", "area"):
            url = absolutize(attr(node, "href"), base)
            kind = "nav" if url and (text in crumbs or _in_nav(node)) else "other"
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


# ---------------------------------------------------------------- page kind

_INFO_LINE = re.compile(r"(发布时间|发布日期|发表时间|更新时间|日期|时间|来源)\s*[:：]")


def _article_like(tree: LexborHTMLParser) -> bool:
    """Content test: a dated info line near a title, and a substantial text block."""
    lines = node_lines(tree.body)[:3000]
    dated = any(len(line) < 200 and _INFO_LINE.search(line) and parse_date(line) for line in lines)
    if not dated:
        dated = any(len(line) < 40 and parse_date(line) and len(re.sub(r"[\d\-/:. 年月日]", "", line)) < 6
                    for line in lines)
    longest = max((len(line) for line in lines), default=0)
    return dated and longest >= 80


def _is_datastore_only(html: str, url: str) -> bool:
    """True for a bare dataproxy XML answer."""
    head = html[:2000].lower()
    return "dataproxy" in (url or "").lower() or (("<datastore" in head or head.lstrip().startswith("<?xml"))
                                                  and "<body" not in head)


def _classify(url: str, tree: LexborHTMLParser, items: list[ListItem]) -> str:
    """Page kind from URL patterns first, else from content."""
    by_url = url_kind(url)
    if by_url:
        return by_url
    article = _article_like(tree)
    if article and len(items) < 8:
        return "article"
    if len(items) >= 3:
        return "list"
    return "article" if article else "other"


def analyse_page(html: str, url: str) -> PageInfo:
    """Everything the crawler needs to know about one page."""
    html = html[:MAX_HTML] if isinstance(html, str) else ""
    cms = detect_cms(html, url)
    try:
        return _analyse(html, url, cms)
    except Exception:
        return PageInfo(cms=cms, kind="other")


def _meta(tree: LexborHTMLParser, name: str) -> str | None:
    """Content of <meta name=...> (case-insensitive)."""
    for node in tree.css("meta")[:300]:
        key = (attr(node, "name") or attr(node, "property") or attr(node, "http-equiv")).lower()
        if key == name.lower():
            value = normalize_space(attr(node, "content"))
            return value or None
    return None


def _analyse(html: str, url: str, cms: str) -> PageInfo:
    """analyse_page without the safety net."""
    if "<datastore" in html.lower() or "<record" in html.lower():
        ds_items, total = parse_datastore(html, url)
    else:
        ds_items, total = [], None
    if _is_datastore_only(html, url):
        return PageInfo(cms="hanweb", kind="list", list_items=ds_items,
                        links=[Link(i.url, i.title, "list_item") for i in ds_items])
    tree = parse_html(html)
    if tree is None:
        return PageInfo(cms=cms, kind="other")
    base = base_href(tree, url)
    crumbs = find_breadcrumb(tree)
    items = ds_items or generic_list_items(tree, base)
    kind = _classify(url, tree, items)
    if ds_items and kind != "article":
        kind = "list"
    pages: list[str] = []
    parts: list[str] = []
    spec = create_page_html(html)
    if spec is not None:
        series = _trs_pages(spec, url)
        if kind == "article" or re.fullmatch(r"t\d{8}_\d+", spec[2]):
            parts = series
        else:
            pages = series
    if ds_items:
        pages += hanweb_proxy_urls(html, url, len(ds_items), total)
    link_pages = _pagination_links(tree, base, url)
    if kind == "article":
        parts += [p for p in link_pages if _is_part_of(p, url)]
    else:
        pages += link_pages
    pages, parts = _dedupe(pages), _dedupe(parts)
    if kind == "article":
        items = []
    links = _collect_links(tree, base, {i.url for i in items}, set(pages) | set(parts), set(crumbs))
    column = _meta(tree, "ColumnName") or (crumbs[-1] if crumbs else None)
    return PageInfo(cms=cms, kind=kind, breadcrumb=crumbs, column_name=column, links=links, list_items=items,
                    pagination=pages, article_parts=parts, site_facts=site_facts_from_text("\n".join(node_lines(tree.body))))


# File names of whole articles whose `_N` variants are their parts: TRS t{date}_{id}, Hanweb art_{col}_{id}, DedeCMS {id}.
_PART_BASE = re.compile(r"t\d{8}_\d+|art_\d+_\d+|\d+", re.A)


def _article_stem(path: str) -> str:
    """The path without extension, and without the `_N` suffix when the page is itself a part."""
    stem = path.rsplit(".", 1)[0]
    head, sep, tail = stem.rpartition("_")
    if sep and tail.isascii() and tail.isdigit() and _PART_BASE.fullmatch(head.rsplit("/", 1)[-1]):
        return head
    return stem


def _is_part_of(candidate: str, url: str) -> bool:
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

