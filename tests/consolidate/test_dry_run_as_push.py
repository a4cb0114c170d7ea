"""A dry run writes nothing (not even the automatic map of a site never mapped) and counts as the push counts,
the office's URL-map edits included."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ArticleRow, ColumnMapping, UrlMapRow
from consolidate.mapping import map_site
from consolidate.redirects import CSV_HEADER, import_csv
from consolidate.triage import triage_site

SITE = "fgw"


def _push(ws: pipeline.Workspace, dry_run: bool) -> pipeline.PushSummary:
    """One push (or dry run) of the site into the configured target."""
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.push_site(ws, SITE, exporter, dry_run=dry_run, allow_untriaged=True)
    finally:
        exporter.close()


def _figures(summary: pipeline.PushSummary) -> tuple:
    """What a push summary says it did or would do."""
    return (summary.pushed, summary.updated, summary.unchanged, dict(summary.skipped), dict(summary.unresolved),
            summary.files, summary.columns, summary.automatic_columns)


def _dump(ws: pipeline.Workspace) -> dict[str, list[tuple]]:
    """Every row of every table of the store."""
    with sqlite3.connect(ws.store.engine.url.database) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}  # noqa: S608 - own names


def test_a_dry_run_of_a_site_never_mapped_shows_the_automatic_map_and_stores_nothing(
        crawled: pipeline.Workspace) -> None:
    """The dry run follows the decisions `map` would make, as the push after `map` does, and leaves every table
    as it was (triage run first: the dry run reads its findings)."""
    triage_site(crawled, SITE)
    before = _dump(crawled)
    planned = _push(crawled, dry_run=True)
    assert _dump(crawled) == before
    with crawled.store.session() as session:
        assert session.scalar(select(ColumnMapping.id).where(ColumnMapping.site_id == SITE)) is None
    assert planned.automatic_columns > 0 and planned.pushed > 10
    map_site(crawled, SITE)
    assert _figures(_push(crawled, dry_run=True)) == _figures(planned)
    assert _figures(_push(crawled, dry_run=False))[:5] == _figures(planned)[:5]


def test_a_dry_run_counts_unresolved_articles_by_the_office_edits_as_the_push_does(crawled: pipeline.Workspace,
                                                                                   tmp_path: Path) -> None:
    """Articles left unresolved by a push (their column left undecided), then archived (410) by the office's
    redirects sheet, are no longer unresolved: for the dry run as for the push that follows it."""
    map_site(crawled, SITE)
    with crawled.store.session() as session:
        counts = Counter(" > ".join(a.column_path or []) for a in session.scalars(
            select(ArticleRow).where(ArticleRow.site_id == SITE)))
        path = next(p for p, n in counts.most_common() if n >= 3)
        row = session.scalar(select(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                         ColumnMapping.column_path == path))
        row.decision, row.target = "unmapped", None
    first = _push(crawled, dry_run=False)
    assert sum(first.unresolved.values()) >= 3
    with crawled.store.session() as session:
        articles = set(session.scalars(select(ArticleRow.url).where(ArticleRow.site_id == SITE)))
        waiting = sorted(u for u in session.scalars(select(UrlMapRow.old_url).where(
            UrlMapRow.site_id == SITE, UrlMapRow.status == "unresolved")) if u in articles)[:2]
    assert len(waiting) == 2
    sheet = tmp_path / "redirects.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerows([url, "", "410", "office: archived"] for url in waiting)
    assert import_csv(crawled, SITE, sheet).changed == len(waiting)
    planned = _push(crawled, dry_run=True)
    done = _push(crawled, dry_run=False)
    assert dict(planned.unresolved) == dict(done.unresolved)
    assert sum(done.unresolved.values()) == sum(first.unresolved.values()) - 2
    assert dict(planned.skipped) == dict(done.skipped) == dict(first.skipped)
