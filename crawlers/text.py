"""HTML → plain text with the project's body_text rule (block elements make lines, cells join by a space)."""

from __future__ import annotations

from collections import OrderedDict

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
    """node_lines of a page's <body> and of one element (usually inside it) from one walk when possible.

    Subtrees beside the path from the node down to the part (a site's header, menus, footer) are flattened once
    per distinct HTML and then read from a memo.
    """
    if node is None:
        return [], node_lines(part)
    if part is not None and part.mem_id == node.mem_id:
        chunks, span = _chunks(node, part.mem_id)
    else:
        chunks, span = _page_chunks(node, part)
    own = _lines(chunks[span[0]:span[1]]) if span is not None else node_lines(part)
    return _lines(chunks), own


def _page_chunks(root: LexborNode, part: LexborNode | None) -> tuple[list[str], tuple[int, int] | None]:
    """_chunks(root, part) with the subtrees off the path down to the part taken from the furniture memo."""
    root_tag = root.tag or ""
    if root_tag.startswith("-") or root_tag in SKIP_TAGS or root_tag == "br":
        return _chunks(root, part.mem_id if part is not None else -1)
    path: set[int] = set()
    cur = part.parent if part is not None else None
    while cur is not None and cur.mem_id != root.mem_id:
        path.add(cur.mem_id)
        cur = cur.parent
    if cur is None:  # the part is not below the root: nothing to capture
        path.clear()
    out: list[str] = []
    span = _path_chunks(root, part.mem_id if part is not None and cur is not None else -1, path, out)
    return out, span


def _path_chunks(node: LexborNode, part: int, path: set[int], out: list[str]) -> tuple[int, int] | None:
    """Append the chunks of an element on the path to the part; return the part's slice of them."""
    mark = _MARKS.get(node.tag)
    if mark:
        out.append(mark)
    span = None
    child = node.child
    while child is not None:
        text = child.text_content
        tag = child.tag if text is None else "-text"
        if text is not None:
            out.append(text)
        elif tag == "br":
            out.append(_BREAK)
        elif tag and (tag[0] == "-" or tag in SKIP_TAGS):
            pass  # never walked into, as _chunks does not
        elif child.mem_id == part:
            start = len(out)
            out.extend(_chunks(child, -1)[0])
            span = (start, len(out))
        elif child.mem_id in path:
            span = _path_chunks(child, part, path, out) or span
        else:
            out.extend(_furniture(child))
        child = child.next
    if mark:
        out.append(mark)
    return span


_FURNITURE: OrderedDict[str, list[str]] = OrderedDict()
FURNITURE_MEMO = 256  # distinct subtrees remembered (least recently used dropped)


def _furniture(node: LexborNode) -> list[str]:
    """_chunks of a subtree off the path to the article body, memoised by its HTML (never to be modified)."""
    tag = node.tag
    if not tag or tag[0] == "-" or tag in SKIP_TAGS or tag == "br":
        return _chunks(node, -1)[0]
    first = node.child
    if first is None or (first.next is None and first.text_content is not None):
        return _chunks(node, -1)[0]  # one text or none: quicker to read than to look up
    key = node.html
    if not key or len(key) > 100_000:
        return _chunks(node, -1)[0]
    found = _FURNITURE.get(key)
    if found is not None:
        _FURNITURE.move_to_end(key)
        return found
    found = _chunks(node, -1)[0]
    _FURNITURE[key] = found
    if len(_FURNITURE) > FURNITURE_MEMO:
        _FURNITURE.popitem(last=False)
    return found


def clear_memo() -> None:
    """Forget the memoised page furniture."""
    _FURNITURE.clear()


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
