"""HTML → plain text with the project's body_text rule (block elements make lines, cells join by a space)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_HTML = 5_000_000

BLOCK_TAGS = frozenset(
    ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "section", "article", "center", "dl", "dt", "dd", "hr", "header", "footer", "nav", "aside", "main", "figure", "figcaption", "caption", "address", "form", "body", "html"]
)
CELL_TAGS = frozenset(("td", "th"))
SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "head", "title", "select", "textarea", "iframe"))

_BREAK = "\x00"
_SPACE_BREAK, _BREAK_SPACE = " " + _BREAK, _BREAK + " "
_MARKS = {**dict.fromkeys(CELL_TAGS, " "), **dict.fromkeys(BLOCK_TAGS, _BREAK)}  # emitted on entering and leaving

# What a walk does with a node that is not a (non-empty) text node: a mark it emits on entering and leaving,
# "" (plain element), or one of these.
_BR = "br"  # emits a break
_LEAF = "-"  # text, comment, doctype: nothing
_SKIP = "skip"  # element whose text yields no chunks
_UNKNOWN = "?"  # tag id not in the table: read the tag

_COMMON_TAGS = ("a", "span", "img", "input", "font", "b", "strong", "i", "em", "u", "s", "label", "button", "option",
                "meta", "link", "small", "sub", "sup", "thead", "tbody", "tfoot", "colgroup", "col", "del", "ins", "code")


def _role(tag: str | None) -> str:
    """What a walk does with a node of this tag (text nodes with text excepted)."""
    if tag == "br":
        return _BR
    if tag and tag[0] == "-":
        return _LEAF
    if tag in SKIP_TAGS:
        return _SKIP
    return _MARKS.get(tag or "", "")


def _tag_names_by_id() -> tuple[str | None, ...]:
    """Tag name by lexbor tag_id (the index) for the tags the walks meet most; None elsewhere."""
    names = {*BLOCK_TAGS, *CELL_TAGS, *SKIP_TAGS, *_COMMON_TAGS, "br"}
    by_id: dict[int, str] = {}
    pages = ["<body><!--c-->x", *(f"{context}<{name}></{name}>" for name in names for context in ("", "<table><tr>"))]
    for html in pages:
        for node in LexborHTMLParser(html).root.traverse(include_text=True):
            tag = node.tag
            if tag in names or tag in ("-text", "-comment"):
                by_id[node.tag_id] = tag
    table: list[str | None] = [None] * (max(by_id) + 1)
    for tag_id, tag in by_id.items():
        table[tag_id] = tag
    return tuple(table)


_TAG_NAMES = _tag_names_by_id()
TAG_NAMES = _TAG_NAMES  # for other modules: the tag name of a tag id, where it is one of the common tags (else None)
_ROLES = tuple(_role(tag) if tag is not None else _UNKNOWN for tag in _TAG_NAMES)


def normalize_space(s: str) -> str:
    """Collapse every run of whitespace (incl. &nbsp;, U+3000, tabs, newlines) to one space and strip."""
    return " ".join(s.split()) if s else ""


def node_chunks(node: LexborNode) -> list[str]:
    """Flatten a subtree into text pieces and break markers following the body_text rule."""
    root_tag = node.tag or ""
    if root_tag == "-text":
        return [node.text_content or ""]
    if root_tag.startswith("-") or root_tag in SKIP_TAGS:
        return []
    if root_tag == "br":
        return [_BREAK]
    out: list[str] = []
    add = out.append
    roles = _ROLES
    known = len(roles)
    mark = _MARKS.get(root_tag)
    if mark:
        add(mark)
    open_nodes: list[tuple[LexborNode, str | None]] = [(node, mark)]
    cur = node.child
    while True:
        if cur is None:
            parent, mark = open_nodes.pop()
            if mark:
                add(mark)
            if not open_nodes:
                return out
            cur = parent.next
            continue
        text = cur.text_content  # None unless a (non-empty) text node: cheaper than reading the tag first
        if text is not None:
            add(text)
            cur = cur.next
            continue
        tag_id = cur.tag_id
        role = roles[tag_id] if tag_id < known else _UNKNOWN
        if role is _UNKNOWN:
            role = _role(cur.tag)
        if role is _BR:
            add(_BREAK)
        elif role is not _LEAF and role is not _SKIP:
            if role:
                add(role)
            child = cur.child
            if child is not None:
                open_nodes.append((cur, role))
                cur = child
                continue
            if role:
                add(role)
        cur = cur.next


TextNodes = list[tuple[int, LexborNode, str]]  # (position in the walk, node, text) of text nodes not all blank


class PageWalk:
    """One walk of a page's <body>: its chunks (node_chunks), where each non-blank chunk text node sits in them,
    and its non-blank text nodes (skipped elements included) with their position in body.traverse(include_text=True)."""

    __slots__ = ("chunks", "at", "texts", "whole", "root_id", "deepest")

    def __init__(self, node: LexborNode, cap: int) -> None:
        """Walk `node` (an element); text nodes are listed up to walk position `cap`, chunks always in full."""
        self.root_id = node.mem_id
        self.chunks, self.at, self.texts, self.whole, self.deepest = _walk(node, cap)

    def lines(self) -> list[str]:
        """node_lines of the walked element."""
        return _lines(self.chunks)

    def part_lines(self, part: LexborNode) -> list[str]:
        """node_lines of one node, read from the walk's chunks when it lies (not skipped) inside the walked element."""
        first = _first_text(part, self.at)
        if first is None or not _inside(part, self.root_id):
            return node_lines(part)
        last = _last_text(part, self.at)
        return _lines(self.chunks[first:last + 1])


def _walk(node: LexborNode, cap: int) -> tuple[list[str], dict[int, int], TextNodes, bool, int]:
    """PageWalk's fields: chunks, chunk index by non-blank text node mem_id, text nodes, whether they are all listed,
    and a bound on how deep elements nest below the node (its children at 1; the deepest is this deep or one less)."""
    out: list[str] = []
    add = out.append
    at: dict[int, int] = {}
    texts: TextNodes = []
    keep = texts.append
    roles = _ROLES
    known = len(roles)
    br, leaf, skip, unknown = _BR, _LEAF, _SKIP, _UNKNOWN
    mark = _MARKS.get(node.tag or "")
    if mark:
        add(mark)
    open_nodes: list[tuple[LexborNode, str | bool | None]] = [(node, mark)]
    deepest = 1
    skipped = 0  # depth inside skipped elements: their text is listed but yields no chunks
    i = 0  # walk position; text nodes are listed while it is within cap
    cur = node.child
    while True:
        if cur is None:
            parent, mark = open_nodes.pop()
            if mark:
                add(mark)
            elif mark is False:
                skipped -= 1
            if not open_nodes:
                return out, at, texts, i <= cap, deepest
            cur = parent.next
            continue
        i += 1
        text = cur.text_content  # None unless a (non-empty) text node: cheaper than reading the tag first
        if text is not None:
            if skipped:
                if i <= cap and text and not text.isspace():
                    keep((i, cur, text))
            else:
                add(text)
                if text and not text.isspace():  # no reader wants blank text; a part's lines do not start or end in it
                    if i <= cap:
                        keep((i, cur, text))
                    at[cur.mem_id] = len(out) - 1
            cur = cur.next
            continue
        tag_id = cur.tag_id
        role = roles[tag_id] if tag_id < known else unknown
        if role is unknown:
            role = _role(cur.tag)
        if role is br:
            if not skipped:
                add(_BREAK)
        elif role is not leaf:
            if skipped or role is skip:
                skipped += 1
                mark = False
            else:
                mark = role
                if mark:
                    add(mark)
            child = cur.child
            if child is not None:
                open_nodes.append((cur, mark))
                if len(open_nodes) > deepest:
                    deepest = len(open_nodes)
                cur = child
                continue
            if mark:
                add(mark)
            elif mark is False:
                skipped -= 1
        cur = cur.next


def _first_text(part: LexborNode, at: dict[int, int]) -> int | None:
    """Chunk index of the first chunk text node of a subtree that is not blank, if any."""
    for node in part.traverse(include_text=True):
        if node.text_content is not None:
            index = at.get(node.mem_id)
            if index is not None:
                return index
    return None


def _last_text(part: LexborNode, at: dict[int, int]) -> int:
    """Chunk index of the last chunk text node of a subtree that is not blank (_first_text found one)."""
    stop = part.mem_id
    cur = part
    while cur.last_child is not None:
        cur = cur.last_child
    while True:
        if cur.text_content is not None:
            index = at.get(cur.mem_id)
            if index is not None:
                return index
        if cur.mem_id == stop:
            return -1
        prev = cur.prev
        if prev is None:
            cur = cur.parent
            continue
        cur = prev
        while cur.last_child is not None:
            cur = cur.last_child


def _inside(node: LexborNode, root_id: int) -> bool:
    """True when a node is the element with mem_id root_id or lies below it."""
    cur: LexborNode | None = node
    while cur is not None:
        if cur.mem_id == root_id:
            return True
        cur = cur.parent
    return False


def _lines(chunks: list[str]) -> list[str]:
    """The non-empty, whitespace-normalised lines of flattened chunks."""
    flat = " ".join("".join(chunks).split())  # one space per whitespace run, none at either end
    return list(filter(None, flat.replace(_SPACE_BREAK, _BREAK).replace(_BREAK_SPACE, _BREAK).split(_BREAK)))


def node_lines(node: LexborNode | None) -> list[str]:
    """The non-empty, whitespace-normalised lines of a subtree."""
    if node is None:
        return []
    return _lines(node_chunks(node))


def safe_text(node: LexborNode, allowed: frozenset[str], cap: int, prefixed: bool = False) -> str | None:
    """node_text of an element, or None when an element below it has a tag outside `allowed` (prefixed: tags with a
    namespace prefix, the st1:/v:/o: markup of text pasted from Word, count as allowed) or more than `cap` elements
    and comments lie below it."""
    out: list[str] = []
    add = out.append
    marks = _MARKS
    mark = marks.get(node.tag or "")
    if mark:
        add(mark)
    open_nodes: list[tuple[LexborNode, str | None]] = [(node, mark)]
    seen = 0
    names = _TAG_NAMES
    known = len(names)
    cur = node.child
    while True:
        if cur is None:
            parent, mark = open_nodes.pop()
            if mark:
                add(mark)
            if not open_nodes:
                return "\n".join(_lines(out))
            cur = parent.next
            continue
        text = cur.text_content
        if text is not None:
            add(text)
            cur = cur.next
            continue
        tag_id = cur.tag_id
        tag = names[tag_id] if tag_id < known else None
        if tag is None:
            tag = cur.tag
        if tag != "-text":
            seen += 1
            if seen > cap or (tag not in allowed and not (prefixed and ":" in tag)):
                return None
            if tag == "br":
                add(_BREAK)
            elif tag[0] != "-":
                mark = marks.get(tag)
                if mark:
                    add(mark)
                child = cur.child
                if child is not None:
                    open_nodes.append((cur, mark))
                    cur = child
                    continue
                if mark:
                    add(mark)
        cur = cur.next


def node_text(node: LexborNode | None) -> str:
    """body_text of a parsed subtree."""
    return "\n".join(node_lines(node))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page following the body_text rule."""
    if not html or not isinstance(html, str):
        return ""
    try:
        tree = LexborHTMLParser(html[:MAX_HTML].replace("\x00", ""))
    except Exception:
        return ""
    root = tree.body if tree.body is not None else tree.root
    return node_text(root)
