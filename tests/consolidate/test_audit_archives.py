"""The audit reads archived pages through the crawler's one WARC reader: only this site's files, HTML only."""

from __future__ import annotations

from pathlib import Path

from consolidate.audit import archived_pages
from crawlers.fetch import FetchResult
from crawlers.warc import WarcArchive, site_archives


def _write(directory: Path, site_id: str, pages: list[tuple[str, int, str, bytes]]) -> None:
    """One WARC file of (url, status, content type, body) responses for a site."""
    archive = WarcArchive(directory, site_id)
    for url, status, content_type, body in pages:
        archive.write(FetchResult(url=url, final_url=url, status=status, headers={"content-type": content_type},
                                  body=body))
    archive.close()


def test_archived_pages_are_the_sites_own_html_answers(tmp_path: Path) -> None:
    """Site `a` does not read site `a-b`'s archive (same prefix); PDFs and 404s are not pages."""
    _write(tmp_path, "a", [("http://a.example/1.html", 200, "text/html; charset=utf-8", "<p>一</p>".encode()),
                           ("http://a.example/f.pdf", 200, "application/pdf", b"%PDF-1.4"),
                           ("http://a.example/gone.html", 404, "text/html", b"<p>404</p>")])
    _write(tmp_path, "a-b", [("http://ab.example/2.html", 200, "text/html", b"<p>two</p>")])
    pages = dict(archived_pages(site_archives(tmp_path, "a")))
    assert list(pages) == ["http://a.example/1.html"]
    assert "一" in pages["http://a.example/1.html"]
