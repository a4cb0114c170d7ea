"""Label：value metadata of article pages (信息公开 header tables and info lines)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawlers._common import ancestors, tag_ids, text_of
from crawlers.text import normalize_space

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "published": ("发布时间", "发布日期", "发表时间", "更新时间", "更新日期", "公开日期", "上传时间", "上传日期", "发稿时间",
                  "录入时间", "添加时间", "创建时间", "发布", "日期", "时间"),
    "source": ("信息来源", "文章来源", "稿件来源", "内容来源", "新闻来源", "来源"),
    "index_no": ("索引号", "索取号"),
    "publisher": ("发布机构", "发文机关", "发文单位", "发布单位", "公开机构", "信息公开机构", "制发机关", "公开主体"),
    "doc_no": ("发文字号", "文号", "文件编号", "发文编号"),
    "written": ("成文日期", "成文时间"),
    "topic": ("主题分类", "信息分类", "分类"),
    "title": ("标题", "文件名称", "名称"),
    "validity": ("有效性", "是否有效", "时效性", "时效", "效力状态", "有效状态", "效力"),
    "_other": ("作者", "编辑", "责任编辑", "浏览次数", "点击数", "阅读次数", "访问次数", "点击率", "点击", "浏览", "字号",
               "字体", "主题词", "关键词", "体裁分类", "服务对象", "生效日期", "废止日期", "所属机构", "摄影", "供稿",
               "审核", "签发", "文种", "公开方式", "公开范围", "生成日期"),
}
LABEL_FIELD = {label: fld for fld, labels in FIELD_LABELS.items() for label in labels}
META_FIELDS = ("index_no", "publisher", "doc_no", "written", "topic")
_CJK = "\u4e00-\u9fff"


def _label_pattern(label: str) -> str:
    """Regex for a label, tolerating spaces between its characters (索 引 号); short field labels need a boundary."""
    body = r"\s*".join(re.escape(ch) for ch in label)
    guarded = len(label) <= 2 and LABEL_FIELD.get(label) != "_other"
    return rf"(?<![{_CJK}]){body}" if guarded else body


_ALL = sorted(LABEL_FIELD, key=len, reverse=True)
_FIRSTS = "".join(sorted({re.escape(lb[0]) for lb in _ALL}))  # a match starts with a label's first character: the
# lookahead lets the engine skip other positions without trying every label
LABEL_RE = re.compile(r"(?=[" + _FIRSTS + r"])(?P<label>" + "|".join(_label_pattern(lb) for lb in _ALL) + r")\s*[:：]\s*")
_VALUE_STRIP = " |｜丨/\\【】[]()（）:：,，;；　"


def compact(text: str) -> str:
    """Text without whitespace."""
    return "".join(text.split()) if text else ""


_EMPTY_VALUE = re.compile(r"[\s〔〕［］\[\]()（）【】{}<>《》〈〉号第年字_\-—－/\\.。·•:：,，;；无暂缺]*")


def clean_value(value: str) -> str:
    """Trim separators and brackets around a label value; an unfilled template value ("〔〕号", "[ ]") is empty."""
    value = " ".join(value.split()).strip(_VALUE_STRIP) if value else ""  # normalize_space, without its call
    if value.endswith(("】", "]", "）", ")")) and not any(o in value for o in "【[（("):
        value = value[:-1].strip()
    if value and _EMPTY_VALUE.fullmatch(value):  # "无"/"暂缺" say there is none: empty too
        return ""
    return value


def label_pairs(line: str) -> tuple[tuple[str, str], ...]:
    """(field, value) pairs of a `label：value label：value` line."""
    if not line or not isinstance(line, str) or len(line) > 2000 or (":" not in line and "：" not in line):
        return ()  # every label match needs a colon (has_colon, without its call)
    return _label_pairs(line)


@lru_cache(maxsize=2048)
def _label_pairs(line: str) -> tuple[tuple[str, str], ...]:
    """label_pairs of a line holding a colon, memoised (info lines are read several times per page)."""
    matches = list(LABEL_RE.finditer(line))
    out = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        label = "".join(match.group("label").split())  # compact
        out.append((LABEL_FIELD.get(label, "_other"), clean_value(line[match.end():end])))
    return tuple(out)


def label_count(text: str) -> int:
    """Number of distinct known labels (with colon) in a text."""
    head = text[:3000]
    if not has_colon(head):
        return 0
    return len({compact(m.group("label")) for m in LABEL_RE.finditer(head)})


def has_colon(text: str) -> bool:
    """True when a text holds a colon (every label match needs one)."""
    return ":" in text or "：" in text


_LABEL_SPAN = max(len(label) for label in _ALL)  # non-space characters a match holds before its colon, at most
_COLON = re.compile("[:：]")


def has_label(text: str) -> bool:
    """has_colon(text) and LABEL_RE.search(text), looked for only just before the first 16 colons: a match ends
    in a colon and starts at one of the _LABEL_SPAN non-space characters before it (its lookbehind still sees the
    character before that start), so a long text is not tried position by position."""
    if ":" not in text and "：" not in text:
        return False
    for count, colon in enumerate(_COLON.finditer(text)):
        if count == 16:
            return LABEL_RE.search(text) is not None
        end = colon.start()
        start = end - 2 * _LABEL_SPAN
        if start <= 0 or len("".join(text[start:end].split())) < _LABEL_SPAN:
            start = 0  # few non-space characters there: from the start
        if LABEL_RE.search(text, start, end + 1) is not None:
            return True
    return False


def _label_of(node: LexborNode) -> str | None:
    """Field name when an element's whole text is a known label (optional colon)."""
    raw = _raw_text(node)
    return _label_in(raw) if raw is not None else None


def _label_in(raw: str) -> str | None:
    """Field name when an element's text (raw) is a known label (optional colon)."""
    head = "".join(raw[:200].split())
    if len(head) - head.count(":") - head.count("：") > 8:  # more than 8 non-colon characters: no label
        return None
    text = "".join(raw.split()).rstrip(":：")
    if not text or len(text) > 8:
        return None
    return LABEL_FIELD.get(text)


def _next_value(node: LexborNode) -> str:
    """Text of the next non-empty element sibling."""
    sib = node.next
    for _ in range(6):
        if sib is None:
            return ""
        tag = sib.tag
        if tag == "-text":
            value = normalize_space(sib.text_content or "")
            if value.strip(":："):
                return value.strip(":： ")
        elif not tag.startswith("-"):
            value = text_of(sib)
            if _label_in(value) is not None or (has_colon(value[:20]) and LABEL_RE.match(value) is not None):
                return ""  # an empty value is never the next label, nor the next label：value pair (文号：<li>是否有效：是)
            return value
        sib = sib.next
    return ""


_CONTAINER_TAG_IDS = tag_ids(("table", "ul", "dl", "div", "ol"))


def _container(node: LexborNode) -> LexborNode | None:
    """Nearest table/ul/dl/div holding a label cell."""
    parent = node.parent
    for _ in range(8):  # ancestors(node, 8)
        if parent is None:
            return None
        if parent.tag_id in _CONTAINER_TAG_IDS:
            return parent
        parent = parent.parent
    return None


_LABEL_TAGS = ("td", "th", "dt", "span", "b", "strong", "label", "em", "li", "div", "font", "p")
_LABEL_CSS = ", ".join(_LABEL_TAGS)
_LABEL_TAG_IDS = tag_ids(_LABEL_TAGS)
_COLONS = frozenset(":：")
_FIELD_CHARS = frozenset("".join(lb for lb, fld in LABEL_FIELD.items() if fld != "_other")) | _COLONS
_LABEL_TEXT_CLASS = "[\\s" + re.escape("".join(sorted(_FIELD_CHARS))) + "]"  # \s: what str.isspace (so split) takes
_LABEL_CHAR_TEXT = re.compile(_LABEL_TEXT_CLASS + "*+")
_SEP = "\x00"  # joins the texts of a page for one scan (a character text nodes hardly ever hold)
_SEPARATED_LABEL_CHAR_TEXT = re.compile(f"({_SEP}){_LABEL_TEXT_CLASS}*+(?={_SEP})")
MAX_LABEL_SCAN = 30_000  # elements of a page scanned for label cells


TEXT_NODES_CAP = 100_000  # nodes of a body a walk looks at

TextNodes = list[tuple[int, LexborNode, str]]


def joined_texts(texts: TextNodes) -> str:
    """The texts of text_nodes joined by newlines: a word without one is in it only when one of the texts holds
    it, so one search tells whether any does."""
    return "\n".join(map(_TEXT, texts))


_TEXT = itemgetter(2)  # the text of a (walk position, node, text) entry


def text_nodes(body: LexborNode | None) -> tuple[TextNodes, bool]:
    """(position in the body's walk, node, text) of its text nodes that are not all whitespace, in document order,
    and whether the walk saw the whole body (it stops after TEXT_NODES_CAP nodes)."""
    out: TextNodes = []
    if body is None:
        return out, True
    add = out.append
    for i, node in enumerate(body.traverse(include_text=True)):
        if i > TEXT_NODES_CAP:
            return out, False
        content = node.text_content  # None for elements and comments
        if content and not content.isspace():
            add((i, node, content))
    return out, True


def table_fields(tree: LexborHTMLParser, order: dict[int, int] | None = None,
                 texts: tuple[TextNodes, bool] | None = None) -> tuple[dict[str, str], LexborNode | None]:
    """Fields of the 信息公开 header table (label cell → next cell) and the table node itself.

    order: the tree's document order (mem_id → position) when the caller has it; the label cells are then found
    from the text nodes that could be part of a label (texts: those of the body, from text_nodes, when the caller
    has them) instead of reading the text of every cell of the page.
    """
    body = tree.body
    if body is None:
        return {}, None
    groups: dict[int, tuple[LexborNode, dict[str, str]]] = {}
    if order is not None and len(order) <= MAX_LABEL_SCAN:
        found, whole = texts if texts is not None else text_nodes(body)
        cells = _label_cells(body, order, found) if whole else _scan_cells(body)
    else:
        cells = _scan_cells(body)
    boxes: list[tuple[LexborNode, str, str, LexborNode]] = []
    per_box: dict[int, int] = {}
    for node, field_name in cells:
        box = _container(node)
        if box is None:
            continue
        boxes.append((node, field_name, _next_value(node), box))
        per_box[box.mem_id] = per_box.get(box.mem_id, 0) + 1
    for _node, field_name, value, box in boxes:
        if per_box[box.mem_id] == 1:  # one label per row element (div.item > label + span): the block is above
            box = _container(box) or box
        if not value:
            continue
        entry = groups.setdefault(box.mem_id, (box, {}))
        entry[1].setdefault(field_name, value)
    best: tuple[LexborNode | None, dict[str, str]] = (None, {})
    for box, found in groups.values():
        if len(found) >= 2 and len(found) > len(best[1]):
            best = (box, found)
    fields = dict(best[1])
    table = _meta_block(best[0]) if best[0] is not None else None
    cleaned = {k: clean_value(v) for k, v in fields.items()}
    return {k: v for k, v in cleaned.items() if v}, table


def _scan_cells(body: LexborNode) -> list[tuple[LexborNode, str]]:
    """(element, field) of every label cell, reading the text of every candidate element (document order)."""
    out = []
    for node in body.css(_LABEL_CSS)[:MAX_LABEL_SCAN]:
        field_name = _label_of(node)
        if field_name is not None and field_name != "_other":
            out.append((node, field_name))
    return out


def _label_cells(body: LexborNode, order: dict[int, int], texts: TextNodes) -> list[tuple[LexborNode, str]]:
    """_scan_cells, found from below: a label cell's text nodes hold only label characters, so only their
    ancestors are read, up to the first one holding more than 8 characters (no label is longer)."""
    found: dict[int, tuple[LexborNode, str]] = {}
    seen: set[int] = set()
    body_id = body.mem_id
    for _, node, content in _label_char_texts(texts):
        words = "".join(content.split())
        if not words or _letters(words) > 8:
            continue
        parent = node.parent
        while parent is not None:
            parent_id = parent.mem_id
            if parent_id == body_id or parent_id in seen:
                break
            seen.add(parent_id)
            raw = _raw_text(parent)
            if raw is None or _too_long_text(raw):  # neither it nor a parent is a label
                break
            if parent.tag_id in _LABEL_TAG_IDS:
                field_name = LABEL_FIELD.get("".join(raw.split()).rstrip(":："))  # _label_in of a short text
                if field_name is not None and field_name != "_other":
                    found[parent_id] = (parent, field_name)
            parent = parent.parent
    return sorted(found.values(), key=lambda cell: order.get(cell[0].mem_id, len(order)))


def _label_char_texts(texts: TextNodes) -> TextNodes:
    """The text nodes made only of label characters (colons included) and whitespace."""
    # one regex scan over the texts joined by a character no text holds instead of a Python test per text node
    joined = _SEP.join(chain(("",), map(itemgetter(2), texts), ("",)))
    if joined.count(_SEP) != len(texts) + 1:  # a text holds the separator: test each text
        return [item for item in texts if _LABEL_CHAR_TEXT.fullmatch(item[2])]
    out = []
    index, pos = -1, 0
    for match in _SEPARATED_LABEL_CHAR_TEXT.finditer(joined):
        index += joined.count(_SEP, pos, match.end(1))  # separators up to this one: the text's place in texts
        pos = match.end(1)
        out.append(texts[index])
    return out


def _letters(words: str) -> int:
    """Characters of a whitespace-free text that are not colons."""
    return len(words) - words.count(":") - words.count("：")


def _raw_text(node: LexborNode) -> str | None:
    """An element's text as it stands in the markup (None when it cannot be read)."""
    try:
        return node.text(deep=True)
    except Exception:
        return None


def _too_long_text(raw: str) -> bool:
    """True when an element's text holds more than 8 non-colon characters (neither it nor a parent is a label)."""
    if len(raw) <= 8:
        return False
    return _letters("".join(raw[:200].split())) > 8 or _letters("".join(raw.split())) > 8


def _meta_block(box: LexborNode) -> LexborNode:
    """Climb from a label container to the whole metadata block (outer table of nested layouts)."""
    cur = box
    cur_length = -1  # text length of cur, read when first needed
    for parent in ancestors(box, 3):
        if parent.tag not in ("table", "div", "ul", "dl"):
            break
        length = len(text_of(parent))
        if cur_length < 0:
            cur_length = len(text_of(cur))
        if length > cur_length * 1.3 + 20:
            break
        cur, cur_length = parent, length
    return cur
