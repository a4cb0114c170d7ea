"""What an archived legacy page shows wrong, read from its HTML: hidden links to foreign hosts (暗链) and scripts
loaded from foreign, non-government hosts; and the links a page gives. mappers.audit judges what is found here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crawlers._common import absolutize, base_href, hidden_selectors, is_foreign, parse_html, style_hides
from crawlers.extract import spam_links


@dataclass
class PageDefects:
    """What one archived HTML page shows: hidden foreign links and scripts from foreign hosts."""

    url: str
    spam: list[str]
    scripts: list[str]


def page_defects(html: str, url: str, allowed_script_hosts: list[str]) -> PageDefects:
    """Hidden spam links (暗链) and scripts loaded from foreign, non-government hosts on one page."""
    tree = parse_html(html)
    if tree is None:
        return PageDefects(url, [], [])
    base = base_href(tree, url)
    spam = spam_links(hidden_nodes(tree), base, url)
    scripts = []
    for node in tree.css("script[src]"):
        src = absolutize(node.attributes.get("src"), base)
        if src and is_foreign(src, url) and not _allowed_host(src, allowed_script_hosts) and src not in scripts:
            scripts.append(src)
    return PageDefects(url, spam, scripts)


def hidden_nodes(tree: Any) -> list[Any]:
    """Elements hidden by an inline style, the hidden attribute or a simple <style> rule."""
    root = tree.root
    if root is None:
        return []
    nodes = [n for n in root.css("[style], [hidden]")
             if n.tag not in ("html", "body", "head") and
             ("hidden" in n.attributes or style_hides(n.attributes.get("style") or ""))]
    css = " ".join(s.text() for s in tree.css("style"))
    for selector in hidden_selectors(css):
        try:
            nodes.extend(n for n in tree.css(selector) if n.tag not in ("html", "body", "head"))
        except Exception:  # noqa: BLE001, S112 - selectors from legacy CSS may not parse
            continue
    return nodes


def _allowed_host(url: str, hosts: list[str]) -> bool:
    """True for scripts from a host on the allow list (analytics, the national error checker …)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def page_links(html: str, base: str) -> list[str]:
    """The absolute URLs of a page's <a href> links, in page order ([] for a page that does not parse)."""
    tree = parse_html(html)
    if tree is None:
        return []
    return [url for node in tree.css("a[href]") if (url := absolutize(node.attributes.get("href"), base))]
