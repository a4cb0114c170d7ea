"""A published page that a newer hold catches is taken off the portal by the next push, unless the office mended it
on the portal and kept it: its redirects row (imported, note 'office:') leads the old URL to the page itself. Then
push leaves the page as the office made it (even with --update) and verify reads it back without comparing it with
the legacy record (docs/decisions.md, round 10)."""

from __future__ import annotations

import csv
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.push import IN_TARGET
from consolidate.redirects import CSV_HEADER, import_csv
from tests.conftest import migrated_articles, push_sites

SITE = "jyj"
MENDED = "<p>办公室已在门户上人工修补本页。</p>"


def _emptied(ws: pipeline.Workspace, count: int) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """Push the site, then empty the stored bodies of `count` published articles and their published pages (as
    pages published before a newer hold rule): (legacy URL, its page on disk) of each in URL order, and their
    portal URLs."""
    push_sites(ws, [SITE], allow_untriaged=True)
    articles = sorted((a for a in migrated_articles(ws, SITE) if not a.attachments and not a.images),
                      key=lambda a: a.url)[:count]
    assert len(articles) == count
    exporter = pipeline.open_exporter(ws)
    root = exporter.root  # type: ignore[attr-defined]
    exporter.close()
    pages = []
    with ws.store.session() as session:
        for article in articles:
            session.execute(update(ArticleRow).where(ArticleRow.id == article.id).values(body_html="", body_text=""))
            record = session.scalar(select(PushRecord).where(PushRecord.source_url == article.url,
                                                             PushRecord.kind == "article"))
            assert record is not None and record.status in IN_TARGET
            pages.append((article.url, root / record.target_id, record.target_url))
    for _url, page, _new in pages:
        _empty_body(page)
    return [(url, page) for url, page, _ in pages], {url: new for url, _, new in pages}


def _empty_body(page: Path) -> None:
    """Take everything out of a static page's body (its title and date stay)."""
    tree = LexborHTMLParser(page.read_text(encoding="utf-8"))
    body = tree.css_first("div.body")
    assert body is not None
    for child in list(body.iter(include_text=True)):
        child.decompose()
    page.write_text(tree.html or "", encoding="utf-8")


def _office_rows(ws: pipeline.Workspace, tmp_path: Path, rows: list[list[str]]) -> None:
    """The office's redirects sheet with these rows, imported."""
    sheet = tmp_path / "redirects.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([CSV_HEADER, *rows])
    assert import_csv(ws, SITE, sheet).changed == len(rows)


def test_a_page_the_office_mended_and_kept_stays_on_the_portal(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Two published pages become bare: the office mends the first on the portal and keeps its 301 to it with a
    note; the second it leaves. The next push (and a push --update) takes only the second off the portal, leaves
    the first as the office made it; verify counts it kept, not a difference, and the status counts it in target."""
    pages, new_urls = _emptied(crawled, 2)
    (kept_url, kept_page), (bare_url, bare_page) = pages
    kept_page.write_text(kept_page.read_text(encoding="utf-8").replace('<div class="body">',
                                                                      f'<div class="body">{MENDED}', 1),
                         encoding="utf-8")
    _office_rows(crawled, tmp_path, [[kept_url, new_urls[kept_url], "301", "已人工修补"]])

    (summary,) = push_sites(crawled, [SITE], allow_untriaged=True)
    assert summary.removed == 1 and not bare_page.exists()
    (again,) = push_sites(crawled, [SITE], allow_untriaged=True, update=True)
    assert MENDED in kept_page.read_text(encoding="utf-8")
    with crawled.store.session() as session:
        status = dict(session.execute(select(PushRecord.source_url, PushRecord.status).where(
            PushRecord.source_url.in_([kept_url, bare_url]), PushRecord.kind == "article")).all())
    assert status[kept_url] in IN_TARGET and status[bare_url] == "skipped"

    exporter = pipeline.open_exporter(crawled)
    try:
        found = pipeline.verify_site(crawled, SITE, exporter)
    finally:
        exporter.close()
    [kept] = [r for r in found.results if r.source_url == kept_url]
    assert kept.status == "ok" and kept.kept and found.office_kept == 1 and found.bare == 0
    out = " ".join(CliRunner().invoke(app, ["verify", SITE, "-c", str(crawled.loaded.path), "--db",
                                            crawled.store.url]).output.split())
    assert "1 page the office mended on the portal and kept" in out, out


def test_the_bare_line_says_how_the_office_keeps_a_mended_page(crawled: pipeline.Workspace) -> None:
    """verify's line for a published page a hold now catches says the next push takes it off, and how the office
    keeps one it mends (the redirects row's 301 to the page, with a note)."""
    _emptied(crawled, 1)
    result = CliRunner().invoke(app, ["verify", SITE, "-c", str(crawled.loaded.path), "--db", crawled.store.url])
    out = " ".join(result.output.split())
    assert result.exit_code == 1 and "1 published page bare by push's hold rule" in out, out
    assert "takes them off the portal" in out and "keeps the 301 to that page with a note" in out, out
