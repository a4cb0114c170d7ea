"""Push's plan is the one plan: on a real restored site (zjgztb, ../shared/samples) crawled on loopback, mapped and
pushed to the static preview, verify and rollback judge every pushed article as push did — image-only pages
included, whose body is empty until the crawl's images are counted — and a section heading's old page leads to
the portal column that took its sub-columns."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, ColumnMapping, ColumnRow, PushRecord
from consolidate.holds import EMPTY_BODY, is_held
from consolidate.ledger import reconcile, site_ledger
from consolidate.push import IN_TARGET, planned_targets
from consolidate.redirects import count_redirects, load_redirects
from consolidate.verify import verify_site
from exporters.base import TargetRef
from tests.conftest import crawl_real_sites, push_sites

SITE = "zjgztb"  # the smallest real site; its 操作手册 pages are screenshots (most gone: held), its 分中心 columns are headings


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Workspace:
    """The real site crawled on loopback, mapped with the example's mapping and pushed to the static preview."""
    ws = crawl_real_sites(tmp_path_factory.mktemp("realplan"), [SITE])
    push_sites(ws)
    return ws


def _pushed(ws: pipeline.Workspace) -> dict[str, PushRecord]:
    with ws.store.session() as session:
        records = {r.source_url: r for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status.in_(IN_TARGET)))}
        session.expunge_all()
    return records


def _picture_pages(ws: pipeline.Workspace, urls: set[str]) -> dict[str, ArticleRow]:
    """The articles among `urls` with images and no attachment (the 操作手册 pages: pictures, hardly any text)."""
    with ws.store.session() as session:
        rows = {a.url: a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE))
                if a.url in urls and a.images and not a.attachments}
        session.expunge_all()
    return rows


def _held_picture_pages(ws: pipeline.Workspace) -> dict[str, str]:
    """Text-less picture pages push held (they lost most of their screenshots): URL → reason."""
    with ws.store.session() as session:
        held = dict(session.execute(select(PushRecord.source_url, PushRecord.reason).where(
            PushRecord.site_id == SITE, PushRecord.kind == "article", PushRecord.status == "skipped")).all())
        texts = {a.url: a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE,
                                                                           ArticleRow.url.in_(held)))}
    return {url: reason or "" for url, reason in held.items()
            if url in texts and texts[url].images and not (texts[url].body_text or "").strip()}


def test_verify_plans_every_pushed_article_where_push_sent_it(real: pipeline.Workspace) -> None:
    """planned_targets (verify's and rollback's plan) holds every article push sent, in the column the preview
    files it under — the picture-only pages too (they were left out: the plan was made without the site's files,
    so every image counted as one the crawl could not fetch and the page as empty)."""
    records = _pushed(real)
    assert len(_picture_pages(real, set(records))) >= 3, "pages with pictures are pushed"
    held = _held_picture_pages(real)  # 操作手册 pages whose screenshots are mostly gone: held, never planned
    assert sum(is_held(r) and r.startswith(EMPTY_BODY) for r in held.values()) >= 3, held
    exporter = pipeline.open_exporter(real)
    try:
        targets = planned_targets(real, SITE, exporter)
        assert set(records) <= set(targets) and not set(held) & set(records)
        for url, record in records.items():
            snapshot = exporter.read(record.source_key, TargetRef(record.target_id or "", record.target_url or ""))
            assert targets[url] in snapshot.column_ids, url
    finally:
        exporter.close()


def test_verify_checks_the_column_of_a_picture_page(real: pipeline.Workspace) -> None:
    """The office moves a column to another portal column after the push: verify says that every pushed article
    of it, picture pages included, is filed under the old column until it is pushed again."""
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
    with real.store.session() as session:
        moved = [a.url for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE))
                 if a.url in records and " > ".join(a.column_path or []) == path]
    assert page.url in moved
    assert moved and len(results) == len(records)
    for url in moved:
        assert results[url].status == "mismatch", url
        assert any(d.startswith("column:") and moved_to in d for d in results[url].differences), url


def _redirects(ws: pipeline.Workspace) -> dict[str, tuple[str | None, str, str | None]]:
    return {r.old_url: (r.new_url, r.status, r.note) for r in load_redirects(ws, SITE)}


def _column_pages(ws: pipeline.Workspace) -> dict[str, str]:
    """Column path → its list page, for the columns that have one."""
    with ws.store.session() as session:
        return {c.path: c.url for c in session.scalars(select(ColumnRow).where(ColumnRow.site_id == SITE)) if c.url}


def _portal_page(ws: pipeline.Workspace, column_id: str) -> str:
    """The preview's page of a portal column."""
    with ws.store.session() as session:
        return session.scalar(select(PushRecord.target_url).where(
            PushRecord.kind == "column", PushRecord.source_key.endswith(f":{column_id}")))


def test_a_section_headings_old_page_leads_to_the_portal_column_of_its_sub_columns(real: pipeline.Workspace) -> None:
    """The 分中心 headings hold no article of their own and the mapper drops them; their sub-columns migrated.
    Their old pages were 410 Gone; now each leads where its sub-columns went: the one portal column that took them
    (太仓: 通知公告 only), or the nearest portal column holding all of them (吴江: 部门动态 and 通知公告, both under
    政务动态). A heading none of whose sub-columns is decided yet is unresolved, never 410."""
    pages, redirects = _column_pages(real), _redirects(real)
    with real.store.session() as session:
        dropped = {m.column_path for m in session.scalars(select(ColumnMapping).where(
            ColumnMapping.site_id == SITE, ColumnMapping.decision == "drop"))}
    assert {"太仓分中心", "吴江区分中心", "张家港市分中心 > 关于我们"} <= dropped
    assert redirects[pages["太仓分中心"]][:2] == (_portal_page(real, "tzgg"), "301")
    assert redirects[pages["吴江区分中心"]][:2] == (_portal_page(real, "zwdt"), "301")
    assert redirects[pages["张家港市分中心 > 关于我们"]][1] == "unresolved"
    assert not [p for p in ("太仓分中心", "吴江区分中心", "常熟分中心", "昆山市分中心") if redirects[pages[p]][1] == "410"]


def test_a_heading_whose_sub_columns_are_all_dropped_is_gone_and_the_counts_add_up(real: pipeline.Workspace) -> None:
    """The office drops 关于我们's sub-columns and pushes again: the heading is 410 (nothing of it migrated). The
    URL map and the ledger still count every URL once: 301 + 410 + unresolved = all, redirected headings among the
    ledger's redirected pages."""
    heading = "张家港市分中心 > 关于我们"
    with real.store.session() as session:
        session.execute(update(ColumnMapping).where(
            ColumnMapping.site_id == SITE, ColumnMapping.column_path.startswith(heading + " > ")).values(
            decision="drop", target=None, decided_by="office"))
    push_sites(real)
    redirects, pages = _redirects(real), _column_pages(real)
    assert redirects[pages[heading]][1] == "410"
    assert redirects[pages["太仓分中心"]][1] == "301"
    counted = count_redirects(load_redirects(real, SITE))
    assert counted.moved + counted.gone + counted.unresolved == len(redirects)
    entries = {e.url: e for e in site_ledger(real, SITE)}
    assert entries[pages["太仓分中心"]].disposition == "redirected"
    assert entries[pages[heading]].disposition == "archived"
    assert reconcile(real, SITE, entries=list(entries.values()))["ok"]


def test_a_merged_columns_old_page_leads_where_push_filed_its_articles(real: pipeline.Workspace) -> None:
    """The office merges a column into another (归并): push files its articles under the merge's portal column,
    and its old list page now leads there too (it was left unresolved for good: only `migrate` was followed)."""
    pages = _column_pages(real)
    with real.store.session() as session:
        merged = next(m for m in session.scalars(select(ColumnMapping).where(
            ColumnMapping.site_id == SITE, ColumnMapping.decision == "migrate").order_by(ColumnMapping.column_path))
            if m.column_path in pages and m.target)
        path, target = merged.column_path, merged.target
        merged.decision, merged.decided_by = "merge", "office"
    push_sites(real)
    assert _redirects(real)[pages[path]][:2] == (_portal_page(real, target), "301")
