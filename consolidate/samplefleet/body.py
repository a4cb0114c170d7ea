"""Article bodies as block lists: rendered to legacy HTML and, by the same definition, to truth text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

SPAM_LINKS = {
    "display": [("http://www.bet365-xx.com/", "澳门赌场"), ("http://www.bet365-xx.com/ylc/", "澳门娱乐城"),
                ("http://www.dafa888-xx.com/", "网上真人赌博")],
    "offscreen": [("http://www.amjs-xx.com/", "澳门金沙"), ("http://www.yaopin-xx.com/", "代开发票")],
}
SPAM_STYLE = {"display": "display:none", "offscreen": "position:absolute;left:-9999px;top:-9999px"}
_WS = re.compile(r"\s+")


@dataclass
class Block:
    """One body block: kind is p, lines, table, wordtable, img, ul, h3, div, empty, link, spam, style."""

    kind: str
    text: str = ""
    items: list = field(default_factory=list)
    href: str = ""
    wrap: str = "plain"


def norm(text: str) -> str:
    """Collapse all whitespace (incl. NBSP, U+3000) to single spaces and strip."""
    return _WS.sub(" ", text).strip()


def esc(text: str) -> str:
    """HTML-escape text, writing NBSP as &nbsp; like legacy editors do."""
    return html.escape(text, quote=False).replace("\xa0", "&nbsp;")


def attr(text: str) -> str:
    """Escape an attribute value."""
    return html.escape(text, quote=True)


def block_lines(block: Block) -> list[str]:
    """Truth lines one block contributes (before dropping empties)."""
    if block.kind in ("p", "h3", "div"):
        return [norm(block.text)]
    if block.kind == "lines":
        return [norm(line) for line in block.items]
    if block.kind == "ul":
        return [norm(item) for item in block.items]
    if block.kind in ("table", "wordtable"):
        return [norm(" ".join(row)) for row in block.items]
    if block.kind == "link":
        before, link_text, after = block.items
        return [norm(before + link_text + after)]
    if block.kind == "img":
        return [norm(block.text)]
    return []


def body_text(blocks: list[Block]) -> str:
    """The body_text rule applied to blocks."""
    lines = [line for block in blocks for line in block_lines(block)]
    return "\n".join(line for line in lines if line)


def _inline(block: Block) -> str:
    """Paragraph content with the block's inline wrapper."""
    text = esc(block.text)
    if block.wrap == "span":
        return f'<span style="font-family:仿宋_GB2312;font-size:16pt">{text}</span>'
    if block.wrap == "strong" and "，" in block.text:
        head, tail = block.text.split("，", 1)
        return f"<strong>{esc(head)}，</strong>{esc(tail)}"
    if block.wrap == "font":
        return f'<font face="宋体" size="3">{text}</font>'
    return text


def render_block(block: Block) -> str:
    """Legacy-editor HTML of one block."""
    if block.kind == "p":
        style = ' style="text-indent:2em"' if block.wrap == "indent" else ""
        return f"<p{style}>{_inline(block)}</p>"
    if block.kind == "h3":
        return f"<h3>{esc(block.text)}</h3>"
    if block.kind == "div":
        return f"<div>{esc(block.text)}</div>"
    if block.kind == "empty":
        return "<p>&nbsp;</p>"
    if block.kind == "lines":
        sep = "<br/>" if block.wrap == "xhtml" else "<br>"
        return f'<p style="text-align:right">{sep.join(esc(line) for line in block.items)}</p>'
    if block.kind == "ul":
        return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in block.items) + "</ul>"
    if block.kind == "table":
        return _render_table(block.items)
    if block.kind == "wordtable":
        return _render_word_table(block.items)
    if block.kind == "img":
        return _render_img(block)
    if block.kind == "link":
        before, link_text, after = block.items
        return f'<p>{esc(before)}<a href="{attr(block.href)}">{esc(link_text)}</a>{esc(after)}</p>'
    if block.kind == "spam":
        return render_spam(block.wrap)
    if block.kind == "style":
        return '<style type="text/css">.TRS_Editor P{margin-top:0;margin-bottom:12px;line-height:2;font-size:12pt;}</style>'
    raise ValueError(block.kind)


def _render_table(rows: list[list[str]]) -> str:
    """A Word-pasted looking table; cells hold plain text only."""
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse"><tbody>']
    for row in rows:
        out.append("<tr>" + "".join(f'<td valign="middle"><span>{esc(cell)}</span></td>' for cell in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _render_word_table(rows: list[list[str]]) -> str:
    """A statistics table as Word exports it (统计公报, 预决算): every cell carries its own border and font styles."""
    out = ['<table class="MsoNormalTable" border="0" cellspacing="0" cellpadding="0" width="100%" '
           'style="border-collapse:collapse;mso-table-layout-alt:fixed;mso-padding-alt:0cm 5.4pt 0cm 5.4pt"><tbody>']
    for number, row in enumerate(rows):
        cells = "".join(
            f'<td width="{96 if index else 168}" valign="middle" style="width:{72 if index else 126}.0pt;'
            'border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;'
            f'padding:0cm 5.4pt 0cm 5.4pt;height:14.25pt"><span style="font-size:10.5pt;font-family:宋体;'
            f'mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt">{esc(cell)}</span></td>'
            for index, cell in enumerate(row))
        out.append(f'<tr style="height:14.25pt;mso-yfti-irow:{number}">{cells}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _render_img(block: Block) -> str:
    """A centred picture, with its caption in the same paragraph after a <br> when there is one."""
    img = f'<img src="{attr(block.href)}" border="0" alt="" />'
    if block.text:
        return f'<p style="text-align:center">{img}<br>{esc(block.text)}</p>'
    return f'<p style="text-align:center">{img}</p>'


def render_spam(variant: str) -> str:
    """A hidden block of spam links (暗链)."""
    links = "".join(f'<a href="{url}" target="_blank">{text}</a>' for url, text in SPAM_LINKS[variant])
    return f'<div style="{SPAM_STYLE[variant]}">{links}</div>'


def spam_urls(blocks: list[Block]) -> list[str]:
    """URLs of the spam links hidden in the blocks."""
    return [url for block in blocks if block.kind == "spam" for url, _ in SPAM_LINKS[block.wrap]]


def render_blocks(blocks: list[Block]) -> str:
    """HTML of a whole body, one block per line."""
    return "\n".join(render_block(block) for block in blocks)
