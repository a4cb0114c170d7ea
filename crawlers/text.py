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
_MARKS = {**dict.fromkeys(CELL_TAGS, " "), **dict.fromkeys(BLOCK_TAGS, _BREAK)}  # emitted on entering and leaving


def normalize_space(s: str) -> str:
    """Collapse every run of whitespace (incl. &nbsp;, U+3000, tabs, newlines) to one space and strip."""
    return " ".join(s.split()) if s else ""


def node_chunks(node: LexborNode) -> list[str]:
    """Flatten a subtree into text pieces and break markers following the body_text rule."""
    return _chunks(node, -1)[0]


def _chunks(node: LexborNode, part: int) -> tuple[list[str], tuple[int, int] | None]:
    """node_chunks, with the slice of the chunks that one element inside (mem_id `part`) yields, if walked into."""
    root_tag = node.tag or ""
    if root_tag == "-text":
        return [node.text_content or ""], None
    if root_tag.startswith("-") or root_tag in SKIP_TAGS:
        return [], None
    if root_tag == "br":
        return [_BREAK], None
    out: list[str] = []
    add = out.append
    marks = _MARKS
    mark = marks.get(root_tag)
    if mark:
        add(mark)
    start = 0 if node.mem_id == part else -1
    span = None
    open_nodes: list[tuple[LexborNode, str | None]] = [(node, mark)]
    cur = node.child
    while True:
        if cur is None:
            parent, mark = open_nodes.pop()
            if mark:
                add(mark)
            if start >= 0 and span is None and parent.mem_id == part:
                span = (start, len(out))
            if not open_nodes:
                return out, span
            cur = parent.next
            continue
        text = cur.text_content  # None unless a (non-empty) text node: cheaper than reading the tag first
        if text is not None:
            add(text)
            cur = cur.next
            continue
        tag = cur.tag
        if tag == "br":
            add(_BREAK)
        elif not tag or not (tag[0] == "-" or tag in SKIP_TAGS):
            if start < 0 and part >= 0 and cur.mem_id == part:
                start = len(out)
            mark = marks.get(tag)
            if mark:
                add(mark)
            open_nodes.append((cur, mark))
            cur = cur.child
            continue
        cur = cur.next


def _lines(chunks: list[str]) -> list[str]:
    """The non-empty, whitespace-normalised lines of flattened chunks."""
    return [" ".join(words) for part in "".join(chunks).split(_BREAK) if (words := part.split())]


def node_lines(node: LexborNode | None) -> list[str]:
    """The non-empty, whitespace-normalised lines of a subtree."""
    if node is None:
        return []
    return _lines(node_chunks(node))


def lines_with_part(node: LexborNode | None, part: LexborNode | None) -> tuple[list[str], list[str]]:
    """node_lines of a subtree and of one element (usually inside it) from one walk when possible."""
    if node is None:
        return [], node_lines(part)
    if part is None:
        return node_lines(node), []
    chunks, span = _chunks(node, part.mem_id)
    own = _lines(chunks[span[0]:span[1]]) if span is not None else node_lines(part)
    return _lines(chunks), own


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
