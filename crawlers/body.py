"""Where an article page keeps its body: known containers, text regions, trafilatura, heuristics."""
from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable, Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers._common import (
    ATTACH_EXTS,
    ancestors,
    attr,
    is_attachment_url,
    is_inside,
    klass_id,
    node_memo,
    parse_html,
    text_of,
)
from crawlers._fields import (
    LABEL_FIELD,
    compact,
    has_colon,
    label_count,
    label_pairs,
)
from crawlers.text import TAG_NAMES

TRAFILATURA_MAX = 1_500_000

# ---------------------------------------------------------------- body location

TIER1 = (".TRS_Editor", "[id^=TRS_AUTOADD]", "#zoom", "#Zoom", "#UCAP-CONTENT", ".pages_content", ".article-content",
         ".article_content", ".artCon", ".wzy_nr", "#fontzoom", ".zoom", "#ArticleContent", ".TRS_PreAppend")
_TIER2_RE = re.compile(r"content|zoom|zhengwen|\bzw\b|zw_|_zw|artcon|article|detail|newstext|news_text|maintext|"
                       r"bodytext|text_?con|con_?text|wznr|nr_?box|xl_?con|\bnr\b|\bcon\b|\bentry\b", re.I)
_TIER2_WORDS = ("con", "zoom", "zhengwen", "zw", "article", "detail", "text", "nr", "entry")
# every name _TIER2_RE matches holds one of these: lower-cased ASCII holding none is answered without the pattern,
# which has no literal to search for (ı and İ fold to i under re.I: a key with them takes the pattern)


def content_named(key: str) -> bool:
    """_TIER2_RE.search(key) of a lower-cased class and id (klass_id)."""
    if key.isascii() and not any(word in key for word in _TIER2_WORDS):
        return False
    return _TIER2_RE.search(key) is not None


_NOT_BODY_RE = re.compile(r"title|nav|menu|footer|header|crumb|position|share|related|xgwz|xglj|sidebar|side_|"
                          r"comment|pager|page_?bar|fenye|toolbar|tool_?bar|search|copyright|banner", re.I)
_FURNITURE = ("打印本页", "打印此页", "打印文章", "打印", "关闭窗口", "关闭本页", "关闭", "返回顶部", "回到顶部", "顶部", "分享到",
              "分享", "收藏本页", "收藏", "浏览次数", "访问次数", "点击数", "阅读次数", "点击量", "浏览量", "次数", "字号", "字体",
              "大中小", "扫一扫", "在手机打开", "手机打开", "保存本页", "我要纠错", "纠错", "返回列表", "返回", "加入收藏", "默认",
              "暂停播放", "自动播放", "播放", "【", "】", "[", "]", "大", "中", "小", "|", "：", ":", "次")


def fewest_words(words: Iterable[str]) -> list[str]:
    """The words (in order, once each) that hold no other of the words: a text holds one of these exactly when it
    holds one of all, so a search for any of them (not for which one or where) need try only these."""
    unique = list(dict.fromkeys(words))
    return [word for word in unique if not any(other != word and other in word for other in unique)]


def any_word(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern that finds whether a text holds one of the words (its fewest_words: fewer alternatives to try at
    each position of the text)."""
    return re.compile("|".join(re.escape(word) for word in fewest_words(words)))


_FURNITURE_WORDS = any_word(w for w in _FURNITURE if len(w) > 1)  # text without one is no furniture
_CRUMB_WORDS = ("当前位置", "您的位置", "当前的位置", "所在位置", "现在的位置")  # a breadcrumb's label
_CRUMB_TRAIL = re.compile(r"^\s*(?:网站)?首页\s*[>＞»›→/]")  # a breadcrumb with no label: "首页>图库"
_TAIL_WORDS = (*(first + second for first in ("热门", "相关", "更多", "精彩", "最新", "热点")
                 for second in ("图集", "图片", "组图", "文章", "新闻", "阅读", "推荐", "链接", "资讯")),
               "推荐阅读", "延伸阅读", "猜你喜欢", "友情链接",
               *(first + second for first in ("网友", "最新", "热门", "精彩", "全部", "相关", "用户", "读者", "发表", "我要", "查看")
                 for second in ("评论", "留言")), "评论列表", "留言列表", "评论", "留言")
_TAIL_HEADING = re.compile("|".join(_TAIL_WORDS))  # matched whole (fullmatch): every word stays
# the heading of what a template lists after the article; spelt out word by word, as a list of plain words is
# searched ~4× faster than the same words as (A|B)(C|D)
_TEMPLATE_IMAGE = re.compile(r"/(?:templets?|templates?|skins?|themes?)/", re.I)  # a template's own pictures
_PREV_NEXT_WORDS = "上一篇|下一篇|上一条|下一条|上篇|下篇|上一页|下一页|上一张|下一张|上一幅|下一幅"  # 张/幅: a gallery's
_PREV_NEXT = re.compile(rf"^(?:{_PREV_NEXT_WORDS})\s*[:：]?")
_SITE_FOOTER = re.compile(r"版权所有|主办单位|承办单位|ICP[备证]|公网安备|网站标识码|技术支持[:：]|Copyright|©")
_SHARE_RE = re.compile(r"share|bdshare|fenxiang|jiathis|bshare", re.I)
_ATTACH_LABEL = re.compile(r"^\s*(?:相关附件|附件下载|附件列表|附件|相关文件|相关下载|下载附件)\s*(?:\d+)?\s*[:：]?")
_ATTACH_WORDS = ("附件", "相关文件", "相关下载")  # every _ATTACH_LABEL alternative holds one of these (spelt out in
# _attachment_blocks too)
_DROP_TAGS = ("script", "style", "noscript", "template", "link", "meta", "input", "button", "select", "textarea",
              "iframe", "frame", "frameset", "embed", "object", "svg", "canvas", "audio", "video", "map", "title")
_VENDOR_HOSTS = ("hanweb.com", "trs.com.cn", "kaipuyun.cn", "dedecms.com", "phpcms.cn", "cnzz.com", "51.la",
                 "conac.cn", "ucap.com.cn", "baidu.com", "beian.miit.gov.cn")

ALLOWED_TAGS = {"a", "p", "br", "img", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup",
                "col", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i",
                "u", "sub", "sup", "blockquote", "pre", "div", "section", "article", "center", "hr", "figure",
                "figcaption", "span", "s", "del", "ins", "code"}
ALLOWED_ATTRS = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"colspan", "rowspan"},
                 "th": {"colspan", "rowspan"}, "col": {"span"}, "colgroup": {"span"}, "table": {"border"}}
_CLEAN_CONTENT = {"script", "style", "select", "textarea", "noscript", "template", "button", "title", "iframe", "object",
                  "embed", "svg", "math", "frame", "frameset"}


def _stats(node: LexborNode, total: int | None = None) -> tuple[int, int]:
    """(text length, link text length) of a subtree (total: its text length when known)."""
    total = len(text_of(node)) if total is None else total
    links = sum(len(text_of(a)) for a in node.css("a[href]")[:2000] if _nav_like(attr(a, "href")))
    return total, links


def _nav_like(href: str) -> bool:
    """True for hrefs that navigate somewhere (not javascript:, not a document download)."""
    low = href.lower()
    return bool(low) and not low.startswith(("javascript", "#")) and not is_attachment_url(low)


def _usable_stats(node: LexborNode, min_text: int = 20, total: int | None = None) -> tuple[int, int] | None:
    """The (text, link text) lengths of a container that holds real content; None when it does not (total: its
    text length when known)."""
    total, links = _stats(node, total)
    if total - links >= min_text and links <= 0.5 * total:
        return total, links
    if total - links < 20 and links <= 0.5 * max(total, 1) and (
            node.css_first(_MEDIA_CONTENT) is not None or _holds_file_link(node)):
        return total, links
    return None


def _holds_file_link(node: LexborNode) -> bool:
    """True when a short container holds a link to a file (an attachment-only article body)."""
    for anchor in node.css("a")[:20]:
        href = attr(anchor, "href")
        if (href and not _dead_href(href) and is_attachment_url(href)) or _names_file(attr(anchor, "title")) or \
                _names_file(text_of(anchor)):
            return True
    return False


_MEDIA_CONTENT = "img, table, video, audio, embed, object"  # what makes a short container content


_TIER1_ANY = ", ".join(TIER1)


def _tier1(tree: LexborHTMLParser, named: list[tuple[LexborNode, str]] | None = None) -> LexborNode | None:
    """The best known CMS body container (most text, so the outermost of nested ones; named: the body's named_runs,
    when known, tell which selectors can match without a query of them all)."""
    best, best_len = None, -1
    try:
        classes, ids = _tier1_names(tree, named)
        found = True
    except Exception:
        found, classes, ids = None, set(), set()
    for selector in TIER1:
        if found is not None and not _may_match_any(selector, classes, ids):
            continue  # one query for all of them showed this one finds nothing
        try:
            nodes = tree.css(selector)[:50]
        except Exception:
            continue
        for node in nodes:
            stats = _usable_stats(node, 1)
            if stats is None or (node.tag in _INLINE_TAGS and _inline_part(node, stats[0])):
                continue
            size = stats[0]
            if size > best_len:
                best, best_len = node, size
    return best


def _tier1_names(tree: LexborHTMLParser, named: list[tuple[LexborNode, str]] | None) -> tuple[set[str], set[str]]:
    """(classes, ids), lower-cased, of elements among which are all those a TIER1 selector matches (a selector whose
    name is in neither can match nothing). With the body's named_runs, of a tree whose <html> holds just <head> and
    <body>: every word of the class and id of those elements, <html>, <head> and its elements with a class or id,
    and <body>, in both sets (read with klass_id: cheaper than a query of all the selectors); else of the matches of
    that query."""
    root, head, body = tree.root, tree.head, tree.body
    if named is None or root is None or head is None or body is None or \
            [child.mem_id for child in root.iter()] != [head.mem_id, body.mem_id]:
        found = [(_lower_attr(n, "class").split(), _lower_attr(n, "id")) for n in tree.css(_TIER1_ANY)]
        return {c for cls, _ in found for c in cls}, {node_id for _, node_id in found}
    words = {word for node in (root, head, *head.css("[class], [id]"), body, *(node for node, _ in named))
             for word in klass_id(node).split()}
    return words, words


_INLINE_TAGS = frozenset(("font", "span", "b", "strong", "em", "i", "u", "a", "small", "big"))


def _inline_part(node: LexborNode, size: int) -> bool:
    """True when an inline element named like a body container (<font id="Zoom">) wraps one piece of a much
    longer text around it: a styling hook, not the body."""
    for parent in ancestors(node, 4):
        if parent.tag in ("body", "html"):
            return False
        if parent.tag in ("div", "td", "section", "article"):
            total = len(text_of(parent))
            return total >= 200 and total > 2 * size
    return False


def _lower_attr(node: LexborNode, name: str) -> str:
    """An attribute's raw value, lower-cased ('' when absent)."""
    return (node.attributes.get(name) or "").lower()


def _may_match_any(selector: str, classes: set[str], ids: set[str]) -> bool:
    """False only when a TIER1 selector (.class, #id or [id^=prefix]) can match none of some elements, given the union
    of their lower-cased classes and their lower-cased ids, whatever the document's quirks mode (class and id matching
    may ignore case)."""
    if selector.startswith("."):
        return selector[1:].lower() in classes
    if selector.startswith("#"):
        return selector[1:].lower() in ids
    if selector.startswith("[id^="):
        prefix = selector[5:-1].lower()
        return any(node_id.startswith(prefix) for node_id in ids)
    return True


_TIER2_TAGS = ("div", "td", "section", "article", "span", "font", "main")
_TIER2_TAG_SET = frozenset(_TIER2_TAGS)
_TIER2_ANY = ", ".join(_TIER2_TAGS)


def _tier2(tree: LexborHTMLParser, order: dict[int, int] | None = None,
           named: list[tuple[LexborNode, str]] | None = None, meta_block: LexborNode | None = None) -> LexborNode | None:
    """A container whose id/class says 'content', descending to a child holding most of its text (order: the
    document order, when known, lets a page of at most 20000 elements be asked only for elements with a class or
    id; named: the body's named_runs, when known, answer that question; meta_block: the 信息公开 table, never the
    body nor most of it)."""
    body = tree.body
    if body is None:
        return None
    candidates = []
    if order is not None and len(order) <= 20000:
        found = _entries(named_runs(body) if named is None else named, (), _TIER2_TAG_SET)
    else:
        found = body.css(_TIER2_ANY)
    for node in found[:20000]:
        key = klass_id(node)
        if not key.strip() or not content_named(key) or _NOT_BODY_RE.search(key):
            continue
        stats = _usable_stats(node)
        if stats is not None and not _mostly_meta(node, stats[0], meta_block) and not _prev_next_box(node, stats[0]) \
                and not _info_cell(node, stats[0]):
            candidates.append((node, stats[0] - stats[1]))
        if len(candidates) > 200:
            break
    if not candidates:
        return None
    best, best_len = max(candidates, key=lambda c: c[1])
    paras: dict[int, int] = {}  # paragraph counts, read once per container (the tree is not modified here)
    moved = True
    while moved:
        moved = False
        aside: tuple[int, int] | None = None
        for node, size in candidates:
            if node.mem_id == best.mem_id or not is_inside(node, best):
                continue
            if not _holds(node, size, best, best_len, paras):
                aside = _aside_parts(best) if aside is None else aside
                if not aside[0] or not _holds_all_but(node, size, best_len - aside[0],
                                                      node_memo(best, paras, _paragraphs) - aside[1], paras):
                    continue
            best, best_len, moved = node, size, True
            break
    return best


def _aside_parts(node: LexborNode) -> tuple[int, int]:
    """(text outside links, substantial paragraphs) of the parts of a container named like furniture (a comment
    list, a share bar, a 相关文章 box, the post's header and footer), outermost ones only."""
    parts = [n for n in node.css("[class], [id], nav, aside, footer, form")[:2000]
             if n.tag in _FURNITURE_BLOCKS or _NOT_BODY_RE.search(klass_id(n))]
    size = paras = 0
    for part in _outermost_of(parts):
        total, links = _stats(part)
        size += total - links
        paras += _paragraphs(part)
    return size, paras


def _outermost_of(nodes: list[LexborNode]) -> list[LexborNode]:
    """The nodes that lie inside no other of them (document order kept)."""
    out: list[LexborNode] = []
    for node in nodes:  # in document order, a node's descendants follow it before any node outside it
        if not out or not is_inside(node, out[-1]):
            out.append(node)
    return out


def _holds_all_but(child: LexborNode, size: int, rest: int, rest_paras: int, memo: dict[int, int]) -> bool:
    """True when a child container carries all its parent holds outside the parent's furniture-named parts (rest:
    that text's length; rest_paras: its substantial paragraphs), as _holds asks of the whole parent: a WordPress
    post's entry-content in a content area that also holds its comment list."""
    if rest <= 0 or size >= 0.85 * rest:
        return rest > 0
    return rest_paras > 0 and size >= 0.5 * rest and node_memo(child, memo, _paragraphs) == rest_paras


def _info_cell(node: LexborNode, size: int) -> bool:
    """True when a short container named like a body (<td class="Article_tdbgall">) is one info line (作者：…
    来源：… 更新时间：…) with no block inside: the article's header, never its body."""
    return size <= 250 and node.css_first(_LINE_INSIDE) is None and _header_line(node, text_of(node))


_LINE_INSIDE = "p, div, br, li, table, h1, h2, h3, h4, h5, h6, section, img"


def _prev_next_box(node: LexborNode, size: int) -> bool:
    """True when a short container named like a body (<div class="articlePiece">) is the 上一篇/下一篇 box: its
    text opens with a prev/next label, so it is navigation, never the article."""
    return size < 300 and bool(_PREV_NEXT.match(compact(text_of(node))))


def _mostly_meta(node: LexborNode, size: int, meta_block: LexborNode | None) -> bool:
    """True when a container is a 信息公开 metadata block (the one found, or a short one made of labels), lies
    inside it, or holds little else."""
    if size < 300 and _label_words(text_of(node)) >= 3:
        return True
    if meta_block is None:
        return False
    if node.mem_id == meta_block.mem_id or is_inside(node, meta_block):
        return True
    return is_inside(meta_block, node) and size - len(text_of(meta_block)) < 20


_META_LABEL_WORDS = tuple(label for label, name in LABEL_FIELD.items() if len(label) >= 3 and name != "published"
                          and label not in ("浏览次数", "点击数", "阅读次数", "访问次数", "点击率"))


def _label_words(text: str) -> int:
    """How many distinct 信息公开 label words (索引号, 发文字号, 主题分类...) a text holds."""
    flat = compact(text)
    return sum(1 for label in _META_LABEL_WORDS if label in flat)


def _holds(child: LexborNode, size: int, parent: LexborNode, parent_size: int,
           memo: dict[int, int] | None = None) -> bool:
    """True when a child container carries the parent's content (≥85% of its text, or all its paragraphs)."""
    if size >= 0.85 * parent_size:
        return True
    paras = node_memo(parent, memo, _paragraphs)
    return paras > 0 and size >= 0.5 * parent_size and node_memo(child, memo, _paragraphs) == paras


def _paragraphs(node: LexborNode) -> int:
    """Number of substantial paragraphs (≥ 30 characters) in a subtree."""
    paras = node.css("p")[:5000]
    links = _para_links(node, paras)
    count = 0
    for para in paras:
        text = text_of(para)
        if links is None:
            total, linked = _stats(para)
        else:
            total, linked = len(text), links.get(para.mem_id, 0)
        count += total - linked >= 30 and not _PREV_NEXT.match(text)
    return count


def _para_links(node: LexborNode, paras: list[LexborNode]) -> dict[int, int] | None:
    """Link text length (as _stats counts it) per paragraph, from one pass over the subtree's links; None when
    the subtree has so many links that a paragraph's own count would be capped."""
    if not paras:
        return {}
    anchors = node.css("a[href]")
    if len(anchors) >= 2000:
        return None
    sized = [(anchor, len(text_of(anchor))) for anchor in anchors if _nav_like(attr(anchor, "href"))]
    return _paragraph_links(node, paras, sized)


def _paragraph_links(root: LexborNode, paras: list[LexborNode], sized: list[tuple[LexborNode, int]]) -> dict[int, int]:
    """Link text length per paragraph of root (sized: root's navigating anchors with their text length)."""
    ids = {p.mem_id for p in paras}
    out: dict[int, int] = {}
    for anchor, size in sized:
        cur = anchor.parent
        while cur is not None:
            if cur.mem_id in ids:
                out[cur.mem_id] = out.get(cur.mem_id, 0) + size
            if cur.mem_id == root.mem_id:
                break
            cur = cur.parent
    return out


def _densest(tree: LexborHTMLParser) -> LexborNode | None:
    """Heuristic: the element whose <p> children carry the most text."""
    scores: dict[int, tuple[LexborNode, int]] = {}
    body = tree.body
    if body is None:
        return None
    for para in body.css("p")[:20000]:
        parent = para.parent
        if parent is None:
            continue
        size = len(text_of(para))
        node, total = scores.get(parent.mem_id, (parent, 0))
        scores[parent.mem_id] = (node, total + size)
    if not scores:
        return None
    node, total = max(scores.values(), key=lambda v: v[1])
    return node if total >= 50 else None


_FURNITURE_BLOCKS = frozenset(("nav", "header", "footer", "aside", "form", "select", "a", "li", "dt"))
_REGION_MIN = 20  # non-link characters a paragraph block needs before it can be the body
_REGION_LEAD = 3  # ...and how many times the next block's text, when it holds less than _REGION_SURE
_REGION_SURE = 200
_REGION_LINKS = 0.25  # a block joins the region only when at most this share of its text is link text


def text_region(tree: LexborHTMLParser, meta_block: LexborNode | None = None) -> LexborNode | None:
    """The body of a page with no named container: the block whose <p> children carry the most text outside links
    and scripts (footer, breadcrumb and 上一篇/下一篇 paragraphs left out; nav, header, footer and blocks named like
    them never count), grown to the ancestors whose other children add text that is not links (the title, the date
    line, the rest of a table); None when the region's paragraphs do not clearly outweigh those outside it, or
    pictures beside it show it is a caption (meta_block: the 信息公开 table, never the body)."""
    body = tree.body
    if body is None:
        return None
    paras = body.css("p")[:20000]
    if not paras:
        return None
    dead = _paragraph_links(body, paras, [(n, len(text_of(n))) for n in _dead_text(body)])
    scores: dict[int, list] = {}
    for para in paras:
        text = text_of(para)
        if not text or _PREV_NEXT.match(text) or _SITE_FOOTER.search(text) or any(w in text for w in _CRUMB_WORDS):
            continue
        own, parent = len(text) - dead.get(para.mem_id, 0), para.parent
        if own > 0 and parent is not None:
            scores.setdefault(parent.mem_id, [parent, 0])[1] += own
    ranked = [(node, score) for node, score in sorted(scores.values(), key=lambda e: e[1], reverse=True)[:10]
              if not _furniture_block(node, body, meta_block)
              and not (_tail_led(node, _first_block(node)) and not _holds_title(node, tree))]
    if not ranked:
        return None
    region = _grown(ranked[0][0], body, meta_block)
    score = runner = 0
    for node, size in ranked:
        if node.mem_id == region.mem_id or is_inside(node, region):
            score += size
        else:
            runner = max(runner, size)
    if score < _REGION_MIN or (score < _REGION_SURE and score < _REGION_LEAD * runner):
        return None
    return None if _pictures_beside(region, body) else region


_LINE_BLOCKS = frozenset(("p", "div", "section", "article", "main", "li", "td", "th", "dd", "dt", "dl", "h1", "h2", "h3",
                          "h4", "h5", "h6", "blockquote", "center", "pre", "ul", "ol", "table", "tbody", "thead", "tfoot",
                          "tr", "form", "figure", "figcaption", "address", "header", "footer", "nav", "aside", "fieldset",
                          "body"))  # the elements a text is a line of (the inline ones between carry it up)
_NO_TEXT = frozenset(("script", "style", "noscript", "template", "title", "select", "option", "textarea", "button",
                      "head", "html"))  # text no reader sees as the page's
_NOT_WORD = re.compile(r"[\W_]+")
_LIST_DATE = re.compile(r"(?:(?:19|20)\d\d\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d\d(?::\d\d)?)?")
_LIST_CELLS = frozenset(("li", "td", "dd"))  # where a related list keeps its dates
_BRACKETS = " []()（）【】"
_TABLE_PARTS = frozenset(("table", "tbody", "thead", "tfoot", "tr", "td", "th"))  # a table layout's blocks
_GREETING = re.compile(r"\s*(?:您好|你好)?[，,！!]?\s*欢迎(?:光临|访问|来到|进入|您)")  # a top bar's "欢迎光临…！今天是："
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|——|—|–|－|-{1,2})\s*")


def block_region(tree: LexborHTMLParser, meta_block: LexborNode | None = None) -> tuple[LexborNode | None, str]:
    """The body of a page whose text is not in <p> paragraphs (lines in <div>, <section>, <li> or cells: a short
    profile, a directory entry, an editor's <section> layout, a gallery's caption), and how it was found ("block",
    "gallery": its pictures and their caption, or "lines": an article's lines above a 相关新闻 heading, each as a node
    of its own small tree): text_region's scoring over every block that holds text of its own outside links, each
    block's text counted for its parent (a data table's cells for their table; a list item's or a cell's lone date
    for nothing), never the page's <body>. A group holding the article's header (the title line, or a heading and a
    发布时间 line) and text of its own is taken before a headerless group that outscores it narrowly (a comment list,
    a related list, a 联系我们 box); a headerless group grows past the title and date lines while what it passes holds
    no links, and no further than the header (a table layout's title and date rows left out again). A short region
    is the body only when it leads clearly or holds the header or the page's title; one holding nothing but headings
    and 发布时间/来源 lines is the body only when it shows a picture or a player (then the block holding them); one
    that runs on into a 热门图集/相关文章 list is cut at that heading (or, with one caption line above it, is a
    gallery's caption, as is one with pictures beside it). (None, "") when no block qualifies (meta_block: the 信息公开
    table, never the body)."""
    body = tree.body
    if body is None:
        return None, ""
    title = _page_title(tree)
    ranked = [(node, score, lines) for node, score, lines in _line_scores(body)[:10]
              if node.tag not in _ROOT_TAGS and not _furniture_block(node, body, meta_block)
              and not (_tail_led(node, lines[0][0] if lines else None) and _headed_text(lines, title) is None)]
    if not ranked:
        return None, ""
    top, top_score, top_lines = _headed_first(ranked, title)
    start = top_lines[0][0] if len(top_lines) == 1 else top
    if start.tag == "table" and start.parent is not None and start.parent.tag not in _ROOT_TAGS:
        start = start.parent  # a body is what holds its table: the table's inner markup alone is no table
    headed = _headed_text(top_lines, title) is not None
    region = start if headed else _headed_within(start, _grown(start, body, meta_block, every_link=True), ranked,
                                                  title)  # growth finds the header, and stops there
    score, runner, lines = top_score, 0, list(top_lines)
    for node, size, more in ranked:
        if node.mem_id == top.mem_id:
            continue
        if is_inside(node, region):
            score += size
            lines += more
        elif not is_inside(region, node):
            runner = max(runner, size)
    headed = headed or _headed_text(lines, title) is not None
    clear = score >= _REGION_SURE or score >= _REGION_LEAD * runner or headed or _holds_title(region, tree)
    if score < _REGION_MIN or not clear:
        return None, ""
    text_lines = [block for block, header in lines if not header]
    if not text_lines:  # a title and its date line: the article is what they introduce
        shown = _media_nodes(region)
        block = _enclosing_block(shown, region) if shown else None
        return (block, "block") if block is not None else (None, "")
    tail = next((block for block, header in lines if header and _tail_heading(block)), None)
    if tail is not None:  # the region runs on into the template's lists below
        kept, kids = _before(region, tail)
        if kept is not None and _spread(text_lines, kids, title):
            return kept, "lines"  # an article's lines over a 相关新闻 list: the lines, not the list
        caption = max(text_lines, key=lambda block: len(text_of(block)))
        found = _gallery(caption, body, meta_block)  # a gallery's caption (one block) over its related galleries
        return found if found[0] is not None or kept is None else (kept, "lines")
    if _pictures_beside(region, body):
        return _gallery(region, body, meta_block)
    if start.tag in _TABLE_PARTS and region.mem_id != start.mem_id and _only_header_added(region, start, lines, title):
        return start, "block"  # the title and date rows of a table layout are no part of the body (cleaning drops
        # a header line of a <div> layout, not a row)
    return _inmost(region, start), "block"


_ROOT_TAGS = frozenset(("html", "body"))  # never a body: the whole page


def _page_title(tree: LexborHTMLParser) -> str:
    """The article title the page's <title> opens with, compacted ('' when shorter than 4 characters)."""
    head = tree.css_first("title")
    want = compact(_TITLE_SEPARATORS.split(text_of(head))[0]) if head is not None else ""
    return want if len(want) >= 4 else ""


def _headed_text(lines: list[tuple[LexborNode, bool]], title: str) -> int | None:
    """The size of the text lines of a block group that holds its article's header (a line whose whole text is the
    page title, or a heading and a 发布时间 line); None when it holds none."""
    titled = heading = dated = False
    size = 0
    for block, header in lines:
        flat = compact(text_of(block))
        if title and flat == title:
            titled = True
        elif block.tag in _HEADINGS:
            heading = True
        elif header:
            dated = True
        else:
            size += len(_NOT_WORD.sub("", flat))
    return size if titled or (heading and dated) else None


def _headed_first(ranked: list[tuple[LexborNode, int, list[tuple[LexborNode, bool]]]], title: str
                  ) -> tuple[LexborNode, int, list[tuple[LexborNode, bool]]]:
    """The group a block body starts from: the best scored, unless it holds no header and another group apart from
    it holds its header and text lines of its own, at least a third of the best's (a comment list, a related list
    or a 联系我们 box outscoring a short article; a header's one-line summary over the article's lines is no article)."""
    top = ranked[0]
    if _headed_text(top[2], title) is not None:
        return top
    for entry in ranked[1:]:
        size = _headed_text(entry[2], title)
        if size is None or is_inside(entry[0], top[0]) or is_inside(top[0], entry[0]):
            continue
        if size >= _REGION_MIN and _REGION_LEAD * size >= top[1]:
            return entry
        below = sum(score for node, score, _ in ranked if node.mem_id != entry[0].mem_id and is_inside(node, entry[0]))
        if below and _boxed(top[0], entry[0], title):
            return entry  # a 县情简介/领导信息 box, however long, is no article beside a header over a body block of
            # its own (a header's own 摘要 line is none)
    return top


def _boxed(node: LexborNode, other: LexborNode, title: str) -> bool:
    """True when a block group lies in a box of its own beside another group: it, or one of its ancestors below
    the one they share, opens with a short heading of its own (县情简介, 领导信息, 热点推荐; not the title, not a
    numbered section heading such as 一、总体情况)."""
    for box in (node, *ancestors(node, 8)):
        if is_inside(other, box):
            return False
        first = _first_block(box)
        if first is not None and first.mem_id != box.mem_id and _box_heading(first, box, title):
            return True
    return False


_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．)）]|[（(][一二三四五六七八九十\d]+[)）]|第.{1,3}[章节条部])")


def _box_heading(first: LexborNode, box: LexborNode, title: str) -> bool:
    """True when a box's first line is its heading: a heading element or one named like a heading (hd, tit…), of
    2 to 8 characters, no colon, not the title nor a numbered section heading, and not all the box holds (a body's
    short first line, such as its issuer, is no heading)."""
    if first.tag not in _HEADINGS and not _HEADING_NAME.search(klass_id(first)):
        return False
    flat = compact(text_of(first))
    return 2 <= len(flat) <= 8 and not has_colon(flat) and flat != title and not _SECTION_NUMBER.match(flat) \
        and len(flat) < len(compact(text_of(box)))


_HEADING_NAME = re.compile(r"(?:^|[\s_-])(?:hd|tit|title|head|bt|biaoti|name)(?:$|[\s_\d-])|heading|title", re.I)


def _headed_within(start: LexborNode, region: LexborNode,
                   ranked: list[tuple[LexborNode, int, list[tuple[LexborNode, bool]]]], title: str) -> LexborNode:
    """The smallest of a grown region's ancestors of start (start excluded) that holds the article's header (the
    title line, or a heading and a 发布时间 line): growth goes no further than the header, so a text block beside
    the article's wrapper (a 联系我们 box) stays out; the region itself when none holds it."""
    heads = [(block, header) for _, _, lines in ranked for block, header in lines
             if header or (title and compact(text_of(block)) == title)]
    if not heads or start.mem_id == region.mem_id or not is_inside(start, region):
        return region
    for up in ancestors(start, 200):
        held = [line for line in heads if is_inside(line[0], up)]
        if held and _headed_text(held, title) is not None:
            return up
        if up.mem_id == region.mem_id:
            break
    return region


def _only_header_added(region: LexborNode, start: LexborNode, lines: list[tuple[LexborNode, bool]], title: str
                       ) -> bool:
    """True when all a grown region holds outside the block it grew from is header lines (headings, 发布时间 lines,
    the title) and no picture."""
    added = [block for block, header in lines if not is_inside(block, start) and block.mem_id != start.mem_id and
             (header or compact(text_of(block)) == title)]
    extra = len(compact(text_of(region))) - len(compact(text_of(start)))
    if not added or extra > sum(len(compact(text_of(block))) for block in added):
        return False
    return len(_media_nodes(region)) == len(_media_nodes(start))


def _spread(text_lines: list[LexborNode], kids: list[LexborNode], title: str) -> bool:
    """True when the lines that say something (not the title, 10 characters or more once dates are left out) lie in
    two or more of the given children of a region: an article's lines, not one caption block."""
    holding = set()
    for line in text_lines:
        flat = compact(text_of(line))
        if flat == title or len(_NOT_WORD.sub("", _LIST_DATE.sub("", flat))) < 10:
            continue
        for kid in kids:
            if line.mem_id == kid.mem_id or is_inside(line, kid):
                holding.add(kid.mem_id)
    return len(holding) > 1


def _before(region: LexborNode, heading: LexborNode) -> tuple[LexborNode | None, list[LexborNode]]:
    """What a region holds before the child holding a 相关新闻 heading, as a node of its own small tree (None when
    nothing), and the region's element children before it."""
    parts: list[str] = []
    kids: list[LexborNode] = []
    for child in region.iter(include_text=True):
        if child.mem_id == heading.mem_id or is_inside(heading, child):
            break
        if child.tag == "-text":
            parts.append(html_lib.escape(child.text_content or "", quote=False))
        else:
            parts.append(child.html or "")
            kids.append(child)
    tree = parse_html(f"<div>{''.join(parts)}</div>") if kids else None
    node = tree.css_first("body > div") if tree is not None else None
    return node, kids


def _inmost(node: LexborNode, start: LexborNode) -> LexborNode:
    """A grown region without the wrappers its growth passed through: while its only child with text or pictures is
    a block holding all its text, that child, down to the block the growth started from at most (a wrapper adds
    nothing, and a short body must not be the only child of the element taken as the body: cleaning would take it
    for an info line)."""
    while node.mem_id != start.mem_id:
        kids = [kid for kid in node.iter() if kid.tag not in _NO_TEXT and (text_of(kid) or kid.css_first("img, "
                + _PLAYERS) is not None or kid.tag in ("img", "video", "audio", "embed", "object"))]
        if len(kids) != 1 or kids[0].tag not in _LINE_BLOCKS or len(text_of(kids[0])) != len(text_of(node)):
            return node
        node = kids[0]
    return node


def _tail_led(node: LexborNode, first: LexborNode | None) -> bool:
    """True when a block group is a list the template shows beside or below the article (a comment list, a 相关新闻
    list), not the article: its first line (first: that line's block), or the element right before the group, is a
    网友评论/相关阅读 heading."""
    if first is not None and first.mem_id != node.mem_id and _tail_heading(first):
        return True
    before = node.prev
    while before is not None and before.tag in ("-text", "_comment", "-comment", "br"):
        before = before.prev
    return before is not None and _tail_heading(before)


def _first_block(node: LexborNode) -> LexborNode | None:
    """The first element child of a block that holds text (its opening line)."""
    return next((kid for kid in node.iter() if kid.tag not in _NO_TEXT and text_of(kid)), None)


def _tail_heading(block: LexborNode) -> bool:
    """True for the heading of a list a template shows below the article (热门图集, 相关文章, 友情链接)."""
    flat = compact(text_of(block))
    return len(flat) <= 8 and bool(_TAIL_HEADING.fullmatch(flat.strip("：:【】[]")))


_PLAYERS = "video, audio, embed, object"


def _media_nodes(node: LexborNode) -> list[LexborNode]:
    """The players and the pictures of a subtree that show content (not the template's own pictures, not pictures
    that link to another page)."""
    found = []
    for media in node.css(f"img, {_PLAYERS}")[:200]:
        if media.tag != "img" or attr(media, "src") and not _chrome_image(media) and not any(
                a.tag == "a" and _nav_like(attr(a, "href")) for a in ancestors(media, 4)):
            found.append(media)
    return found


def _enclosing_block(nodes: list[LexborNode], limit: LexborNode) -> LexborNode | None:
    """The nearest block element inside `limit` (or limit itself) that holds all the nodes."""
    held = [{a.mem_id for a in ancestors(n, 200)} for n in nodes[1:]]
    for parent in ancestors(nodes[0], 200):
        if parent.tag in _LINE_BLOCKS and all(parent.mem_id in ids for ids in held):
            return parent
        if parent.mem_id == limit.mem_id:
            return None
    return None


def _gallery(caption: LexborNode, root: LexborNode, meta_block: LexborNode | None) -> tuple[LexborNode | None, str]:
    """A gallery page's body: the pictures the blocks beside its caption show (each once, in page order) and the
    caption, as a node of its own small tree; (None, "") when no picture lies beside the caption."""
    parent = caption.parent
    if parent is None or parent.mem_id == root.mem_id or _furniture_block(parent, root, meta_block):
        return None, ""
    pictures: dict[str, str] = {}
    for sibling in parent.iter():
        if sibling.mem_id == caption.mem_id:
            break
        for img in _media_nodes(sibling):
            if img.tag == "img":
                pictures.setdefault(attr(img, "src"), f'<img src="{html_lib.escape(attr(img, "src"))}" '
                                                      f'alt="{html_lib.escape(attr(img, "alt"))}">')
    if not pictures:
        return None, ""
    tree = parse_html(f"<div>{''.join(pictures.values())}{caption.html or ''}</div>")
    node = tree.css_first("body > div") if tree is not None else None
    return (node, "gallery") if node is not None else (None, "")


def _line_scores(root: LexborNode) -> list[tuple[LexborNode, int, list[tuple[LexborNode, bool]]]]:
    """(parent, text length, its text blocks, each with _header_line) of the parents of the blocks that hold text of their own outside links
    and scripts (a block's text: its own text nodes and those of the inline elements inside it), most text first;
    breadcrumb, footer and 上一篇/下一篇 lines are left out."""
    lines: dict[int, tuple[LexborNode, list[str]]] = {}
    for node in root.css("*")[:20000]:
        if node.tag in _NO_TEXT:
            continue
        own = node.text(deep=False)
        if not own or own.isspace():
            continue
        block = _line_block(node)
        if block is not None:
            lines.setdefault(block.mem_id, (block, []))[1].append(own)
    scores: dict[int, list] = {}
    tables: dict[int, LexborNode] = {}
    for block, pieces in lines.values():
        text = " ".join(" ".join(pieces).split())
        parent = block.parent
        if parent is None or block.mem_id == root.mem_id:
            continue
        whole = text_of(block) if len(text) <= 200 else text  # its pieces in document order, for a short line
        if _furniture_text(whole if len(whole) <= 200 else text) or _GREETING.match(whole):
            continue
        if block.tag in _LIST_CELLS and _LIST_DATE.fullmatch(text.strip(_BRACKETS)):
            continue  # a related list's date beside its linked title: no article text
        size = len(_NOT_WORD.sub("", text))  # letters, digits and characters: "|" and "·" between links are none
        if not size:
            continue
        if block.tag in _CELLS:
            parent = _data_table(parent, tables)
        entry = scores.setdefault(parent.mem_id, [parent, 0, []])
        entry[1] += size
        entry[2].append((block, _header_line(block, text)))
    return sorted((tuple(e) for e in scores.values()), key=lambda e: e[1], reverse=True)


_CELLS = frozenset(("td", "th"))


def _data_table(row: LexborNode, memo: dict[int, LexborNode]) -> LexborNode:
    """What a cell's line counts for: its table when its row has two cells or more (a data table's rows are one
    article, not one line each), else its row (a layout table's cell is a block of its own)."""
    found = memo.get(row.mem_id)
    if found is None:
        found = row
        if row.tag == "tr" and sum(1 for kid in row.iter() if kid.tag in _CELLS) >= 2:
            found = next((up for up in ancestors(row, 3) if up.tag == "table"), row)
        memo[row.mem_id] = found
    return found


def _header_line(block: LexborNode, text: str) -> bool:
    """True for a line of an article's header, not of its body: a heading, or a short 发布时间/来源 info line."""
    if block.tag in _HEADINGS:
        return True
    if len(text) > 250 or not has_colon(text):
        return False
    if label_count(text) >= 2:
        return True
    pairs = label_pairs(text)
    return bool(pairs) and pairs[0][0] == "published"


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _line_block(node: LexborNode) -> LexborNode | None:
    """The block a text-holding element's own text is a line of (itself, or the block around an inline element);
    None when the text lies in a link (not to a file) or a script."""
    cur: LexborNode | None = node
    while cur is not None:
        tag = cur.tag
        if tag == "a" and not is_attachment_url(attr(cur, "href")):
            return None
        if tag in _NO_TEXT:
            return None
        if tag in _LINE_BLOCKS:
            return cur
        cur = cur.parent
    return None


def _holds_title(region: LexborNode, tree: LexborHTMLParser) -> bool:
    """True when a region holds an element whose whole text is the article title the page's <title> opens with."""
    want = _page_title(tree)
    if not want:
        return False
    return any(compact(text_of(node)) == want for node in region.css("h1, h2, h3, h4, h5, h6, p, div, td, span, strong")[:500])


def _pictures_beside(region: LexborNode, root: LexborNode) -> bool:
    """True when a region with no picture of its own has article pictures beside it (a gallery page's viewer
    above its caption): the region is not the whole article, so the page is left to the fallback."""
    parent = region.parent
    if parent is None or parent.mem_id == root.mem_id or _content_pictures(region):
        return False
    return any(child.mem_id != region.mem_id and _content_pictures(child) for child in parent.iter())


def _content_pictures(node: LexborNode) -> bool:
    """True when a subtree shows a picture that is not the template's own nor a link to another page."""
    for img in node.css("img")[:50]:
        if not attr(img, "src") or _chrome_image(img):
            continue
        if not any(a.tag == "a" and _nav_like(attr(a, "href")) for a in ancestors(img, 4)):
            return True
    return False


def _dead_text(root: LexborNode, navigating: bool = False) -> list[LexborNode]:
    """The elements of a subtree whose text is no article text: links (except links to files; navigating: only
    links that go somewhere, not javascript: or #) and scripts."""
    found = root.css("a, script, style")[:5000]
    if navigating:
        return [n for n in found if n.tag != "a" or _nav_like(attr(n, "href"))]
    return [n for n in found if n.tag != "a" or not is_attachment_url(attr(n, "href"))]


def _grown(node: LexborNode, root: LexborNode, meta_block: LexborNode | None, every_link: bool = False) -> LexborNode:
    """A paragraph block grown to its ancestors while their other children hold no furniture and text that is
    mostly not links (or none); every_link: javascript: and # links count as links too, not only those that
    navigate."""
    while True:
        parent = node.parent
        if parent is None or parent.mem_id == root.mem_id or parent.tag in ("html", "body") or \
                _furniture_block(parent, root, meta_block):
            return node
        extra = dead = 0
        for child in parent.iter():
            if child.mem_id != node.mem_id:
                text = text_of(child)
                if _furniture_text(text) or (len(text) <= 20 and _tail_heading(child)) or \
                        _tail_led(child, _first_block(child)):
                    return node  # a breadcrumb, footer, 上一篇 box, a 相关新闻/最新资讯 bar, a comment or related list
                found = [(n.tag, len(text_of(n))) for n in _dead_text(child, navigating=not every_link)]
                extra += len(text) - sum(size for tag, size in found if tag != "a")
                dead += sum(size for tag, size in found if tag == "a")
        if dead > _REGION_LINKS * extra:  # a wrapper that adds no text is passed through
            return node
        node = parent


def _furniture_text(text: str) -> bool:
    """True when a block's text is page furniture: a breadcrumb, a 上一篇/下一篇 box, a multi-page article's pager or
    the site's footer."""
    flat = compact(text)
    return bool(_PREV_NEXT.match(flat) or _CRUMB_TRAIL.match(flat) or _SITE_FOOTER.search(flat)
                or any(word in flat for word in _CRUMB_WORDS) or (len(flat) <= 200 and _PAGER.search(flat)))


_PAGER = re.compile(r"页次[:：]?\d+/\d+|共\d+页|首页上一页|下一页尾页|上一页(?:\d+)+下一页")  # 页次：1/3 … 首页 上一页 1 2 3 下一页 尾页


def _furniture_block(node: LexborNode, root: LexborNode, meta_block: LexborNode | None) -> bool:
    """True when a block lies in (or is) page furniture: nav, header, footer, a link, a list item, a block named
    like furniture, or the 信息公开 table."""
    if meta_block is not None and (node.mem_id == meta_block.mem_id or is_inside(node, meta_block)):
        return True
    for cur in (node, *ancestors(node, 30)):
        if cur.mem_id == root.mem_id:
            return False
        if cur.tag in _FURNITURE_BLOCKS or _NOT_BODY_RE.search(klass_id(cur)):
            return True
    return False


def _trafilatura_body(html: str, url: str) -> LexborNode | None:
    """Body located by trafilatura (generic fallback), as a node of its own small tree."""
    try:
        import justext.core
        import trafilatura

        define = justext.core.define_stoplist
        justext.core.define_stoplist = _StoplistOnce(define)  # for this call only: the peer benchmark runs it as is
        try:
            out = trafilatura.extract(html[:TRAFILATURA_MAX], url=url, output_format="html", include_tables=True,
                                      include_images=True, include_links=True, include_comments=False,
                                      favor_recall=True)
        finally:
            justext.core.define_stoplist = define
    except Exception:
        return None
    if not out:
        return None
    tree = parse_html(out)
    return tree.body if tree is not None else None


class _StoplistOnce:
    """justext's define_stoplist (a stop-word list lower-cased into a frozenset), answered by the tuple's identity:
    trafilatura hands justext the same tuple of every language's stop words (154k) on every page, and justext's own
    memo hashes that tuple on each call, ~2 ms of the ~9 ms a fallback page spends in trafilatura. Same answer, as
    a tuple cannot change."""

    _held: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}  # id → (the tuple, kept alive; its set)

    def __init__(self, define: Callable[[Iterable[str]], frozenset[str]]) -> None:
        """Wrap justext's own define_stoplist."""
        self.define = define

    def __call__(self, stoplist: Iterable[str]) -> frozenset[str]:
        """define_stoplist(stoplist), remembered for a tuple."""
        if not isinstance(stoplist, tuple):
            return self.define(stoplist)
        held = self._held.get(id(stoplist))
        if held is None or held[0] is not stoplist:
            if len(self._held) >= 8:
                self._held.clear()
            held = self._held[id(stoplist)] = (stoplist, self.define(stoplist))
        return held[1]


_UNREAD = frozenset(("title", "script", "style"))  # text no extractor takes into a body


def _textless(tree: LexborHTMLParser) -> bool:
    """True when no text node of a page outside its <title>, scripts and styles holds more than blanks (comments
    hold none): trafilatura reads the same document, so any body it finds has no text (a picture-only page). A page
    with a <template> or <frameset> is never textless (the parse hides or drops text another parser keeps)."""
    root = tree.root
    if root is None or tree.css_first("template, frameset") is not None:
        return False
    for node in root.traverse(include_text=True):
        text = node.text_content
        if text is not None and text.split():
            parent = node.parent
            if parent is None or parent.tag not in _UNREAD:
                return False
    return True


def locate_body(tree: LexborHTMLParser, html: str, url: str, order: dict[int, int] | None = None,
                named: list[tuple[LexborNode, str]] | None = None,
                meta_block: LexborNode | None = None) -> tuple[LexborNode | None, str]:
    """Find the article body: known containers, then trafilatura, then heuristics (order: the document order;
    named: the body's named_runs; meta_block: the 信息公开 table, never the body)."""
    node = _tier1(tree, named)
    if node is not None:
        return node, "container"
    node = _tier2(tree, order, named, meta_block)
    if node is not None:
        return node, "container"
    node = text_region(tree, meta_block)
    if node is not None:
        return node, "region"
    node, how = block_region(tree, meta_block)
    if node is not None:
        return node, how
    node = _trafilatura_body(html, url) if not _textless(tree) else None  # no text: nothing for trafilatura
    if node is not None and text_of(node):
        return node, "trafilatura"
    node = _densest(tree)
    return (node, "heuristic") if node is not None else (None, "none")

_FILE_NAME = re.compile(r"\.(" + "|".join(ATTACH_EXTS) + r")\s*$", re.I)
_NAMED_QUERY = "h1, h2, h3, [class], [id]"  # the only elements title and content-container searches can use


def named_runs(body: LexborNode) -> list[tuple[LexborNode, str]]:
    """(element, tag) of a body's headings and elements with a class or id, each once, in document order (the query
    lists an element once per selector it matches, one after another; a tag is named from its id where the table of
    common tags knows it: an int read instead of a new string)."""
    names, known = TAG_NAMES, len(TAG_NAMES)
    out: list[tuple[LexborNode, str]] = []
    last = None
    for node in body.css(_NAMED_QUERY):
        mem_id = node.mem_id
        if mem_id == last:
            continue
        last = mem_id
        tag = names[tag_id] if (tag_id := node.tag_id) < known else None
        out.append((node, tag if tag is not None else node.tag))
    return out


def _entries(runs: list[tuple[LexborNode, str]], headings: Sequence[str], named_tags: frozenset[str]) -> list[LexborNode]:
    """The headings and the named tags' elements that have a class or id, each once, from named_runs: what the
    plain tag query lists, less elements no caller can use (no class, no id, no heading)."""
    return [node for node, tag in runs if tag in headings or tag in named_tags]


def _runs(found: list[LexborNode]) -> list[tuple[LexborNode, int]]:
    """(element, how many selectors it matched) of a selector list's result: lexbor lists an element once per
    selector of the list it matches, those entries one after another."""
    runs: list[tuple[LexborNode, int]] = []
    last = None
    for node in found:
        if node.mem_id == last:
            runs[-1] = (node, runs[-1][1] + 1)
        else:
            last = node.mem_id
            runs.append((node, 1))
    return runs


def _names_file(text: str) -> bool:
    """True when a text reads as a file name (ends with a document or archive extension)."""
    return bool(text) and len(text) <= 200 and _FILE_NAME.search(text) is not None


def _dead_href(href: str) -> bool:
    """True for a link that leads nowhere: javascript:, an empty href or a bare fragment."""
    low = href.strip().lower()
    return not low or low.startswith(("javascript", "#", "about:blank"))


def _chrome_image(node: LexborNode) -> bool:
    """True for a picture of the page's template, not of the article: a gallery's 上一张/下一张 arrow (named so
    by its alt or title) or one served from the template's folder (/templets/, /skin/, /themes/)."""
    label = compact(attr(node, "alt") or attr(node, "title"))
    if label and _PREV_NEXT.match(label) and len(label) <= 6:
        return True
    return bool(_TEMPLATE_IMAGE.search(attr(node, "src")))
