"""Push's plan is the one plan: on a real restored site (zjgztb, ../shared/samples) crawled on loopback, mapped and
pushed to the static preview, verify and rollback judge every pushed article as push did — image-only pages
included, whose body is empty until the crawl's images are counted."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord
from consolidate.push import IN_TARGET, planned_targets
from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, samples_dir
from consolidate.verify import verify_site
from exporters.base import TargetRef
from tests.conftest import push_sites

SITE = "zjgztb"  # the smallest real site; its 操作手册 pages are pictures only, its 分中心 columns are headings
SITES = tuple(s for s in REAL_SITES if s.id == SITE)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """The real site crawled on loopback, mapped with the example's mapping and pushed to the static preview."""
    root = samples_dir()
    if root is None:
        pytest.skip("../shared/samples is absent (a fresh clone has no real sample sites)")
    work = tmp_path_factory.mktemp("realplan")
    with RealSitesServer(root, SITES) as server:
        config = work / "migrations.yaml"
        config.write_text(server.config_text(rate=200.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{work / '.consolidate' / 'state.db'}")
        pipeline.crawl(ws, None)
        push_sites(ws)
    return ws


def _pushed(ws: pipeline.Workspace) -> dict[str, PushRecord]:
    with ws.store.session() as session:
        records = {r.source_url: r for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status.in_(IN_TARGET)))}
        session.expunge_all()
    return records


def _picture_pages(ws: pipeline.Workspace, urls: set[str]) -> dict[str, ArticleRow]:
    """The pushed articles with no text at all, only images."""
    with ws.store.session() as session:
        rows = {a.url: a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE))
                if a.url in urls and not (a.body_text or "").strip() and a.images and not a.attachments}
        session.expunge_all()
    return rows


def test_verify_plans_every_pushed_article_where_push_sent_it(real: pipeline.Workspace) -> None:
    """planned_targets (verify's and rollback's plan) holds every article push sent, in the column the preview
    files it under — the picture-only pages too (they were left out: the plan was made without the site's files,
    so every image counted as one the crawl could not fetch and the page as empty)."""
    records = _pushed(real)
    pictures = _picture_pages(real, set(records))
    assert len(pictures) >= 3, "zjgztb's 操作手册 pages are pictures only and are pushed"
    exporter = pipeline.open_exporter(real)
    try:
        targets = planned_targets(real, SITE, exporter)
        assert set(records) <= set(targets)
        for url, record in records.items():
            snapshot = exporter.read(record.source_key, TargetRef(record.target_id or "", record.target_url or ""))
            assert targets[url] in snapshot.column_ids, url
    finally:
        exporter.close()


def test_verify_checks_the_column_of_a_picture_only_page(real: pipeline.Workspace) -> None:
    """The office moves a column to another portal column after the push: verify says that every pushed article
    of it, picture-only pages included, is filed under the old column until it is pushed again."""
    records = _pushed(real)
    pictures = _picture_pages(real, set(records))
    page = pictures[min(pictures)]
    path = " > ".join(page.column_path or [])
    with real.store.session() as session:
        mapping = session.scalar(select(ColumnMapping).where(ColumnMapping.site_id == SITE,
                                                             ColumnMapping.column_path == path))
        mapping_id, was = mapping.id, mapping.target
        moved_to = "tzgg" if was != "tzgg" else "bmdt"
        session.execute(update(ColumnMapping).where(ColumnMapping.id == mapping_id).values(target=moved_to))
    exporter = pipeline.open_exporter(real)
    try:
        summary = verify_site(real, SITE, exporter)
    finally:
        exporter.close()
        with real.store.session() as session:  # the module's workspace: the office's move undone
            session.execute(update(ColumnMapping).where(ColumnMapping.id == mapping_id).values(target=was))
    results = {r.source_url: r for r in summary.results}
    moved = [url for url in pictures if " > ".join(pictures[url].column_path or []) == path]
    assert moved and len(results) == len(records)
    for url in moved:
        assert results[url].status == "mismatch", url
        assert any(d.startswith("column:") and moved_to in d for d in results[url].differences), url

