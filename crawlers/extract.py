"""Article extraction: title, dates, 信息公开 metadata, cleaned body, attachments, images, 暗链."""

from __future__ import annotations

import html as html_lib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import accumulate, islice
from urllib.parse import urlsplit

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

from consolidate.core.records import ArticleRecord, AttachmentRef
from crawlers._common import (
    ATTACH_EXTS,
    MAX_DEPTH,
    MAX_NODES,
    absolutize,
    ancestors,
    attr,
    base_href,
    date_from_url,
    date_span,
    doc_order,
    filename_from_url,
    hidden_selectors,
    host_of,
    is_attachment_url,
    is_foreign,
    is_inside,
    is_viewer_url,
    iso,
    klass_id,
    nests_deeper,
    open_targets,
    parse_date,
    parse_html,
    style_hides,
    tag_ids,
    text_of,
    too_deep,
    viewer_target,
)
from crawlers._fields import (
    _VALUE_STRIP,
    LABEL_FIELD,
    LABEL_RE,
    META_FIELDS,
    TEXT_NODES_CAP,
    TextNodes,
    compact,
    has_colon,
    has_label,
    joined_texts,
    label_count,
    label_pairs,
    table_fields,
    text_nodes,
)
from crawlers.body import (
    _ATTACH_LABEL,
    _ATTACH_WORDS,
    _CLEAN_CONTENT,
    _CRUMB_TRAIL,
    _CRUMB_WORDS,
    _DROP_TAGS,
    _FURNITURE,
    _FURNITURE_WORDS,
    _LINE_BLOCKS,
    _MEDIA_CONTENT,
    _NOT_BODY_RE,
    _PREV_NEXT,
    _PREV_NEXT_WORDS,
    _SHARE_RE,
    _SITE_FOOTER,
    _TAIL_HEADING,
    _TAIL_WORDS,
    _TIER2_RE,
    _VENDOR_HOSTS,
    ALLOWED_ATTRS,
    ALLOWED_TAGS,
    _chrome_image,
    _dead_href,
    _entries,
    _holds,
    _holds_file_link,
    _names_file,
    _nav_like,
    _paragraph_links,
    _runs,
    _stats,
    _tier1,
    _usable_stats,
    any_word,
    locate_body,
    named_runs,
)
from crawlers.discover import (
    create_page_html,
    find_breadcrumb,
    is_part_of,
    pagination_links,
    site_facts_from_text,
    trs_pages,
)
from crawlers.text import (
    MAX_HTML,
    TAG_NAMES,
    PageWalk,
    html_to_text,
    node_lines,
    node_text,
    normalize_space,
    safe_text,
)

TRAFILATURA_MAX = 1_500_000

def body_location(html: str, url: str) -> str:
    """How the generic path finds a page's article body: container, region, trafilatura, heuristic or none."""
    page = _page(html, url)
    if page is None or page.deep:
        return "none"
    return locate_body(page.tree, html, url, page.order, page.named(), page.table_node)[1]


# ---------------------------------------------------------------- title

_TITLE_CLASS = re.compile(r"title|biaoti|\bbt\b|_bt\b|\bbt_|heading|headline|\btit\b|_tit\b|\btit_", re.I)


def _title_named(key: str) -> bool:
    """True when a lower-cased class and id (klass_id) name a title: _TITLE_CLASS finds a t or "head" in every name it
    matches (no other letter folds to those under re.I), so a key without both is answered without the pattern, which
    has no literal to search for and is tried at every position."""
    return ("t" in key or "head" in key) and _TITLE_CLASS.search(key) is not None
_TITLE_SPLIT = re.compile(r"\s*(?:-{2,}|——|—|–|－|_|\||｜|::|:：)\s*|\s+-\s*|\s*-\s+|(?<![0-9A-Za-z])-(?![0-9A-Za-z])")
# a hyphen between letters or digits ("2020-2021", "COVID-19") joins words, it does not separate a site name
_SITE_NAME_LIKE = re.compile(r"(?:网|网站|门户|网站群|主页|首页|平台|频道)[!！。]?$")


def meta_map(tree: LexborHTMLParser) -> dict[str, str]:
    """Lower-cased <meta name/property/http-equiv> → content (first wins)."""
    return _meta_of(tree.css("meta")[:500])


def _meta_of(metas: list[LexborNode]) -> dict[str, str]:
    """meta_map of a tree's <meta> elements."""
    out: dict[str, str] = {}
    for node in metas:
        _add_meta(out, node.attributes)
    return out


def _add_meta(out: dict[str, str], attrs: dict[str, str | None], wanted: frozenset[str] | None = None) -> None:
    """Record one <meta>'s name/property/http-equiv → content unless that name is known already (or not wanted)."""
    key = ((attrs.get("name") or "").strip() or (attrs.get("property") or "").strip() or
           (attrs.get("http-equiv") or "").strip()).lower()
    if wanted is not None and key not in wanted:
        return
    value = normalize_space((attrs.get("content") or "").strip())
    if key and value and key not in out:
        out[key] = value


def _title_tag(tree: LexborHTMLParser) -> str:
    """Text of <title>."""
    node = tree.css_first("title")
    return text_of(node) if node is not None else ""


_TITLE_TAGS = ("td", "div", "span", "p", "strong", "font", "b", "h4")
_TITLE_TAG_SET = frozenset(_TITLE_TAGS)
_HEADINGS = ("h1", "h2", "h3")


_TITLE_ANY = "h1, h2, h3, " + ", ".join(_TITLE_TAGS)


def _title_candidates(tree: LexborHTMLParser, order: dict[int, int] | None = None,
                      named: list[tuple[LexborNode, str]] | None = None) -> list[LexborNode]:
    """Elements that may hold the article title (order: the document order, when known, lets a page of at most
    30000 elements be asked only for its headings and the elements that have a class or id; named: the body's
    named_runs, when known, answer that question)."""
    body = tree.body
    if body is None:
        return []
    out = []
    if order is not None and len(order) <= 30000:
        found = _entries(named_runs(body) if named is None else named, _HEADINGS, _TITLE_TAG_SET)
    else:
        found = body.css(_TITLE_ANY)
    for node in found[:30000]:
        if node.tag in ("h1", "h2", "h3") or _title_named(klass_id(node)):
            out.append(node)
        if len(out) > 400:
            break
    return out


def _leads(node: LexborNode, body: LexborNode) -> bool:
    """True when a heading inside the body comes before any of its text (the body opens with its title)."""
    if node.tag not in ("h1", "h2") or not is_inside(node, body):
        return False
    seen = 0
    for inner in body.traverse(include_text=True):
        if inner.mem_id == node.mem_id:
            return True
        seen += len((inner.text_content or "").strip()) if inner.tag == "-text" else 0
        if seen > 20:
            return False
    return False


def _score_title(node: LexborNode, page_title: str, site_name: str, body_pos: int, order: dict[int, int],
                 avoid: set[str], body: LexborNode | None = None) -> float:
    """How much an element looks like the article's title."""
    text = text_of(node)
    if not (4 <= len(text) <= 200) or (site_name and compact(text) == compact(site_name)) or _is_info_line(text):
        return -100  # an <h2>发布时间：… 来源：…</h2> is the header's info line, never its title
    has_block, links = _title_inner(node)
    if links >= 2 or (has_block and node.tag != "td"):
        return -100
    if any(a.tag in ("a", "li", "nav") or (a.tag == "div" and "nav" in klass_id(a)) for a in ancestors(node, 6)):
        return -100
    parent_text = text_of(node.parent) if node.parent is not None else ""
    if _PREV_NEXT.match(parent_text) or _PREV_NEXT.match(text):
        return -100
    score = {"h1": 5.0, "h2": 3.0, "h3": 1.0}.get(node.tag, 0.0)
    if _title_named(klass_id(node)):
        score += 4
    key, full = compact(text), compact(page_title)
    if full and key in full:
        score += 6 if not (full.endswith(key) and len(full) > len(key) + 2) else -4
    if key in avoid:
        score -= 6
    score += min(len(key), 40) / 20
    pos = order.get(node.mem_id, 0)
    if body_pos >= 0:
        score += 1 if pos < body_pos or (body is not None and _leads(node, body)) else -3
    return score


_TITLE_BLOCKS = frozenset(("li", "table", "p", "div", "h1", "h2", "h3"))


def _title_inner(node: LexborNode) -> tuple[bool, int]:
    """(holds a block element below itself, its links — counted up to 2) of a title candidate: a short walk of its
    subtree, or selector queries when the subtree is large."""
    has_block, links = False, 0
    for i, inner in enumerate(node.traverse()):
        if i > 200:
            blocks = [n for n in node.css("li, table, p, div, h1, h2, h3")[:5] if n.mem_id != node.mem_id]
            return bool(blocks), len(node.css("a"))
        if i == 0:
            continue
        tag = inner.tag
        if tag == "a":
            links += 1
        elif tag in _TITLE_BLOCKS:
            has_block = True
        if has_block and links >= 2:
            break
    return has_block, links


def _strip_title_tag(title: str, site_name: str) -> str | None:
    """<title> without the site-name suffix."""
    if not title:
        return None
    if site_name and title.endswith(site_name) and len(title) > len(site_name):
        return title[: -len(site_name)].rstrip(" -_|｜—–－:：") or None
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    return (parts[0] if parts and len(parts[0]) >= 4 else title).strip() or None


def meta_title(meta: dict[str, str], tree: LexborHTMLParser) -> _TitlePick | None:
    """meta ArticleTitle, unless a template filled it with the site's or the column's name."""
    for key in ("articletitle", "article_title"):
        value = meta.get(key)
        if not value:
            continue
        key = compact(plain_title(value) or "")
        if key in (compact(meta.get("sitename", "")), compact(meta.get("columnname", ""))):
            continue
        parts = [p for p in _TITLE_SPLIT.split(_title_tag(tree)) if p] if len(key) <= 40 else []
        if len(parts) < 2 or key != compact(parts[-1]):
            return _TitlePick(value, None, "meta")
    return None


@dataclass
class _TitlePick:
    """The chosen title and where it came from."""

    text: str | None
    node: LexborNode | None = None
    source: str = "none"  # 'meta' | 'node' | 'table' | 'title-tag' | 'none'


def pick_title(tree: LexborHTMLParser, meta: dict[str, str], body: LexborNode | None, table: dict[str, str],
               order: dict[int, int], crumbs: Sequence[str] = (),
               named: list[tuple[LexborNode, str]] | None = None, lines: Sequence[str] = ()) -> _TitlePick:
    """Full article title: meta ArticleTitle, the header element, the 标题 cell, else <title> sans site name."""
    found = meta_title(meta, tree)
    if found is not None:
        return found
    page_title = _title_tag(tree)
    site_name = meta.get("sitename", "")
    body_pos = order.get(body.mem_id, -1) if body is not None else -1
    best, best_score = None, 3.5
    avoid = {compact(c) for c in crumbs} | {compact(meta.get("columnname", ""))}
    scored = []
    for node in _title_candidates(tree, order, named):
        if body is not None and is_inside(node, body) and node.tag not in ("h1", "h2"):
            continue
        score = _score_title(node, page_title, site_name, body_pos, order, avoid, body)
        if score > 0:
            scored.append((node, score))
    nearest = _nearest_above(scored, order, body_pos)
    for node, score in scored:
        if node.mem_id == nearest:
            score += 1.5  # the heading right above the body, not one of a sidebar before it
        if score > best_score:
            best, best_score = node, score
    if best is not None:
        return _TitlePick(text_of(best), best, "node")
    if table.get("title"):
        return _TitlePick(table["title"], None, "table")
    return _title_from_lines(page_title, site_name, avoid, lines, crumbs)


def _nearest_above(scored: list[tuple[LexborNode, float]], order: dict[int, int], body_pos: int) -> int | None:
    """mem_id of the candidate closest above the body in document order (None without a body or a candidate)."""
    if body_pos < 0:
        return None
    above = [(order.get(node.mem_id, -1), node.mem_id) for node, _ in scored if order.get(node.mem_id, -1) < body_pos]
    return max(above)[1] if above else None


def _title_from_lines(page_title: str, site_name: str, avoid: set[str], lines: Sequence[str],
                      crumbs: Sequence[str] = ()) -> _TitlePick:
    """No element looks like the title: the line just above the labelled date line, else a part of <title> the page
    shows, else one that is no site name; site and column names are never titles (None rather than them)."""
    parts = [p for p in _TITLE_SPLIT.split(page_title) if p] if page_title else []
    names = {compact(site_name)} | ({compact(parts[-1])} if len(parts) > 1 else set())
    last_crumb = compact(crumbs[-1]) if crumbs else ""  # a breadcrumb may end with the article's own title
    refused = (avoid | names) - {"", last_crumb}

    def usable(text: str, shortest: int = 4) -> bool:
        key = compact(text)
        return shortest <= len(key) <= 200 and key not in refused and not _is_furniture(text) and \
            not _is_info_line(text) and not _CRUMB_LINE.search(text)

    above = _line_above_date(lines[:400], {compact(part) for part in parts} - refused)
    if above is not None and usable(above):
        return _TitlePick(above, None, "line")
    shown = {compact(line) for line in lines[:400]}
    for part in parts:
        if compact(part) in shown and usable(part, 2) and not _SITE_NAME_LIKE.search(part):
            return _TitlePick(part, None, "title-tag")
    whole = len(parts) == 1 and normalize_space(page_title) or ""  # a <title> with no site name beside it
    stripped = whole or _strip_title_tag(page_title, site_name)
    if stripped and usable(stripped, 1 if whole else 4) and not _SITE_NAME_LIKE.search(stripped):
        return _TitlePick(stripped, None, "title-tag")
    return _TitlePick(None, None, "none")


_CRUMB_LINE = re.compile(r"^\s*(?:当前位置|您的位置|你的位置|所在位置|首页\s*(?:>|»|›|→|/|＞))|(?:>>|»|›|→|＞|>).*(?:>>|»|›|→|＞|>)")


def _line_above_date(lines: Sequence[str], shown: set[str] = frozenset()) -> str | None:
    """The line right above the first labelled publish-date line (发布时间：…), skipping empty-looking ones (shorter
    than 4 characters) unless it is a part of the page's <title> (shown: those parts, compacted: 简介, 领导)."""
    for i, line in enumerate(lines):
        if len(line) > 300 or not has_colon(line):
            continue
        if any(name == "published" and parse_date(value) for name, value in label_pairs(line)):
            for above in reversed(lines[max(0, i - 3):i]):
                if len(compact(above)) >= 4 or (len(compact(above)) >= 2 and compact(above) in shown):
                    return above
            return None
    return None


# ---------------------------------------------------------------- dates and info lines

_META_DATES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "article:published_time", "dc.date",
               "dcterms.issued", "dcterms.created", "createdate", "releasedate")


def _info_region(lines: list[str], title: str | None, body_lines: set[str]) -> list[str]:
    """Page lines from just above the title down to the first real body paragraph (where info lines live)."""
    key = compact(title or "")[:30]
    start = next((i for i, line in enumerate(lines[:5000]) if key and key[0] in line and key in compact(line)), None)
    if start is None:
        return [line for line in lines[:200] if line not in body_lines]
    region = lines[max(0, start - 3): start + 1]
    for line in lines[start + 1: start + 16]:
        if line in body_lines and len(line) >= 40 and not _is_info_line(line):
            break
        region.append(line)
    return region


_DATE_CHARS = re.compile(r"[\s\d\-/:.年月日时分秒（）()\[\]]")


_TWO_DIGIT_YEAR = re.compile(r"(?<![\d\-/.:])(\d{2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d\-/.])"
                             r"(?:\s+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?)?")
_BRACKETED = re.compile(r"【[^】]{0,20}】|\[[^\]]{0,20}\]")


def short_year_date(line: str) -> str | None:
    """A date printed with a two-digit year ("| 19-01-04 |", "12/02/15 10:20") on a line that is only a date: ISO,
    the year taken in the century that keeps it from lying in the future."""
    rest = _BRACKETED.sub("", line)
    match = _TWO_DIGIT_YEAR.search(rest)
    if match is None or len(_DATE_CHARS.sub("", rest[:match.start()] + rest[match.end():]).strip("|｜丨")) > 4:
        return None
    yy, _, month, day, hour, minute, second = match.groups()
    century = 2000 if int(yy) <= (date.today().year % 100) + 1 else 1900
    return iso(century + int(yy), int(month), int(day), *(int(v) if v else None for v in (hour, minute, second)))


_BYLINE_FIELDS = ("source", "publisher", "_other")  # who wrote, edited, sent or counted: not a date of their own
_DATED_LABELS = frozenset(("生效日期", "废止日期"))
BYLINE_LINES = 3  # a byline's date is read only on the lines right under the title


def _byline_date(line: str, span: tuple[int, int]) -> bool:
    """True when the line's one date ends a byline of people and sources (作者：… 编辑：… 2019-07-17 14:01:52):
    the page shows it under the title with no label of its own."""
    if line[span[1]:].strip(" |｜丨\u3000") or date_span(line[:span[0]]) is not None:
        return False
    labels = [compact(match.group("label")) for match in LABEL_RE.finditer(line[:span[0]])]
    return bool(labels) and all(LABEL_FIELD.get(label) in _BYLINE_FIELDS and label not in _DATED_LABELS
                                for label in labels)


def _standalone_date(region: list[str], title: str | None) -> str | None:
    """A line that is just a date/time shown right under the title (a two-digit year too), or the date that ends
    the byline there."""
    started = not title
    key = compact(title)[:30] if title else ""
    after = 0  # lines read since the title
    for line in region:
        if not started:
            started = bool(title) and key[:1] in line and key in compact(line)
            continue
        after += 1
        if len(line) > 150:
            continue
        span = date_span(line)
        if not span:
            short = short_year_date(line) if len(line) <= 80 and ("-" in line or "/" in line or "." in line) else None
            if short:
                return short
            continue
        if len(line) <= 60 and len(_DATE_CHARS.sub("", _BRACKETED.sub("", line)).strip("|｜丨")) <= 4:
            return parse_date(line)
        if _PUBLISHED_WORD.fullmatch(line[:span[0]]):  # 发布于 2021年5月1日 作者 admin: a byline with no colon
            return parse_date(line[span[0]:span[1]])
        label = LABEL_RE.search(line)
        if label is not None and span[1] <= label.start() and len(compact(line[:span[0]])) <= 2:
            return parse_date(line[span[0]:span[1]])
        if after <= BYLINE_LINES and label is not None and _byline_date(line, span):
            return parse_date(line[span[0]:span[1]])
    return None


_PUBLISHED_WORD = re.compile(r"\s*(?:发布|发表|刊发|发稿)(?:于|时间|日期)?\s*|\s*(?:posted|published)(?:\s+on)?\s*", re.I)
# what a byline opens with when it shows the publish date with no label colon (WordPress: 发布于 …)
_VALUE_LEAD = 4  # characters a date label's value may show before its date (【, 星期二, a stray colon)


def labelled_date(value: str) -> str | None:
    """The date a date label's value gives: the value opens with it. A sentence that mentions a date under a bare
    时间/日期 label (时间：本项目报名截止时间是2021年1月15日17:00) is not the page's date."""
    span = date_span(value)
    if span is not None:
        lead = compact(value[:span[0]]).strip(_VALUE_STRIP)
        return parse_date(value[span[0]:]) if len(lead) <= _VALUE_LEAD else None
    return short_year_date(value)


def _visible_date(shown: list[str | None], region: list[str], title: str | None) -> str | None:
    """The page's visible publish date; among candidates for the same day, the one that shows a time."""
    found = [d for d in (labelled_date(v) for v in shown if v) if d]
    standalone = _standalone_date(region, title)
    if standalone:
        found.append(standalone)
    if not found:
        return None
    timed = [d for d in found if len(d) > 10 and d[:10] == found[0][:10]]
    return timed[0] if timed else found[0]


_SCRIPT_DATE_NAMES = ("pubdate", "pubdata", "pubtime", "publishdate", "publishtime", "publish_time", "publish_date",
                      "releasedate", "releasetime", "docreltime", "fbsj", "fbrq", "fbtime", "str_pubdate")
_SCRIPT_DATE = re.compile(r"(?<![\w.])(?:var\s+|let\s+|const\s+)?(" + "|".join(_SCRIPT_DATE_NAMES) +
                          r")\s*=\s*[\"']([^\"'<>]{6,40})[\"']", re.I)


_FOLDED = "\u0130\u0131\u017f\u212a"  # İ ı ſ K: matched by i, s, k under re.I, but lower() does not give them


_SCRIPT_DATE_STEMS = ("pub", "release", "docreltime", "fb")  # every name of _SCRIPT_DATE_NAMES holds one


def _names_a_date(code: str) -> bool:
    """False when _SCRIPT_DATE cannot match in a script: none of its variable names is in it, whatever the case
    (the names are looked for only when one of their stems is there)."""
    low = code.lower()
    return (any(stem in low for stem in _SCRIPT_DATE_STEMS) and any(name in low for name in _SCRIPT_DATE_NAMES)) or \
        any(char in code for char in _FOLDED)


def script_date(scripts: Sequence[tuple[LexborNode, str]]) -> str | None:
    """A publish date a CMS template keeps in a script variable (TRS `var pubdate = "…"`) and writes on the page
    (scripts: the page's (script, code) pairs)."""
    for _script, code in scripts:
        if "=" not in code:
            continue
        code = code[:100000]
        if not _names_a_date(code):  # the pattern has no literal prefix: it would be tried at every position
            continue
        for _name, value in _SCRIPT_DATE.findall(code):
            found = parse_date(value) or short_year_date(value)
            if found:
                return found
    return None


def _site_names(page: _Page) -> set[str]:
    """Names the site calls itself: meta SiteName, the <title> suffix, the footer 主办单位."""
    names = {page.meta.get("sitename", "")}
    title = _title_tag(page.tree)
    parts = [p for p in _TITLE_SPLIT.split(title) if p]
    if len(parts) > 1:
        names.add(parts[-1])
    organiser = site_facts_from_text("\n".join(page.lines()[-40:])).get("organiser")
    names.add(organiser or "")
    return {compact(n) for n in names if n}


def _meta_source(page: _Page) -> str | None:
    """meta ContentSource unless it is just the site's own name (a template default)."""
    value = page.meta.get("contentsource")
    if not value or compact(value) in _site_names(page):
        return None
    return value


def _visible_fields(pairs: list[tuple[tuple[str, str], ...]]) -> dict[str, str]:
    """label：value fields of the info lines (pairs: label_pairs of each line up to 300 characters; first occurrence
    wins)."""
    found: dict[str, str] = {}
    for line_pairs in pairs:
        for name, value in line_pairs:
            if value and name not in found:
                found[name] = value
    return found


_SOURCE_TAIL = re.compile(r"\s*(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{1,2}"
                          r"(?:[:：]\d{1,2})?)?|\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?)\s*$")
_SOURCE_FURNITURE = re.compile(r"\s*[【\[(（]?\s*(?:分享到|分享|打印本页|打印|关闭窗口|关闭|收藏|字号|字体|大\s*中\s*小|"
                               r"浏览次数|阅读次数|点击数|扫一扫|我要纠错|纠错)\s*[】\])）]?.*$")
_SOURCE_FURNITURE_WORDS = ("分享", "打印", "关闭", "收藏", "字号", "字体", "大中小", "浏览", "阅读", "点击", "扫一扫", "纠错")
_URL_LIKE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


def clean_source(value: str | None) -> str | None:
    """A 来源 value without furniture glued to it (" 分享", 打印, the date and time after it); a bare web address or
    an empty value is no source."""
    if not value:
        return None
    if not (" " in value or any(ch.isdigit() for ch in value) or "【" in value or "[" in value or
            any(word in value for word in _SOURCE_FURNITURE_WORDS)):  # a plain name
        return value if value.lower() not in _NO_SOURCE and not _URL_LIKE.match(value) else None
    value = _SOURCE_FURNITURE.sub("", value)
    previous = None
    while previous != value:
        previous, value = value, _SOURCE_TAIL.sub("", value).strip(" |｜丨/\\【】[]()（）:：,，;；　")
    if not value or _URL_LIKE.match(value) or not re.search(r"[\w\u4e00-\u9fff]", value) or \
            value.lower() in _NO_SOURCE:
        return None
    return value


_NO_SOURCE = frozenset(("未知", "不详", "暂无", "无", "空", "null", "none", "undefined"))  # a template's empty value


_ORGANISATION = re.compile(r"^[\u4e00-\u9fff（）()·]{2,30}(?:局|委|委员会|办|办公室|厅|院|部|中心|政府|协会|学会|总会|联合会|"
                           r"所|站|报|网|社|台|处|室|馆|队|署|司|会|集团|公司|大学|学校|街道|乡|镇|村)$")


def _unlabelled_source(region: list[str], title: str | None) -> str | None:
    """An organisation printed without a label after the date on the line under the title ("2020-01-06 市教育局")."""
    key = compact(title or "")[:30]
    started = not key
    for line in region[:12]:
        if not started:
            started = key[:1] in line and key in compact(line)
            continue
        if len(line) > 80 or has_label(line):
            continue
        span = date_span(line)
        if span is None:
            continue
        tail = _SOURCE_FURNITURE.sub("", line[span[1]:]).strip(" |｜丨/　")
        tail = re.sub(r"^\d{1,2}[:：]\d{1,2}(?:[:：]\d{1,2})?\s*", "", tail)
        return tail if _ORGANISATION.match(tail) else None
    return None


_VALIDITY = {"有效": "有效", "现行有效": "有效", "失效": "失效", "已失效": "失效", "废止": "废止", "已废止": "废止",
             "部分失效": "部分失效", "修订": "修订", "已修订": "修订", "是": "有效", "否": "失效"}  # 是否有效：是


def validity_of(value: str | None) -> str | None:
    """有效性 as one of 有效 / 失效 / 废止 / 部分失效 / 修订 (None when the page shows none or something else)."""
    if not value:
        return None
    return _VALIDITY.get(compact(value).strip("。.")) or None


def _body_source(lines: list[str]) -> str | None:
    """信息来源 stated in the first or last lines of the body."""
    for line in lines[:3] + lines[-3:]:
        if len(line) > 120:
            continue
        for name, value in label_pairs(line.strip("（）()")):
            if name == "source" and value:
                return value
    return None


def _resolve_published(visible: str | None, script: str | None, meta: dict[str, str], url: str,
                       warnings: list[str], list_date: str | None = None) -> tuple[str | None, str | None]:
    """(date, which evidence gave it): the visible labelled date, a CMS script variable, meta PubDate, the list
    page's date for this item, the URL date, in that order; a later one never beats an earlier one, conflicts are
    recorded."""
    meta_date = next((parse_date(meta[k]) for k in _META_DATES if meta.get(k) and parse_date(meta[k])), None)
    ranked = [("visible", visible), ("script", script), ("meta", meta_date), ("list", list_date)]
    if not (visible or script or meta_date or list_date):  # the URL is read only when nothing else gave a date
        ranked.append(("url", date_from_url(url)))
    present = [(name, value) for name, value in ranked if value]
    if not present:
        return None, None
    source, value = present[0]
    for name, other in present[1:]:
        if name in ("script", "meta") and other[:10] != value[:10]:
            warnings.append(f"date conflict: {source}={value} {name}={other}")
    if source in ("script", "meta") and len(value) == 10:  # the time another source shows for the same day
        value = next((o for n, o in present[1:3] if n in ("script", "meta") and o[:10] == value and len(o) > 10),
                     value)
    return value, source


# ---------------------------------------------------------------- hidden / spam


def _hidden_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Elements hidden by inline style, the hidden attribute or simple <style> rules."""
    root = tree.root
    if root is None:
        return []
    return _hidden_from(tree, root.css("[style], [hidden]")[:50000], tree.css("style")[:50])


def _hidden_from(tree: LexborHTMLParser, styled: list[LexborNode], styles: list[LexborNode]) -> list[LexborNode]:
    """_hidden_nodes from the tree's elements with a style or hidden attribute and its <style> elements."""
    hidden: list[LexborNode] = []
    for node in styled:
        if node.tag in ("html", "body", "head"):
            continue
        attrs = node.attributes
        if "hidden" in attrs or style_hides((attrs.get("style") or "").strip()):
            hidden.append(node)
    return hidden + _style_hidden(tree, styles)


def _style_hidden(tree: LexborHTMLParser, styles: list[LexborNode]) -> list[LexborNode]:
    """Elements that simple rules of the page's <style> elements hide."""
    hidden: list[LexborNode] = []
    css = " ".join(s.text() for s in styles)
    for selector in hidden_selectors(css):
        try:
            hidden.extend(n for n in tree.css(selector)[:2000] if n.tag not in ("html", "body", "head"))
        except Exception:
            continue
    return hidden


_PAGE_META = frozenset(("articletitle", "article_title", "sitename", "columnname", "contentsource", *_META_DATES))
# the <meta> names extraction reads (a page's _Page.meta holds these only)
_HEAD_TAG_IDS = tag_ids(("meta", "style", "base"))
_PAGE_TAG_IDS = tag_ids(("html", "body", "head"))  # never listed as hidden
_HEAD_TAGS = "meta, style, base, [hidden]"  # what _head_facts asks for before the inline styles
_HIDDEN_CAP = 50000  # the elements _hidden_nodes reads at most
_HEAD_QUERY = "meta, style, base, [style], [hidden]"  # what meta_map and _hidden_nodes ask for, and whether
# base_href has a <base> to read (its own test for one is a walk of the tree; the query finds the same elements)


def _head_facts(tree: LexborHTMLParser, url: str) -> tuple[str, dict[str, str], list[LexborNode]]:
    """base_href, meta_map and _hidden_nodes of a page: its <meta>, <style> and <base> elements (one query, which also
    finds any element with a hidden attribute), then the inline style of each element that has one (a page with a
    hidden attribute, or so many styles that _hidden_nodes caps them, is read by _listed_head_facts)."""
    root = tree.root
    try:
        heads = _runs(root.css(_HEAD_TAGS)) if root is not None else []
        if any(matched > 1 or node.tag_id not in _HEAD_TAG_IDS for node, matched in heads):
            return _listed_head_facts(tree, url)  # an element with a hidden attribute
        styled = root.css("[style]") if root is not None else []
        if len(styled) >= _HIDDEN_CAP:
            return _listed_head_facts(tree, url)
    except Exception:
        return base_href(tree, url), meta_map(tree), _hidden_nodes(tree)
    head = _HeadTags()
    for node, _ in heads:
        head.add(node)
    verdicts: dict[str, bool] = {}  # style_hides of each inline style seen (a page repeats its styles)
    hidden: list[LexborNode] = []
    for node in styled:
        style = node.attrs.get("style") or ""
        verdict = verdicts.get(style)
        if verdict is None:
            verdict = verdicts[style] = style_hides(style.strip())
        if verdict and node.tag_id not in _PAGE_TAG_IDS:
            hidden.append(node)
    if root is not None:
        hidden += _style_hidden(tree, head.styles[:50])
    return base_href(tree, url) if head.has_base else url, head.meta, hidden


class _HeadTags:
    """A page's <meta> names (the first 500 elements), <style> elements and whether it has a <base>, read element by
    element."""

    def __init__(self) -> None:
        """Nothing read yet."""
        self.meta: dict[str, str] = {}
        self.metas = 0
        self.styles: list[LexborNode] = []
        self.has_base = False

    def add(self, node: LexborNode) -> None:
        """Read one <meta>, <style> or <base> element."""
        tag = node.tag
        if tag == "meta":
            self.metas += 1
            if self.metas <= 500:
                _add_meta(self.meta, node.attributes, _PAGE_META)
        elif tag == "style":
            self.styles.append(node)
        else:
            self.has_base = True


def _listed_head_facts(tree: LexborHTMLParser, url: str) -> tuple[str, dict[str, str], list[LexborNode]]:
    """_head_facts from one query of the tree (each element's attributes read once)."""
    root = tree.root
    try:
        found = root.css(_HEAD_QUERY) if root is not None else []
    except Exception:
        return base_href(tree, url), meta_map(tree), _hidden_nodes(tree)
    head = _HeadTags()
    hidden: list[LexborNode] = []
    entries = 0  # how many times "[style], [hidden]" would have listed the elements so far
    verdicts: dict[str, bool] = {}  # style_hides of each inline style seen (a page repeats its styles)
    for node, matched in _runs(found):
        tag_id = node.tag_id  # most entries are [style] elements: an int test, no tag name
        if tag_id in _HEAD_TAG_IDS:
            head.add(node)
            matched -= 1  # its [style], [hidden] matches
        listed = matched if matched < 50000 - entries else 50000 - entries
        if listed <= 0:
            continue
        entries += listed
        if tag_id in _PAGE_TAG_IDS:
            continue
        attrs = node.attributes
        if "hidden" not in attrs:
            style = attrs.get("style") or ""
            verdict = verdicts.get(style)
            if verdict is None:
                verdict = verdicts[style] = style_hides(style.strip())
            if not verdict:
                continue
        hidden += [node] * listed
    if root is not None:
        hidden += _style_hidden(tree, head.styles[:50])
    return base_href(tree, url) if head.has_base else url, head.meta, hidden


def _is_vendor(anchor: LexborNode, url: str) -> bool:
    """CMS vendor fingerprint links (Produced By 大汉网络 ...) are not spam."""
    host = host_of(url)
    return "produced by" in text_of(anchor).lower() or any(host == v or host.endswith("." + v) for v in _VENDOR_HOSTS)


def _plainly_relative(href: str) -> bool:
    """True for an href without scheme or host (it resolves onto the base URL's host)."""
    cleaned = href.replace("\\", "/")
    if not cleaned or ":" in cleaned or any(c in cleaned for c in "\t\r\n"):
        return False
    return not cleaned.lstrip(_C0_AND_SPACE).startswith("//")


_C0_AND_SPACE = "".join(chr(i) for i in range(0x21))


_SMALL_SUBTREE = 64


def _linked_anchors(node: LexborNode) -> list[LexborNode]:
    """node.css("a[href]")[:500]: read by walking a small subtree (a query costs more than a few elements)."""
    out: list[LexborNode] = []
    for seen, element in enumerate(node.traverse()):
        if seen >= _SMALL_SUBTREE:
            return node.css("a[href]")[:500]
        if element.tag == "a" and "href" in element.attributes:
            out.append(element)
    return out


def spam_links(hidden: list[LexborNode], base: str, page_url: str) -> list[str]:
    """Foreign-host links inside hidden elements (暗链)."""
    found: dict[str, None] = {}
    local_base = not is_foreign(base, page_url)
    for node in hidden[:5000]:
        anchors = [node] if node.tag == "a" else _linked_anchors(node)
        for anchor in anchors:
            href = attr(anchor, "href")
            if local_base and _plainly_relative(href):  # resolves onto the base's own host: never foreign
                continue
            url = absolutize(href, base)
            if url and url not in found and is_foreign(url, page_url) and not _is_vendor(anchor, url):
                found[url] = None
        if len(found) >= 1000:
            break
    return list(found)


# ---------------------------------------------------------------- attachments


_GENERIC_LINK_WORDS = frozenset(("下载", "点击下载", "查看", "附件", "点击查看", "浏览", "预览", "打开", "下载附件", "附件下载"))
_MACHINE_NAME = re.compile(r"^(?:[0-9a-f]{16,}|[\d_\-]{10,}|[A-Z]?\d{3}[\d_]{7,})\.\w{2,4}$", re.I)
_ADDRESS_ATTRS = ("oldsrc", "filerela", "data-href", "data-url", "data-file", "_href", "orisrc", "fileurl")
_NAME_LABEL = re.compile(r"^(?:点击|请)?(?:查看|下载|浏览)?(?:相关)?(?:附件|文件)?(?:下载|查看)?\s*[:：]\s*")  # "点击查看附件：…"
_PAGE_EXTS = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php", ".do", ".action", ".cgi")
UNREACHABLE_NO_ADDRESS = "the page gives the file no address (javascript: or empty link)"


def _attachment_name(node: LexborNode, url: str) -> str | None:
    """Attachment name: the link text a reader sees, unless it is a word like 下载 or a server's hex or numeric
    file name; then a readable file name from title/alt; else what there is, or the file name from the URL."""
    text = _NAME_LABEL.sub("", text_of(node))
    if text in _GENERIC_LINK_WORDS:
        text = ""
    if text and not _MACHINE_NAME.match(text):
        return text
    options = [_NAME_LABEL.sub("", normalize_space(attr(node, "title")))]
    options += [normalize_space(attr(img, "alt")) for img in node.css("img")[:3]]
    named = [o for o in options if _names_file(o)]
    readable = [o for o in named if not _MACHINE_NAME.match(o)]
    return (readable[0] if readable else None) or text or _line_name(node) or (named[0] if named else None) or \
        options[0] or filename_from_url(url)


_LINE_NAME_STRIP = re.compile(r"^\s*(?:附件|附表)\s*\d*\s*[:：.、]?\s*|[（(【\[]\s*[)）】\]]|\s+")


def _line_name(node: LexborNode) -> str | None:
    """The name the line around a link says 下载/点击查看 to gives its file (附件1：申请表（点击下载）→ 申请表): the
    line's own text less the link's and its 附件 label, when the line holds no other link."""
    parent = node.parent
    if parent is None or parent.tag not in ("p", "div", "li", "td", "span", "dd", "font") or \
            len(parent.css("a")) != 1:
        return None
    line = text_of(parent)
    if len(line) > 80:
        return None
    name = _LINE_NAME_STRIP.sub("", line.replace(text_of(node), "", 1)).strip("：:，,；;。 ")
    return name if 2 <= len(name) <= 30 and "。" not in name and not _is_furniture(name) else None


def _plain_file_name(name: str) -> bool:
    """True for a dead link's text in a small 附件 block that can name a file (no web address, no furniture)."""
    return len(compact(name)) >= 2 and not _is_furniture(name) and not _URL_LIKE.match(name) and \
        not _PREV_NEXT.match(name)


def _names_a_file(node: LexborNode) -> bool:
    """True when a link's text, title or image alt reads as a file name (报名表.doc)."""
    if _names_file(node.text(deep=True).strip()) or _names_file(attr(node, "title").strip()):
        return True
    return any(_names_file(attr(img, "alt").strip()) for img in node.css("img")[:3])


def _address_attr(node: LexborNode, base: str) -> str | None:
    """The file address a CMS keeps beside a dead href (TRS oldsrc, Hanweb filerela, data-href...)."""
    attrs = node.attributes
    for name in _ADDRESS_ATTRS:
        value = attrs.get(name) if name in attrs else None
        if value and not _dead_href(value):
            url = absolutize(value.strip(), base)
            if url and (is_attachment_url(url) or _names_file(value)):
                return url
    return None


def _anchor_attachments(node: LexborNode, base: str, labelled: int) -> list[tuple[str, str | None]]:
    """Attachments of one <a>/<area>: a file URL; a dead href naming a file (url ''); in a 附件 block (labelled
    1), any link that is not a web page; in a small one (labelled 2), a dead link's plain name too."""
    href = attr(node, "href")
    url = absolutize(href, base) if href and not _dead_href(href) else None
    if url and is_attachment_url(url):
        return [(url, _attachment_name(node, url))]
    kept = _address_attr(node, base)
    if kept:
        return [(kept, _attachment_name(node, kept))]
    if url is None:
        code = f"{attr(node, 'onclick')} {href}"
        found = _called_files(code, base)
        if found:  # javascript:window.open('/files/a.pdf'), openFile('/u/b.doc'): the file the call opens
            return [(file_url, _attachment_name(node, file_url)) for file_url in found]
        if any(_addressish(target) for target in open_targets(code)):
            return []  # it opens a web page
        named = _names_a_file(node)
        if not named and labelled <= 1:
            return []  # outside a small 附件 block only a link that names a file is one: no name to read (Word's
            # bookmarks, <a name=…> with no href, are hundreds a page)
        name = _attachment_name(node, "")
        if name and (named or (labelled > 1 and _plain_file_name(name))):
            return [("", name)]
        return []
    if (labelled or _names_file(node.text(deep=True).strip())) and _file_like(url):
        return [(url, _attachment_name(node, url) or filename_from_url(url))]
    return []


def _called_files(code: str, base: str) -> list[str]:
    """The file URLs a dead link's onclick or javascript: href hands to a function (window.open, download…, or
    any call given a quoted path to a document); an id argument (downloadFile('8a8a1', '表.xlsx')) is no address."""
    if "(" not in code:
        return []
    found: list[str] = []
    for target in [*open_targets(code), *_SCRIPT_FILE.findall(code[:20000])]:
        if not _addressish(target):
            continue
        url = absolutize(target, base)
        if url and is_attachment_url(url) and url not in found:
            found.append(url)
    return found


def _addressish(target: str) -> bool:
    """True when a string a script passes reads as an address (holds / or ?), not an id or a bare file name."""
    return "/" in target or "?" in target


def _file_like(url: str) -> bool:
    """True for a URL that is not a web page or a folder (an extensionless download of a 附件 block)."""
    try:
        path = urlsplit(url).path.lower()
    except ValueError:
        return False
    return bool(path) and not path.endswith("/") and not path.endswith(_PAGE_EXTS) and \
        not re.search(r"(?:^|/)(?:index|default)\.\w+$", path)


def _node_attachments(node: LexborNode, base: str, labelled: int = 0) -> list[tuple[str, str | None]]:
    """Attachment (url, name) pairs an element points at (href, dead href naming a file, onclick window.open,
    viewer iframes); url '' when the page gives no address (labelled: 1 in a 附件 block, 2 in a small one)."""
    out: list[tuple[str, str | None]] = []
    if node.tag in ("a", "area"):
        out += _anchor_attachments(node, base, labelled)
    if node.tag in ("iframe", "embed", "object"):
        src = absolutize(attr(node, "src") or attr(node, "data"), base)
        if src and (is_viewer_url(src) or is_attachment_url(src)):
            target = viewer_target(src)
            url = absolutize(target, src) if target else src
            if url:
                out.append((url, normalize_space(attr(node, "title")) or filename_from_url(url)))
    for target in open_targets(attr(node, "onclick")):
        url = absolutize(target, base)
        if url and is_attachment_url(url) and all(url != u for u, _ in out):
            out.append((url, _attachment_name(node, url)))
    return out


_SCRIPT_FILE = re.compile(r"""["']([^"'\s<>]{1,500}?\.(?:""" + "|".join(ATTACH_EXTS) + r"""))["']""", re.I)
_SCRIPT_FILE_END = re.compile(r"""\.(?:""" + "|".join(ATTACH_EXTS) + r""")["']""", re.I)  # how every match ends
_SCRIPT_LINK = re.compile(r"""<a\b[^>]*?href\s*=\s*\\?["']([^"'\\]+)\\?["'][^>]*>(.*?)</a>""", re.I | re.S)


def script_attachments(script: str, base: str) -> list[tuple[str, str | None]]:
    """Attachment (url, name) pairs a script writes with document.write or keeps in string variables."""
    if not script or "." not in script:
        return []
    out: list[tuple[str, str | None]] = []
    for href, inner in _SCRIPT_LINK.findall(script[:200000]):
        url = absolutize(href, base)
        if url and is_attachment_url(url):
            name = normalize_space(html_lib.unescape(re.sub(r"<[^>]+>|['\"+]", "", inner)))
            out.append((url, name or filename_from_url(url)))
    for path in _SCRIPT_FILE.findall(script[:200000]):
        if "/" not in path and (path[:1] == "." or not path.isascii()):  # an extension or a bare name, no address
            continue
        url = absolutize(path, base)
        if url and is_attachment_url(url) and all(url != u for u, _ in out):
            out.append((url, filename_from_url(url)))
    return out


def _attachment_blocks(tree: LexborHTMLParser, base: str, texts: TextNodes | None = None,
                       tight: set[int] | None = None, joined: str | None = None) -> list[LexborNode]:
    """Elements labelled 附件/相关附件 that hold attachment links (texts: the body's text_nodes when known, joined:
    their joined_texts; tight: filled with the mem_ids of blocks that are the label's own short element, where a
    dead link's plain name is a file's)."""
    body = tree.body
    if body is None:
        return []
    blocks: list[LexborNode] = []
    if texts is None:
        if not any(word in body.text(deep=True) for word in _ATTACH_WORDS):
            return blocks
        texts = text_nodes(body)[0]
    elif joined is not None and not any(word in joined for word in _ATTACH_WORDS):
        return blocks  # no text holds a label word: one search instead of three a text node
    for i, node, content in _holding_words(texts, joined, _ATTACH_WORDS):  # a label holds one of _ATTACH_WORDS
        if i > TEXT_NODES_CAP or len(blocks) > 20:
            break
        if not ("附件" in content or "相关文件" in content or "相关下载" in content) or not _ATTACH_LABEL.match(content):
            continue
        cur = node.parent
        for step in range(6):
            if cur is None or cur.tag in ("body", "html"):
                break
            size = len(text_of(cur))
            if size >= 3000:
                break
            level = 2 if step == 0 and size < 500 else 1
            if any(_node_attachments(a, base, level) for a in cur.css(_ATTACH_QUERY)[:200]):
                blocks.append(cur)
                if level == 2 and tight is not None:
                    tight.add(cur.mem_id)
                break
            cur = cur.parent
    return blocks


_ATTACH_QUERY = "a, area, [onclick], iframe, embed, object"


def _holding_words(texts: TextNodes, joined: str | None, words: Sequence[str]) -> TextNodes:
    """The text nodes that hold one of the words (none holding a newline), in order: found by searching their
    joined_texts (joined; without it every text is returned, for the caller to test)."""
    if joined is None:
        return texts
    hits: set[int] = set()
    for word in words:
        at = joined.find(word)
        while at >= 0:
            hits.add(at)
            at = joined.find(word, at + 1)
    if not hits:
        return []
    starts = [0, *accumulate(len(content) + 1 for _, _, content in texts)]  # where each text starts in joined
    return [texts[k] for k in sorted({bisect_right(starts, at) - 1 for at in hits})]


def collect_attachments(body: LexborNode | None, blocks: list[LexborNode], base: str, order: dict[int, int],
                        hidden_ids: set[int], scripts: Sequence[LexborNode] = (),
                        regions: Sequence[LexborNode] = (), tight: set[int] = frozenset(),
                        hidden: Sequence[LexborNode] | None = None) -> list[AttachmentRef]:
    """Attachments of the body, the 附件 blocks and the given scripts (those that write or hold file paths), in
    page order, one per URL (files the page gives no address are kept by name, status unreachable; hidden: the
    hidden elements whose mem_ids are hidden_ids, when at hand)."""
    found: list[tuple[int, int, str, str | None]] = []
    seq = 0
    levels = {b.mem_id: 2 if b.mem_id in tight else 1 for b in blocks}
    roots = ([body] if body is not None else []) + blocks + list(regions)
    listed = [(root, root.css(_ATTACH_QUERY)[:5000]) for root in roots]
    inside = _hidden_inside(hidden, sum(len(nodes) for _, nodes in listed)) if hidden_ids and hidden else None
    for root, nodes in listed:
        labelled = levels.get(root.mem_id, 0)
        for node in nodes:
            if hidden_ids and _hidden_near(node, hidden_ids, inside):
                continue
            for url, name in _node_attachments(node, base, labelled):
                seq += 1
                found.append((order.get(node.mem_id, 10**9), seq, url, name))
    for script in scripts:
        for url, name in script_attachments(script.text(deep=True), base):
            seq += 1
            found.append((order.get(script.mem_id, 10**9), seq, url, name))
    found.sort(key=lambda f: (f[0], f[1]))
    out: dict[str, AttachmentRef] = {}
    for _, _, url, name in found:
        key = url or "name:" + compact(name or "")
        if key not in out:
            out[key] = AttachmentRef(url=url, name=name or None)
            if not url:
                out[key].status, out[key].reason = "unreachable", UNREACHABLE_NO_ADDRESS
        elif not out[key].name and name:
            out[key].name = name
    return list(out.values())


def _hidden_inside(hidden: Sequence[LexborNode], checks: int) -> set[int] | None:
    """mem_ids of the elements _ATTACH_QUERY finds inside the hidden elements, at any depth: one query a hidden
    element instead of an ancestor walk an attachment link; None when there are more hidden elements than links to
    check (the walks are then cheaper) or a query fails."""
    if len(hidden) >= checks:
        return None
    inside: set[int] = set()
    try:
        for node in hidden:
            inside.update(found.mem_id for found in node.css(_ATTACH_QUERY))
    except Exception:
        return None
    return inside


def _hidden_near(node: LexborNode, hidden_ids: set[int], inside: set[int] | None) -> bool:
    """True when an element or one of its 30 nearest ancestors is hidden (inside: _hidden_inside, when known: an
    element outside every hidden one has no hidden ancestor to find)."""
    if node.mem_id in hidden_ids:
        return True
    if inside is not None and node.mem_id not in inside:
        return False
    return any(a.mem_id in hidden_ids for a in ancestors(node, 30))


def _attachment_scripts(scripts: Sequence[tuple[LexborNode, str]], roots: Sequence[LexborNode]) -> list[LexborNode]:
    """The scripts that hold a file path and lie in the body or a 附件 block, speak of attachments (附件, appendix,
    fujian, attach) or sit in an element labelled or named so (scripts: the page's (script, code) pairs)."""
    out = []
    for script, code in scripts:
        if not _holds_file_path(code[:200000]):
            continue
        if _ATTACH_SCRIPT_WORDS.search(code) or any(is_inside(script, root) for root in roots) or \
                _in_attachment_box(script):
            out.append(script)
    return out


def _holds_file_path(code: str) -> bool:
    """True when _SCRIPT_FILE finds a quoted file path in a script: looked for only when one of its ends (a file
    extension and a quote) is there, since trying the pattern at every quote of a script is slow."""
    return _SCRIPT_FILE_END.search(code) is not None and _SCRIPT_FILE.search(code) is not None


_ATTACH_BOX = re.compile(r"attach|fujian|\bfj\b|appendix|download|xiazai", re.I)


def _in_attachment_box(node: LexborNode) -> bool:
    """True when one of an element's three nearest ancestors is named or labelled as an attachment block."""
    for parent in ancestors(node, 3):
        if _ATTACH_BOX.search(klass_id(parent)):
            return True
        own = "".join((child.text_content or "") for child in parent.iter(include_text=True) if child.tag == "-text")
        if _ATTACH_LABEL.match(own.strip()):
            return True
    return False


_ATTACH_SCRIPT_WORDS = re.compile(r"附件|appendix|fujian|attach", re.I)


# ---------------------------------------------------------------- body cleaning


def _outermost(nodes: list[LexborNode], root: LexborNode | None = None) -> list[LexborNode]:
    """Drop nodes nested inside other nodes of the list (root: an element above which no listed node lies)."""
    ids = {n.mem_id for n in nodes}
    stop = root.mem_id if root is not None else None
    out, seen = [], set()
    for node in nodes:
        if node.mem_id in seen or _below_any(node, ids, stop):
            continue
        seen.add(node.mem_id)
        out.append(node)
    return out


def _below_any(node: LexborNode, ids: set[int], stop: int | None) -> bool:
    """True when one of the node's 200 nearest ancestors is in ids (climbing no further than the stop element)."""
    for parent in ancestors(node, 200):
        if parent.mem_id == stop:
            return False
        if parent.mem_id in ids:
            return True
    return False


def _is_furniture(text: str) -> bool:
    """True for page furniture text: 打印本页/关闭窗口/浏览次数/字号 and the like."""
    if not text or len(text) > 80:
        return False
    rest = compact(text)
    if not _FURNITURE_WORDS.search(rest):
        return False
    had = False
    for word in _FURNITURE:
        if word in rest:
            if len(word) > 1 and word not in "【】[]|：:":
                had = True
            rest = rest.replace(word, "")
    rest = re.sub(r"[\d\s.,，、/\-()（）<>《》»«>]+", "", rest)
    return had and len(rest) <= 4


def _is_info_line(text: str) -> bool:
    """True for a short info line (发布时间/来源/浏览次数...) or metadata block."""
    if not text or len(text) > 250 or not has_colon(text):  # every label needs its colon
        return False
    return _info_line(text)


@lru_cache(maxsize=2048)
def _info_line(text: str) -> bool:
    """_is_info_line of a short text holding a colon, memoised."""
    count = label_count(text)
    if count >= 2:
        return True
    pairs = label_pairs(text)
    return count == 1 and bool(pairs) and pairs[0][0] == "published" and parse_date(text) is not None


class _Texts(dict):
    """Memo of text_of per element of one unmodified subtree (mem_id → text)."""

    def of(self, node: LexborNode) -> str:
        """text_of(node), computed once."""
        text = self.get(node.mem_id)
        if text is None:
            text = self[node.mem_id] = text_of(node)
        return text


_SUBTREE_CAP = 100000


def _subtree(body: LexborNode) -> list[LexborNode]:
    """The elements of a body in document order (capped as every walk of it is: the first _SUBTREE_CAP + 1)."""
    return list(islice(body.traverse(), _SUBTREE_CAP + 1))


def _listed(body: LexborNode) -> tuple[list[LexborNode], list[str | None]]:
    """The body's _subtree and the tag of each of its nodes (named from the tag id where the table of common tags
    knows it: an int read instead of a new string a node)."""
    nodes = _subtree(body)
    names, known = TAG_NAMES, len(TAG_NAMES)
    return nodes, [names[i] if (i := node.tag_id) < known and names[i] is not None else node.tag for node in nodes]


def _holding_blocks(nodes: list[LexborNode], tags: list[str | None]) -> set[int] | None:
    """mem_ids of the elements of a whole subtree (nodes[0] its root; tags: their tags) that hold a p, div or table
    below themselves; None when the subtree was capped (callers then ask the tree)."""
    if not nodes or len(nodes) > _SUBTREE_CAP:
        return None
    root_id = nodes[0].mem_id
    marked: set[int] = set()
    for node, tag in zip(nodes[1:], tags[1:], strict=True):
        if tag not in ("p", "div", "table"):
            continue
        parent = node.parent
        while parent is not None and parent.mem_id not in marked:
            marked.add(parent.mem_id)
            if parent.mem_id == root_id:
                break
            parent = parent.parent
    return marked


def _holds_block(node: LexborNode, holding: set[int] | None) -> bool:
    """True when an element holds a p, div or table below itself."""
    if holding is not None:
        return node.mem_id in holding
    return any(n.mem_id != node.mem_id for n in node.css("p, div, table")[:2])


def _is_title_text(text: str, title_key: str) -> bool:
    """True when an element's text is the title (title_key: the title compacted)."""
    return bool(title_key) and len(text) - text.count(" ") == len(title_key) and compact(text) == title_key


class _Span:
    """The first and last substantial paragraphs of a body (p, div, li or td of at least 40 characters that holds no
    block and is neither an info line nor the title's own line), each found when first asked, the first by a scan
    from the body's start, the last by one from its end: only an info line or a tail heading asks, and then the
    scans stop at the article's edges instead of reading the text of every paragraph in between."""

    __slots__ = ("nodes", "texts", "tags", "title_key", "holding", "held", "first", "last")

    def __init__(self, nodes: list[LexborNode], texts: _Texts, tags: list[str | None], title_key: str) -> None:
        """The body's subtree (nodes[0] the body), its text memo, the nodes' tags and the title compacted."""
        self.nodes, self.texts, self.tags, self.title_key = nodes, texts, tags, title_key
        self.holding: set[int] | None = None
        self.held = False  # whether holding was read (_holding_blocks may answer None)
        self.first: int | None = None
        self.last: int | None = None

    def _substantial(self, i: int) -> bool:
        """True when the body's i-th element is a substantial paragraph."""
        if self.tags[i] not in ("p", "div", "li", "td"):
            return False
        node, texts = self.nodes[i], self.texts
        if len(texts.of(node)) < 40:
            return False
        if not self.held:
            self.holding, self.held = _holding_blocks(self.nodes, self.tags), True
        return not _holds_block(node, self.holding) and not _is_info_line(texts.of(node)) and \
            not _is_title_text(texts.of(node), self.title_key)

    def first_index(self) -> int:
        """Position of the first substantial paragraph, -1 when there is none."""
        if self.first is None:
            self.first = next((i for i in range(len(self.nodes)) if self._substantial(i)), -1)
        return self.first

    def last_index(self) -> int:
        """Position of the last substantial paragraph, -1 when there is none."""
        if self.last is None:
            first = self.first_index()
            self.last = -1 if first < 0 else next(i for i in range(len(self.nodes) - 1, first - 1, -1)
                                                  if self._substantial(i))
        return self.last

    def at_edge(self, i: int) -> bool:
        """True when the body's i-th element lies outside its content span (or it has none)."""
        first = self.first_index()
        return first < 0 or i < first or i > self.last_index()

    def past_end(self, i: int, seen_image: bool) -> bool:
        """True when the i-th element follows the content span's end (a body without one: once a picture was seen)."""
        last = self.last_index()
        return i > last and (last >= 0 or seen_image)


def _clutter(node: LexborNode, text: str, base: str, span: _Span, i: int, keep_files: bool = False) -> bool:
    """True for share bars, furniture, prev/next, breadcrumb, info lines (at the edges of the content span: its i-th
    element) and 附件 blocks (unless keep_files: they are all the article has)."""
    if len(text) < 200 and _SHARE_RE.search(klass_id(node)):
        return True
    if len(text) < 250:
        always, info, attach = _text_clutter(text)
    else:  # too long for furniture, prev/next, breadcrumb, footer or info line
        always, info, attach = False, False, bool(_ATTACH_LABEL.match(text))
    if always or (info and span.at_edge(i)):
        return True
    return attach and not keep_files and _attach_only(node, base)


@lru_cache(maxsize=4096)
def _text_clutter(text: str) -> tuple[bool, bool, bool]:
    """(furniture/prev-next/breadcrumb/footer, info line, 附件 label) of a short element text, memoised."""
    always = _is_furniture(text) or bool(_PREV_NEXT.match(text) and len(text) < 150) or bool(
        (any(word in text for word in _CRUMB_WORDS) or _SITE_FOOTER.search(text)) and len(text) < 200) or bool(
        _CRUMB_TRAIL.match(text) and len(text) < 80)
    return always, _is_info_line(text), bool(_ATTACH_LABEL.match(text))


def _removal_targets(body: LexborNode, title: str | None, hidden_ids: set[int], base: str,
                     texts: _Texts | None = None, keep_files: bool = False,
                     subtree: tuple[list[LexborNode], list[str | None]] | None = None) -> list[LexborNode]:
    """Elements of the body that are not article content (keep_files: 附件 blocks are; subtree: the body's
    _subtree and their tags, when already listed)."""
    title_key = compact(title or "")
    texts = _Texts() if texts is None else texts
    nodes, tags = subtree if subtree is not None else _listed(body)
    if _says_nothing_removable(texts.of(body), title_key):
        return _tag_targets(nodes, tags, body.mem_id, hidden_ids, texts)
    return _text_targets(nodes, tags, title_key, hidden_ids, base, texts, keep_files)


def _text_targets(nodes: list[LexborNode], tags: list[str | None], title_key: str, hidden_ids: set[int], base: str,
                  texts: _Texts, keep_files: bool = False) -> list[LexborNode]:
    """_removal_targets of a body (nodes[0]; nodes: its subtree) read element by element."""
    targets: list[LexborNode] = []
    title_done = False
    body = nodes[0]
    body_id = body.mem_id
    span = _Span(nodes, texts, tags, title_key)
    seen_image = False
    index: dict[int, int] | None = None
    shares: set[int] | None = None
    marked: dict[int, bool] | None = None  # positions of the hidden elements (True) and share bars (False)
    verdicts: dict[str, bool] = {}  # _says_nothing_removable by text (a wrapper often has its only child's text)
    count = len(nodes)
    i = -1
    while i + 1 < count:
        i += 1
        node, tag = nodes[i], tags[i]
        if tag == "img":
            if _chrome_image(node):
                targets.append(node)
            seen_image = True
            continue
        if tag in _KEPT_TAGS:
            continue
        mem_id = node.mem_id
        if mem_id == body_id:
            continue
        if tag in _DROP_TAG_SET or mem_id in hidden_ids:
            targets.append(node)
            continue
        text = texts.get(mem_id)
        if text is None:
            text = texts[mem_id] = text_of(node)
        if (len(text) >= 200 or _parent_of_next(nodes, i)) and _nothing_removable(text, title_key, verdicts):
            # nothing in this element is removed by its text: below it, the tag tests only
            index = {n.mem_id: k for k, n in enumerate(nodes)} if index is None else index
            end = _subtree_end(node, body_id, index, count)
            shares = _share_ids(body) if shares is None else shares
            if len(text) < 200 and mem_id in shares:
                targets.append(node)
            marked = _marked_positions(index, hidden_ids, shares) if marked is None else marked
            seen_image = _quiet_targets(nodes, tags, range(i + 1, end + 1), marked, texts, targets) or seen_image
            i = max(i, end)
            continue
        if not title_done and len(title_key) >= 4 and len(text) - text.count(" ") == len(title_key) and \
                compact(text) == title_key:
            targets.append(node)
            title_done = True
        elif _clutter(node, text, base, span, i, keep_files):
            targets.append(node)
        elif len(text) <= _TAIL_TEXT and _tail_heading(text) and span.past_end(i, seen_image):
            targets.extend(nodes[i:])  # past a "热门图集"/"相关文章" heading below the article: the template's
            break
    return [t for t in _outermost(targets, body) if t.mem_id != body_id]


def _marked_positions(index: dict[int, int], hidden_ids: set[int], shares: set[int]) -> dict[int, bool]:
    """Positions in a body's element list (index: mem_id → position) of its hidden elements (True) and of its
    share bars that are not hidden (False)."""
    marked = {index[mem_id]: False for mem_id in shares if mem_id in index}
    marked.update((index[mem_id], True) for mem_id in hidden_ids if mem_id in index)
    return marked


def _quiet_targets(nodes: list[LexborNode], tags: list[str | None], positions: range, marked: dict[int, bool],
                   texts: _Texts, targets: list[LexborNode]) -> bool:
    """Add the targets among the body's elements at these positions, which lie in an element whose text says
    nothing removable: template pictures, dropped tags, hidden elements and share bars of short text (marked: see
    _marked_positions); True when a picture is among them. The tags alone are read unless a position is marked."""
    seen_image = False
    for k in positions:
        tag = tags[k]
        if tag == "img":
            if _chrome_image(nodes[k]):
                targets.append(nodes[k])
            seen_image = True
        elif tag in _DROP_TAG_SET or (k in marked and tag not in _KEPT_TAGS and (
                marked[k] or len(texts.of(nodes[k])) < 200)):
            targets.append(nodes[k])
    return seen_image


_SHARE_QUERY = ", ".join(f'[{name}*="{word}" i]' for word in ("share", "fenxiang", "jiathis") for name in ("class", "id"))
# the elements whose klass_id _SHARE_RE finds (bdshare and bshare hold "share")


def _share_ids(body: LexborNode) -> set[int]:
    """mem_ids of the elements of a body named like a share bar (_SHARE_RE in their class or id)."""
    try:
        return {node.mem_id for node in body.css(_SHARE_QUERY)}
    except Exception:
        return {node.mem_id for node in body.traverse() if _SHARE_RE.search(klass_id(node))}


def _parent_of_next(nodes: list[LexborNode], i: int) -> bool:
    """True when the element after nodes[i] in a subtree list is its child (nodes[i] holds elements)."""
    if i + 1 >= len(nodes):
        return False
    parent = nodes[i + 1].parent
    return parent is not None and parent.mem_id == nodes[i].mem_id


def _subtree_end(node: LexborNode, body_id: int, index: dict[int, int], count: int) -> int:
    """Index of the last element of a node's subtree in its body's element list (index: mem_id → position; count:
    the list's length, capped as _subtree caps it)."""
    cur: LexborNode | None = node
    while cur is not None and cur.mem_id != body_id:
        following = cur.next
        while following is not None and following.tag == "-text":  # text nodes are not listed
            following = following.next
        if following is not None:
            at = index.get(following.mem_id)
            return count - 1 if at is None else at - 1  # not listed: past the cap, every listed node lies inside
        cur = cur.parent
    return count - 1


_TAIL_TEXT = 2 * 8 - 1  # the longest element text _tail_heading can accept: 8 characters, a space between each


def _tail_heading(text: str) -> bool:
    """True for the short heading of a list a template shows below the article (热门图集, 相关文章, 友情链接)."""
    flat = compact(text)
    return len(flat) <= 8 and bool(_TAIL_HEADING.fullmatch(flat.strip("：:【】[]")))


_KEPT_TAGS = frozenset(("br", "img", "a", "hr", "tr", "td", "th", "tbody", "-text"))
_DROP_TAG_SET = frozenset(_DROP_TAGS)  # one hashed look-up a node, not a scan of the 21 names
_REMOVAL_WORDS = re.compile("|".join((*_CRUMB_WORDS, *_ATTACH_WORDS)))  # one search, not one per word
_PREV_NEXT_OR_FOOTER = re.compile(f"{_PREV_NEXT_WORDS}|{_SITE_FOOTER.pattern}")
# what _PREV_NEXT starts with, or what _SITE_FOOTER finds
_REMOVABLE_TEXT = re.compile(f"{_REMOVAL_WORDS.pattern}|{_PREV_NEXT_OR_FOOTER.pattern}|首页")
# _REMOVAL_WORDS, _PREV_NEXT_OR_FOOTER or 首页: one search of a body's text for all three
_REMOVABLE_FLAT = any_word((*_TAIL_WORDS, *(word for word in _FURNITURE if len(word) > 1)))
# _TAIL_HEADING or _FURNITURE_WORDS: one search of a body's compacted text for both (whether one is there only: the
# words that hold a shorter one, 热门评论 or 打印本页, are left to it)


def _says_nothing_removable(body_text: str, title_key: str) -> bool:
    """True when no element of a body with this text is furniture, prev/next, breadcrumb, footer, info line, 附件
    label, a heading of the template's lists below the article or the title by its text (an element's text is a
    piece of its body's, compacted or not, and starts where a text node starts, after a space in the body's text: a
    label LABEL_RE finds in it is found in the body's too)."""
    if _REMOVABLE_TEXT.search(body_text) or has_label(body_text):
        return False
    flat = compact(body_text)
    return not (len(title_key) >= 4 and title_key in flat) and not _REMOVABLE_FLAT.search(flat)


def _nothing_removable(text: str, title_key: str, verdicts: dict[str, bool]) -> bool:
    """_says_nothing_removable(text, title_key), remembered in `verdicts` (one title_key) for the texts seen."""
    verdict = verdicts.get(text)
    if verdict is None:
        verdict = verdicts[text] = _says_nothing_removable(text, title_key)
    return verdict


def _tag_targets(nodes: list[LexborNode], tags: list[str | None], body_id: int, hidden_ids: set[int],
                 texts: _Texts) -> list[LexborNode]:
    """_removal_targets of a body whose text says nothing removable: dropped tags, hidden elements, share bars."""
    targets = []
    shares = _share_ids(nodes[0])
    for node, tag in zip(nodes, tags, strict=True):
        if tag == "img" and _chrome_image(node):
            targets.append(node)
            continue
        if tag in _KEPT_TAGS or node.mem_id == body_id:
            continue
        if tag in _DROP_TAG_SET or node.mem_id in hidden_ids or (node.mem_id in shares and len(texts.of(node)) < 200):
            targets.append(node)
    return [t for t in _outermost(targets, nodes[0]) if t.mem_id != body_id]


def _attach_only(node: LexborNode, base: str) -> bool:
    """True when an 附件 block holds nothing but the label and attachment links."""
    links = [a for a in node.css("a, [onclick]")[:200] if _addressed(a, base)]
    if not links:
        return len(compact(text_of(node))) <= 8 and _next_is_attachment(node, base)
    rest = compact(text_of(node))
    for link in links:
        rest = rest.replace(compact(text_of(link)), "")
    rest = _ATTACH_LABEL.sub("", rest)
    return len(re.sub(r"[\d.、,，;；:：()（）]", "", rest)) <= 10


def _next_is_attachment(node: LexborNode, base: str) -> bool:
    """True when the element after a bare 附件： label is an attachment link."""
    sib = node.next
    while sib is not None and sib.tag == "-text" and not (sib.text_content or "").strip():
        sib = sib.next
    if sib is None or sib.tag.startswith("-"):
        return False
    return any(_addressed(a, base) for a in ([sib] + sib.css("a, [onclick]")[:50]))


def _addressed(node: LexborNode, base: str) -> bool:
    """True when an element points at an attachment with an address: a 附件 line whose file has none (a dead
    href naming it) is the only trace of that file a reader gets, so it stays in the body."""
    return any(url for url, _ in _node_attachments(node, base))


def _trailing_attachment_rows(body: LexborNode, base: str, texts: _Texts | None = None) -> list[LexborNode]:
    """Link-only siblings following a bare 附件： label inside the body."""
    out: list[LexborNode] = []
    texts = _Texts() if texts is None else texts
    whole = texts.of(body)  # every element's text is a piece of its body's: no label word there, no label anywhere
    if not ("附件" in whole or "相关文件" in whole or "相关下载" in whole):
        return out
    for node in body.css("p, div, li")[:20000]:
        text = texts.of(node)
        if not (_ATTACH_LABEL.match(text) and len(compact(text)) <= 8):
            continue
        sib = node.next
        while sib is not None:
            if sib.tag == "-text" and not (sib.text_content or "").strip():
                sib = sib.next
                continue
            if sib.tag.startswith("-") or not _attach_only(sib, base) or not any(
                    _addressed(a, base) for a in ([sib] + sib.css("a, [onclick]")[:50])):
                break
            out.append(sib)
            sib = sib.next
    return out


def _fix_urls(body: LexborNode, base: str) -> None:
    """Absolute hrefs/srcs; javascript links become their window.open target or plain text."""
    found = body.css("a, img")  # unwrapping an anchor keeps the images inside it: one query serves both loops
    anchors = [node for node in found if node.tag == "a"][:20000]
    images = [node for node in found if node.tag == "img"][:20000]
    for anchor in anchors:
        href = attr(anchor, "href")
        url = absolutize(href, base) if href else None
        if url is None:
            targets = [absolutize(t, base) for t in open_targets(attr(anchor, "onclick") or href)]
            url = next((t for t in targets if t), None)
        if url is None:
            anchor.unwrap()
        else:
            anchor.attrs["href"] = url
    for img in images:
        src = attr(img, "src")
        lazy = attr(img, "data-src") or attr(img, "data-original") or attr(img, "original")
        url = absolutize(lazy if lazy and (not src or "blank" in src or "loading" in src) else src, base)
        if url is None:
            img.decompose()
        else:
            img.attrs["src"] = url


_NH3_OPTIONS = {"tags": ALLOWED_TAGS, "attributes": ALLOWED_ATTRS, "clean_content_tags": _CLEAN_CONTENT, "link_rel": None,
                "url_schemes": {"http", "https", "ftp"}, "strip_comments": True}
_CLEANER = nh3.Cleaner(**_NH3_OPTIONS) if hasattr(nh3, "Cleaner") else None


def sanitize(html: str) -> str:
    """nh3 allow-list sanitising of body HTML (one prebuilt cleaner when nh3 offers it)."""
    try:
        cleaned = _CLEANER.clean(html) if _CLEANER is not None else nh3.clean(html, **_NH3_OPTIONS)
        return cleaned.strip()
    except Exception:
        return ""


def _only_files_left(body: LexborNode, targets: list[LexborNode], texts: _Texts) -> bool:
    """True when removing the targets would leave the body without text and some of them are 附件 lines."""
    if not any(("附件" in texts.of(t) or "相关" in texts.of(t)) and _ATTACH_LABEL.match(texts.of(t)) for t in targets):
        return False
    removed = sum(len(compact(texts.of(t))) for t in _outermost(targets, body))
    return removed >= len(compact(texts.of(body)))


def _clean_body(body: LexborNode, title: str | None, hidden_ids: set[int], base: str,
                known: str | None = None, styled: bool = False,
                lines: list[str] | None = None) -> tuple[str, str | None]:
    """The body's inner HTML with furniture, hidden, info and attachment blocks removed, URLs absolutised and
    sanitised, and its body_text read from the cleaned tree when sanitising cannot change it (else None; known:
    text_of(body), when already read from the unmodified tree; styled: the page has many inline styles; lines:
    node_lines(body), when already read from the unmodified tree)."""
    texts = _Texts()
    if known is not None:
        texts[body.mem_id] = known
    if body.css_first("video, audio, embed, object, iframe") is not None:
        media_links(body, base)
        texts = _Texts()  # the body's text has changed
        lines = None
    subtree = _listed(body)
    targets = _removal_targets(body, title, hidden_ids, base, texts, subtree=subtree) + \
        _trailing_attachment_rows(body, base, texts)
    if _only_files_left(body, targets, texts):  # an attachment-only article: its 附件 lines are its body
        targets = _removal_targets(body, title, hidden_ids, base, texts, keep_files=True, subtree=subtree)
    for node in _outermost(targets, body):
        try:
            node.decompose()
        except Exception:
            continue
    _fix_urls(body, base)
    if styled:
        _drop_styles(body)
    if lines is not None and not targets and _text_safe(body, subtree[1]):
        return sanitize(body.inner_html or ""), "\n".join(lines)  # nothing removed: the text read before cleaning
    return sanitize(body.inner_html or ""), _plain_text(body)


def _text_safe(body: LexborNode, tags: list[str | None]) -> bool:
    """True when _plain_text reads a body's text (not None) whose elements and comments (tags, of its whole
    _subtree) are those of the tree it was read from: cleaning removed nothing and changes no text (URLs fixed,
    dead links unwrapped, attributes dropped), so its text is node_lines of that tree."""
    if body.tag not in _TEXT_SAFE_TAGS and body.tag != "body" or body.tag in _TABLE_PARTS or body.tag == "-comment":
        return False
    if len(tags) > _SUBTREE_CAP:  # capped: safe_text would count past its cap
        return False
    return all(tag is not None and ":" in tag for tag in set(tags[1:]) - _TEXT_SAFE_TAGS)


def _many_styles(html: str) -> bool:
    """True for a page of thousands of inline styles (Word's tables: a 340 KiB body holds 76 KiB without them)."""
    return len(html) > 100_000 and _holds_more(html, "style=", 1000)


def _holds_more(text: str, word: str, limit: int, piece: int = 1 << 16) -> bool:
    """True when a word (one that cannot overlap itself) occurs more than `limit` times in a text: counted a piece
    at a time (the occurrences that start in it), stopping once past the limit instead of reading the whole text."""
    seen = 0
    for start in range(0, len(text), piece):
        seen += text.count(word, start, start + piece + len(word) - 1)
        if seen > limit:
            return True
    return False


def _drop_styles(body: LexborNode) -> None:
    """Remove the style attributes of a cleaned body's elements: sanitising drops every one of them anyway, and
    parsing them was most of its work on a styled page (what it writes out is the same; text is untouched)."""
    try:
        for node in body.css("[style]"):
            del node.attrs["style"]
    except Exception:
        return


_MEDIA_FILE = re.compile(r"\.(?:mp4|m4v|flv|f4v|m3u8|webm|ogv|mov|wmv|avi|rmvb|mp3|wav|wma|m4a|swf)(?:$|[?#])", re.I)
_PLAYER_URL = re.compile(r"player|/vod/|video|v\.qq\.com|youku\.com|bilibili\.com|ixigua\.com|iqiyi\.com", re.I)


def _media_url(node: LexborNode, base: str) -> str | None:
    """The address a <video>/<audio> (or a <source> in it), an embedded player or flash object plays."""
    sources = [attr(node, "src"), attr(node, "data")]
    if node.tag in ("video", "audio"):
        sources += [attr(s, "src") for s in node.css("source")[:5]]
    elif node.tag == "object":
        sources += [attr(p, "value") for p in node.css("param")[:20] if attr(p, "name").lower() in ("movie", "src", "url")]
    for value in sources:
        url = absolutize(value, base) if value else None
        if url and (node.tag in ("video", "audio") or _MEDIA_FILE.search(url) or _PLAYER_URL.search(url)):
            return url
    return None


def media_links(body: LexborNode, base: str) -> None:
    """Videos, audio and embedded players of a body become links to what they play (their tags are not kept)."""
    for node in body.css("video, audio, embed, object, iframe")[:200]:
        url = _media_url(node, base)
        if url is None or is_viewer_url(url) or is_attachment_url(url):
            continue
        name = normalize_space(attr(node, "title")) or filename_from_url(url) or url
        anchor = parse_html(f'<p><a href="{html_lib.escape(url)}">{html_lib.escape(name)}</a></p>')
        link = anchor.css_first("p") if anchor is not None else None
        if link is None:
            continue
        try:
            node.replace_with(link)
        except Exception:
            continue


# Elements whose text and line breaks survive sanitising unchanged: kept ones, and inline ones nh3 unwraps.
_TEXT_SAFE_TAGS = frozenset(ALLOWED_TAGS | {"font", "o:p", "small", "big", "strike", "nobr", "label", "abbr", "cite",
                                            "-comment"})
_TABLE_PARTS = frozenset(("table", "thead", "tbody", "tfoot", "tr", "colgroup", "col", "caption"))  # inner HTML alone
# would lose its cells when parsed again


def _plain_text(body: LexborNode) -> str | None:
    """body_text of a cleaned body from its own tree; None unless every element is one sanitising keeps as it is
    (or unwraps without a line break), so the text equals that of the sanitised HTML parsed again."""
    if body.tag not in _TEXT_SAFE_TAGS and body.tag != "body" or body.tag in _TABLE_PARTS or body.tag == "-comment":
        return None
    try:
        return safe_text(body, _TEXT_SAFE_TAGS, _SUBTREE_CAP, prefixed=True)  # sanitising unwraps Office tags
    except Exception:
        return None


def _text_and_images(body_html: str, text: str | None = None) -> tuple[str, list[str]]:
    """body_text and image URLs of sanitised body HTML from one parse (none when its text is known already)."""
    if not body_html:
        return "", []
    if text is not None and len(body_html) <= MAX_HTML and "\x00" not in body_html:
        return text, _sanitized_images(body_html)
    tree = parse_html(body_html)
    if tree is None:
        return "", []
    return node_text(tree.body if tree.body is not None else tree.root), _tree_images(tree)


_IMG_TAG = re.compile(r"<img((?:\s+[^\s\"'>/=]+(?:=\"[^\"]*\")?)*)\s*/?>", re.I)
_TAG_ATTR = re.compile(r"\s([^\s\"'>/=]+)(?:=\"([^\"]*)\")?")


def _sanitized_images(body_html: str) -> list[str]:
    """_tree_images of sanitiser output read from its text (nh3 writes every attribute as name="escaped value")."""
    out: list[str] = []
    for match in _IMG_TAG.finditer(body_html):
        values: dict[str, str] = {}
        for name, value in _TAG_ATTR.findall(match.group(1)):
            values.setdefault(name.lower(), value)
        raw = values.get("src")
        if raw is None:
            continue
        src = html_lib.unescape(raw.replace("\r\n", "\n").replace("\r", "\n")).strip()
        if src.startswith(("http://", "https://")) and src not in out:
            out.append(src)
    return out


def _tree_images(tree: LexborHTMLParser | None) -> list[str]:
    """Absolute image URLs of a parsed body, in order."""
    if tree is None:
        return []
    out: list[str] = []
    for img in tree.css("img[src]"):
        src = attr(img, "src")
        if src.startswith(("http://", "https://")) and src not in out:
            out.append(src)
    return out


# ---------------------------------------------------------------- record assembly


@dataclass
class _Page:
    """Per-page facts gathered before the body is modified."""

    tree: LexborHTMLParser
    html: str
    url: str
    base: str
    meta: dict[str, str]
    order: dict[int, int]
    table: dict[str, str]
    table_node: LexborNode | None
    hidden: list[LexborNode] = field(default_factory=list)
    texts: TextNodes | None = None  # the body's text nodes (text_nodes), read before the body is modified
    walk: PageWalk | None = None  # the one walk of the body that gave texts and gives the page's lines
    deep: bool = False  # nesting too deep to analyse safely
    _crumbs: list[str] | None = None
    _named: list[tuple[LexborNode, str]] | None = None
    body_text: tuple[int, str] | None = None  # (mem_id, text_of) of the body a template found, read before cleaning
    _lines: list[str] | None = None
    _scripts: list[tuple[LexborNode, str]] | None = None
    located: str = ""  # how the generic path found the body ('container', 'trafilatura'...), once it has run
    _joined: str | None = None

    def joined(self) -> str | None:
        """joined_texts of the body's text nodes (None when they were not read): one search tells whether a word
        is in any of them."""
        if self._joined is None and self.texts is not None:
            self._joined = joined_texts(self.texts)
        return self._joined

    def lines(self) -> list[str]:
        """The lines of the page's <body> (read before the body is modified)."""
        if self._lines is None:
            self._lines = self.walk.lines() if self.walk is not None else []
        return self._lines

    def lines_and_body(self, body: LexborNode | None) -> tuple[list[str], list[str]]:
        """The page's lines and the article body's lines, both read from the page's walk when it holds the body."""
        if self.walk is None or body is None:
            return self.lines(), node_lines(body)
        return self.lines(), self.walk.part_lines(body)

    def named(self) -> list[tuple[LexborNode, str]] | None:
        """named_runs of the page's <body>, found once (read before the body is modified); None on a page of more
        than 30000 elements (the title and container searches ask those with their plain queries)."""
        if self._named is None and self.tree.body is not None and len(self.order) <= 30000:
            self._named = named_runs(self.tree.body)
        return self._named

    def scripts(self) -> list[tuple[LexborNode, str]]:
        """(script, code) of the <script> elements of the page's <body> that hold code (read before cleaning)."""
        if self._scripts is None:
            body = self.tree.body
            found = body.css("script")[:500] if body is not None else []
            self._scripts = [(node, code) for node in found if (code := node.text(deep=True)) and not code.isspace()]
        return self._scripts

    def crumbs(self) -> list[str]:
        """The page's breadcrumb, found once (read before the body is modified)."""
        if self._crumbs is None:
            self._crumbs = find_breadcrumb(self.tree, self.texts, self.joined())
        return self._crumbs


def _page(html: str, url: str, tree: LexborHTMLParser | None = None) -> _Page | None:
    """Parse a page (tree: parse_html(html) when already made) and gather what must be read before the body is
    cleaned."""
    tree = parse_html(html) if tree is None else tree
    if tree is None:
        return None
    order = doc_order(tree)
    walk = PageWalk(tree.body, TEXT_NODES_CAP) if tree.body is not None else None  # iterative: safe on any depth
    if len(order) > MAX_DEPTH + 1 and _too_deep(tree, order, walk):  # ≤ MAX_DEPTH + 1 elements cannot nest deeper
        return _Page(tree=tree, html=html, url=url, base=url, meta={}, order={}, table={}, table_node=None,
                     deep=True)
    texts = (walk.texts, walk.whole) if walk is not None else ([], True)
    table, table_node = table_fields(tree, order, texts)
    base, meta, hidden = _head_facts(tree, url)
    return _Page(tree=tree, html=html, url=url, base=base, meta=meta, order=order, table=table, table_node=table_node,
                 hidden=hidden, texts=texts[0], walk=walk)


def _too_deep(tree: LexborHTMLParser, order: dict[int, int], walk: PageWalk | None) -> bool:
    """too_deep(tree), the <body> part read from its walk's depth bound when that settles it (a tree of at most
    MAX_NODES elements is too deep exactly when one of its elements lies deeper than MAX_DEPTH)."""
    root, body = tree.root, tree.body
    parent = body.parent if body is not None else None
    if walk is None or root is None or parent is None or parent.mem_id != root.mem_id or len(order) > MAX_NODES or \
            1 + walk.deepest > MAX_DEPTH:  # the body lies at depth 1
        return too_deep(tree)
    return any(nests_deeper(child, 1) for child in root.iter() if child.mem_id != body.mem_id)


def _parts(page: _Page) -> list[str]:
    """Further parts of a multi-page article."""
    spec = create_page_html(page.html)
    parts = trs_pages(spec, page.url) if spec is not None else []
    parts += [p for p in pagination_links(page.tree, page.base, page.url) if is_part_of(p, page.url)]
    return list(dict.fromkeys(p for p in parts if p != page.url))


def _build(page: _Page, body: LexborNode | None, title: _TitlePick, site: str | None) -> ArticleRecord:
    """Assemble the record from a located body and title (shared by the generic and template paths)."""
    record = ArticleRecord(url=page.url, site=site)
    record.title = plain_title(title.text)
    hidden_ids = {n.mem_id for n in page.hidden}
    record.spam_links = spam_links(page.hidden, page.base, page.url)
    crumbs = page.crumbs()
    if crumbs and record.title and compact(crumbs[-1]) == compact(record.title):
        crumbs = crumbs[:-1]
    record.column_path = crumbs
    page_lines, body_lines = page.lines_and_body(body)
    region = _info_region(page_lines, record.title, set(body_lines))
    pairs = [label_pairs(line) if len(line) <= 300 else () for line in region]
    visible = _visible_fields(pairs)
    fields = {**visible, **page.table}
    shown = [v for line_pairs in pairs for n, v in line_pairs if n == "published"]
    visible_date = _visible_date([page.table.get("published"), *shown], region, record.title)
    tail = _after_body(page_lines, body_lines) if visible_date is None else []
    if tail:  # a template that prints "2014-07-25 13:59 新华社" under the article: a timed date only
        visible_date = next((d for d in (_standalone_date([line], None) for line in tail) if d and len(d) > 10), None)
    record.published, record.published_source = _resolve_published(
        visible_date, script_date(page.scripts()), page.meta, page.url, record.warnings)
    record.source = clean_source(fields.get("source")) or _meta_source(page) or clean_source(
        _body_source(body_lines)) or _unlabelled_source(region, record.title) or (
        _unlabelled_source(tail, None) if visible_date and tail else None) or None
    for name in META_FIELDS:
        setattr(record, name, fields.get(name) or None)
    record.validity = validity_of(fields.get("validity"))
    if record.written:
        record.written = (parse_date(record.written) or "")[:10] or None
    tight: set[int] = set()
    blocks = [b for b in _attachment_blocks(page.tree, page.base, page.texts, tight, page.joined())
              if body is None or not is_inside(body, b)]
    regions = []
    if body is not None and body.mem_id not in page.order:  # trafilatura's own tree: find its place in the page
        region = _page_region(page, body)
        if region is not None and not any(region.mem_id == b.mem_id for b in blocks):
            regions.append(region)
    scripts = _attachment_scripts(page.scripts(), ([body] if body is not None else []) + blocks + regions)
    record.attachments = collect_attachments(body, blocks, page.base, page.order, hidden_ids, scripts, regions, tight,
                                             page.hidden)
    record.part_urls = _parts(page)
    text = None
    if body is not None:
        known = page.body_text if page.body_text is not None and page.body_text[0] == body.mem_id else None
        lines: list[str] | None = body_lines
        if page.table_node is not None and is_inside(page.table_node, body) and page.table_node.mem_id != body.mem_id:
            page.table_node.decompose()
            known = lines = None  # the body's text has changed
        if _drop_short_title(body, record.title):
            known = lines = None
        record.body_html, text = _clean_body(body, record.title, hidden_ids, page.base, known and known[1],
                                             _many_styles(page.html), lines)
    record.body_text, record.images = _text_and_images(record.body_html, text)
    if not record.body_text and record.attachments and blocks:  # an attachment-only article: its 附件 block
        record.body_html = "\n".join(filter(None, (_block_html(b, page.base) for b in blocks if b.tag != "body")))
        record.body_text, record.images = _text_and_images(record.body_html)
    return record


def _drop_short_title(body: LexborNode, title: str | None) -> bool:
    """Remove the element a body opens with when its whole text is a title of fewer than 4 characters (简介, 领导),
    as cleaning removes a longer title's; True when one was removed."""
    key = compact(title or "")
    if not key or len(key) >= 4:
        return False
    for node in body.traverse(include_text=True):
        if node.tag == "-text" and (node.text_content or "").strip() and \
                (node.parent is None or node.parent.tag not in ("script", "style")):
            top = None
            for up in ancestors(node, 50):
                if up.mem_id == body.mem_id or compact(text_of(up)) != key:
                    break
                top = up
            if top is None or top.tag in _NO_TITLE_TAGS or top.tag not in _LINE_BLOCKS:
                return False  # <p><strong>徐烨</strong>，男，…: a name opening a line is no title line
            top.decompose()
            return True
    return False


_NO_TITLE_TAGS = frozenset(("a", "td", "th", "tr", "li"))  # a link or a cell is no title line


def _block_html(block: LexborNode, base: str) -> str:
    """Sanitised HTML of a 附件 block outside the body (links made absolute, dead ones plain text)."""
    copy = parse_html(block.html or "")
    root = copy.body if copy is not None else None
    if root is None:
        return ""
    for node in root.css("script, style")[:200]:
        node.decompose()
    _fix_urls(root, base)
    return sanitize(root.inner_html or "")


_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^<>]{0,500}>")


def plain_title(text: str | None) -> str | None:
    """A title as plain text: markup a template let into it (<div>, <br>, <font>) dropped, entities resolved."""
    if not text:
        return None
    if "<" in text or "&" in text:
        text = html_lib.unescape(_MARKUP.sub(" ", text))
        text = re.sub(r"\s+(?=[——\-－:：，,。])|(?<=[——\-－:：，,。])\s+", "", text)  # no space beside joining marks
    return normalize_space(text) or None


def _after_body(page_lines: list[str], body_lines: list[str]) -> list[str]:
    """The three page lines that follow the article body's last line (where some templates print the date)."""
    if not body_lines:
        return []
    last = body_lines[-1]
    where = [i for i, line in enumerate(page_lines[:5000]) if line == last]
    return page_lines[where[-1] + 1: where[-1] + 4] if where else []


def _page_region(page: _Page, body: LexborNode) -> LexborNode | None:
    """The element of the page that holds a body found in another tree (trafilatura's): the nearest common
    ancestor of the page text nodes that start its first and its last lines."""
    lines = [line for line in node_lines(body) if len(line) >= 4]
    while lines and (_SITE_FOOTER.search(lines[-1]) or _PREV_NEXT.match(lines[-1])):
        lines.pop()  # trafilatura keeps a footer line now and then: the region ends at the article's last line
    if not lines or not page.texts:
        return None
    first, last = compact(lines[0])[:12], compact(lines[-1])[:12]
    starts = [node for _, node, content in page.texts if compact(content)[:12] == first]
    ends = [node for _, node, content in page.texts if compact(content)[:12] == last]
    if not starts or not ends:
        return None
    above = {a.mem_id for a in ancestors(starts[0], 200)}
    for node in ancestors(ends[-1], 200):
        if node.mem_id in above:
            return node if node.tag not in ("html", "body") else None
    return None


def extract_article(html: str, url: str, site: str | None = None) -> ArticleRecord:
    """Extract one article page into an ArticleRecord (never raises)."""
    try:
        return _generic(_page(html if isinstance(html, str) else "", url), url, site)
    except Exception as exc:  # pragma: no cover - last-resort safety net
        return _failed(url, site, exc)


def _failed(url: str, site: str | None, exc: Exception) -> ArticleRecord:
    """The record of a page whose extraction raised."""
    return ArticleRecord(url=url, site=site, warnings=[f"extraction failed: {type(exc).__name__}"])


def _generic(page: _Page | None, url: str, site: str | None) -> ArticleRecord:
    """The generic path on a gathered page: locate body and title by heuristics, then build the record."""
    if page is None:
        return ArticleRecord(url=url, site=site, warnings=["unparseable page"])
    if page.deep:
        return ArticleRecord(url=url, site=site, title=_strip_title_tag(_title_tag(page.tree), ""),
                             warnings=["page nesting too deep; body not extracted"])
    body, how = locate_body(page.tree, page.html, url, page.order, page.named(), page.table_node)
    page.located = how
    title = pick_title(page.tree, page.meta, body if how != "trafilatura" else None, page.table, page.order,
                       page.crumbs(), page.named(), page.lines())
    record = _build(page, body, title, site)
    if _bare(record):  # nothing left: a page whose content is a video or a picture with no text around it
        media = _media_retry(page, url, title, site)
        if media is not None:
            return media
    if body is None:
        record.warnings.append("no article body found")
    return record


def _bare(record: ArticleRecord) -> bool:
    """True when a record kept no body text, image or attachment."""
    return not record.body_text and not record.images and not record.attachments


def _media_retry(page: _Page, url: str, title: _TitlePick, site: str | None) -> ArticleRecord | None:
    """The record of a page read again with its media as the body (see media_body); None when it has none."""
    fresh = _page(page.html, url)  # the first attempt cleaned (changed) the page's tree
    if fresh is None or fresh.deep:
        return None
    found = media_body(fresh.tree)
    if found is None and title.node is not None and title.node.mem_id in page.order:
        where = page.order[title.node.mem_id]  # the same page parsed again: the title is the element at its place
        node = next((n for n in fresh.tree.root.traverse() if fresh.order.get(n.mem_id) == where), None)
        found = picture_below(node) if node is not None else None
    if found is None:
        return None
    record = _build(fresh, found, title, site)
    return None if _bare(record) else record


_BLOCKS = frozenset(("div", "td", "ul", "ol", "li", "section", "article", "main", "p", "center", "dd", "body"))
_PLAYED = "video, audio, embed, object, iframe"


def media_body(tree: LexborHTMLParser) -> LexborNode | None:
    """The body of a page whose content is media, not text: the nearest block holding every video, audio or
    embedded player of the page (a flash banner is no content), else, on a page with no text of its own, the
    block holding its pictures."""
    root = tree.body
    if root is None:
        return None
    played = [n for n in root.css(_PLAYED)[:50] if _plays_content(n, root)]
    if played:
        return _common_block(played, root)
    if len(compact(text_of(root))) >= 20:
        return None
    pictures = [img for img in root.css("img")[:50] if attr(img, "src")]
    return _common_block(pictures, root) if 0 < len(pictures) <= 20 else None


def picture_below(title: LexborNode) -> LexborNode | None:
    """The block that follows a title (past its info line) and holds a picture or a player: the body of a page
    whose article is one picture (a scanned notice, a PDF's preview) in a container no rule names."""
    for level in (title, title.parent):
        sib = level.next if level is not None else None
        for _ in range(6):
            if sib is None:
                break
            if not sib.tag.startswith("-"):
                shown = [img for img in sib.css("img")[:20] if attr(img, "src") and not _chrome_image(img)]
                if shown or sib.css_first(_PLAYED) is not None:
                    return sib if sib.tag in _BLOCKS or sib.tag == "table" else sib.parent
                if len(compact(node_text(sib))) > 80:  # text the body locator did not take: no picture body
                    return None
            sib = sib.next
    return None


def _plays_content(node: LexborNode, root: LexborNode) -> bool:
    """True for a video or audio element, or a player embedding a video, outside the page's header and nav."""
    url = _media_url(node, "http://x/")
    if url is None or (url.lower().split("?")[0].endswith(".swf") and not _PLAYER_URL.search(url)):
        return False
    return not any(p.tag in ("header", "nav", "footer") or _NOT_BODY_RE.search(klass_id(p))
                   for p in ancestors(node, 30) if p.mem_id != root.mem_id)


def _common_block(nodes: list[LexborNode], root: LexborNode) -> LexborNode | None:
    """The nearest block element holding all the nodes (the page's <body> at the most)."""
    chains = [list(ancestors(n, 200)) for n in nodes]
    others = [{p.mem_id for p in chain} for chain in chains[1:]]
    for parent in chains[0]:
        if parent.tag in _BLOCKS and all(parent.mem_id in ids for ids in others):
            return parent
        if parent.mem_id == root.mem_id:
            return root
    return None


def apply_list_hint(record: ArticleRecord, hint: dict | None) -> ArticleRecord:
    """Fill what the page itself did not show from the list page's entry for it: its date beats only a URL date
    (published_source 'list'), its link text stands in only for a missing title."""
    hint = hint or {}
    listed = parse_date(str(hint.get("date") or "")) if hint.get("date") else None
    if listed and record.published_source in (None, "url"):
        if record.published and record.published[:10] != listed[:10]:
            record.warnings.append(f"date conflict: list={listed} url={record.published}")
        record.published, record.published_source = listed, "list"
    if not record.title and isinstance(hint.get("title"), str):
        record.title = plain_title(hint["title"])
    return record


def join_parts(first: ArticleRecord, parts: list[ArticleRecord]) -> ArticleRecord:
    """Join a multi-page article: bodies, attachments and images concatenated in order."""
    records = [first] + list(parts)
    body_html = "\n".join(r.body_html for r in records if r.body_html)
    attachments: dict[str, AttachmentRef] = {}
    for rec in records:
        for att in rec.attachments:
            attachments.setdefault(att.url or "name:" + compact(att.name or ""), att)  # no address: one per name
    joined = ArticleRecord(url=first.url, site=first.site, column_path=list(first.column_path), title=first.title,
                           published=first.published, source=first.source, publisher=first.publisher,
                           index_no=first.index_no, doc_no=first.doc_no, written=first.written, topic=first.topic,
                           validity=first.validity, published_source=first.published_source, body_html=body_html, body_text=html_to_text(body_html),
                           attachments=list(attachments.values()),
                           images=list(dict.fromkeys(i for r in records for i in r.images)),
                           spam_links=list(dict.fromkeys(s for r in records for s in r.spam_links)),
                           warnings=list(dict.fromkeys(w for r in records for w in r.warnings)),
                           part_urls=list(first.part_urls))
    if joined.published is None:
        joined.published_source = next((r.published_source for r in parts if r.published), None)
    for name in ("title", "published", "source", "publisher", "index_no", "doc_no", "written", "topic", "validity"):
        if getattr(joined, name) is None:
            setattr(joined, name, next((getattr(r, name) for r in parts if getattr(r, name)), None))
    return joined


# ---------------------------------------------------------------- per-site templates


def css_selector_for(node: LexborNode, tree: LexborHTMLParser) -> str | None:
    """A CSS selector that picks exactly this node first in its tree (id, id prefix, tag.class, or nested)."""
    for selector in _selector_options(node):
        try:
            found = tree.css_first(selector)
        except Exception:
            continue
        if found is not None and found.mem_id == node.mem_id:
            return selector
    return None


def _simple_selector(node: LexborNode) -> str | None:
    """id / id-prefix / tag.class selector of one element."""
    node_id = attr(node, "id")
    if node_id and re.fullmatch(r"[A-Za-z][\w\-]*", node_id):
        prefix = re.fullmatch(r"([A-Za-z][A-Za-z_\-]*?)[_\-]?\d{3,}", node_id)
        return f"[id^={prefix.group(1)}]" if prefix else f"#{node_id}"
    classes = [c for c in attr(node, "class").split() if re.fullmatch(r"[A-Za-z_][\w\-]*", c)]
    if classes:
        return node.tag + "".join("." + c for c in classes[:3])
    return None


def _selector_options(node: LexborNode) -> list[str]:
    """Candidate selectors for a node, most general first."""
    own = _simple_selector(node)
    options = [own] if own else []
    for parent in ancestors(node, 5):
        outer = _simple_selector(parent)
        if outer:
            options.append(f"{outer} {own or node.tag}")
            options.append(f"{outer} > {own or node.tag}")
            break
    return options


def _not_undercut(node: LexborNode, own: int | None = None) -> bool:
    """True unless an enclosing 'content' container holds much more text (the generic path would pick it)."""
    if own is None:
        total, links = _stats(node)
        own = total - links
    for parent in ancestors(node, 3):
        key = klass_id(parent)
        if not (key.strip() and _TIER2_RE.search(key) and not _NOT_BODY_RE.search(key)):
            continue
        total = len(text_of(parent))
        if own >= 0.85 * total:  # holds ≥ 85% of the parent's text, so of its unlinked text too (_holds)
            continue
        held = _held_by(node, own, parent, total)
        if held is None:
            stats = _usable_stats(parent, total=total)
            held = stats is None or _holds(node, own, parent, stats[0] - stats[1])
        if not held:
            return False
    return True


def _held_by(child: LexborNode, size: int, parent: LexborNode, total: int) -> bool | None:
    """For a parent with `total` characters of text: True when it is no usable container or the child holds its
    content (_usable_stats, then _holds), reading the parent's links and paragraphs once for both; None when the
    parent has so many links or paragraphs that the separate counts would be capped differently."""
    anchors = parent.css("a[href]")
    paras = parent.css("p")
    if len(anchors) >= 2000 or len(paras) >= 5000:
        return None
    sized = [(a, len(text_of(a))) for a in anchors if _nav_like(attr(a, "href"))]
    links = sum(length for _, length in sized)
    if not (total - links >= 20 and links <= 0.5 * total) and not (
            total - links < 20 and links <= 0.5 * max(total, 1) and (
                parent.css_first(_MEDIA_CONTENT) is not None or _holds_file_link(parent))):
        return True  # not usable: no container to lose the body to
    parent_size = total - links
    if size >= 0.85 * parent_size:
        return True
    if size < 0.5 * parent_size:
        return False
    substantial = _substantial_paragraphs(parent, paras, sized)
    inside = {n.mem_id for n in child.traverse()}
    return bool(substantial) and all(mem_id in inside for mem_id in substantial)


def _substantial_paragraphs(root: LexborNode, paras: list[LexborNode], sized: list[tuple[LexborNode, int]]) -> list[int]:
    """mem_ids of the paragraphs _paragraphs counts (sized: the root's navigating anchors with their text length)."""
    linked = _paragraph_links(root, paras, sized)
    out = []
    for para in paras:
        text = text_of(para)
        if len(text) - linked.get(para.mem_id, 0) >= 30 and not _PREV_NEXT.match(text):
            out.append(para.mem_id)
    return out


@dataclass
class Template:
    """Per-site extraction template: selectors of body and title learned from sample pages."""

    body: str
    title: str | None  # CSS selector of the title element; meta ArticleTitle still wins when present
    tier1: bool = False  # body is a known CMS container (accepted with little text, as the generic path does)

    def extract(self, html: str, url: str, site: str | None = None) -> ArticleRecord | None:
        """Extract with the learned selectors; None when the page does not fit the template."""
        try:
            page = _page(html if isinstance(html, str) else "", url)
            found = self.fit(page) if page is not None else None
            return _build(page, *found, site) if page is not None and found is not None else None
        except Exception:
            return None

    def fit(self, page: _Page) -> tuple[LexborNode, _TitlePick] | None:
        """Body and title of a gathered page by the learned selectors; None when it does not fit (page unmodified)."""
        try:
            if page.deep:
                return None
            body = page.tree.css_first(self.body)
            if body is None:
                return None
            page.body_text = (body.mem_id, text_of(body))
            stats = _usable_stats(body, 1 if self.tier1 else 20, len(page.body_text[1]))
            if stats is None or (not self.tier1 and not _not_undercut(body, stats[0] - stats[1])):
                return None
            return body, self._title(page, body)
        except Exception:
            return None

    def _title(self, page: _Page, body: LexborNode) -> _TitlePick:
        """The title as the template finds it: meta ArticleTitle, the learned element, else the generic pick."""
        found = meta_title(page.meta, page.tree)
        if found is not None:
            return found
        node = page.tree.css_first(self.title) if self.title is not None else None
        text = text_of(node) if node is not None else ""
        if text:
            return _TitlePick(text, node, "node")
        return pick_title(page.tree, page.meta, body, page.table, page.order, page.crumbs(), page.named(), page.lines())


def learn_template(samples: list[tuple[str, str]], records: list[ArticleRecord] | None = None) -> Template | None:
    """Infer body/title selectors from a few (html, url) article pages of one site; None if no template fits all.

    records: the generic path's records of the samples when the caller has them already (site=None or not: only
    the fields are compared).
    """
    found = learn_variant(samples, records, least=None)
    return found[0] if found is not None else None


def learn_variant(samples: list[tuple[str, str]], records: list[ArticleRecord] | None = None,
                  least: int | None = 2) -> tuple[Template, list[int]] | None:
    """A template and the indexes of the samples it fits: the first candidate that fits them all, else (least given)
    the one that fits most of them, at least `least`; every sample a template fits must give the generic path's
    record (a site with two layouts teaches one template per layout). None when no candidate qualifies or a sample
    has no body in a named container."""
    facts = _sample_facts(samples, records)
    if facts is None:
        return None
    candidates, expected = facts
    best: tuple[Template, list[int]] | None = None
    for template in candidates:
        fitted = _fitted(template, expected, every=least is None)
        if fitted is None:
            continue
        if len(fitted) == len(expected):
            return template, fitted
        if least is not None and len(fitted) >= least and (best is None or len(fitted) > len(best[1])):
            best = template, fitted
    return best


_LEARNABLE = ("container", "region", "block")  # bodies that are elements of the page, so have a selector to learn


def _sample_facts(samples: list[tuple[str, str]], records: list[ArticleRecord] | None
                  ) -> tuple[list[Template], list[tuple[str, str, ArticleRecord]]] | None:
    """Candidate templates (body selectors in sample order, each with every title selector, then none) and the
    samples with their generic records; None when a sample has no body located in the page itself (a container, a
    text region or text blocks) or none is given."""
    body_sels: list[tuple[str, bool]] = []
    title_sels: list[str | None] = []
    expected: list[tuple[str, str, ArticleRecord]] = []
    try:
        for index, (html, url) in enumerate(samples[:20]):
            page = _page(html, url)
            if page is None or page.deep:
                return None
            body, how = locate_body(page.tree, page.html, url, page.order, page.named(), page.table_node)
            if body is None or how not in _LEARNABLE:
                return None
            first = _tier1(page.tree)
            selector = css_selector_for(body, page.tree)
            if selector is None:
                return None
            body_sels.append((selector, first is not None and first.mem_id == body.mem_id))
            title = pick_title(page.tree, page.meta, body, page.table, page.order, page.crumbs(), page.named(), page.lines())
            if title.node is not None:
                title_sels.append(css_selector_for(title.node, page.tree))
            known = records[index] if records is not None and index < len(records) else None
            expected.append((html, url, known if known is not None else extract_article(html, url)))
    except Exception:
        return None
    if not expected:
        return None
    candidates = [Template(body=body_sel, title=title_sel, tier1=tier1) for body_sel, tier1 in dict.fromkeys(body_sels)
                  for title_sel in dict.fromkeys([*title_sels, None])]
    return candidates, expected


def _fitted(template: Template, expected: list[tuple[str, str, ArticleRecord]], every: bool = False) -> list[int] | None:
    """Indexes of the samples a template fits; None when one it fits gives another record than the generic path
    (every: also when it does not fit one)."""
    fitted = []
    for index, (html, url, record) in enumerate(expected):
        got = template.extract(html, url, record.site)
        if got is None:
            if every:
                return None
            continue
        if not _same_record(got, record):
            return None
        fitted.append(index)
    return fitted


def _same_record(got: ArticleRecord | None, want: ArticleRecord) -> bool:
    """True when a template's record equals the generic path's one."""
    return got is not None and got == want


class SiteExtractor:
    """Extraction for one site's crawl: the generic path for the first article pages, then learned templates.

    After `learn_after` article pages that the generic path extracted with a located body, a template is learned
    from them; later pages go through the template (one parse, selector lookups) and fall back to the generic path
    when they do not fit. Pages that miss are collected, and a further template variant is learned from them (up to
    `max_templates`), so a site with two layouts (news and 信息公开 pages) ends up with two templates.
    """

    def __init__(self, site_id: str | None = None, learn_after: int = 5, max_templates: int = 4) -> None:
        """Start with no template; learning happens as pages come in."""
        self.site_id = site_id
        self.learn_after = max(1, learn_after)
        self.max_templates = max_templates
        self.templates: list[Template] = []
        self.hits = 0  # pages extracted by a template
        self.misses = 0  # pages that fitted no template (generic path) once one was learned
        self.generic = 0  # pages extracted by the generic path before any template existed
        self._samples: list[tuple[str, str, ArticleRecord]] = []
        self._failed_learns = 0

    def extract(self, html: str, url: str, tree: LexborHTMLParser | None = None) -> ArticleRecord:
        """Extract one article page (never raises); exactly the record extract_article would give (tree:
        parse_html(html) unchanged, when already made; the extraction changes it)."""
        if not isinstance(html, str):
            html = ""
        try:
            page = _page(html, url, tree)
        except Exception as exc:  # pragma: no cover - last-resort safety net
            return _failed(url, self.site_id, exc)
        if page is not None:
            for template in self.templates:
                found = template.fit(page)
                if found is not None:
                    self.hits += 1
                    return self._build_fitted(page, found, html, url)
        record = self._generic_record(page, html, url)
        if self.templates:
            self.misses += 1
        else:
            self.generic += 1
        self._learn_from(page, html, url, record)
        return record

    def _build_fitted(self, page: _Page, found: tuple[LexborNode, _TitlePick], html: str, url: str) -> ArticleRecord:
        """The record of a page that fits a template (a fresh generic extraction if building fails midway)."""
        try:
            return _build(page, *found, self.site_id)
        except Exception:
            return extract_article(html, url, self.site_id)

    def _generic_record(self, page: _Page | None, html: str, url: str) -> ArticleRecord:
        """The generic path on the already gathered page."""
        try:
            return _generic(page, url, self.site_id)
        except Exception as exc:  # pragma: no cover - last-resort safety net
            return _failed(url, self.site_id, exc)

    def _learn_from(self, page: _Page | None, html: str, url: str, record: ArticleRecord) -> None:
        """Keep a generic-path page as a sample; learn a template (or a variant) once there are enough."""
        if len(self.templates) >= self.max_templates or self._failed_learns >= 3 * self.max_templates:
            return
        if page is None or page.deep or page.located not in _LEARNABLE or not record.body_html or any(
                w.startswith(("no article body", "extraction failed")) for w in record.warnings):
            return  # a body trafilatura or the paragraph heuristic found has no selector to learn
        self._samples.append((html, url, record))
        need = self.learn_after if not self.templates else max(2, self.learn_after // 2)
        if len(self._samples) < need:
            return
        samples, self._samples = self._samples, []
        found = learn_variant([(h, u) for h, u, _ in samples], [r for _, _, r in samples])
        if found is None or found[0] in self.templates:
            self._failed_learns += 1
            return
        self.templates.append(found[0])
        self._samples = [sample for index, sample in enumerate(samples) if index not in found[1]]  # another layout


def clear_caches() -> None:
    """Empty the per-process memos of the page library (benchmarks call it so repeated pages are not free)."""
    from crawlers import _common, _fields

    for memo in (_common._absolutize_cached, _common._origin, _common._plain_base, _common.parse_date,
                 _common.host_of, _common.is_attachment_url, _common.style_hides, _common._hidden_selectors,
                 _fields._label_pairs, _info_line, _text_clutter):
        memo.cache_clear()
