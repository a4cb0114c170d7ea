"""HTML → plain text with the project's body_text rule (block elements make lines, cells join by a space)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

MAX_HTML = 5_000_000

BLOCK_TAGS = frozenset(
    ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "section", "article", "center", "dl", "dt", "dd", "hr", "header", "footer", "nav", "aside", "main", "figure", "figcaption", "caption", "address", "form", "body", "html"]
)
CELL_TAGS = frozenset(("td", "th"))
SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "head", "title", "select", "textarea", "iframe"))

_WS = re.compile(r"\s+")
_BREAK = "\x00"


def normalize_space(s: str) -> str:
    """Collapse every run of whitespace (incl. &nbsp;, U+3000, tabs, newlines) to one space and strip."""
    if not s:
        return ""
    return _WS.sub(" ", s).strip()


def _children(node: LexborNode) -> list[LexborNode]:
    """Child nodes (elements and text) in document order."""
    try:
        return list(node.iter(include_text=True))
    except Exception:
        return []


def node_chunks(node: LexborNode) -> list[str]:
    """Flatten a subtree into text pieces and break markers following the body_text rule."""
    out: list[str] = []
    stack: list[tuple[LexborNode, bool]] = [(node, False)]
    while stack:
        cur, leaving = stack.pop()
        tag = cur.tag or ""
        if leaving:
            if tag in BLOCK_TAGS:
                out.append(_BREAK)
            elif tag in CELL_TAGS:
                out.append(" ")
            continue
        if tag == "-text":
            out.append(cur.text_content or "")
            continue
        if tag.startswith("-") or tag in SKIP_TAGS:
            continue
        if tag == "br":
            out.append(_BREAK)
            continue
        if tag in BLOCK_TAGS:
            out.append(_BREAK)
        elif tag in CELL_TAGS:
            out.append(" ")
        stack.append((cur, True))
        stack.extend((child, False) for child in reversed(_children(cur)))
    return out


def node_lines(node: LexborNode | None) -> list[str]:
    """The non-empty, whitespace-normalised lines of a subtree."""
    if node is None:
        return []
    joined = "".join(node_chunks(node))
    lines = (normalize_space(part) for part in joined.split(_BREAK))
    return [line for line in lines if line]


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
