"""The audit reads the archived pages one at a time: a page's HTML is dropped once its defects are found (on a
100 000-page crawl, holding every page's HTML was gigabytes), and the findings are those of all pages held at once."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from urllib.parse import urlsplit

from consolidate import pipeline
from consolidate.audit import _article_spam, _page_defects, archived_pages, site_findings
from consolidate.core.storage import workspace_storage
from consolidate.mapping import audit_settings
from crawlers.defects import page_defects
from crawlers.warc import mirror_site_archives
from mappers.audit import defect_findings

SITE = "fgw"
HOME = "http://old.example/"
SPAM = '<div style="display:none"><a href="http://casino.example/">博彩</a></div>'


class _Html(str):
    """A page's HTML that can be watched (a str subclass takes a weak reference)."""


def _pages(watched: list[weakref.ref[_Html]], alive: list[int]) -> Iterator[tuple[str, str]]:
    """Five pages (the home page second, one page with a hidden spam link); before each next page, count the
    earlier pages other than the home page whose HTML is still alive."""
    urls = ["http://old.example/a.html", HOME, "http://old.example/b.html", "http://old.example/c.html",
            "http://old.example/d.html"]
    for number, url in enumerate(urls):
        gc.collect()
        alive.append(sum(1 for ref in watched[:-1] if ref() is not None and ref() != HOME_HTML))
        html = _Html(f"<html><body><p>{url}</p>{SPAM if number == 3 else ''}</body></html>")
        watched.append(weakref.ref(html))
        yield url, html


HOME_HTML = f"<html><body><p>{HOME}</p></body></html>"


def test_pages_are_read_one_at_a_time_and_only_the_home_page_is_kept() -> None:
    watched: list[weakref.ref[_Html]] = []
    alive: list[int] = []
    home, defects = _page_defects(_pages(watched, alive), HOME, [])
    assert alive == [0, 0, 0, 0, 0], "an earlier page's HTML was still held when the next one was read"
    assert home == HOME_HTML
    assert [d.url for d in defects] == ["http://old.example/c.html"] and defects[0].spam


def test_the_findings_are_those_of_every_page_held_at_once(crawled: pipeline.Workspace) -> None:
    """On a crawled site: the defect findings of the streamed pass equal those computed from all pages in memory,
    as the audit did before."""
    site = crawled.site(SITE)
    settings = audit_settings(crawled.config)
    archives = mirror_site_archives(workspace_storage(crawled.config, crawled.dir), crawled.dir / "warc", SITE)
    pages = dict(archived_pages(archives))
    assert pages, "the crawl archived the site's pages"
    own = frozenset(h for h in (urlsplit(u if "://" in u else f"http://{u}").hostname
                                for u in (site.home_url, *site.aliases)) if h)
    held = [page_defects(html, url, settings.script_hosts) for url, html in pages.items()]
    before = defect_findings(SITE, [d for d in held if d.spam or d.scripts], _article_spam(crawled, SITE), own)
    assert before, "the sample fleet plants hidden links or foreign scripts"
    found = [f for f in site_findings(crawled, SITE) if f["rule"] in ("spam_link", "foreign_script")]
    key = lambda f: (f["rule"], str(f["evidence"].get("url", "")))  # noqa: E731
    assert sorted(found, key=key) == sorted(before, key=key)
