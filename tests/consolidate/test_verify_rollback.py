"""verify reads pushed articles back and finds differences; rollback removes exactly what was pushed."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow, ColumnMapping, PushRecord, UrlMapRow
from consolidate.verify import rollback_site, verify_site


def _push(ws: pipeline.Workspace, *sites: str) -> None:
    exporter = pipeline.open_exporter(ws)
    try:
        for site in sites:
            pipeline.push_site(ws, site, exporter)
    finally:
        exporter.close()


def test_verify_is_clean_after_push_and_finds_a_tampered_page(crawled: pipeline.Workspace) -> None:
    """Every pushed article reads back equal; an edited title and a deleted page are reported per article."""
    _push(crawled, "fgw")
    exporter = pipeline.open_exporter(crawled)
    clean = verify_site(crawled, "fgw", exporter)
    assert clean.ok > 0 and clean.mismatch == 0 and clean.missing == 0, clean.results[:3]
    with crawled.store.session() as session:
        first, second = session.scalars(select(PushRecord).where(
            PushRecord.site_id == "fgw", PushRecord.kind == "article", PushRecord.status == "pushed")
            .order_by(PushRecord.id).limit(2)).all()
    preview = crawled.dir / "preview"
    page = preview / first.target_id
    html = page.read_text(encoding="utf-8")
    title = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    page.write_text(html.replace(f"<h1>{title}</h1>", "<h1>被篡改的标题</h1>"), encoding="utf-8")
    (preview / second.target_id).unlink()
    found = verify_site(crawled, "fgw", exporter)
    exporter.close()
    by_url = {r.source_url: r for r in found.results}
    assert by_url[first.source_url].status == "mismatch"
    assert any(d.startswith("title") for d in by_url[first.source_url].differences)
    assert by_url[second.source_url].status == "missing"
    assert found.ok == clean.ok - 2
    with crawled.store.session() as session:
        stored = session.scalar(select(PushRecord).where(PushRecord.id == first.id))
        assert stored is not None and stored.verify_status == "mismatch"
    result = CliRunner().invoke(app, ["verify", "fgw", "-c", str(crawled.loaded.path), "--db", crawled.store.url])
    assert result.exit_code == 1 and "mismatch" in result.output
    assert "`consolidate push fgw --update` sends them again" in " ".join(result.output.split())
    base = ["-c", str(crawled.loaded.path), "--db", crawled.store.url]
    assert CliRunner().invoke(app, ["push", "fgw", "--update", "--allow-untriaged", *base]).exit_code == 0
    again = CliRunner().invoke(app, ["verify", "fgw", *base])
    assert again.exit_code == 0 and " 0 differ, 0 missing" in again.output, again.output


def test_rollback_removes_only_that_sites_objects_and_push_restores_them(crawled: pipeline.Workspace) -> None:
    """Rollback of fgw leaves jyj untouched; fgw's pages are gone; a new push brings them back."""
    _push(crawled, "fgw", "jyj")
    preview = crawled.dir / "preview"
    with crawled.store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.kind == "article",
                                                           PushRecord.status == "pushed")).all()
    fgw = [r for r in records if r.site_id == "fgw"]
    jyj = [r for r in records if r.site_id == "jyj"]
    exporter = pipeline.open_exporter(crawled)
    summary = rollback_site(crawled, "fgw", exporter)
    exporter.close()
    assert summary.articles == len(fgw) and not summary.failed
    assert not any((preview / r.target_id).exists() for r in fgw)
    assert all((preview / r.target_id).exists() for r in jyj)
    with crawled.store.session() as session:
        statuses = set(session.scalars(select(PushRecord.status).where(PushRecord.site_id == "fgw",
                                                                      PushRecord.kind == "article")))
    assert "pushed" not in statuses and "rolled_back" in statuses
    _push(crawled, "fgw")
    assert all((preview / r.target_id).exists() for r in fgw)


def _dead_redirects(ws: pipeline.Workspace, base: str) -> list[tuple[str, str]]:
    """(site, legacy URL) of every 301 whose new page is not in the preview."""
    with ws.store.session() as session:
        rows = session.execute(select(UrlMapRow.site_id, UrlMapRow.old_url, UrlMapRow.new_url)
                               .where(UrlMapRow.status == "301")).all()
    preview = ws.dir / "preview"
    return [(site, old) for site, old, new in rows if new.startswith(base) and new != base
            and not (preview / new[len(base):]).exists()]


def test_rollback_leaves_no_redirect_to_what_it_removed_nor_its_empty_columns(crawled: pipeline.Workspace) -> None:
    """After rollback of a sub-site's site, none of its legacy URLs is 301 to a page that is gone (they are
    unresolved again), its own columns, their pages and the sub-site home go, and the other site keeps all of its:
    even when where one of the other site's articles sits can no longer be told."""
    _push(crawled, "fgw", "jyj")
    exporter = pipeline.open_exporter(crawled)
    base = exporter.base_url
    with crawled.store.session() as session:
        columns = session.scalars(select(PushRecord).where(PushRecord.kind == "column")).all()
        jyj_301 = session.scalar(select(func.count()).select_from(UrlMapRow).where(
            UrlMapRow.site_id == "jyj", UrlMapRow.status == "301"))
        mapping = session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == "jyj",
                                                              ColumnMapping.decision == "migrate")).first()
        mapping.decision = "unmapped"  # the office reopened a column: where its pushed articles sit is not known
    fgw_columns = [r for r in columns if r.site_id == "fgw"]
    assert fgw_columns and _dead_redirects(crawled, base) == []
    summary = rollback_site(crawled, "fgw", exporter)
    exporter.close()
    assert (summary.columns, summary.kept_shared) == (len(fgw_columns), 0)
    preview = crawled.dir / "preview"
    assert not any((preview / r.target_id).exists() for r in fgw_columns)
    assert not (preview / "fgw" / "index.html").exists() and (preview / "jyj" / "index.html").exists()
    assert all((preview / r.target_id).exists() for r in columns if r.site_id == "jyj")
    assert _dead_redirects(crawled, base) == []
    with crawled.store.session() as session:
        rows = session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == "fgw")).all()
        assert session.scalar(select(func.count()).select_from(UrlMapRow).where(
            UrlMapRow.site_id == "jyj", UrlMapRow.status == "301")) == jyj_301
    undone = [r for r in rows if r.status == "unresolved" and "rollback" in (r.note or "")]
    assert len(undone) >= summary.articles + summary.files and not any(r.new_url for r in undone)


def test_a_column_two_sites_pushed_stays_until_the_last_of_them_is_rolled_back(crawled: pipeline.Workspace) -> None:
    """jyj files one of its columns under fgw's 工作动态: rolling back fgw keeps that column (jyj's articles are in
    it), rolling back jyj then removes it and its page; the page is never left behind empty."""
    pipeline.map_site(crawled, "jyj")
    with crawled.store.session() as session:
        paths = Counter(" > ".join(a.column_path or []) for a in session.scalars(
            select(ArticleRow).where(ArticleRow.site_id == "jyj")))
        mapping = session.scalars(select(ColumnMapping).where(ColumnMapping.site_id == "jyj",
                                                              ColumnMapping.decision == "migrate",
                                                              ColumnMapping.column_path == paths.most_common(1)[0][0])).one()
        mapping.target = "fgw-gzdt"
    _push(crawled, "fgw", "jyj")
    with crawled.store.session() as session:
        shared = session.scalars(select(PushRecord).where(PushRecord.source_key == "column:fgw:fgw-gzdt")).all()
    assert [r.site_id for r in shared] == ["fgw"]  # recorded once, under the site that pushed it first
    page = crawled.dir / "preview" / shared[0].target_id
    exporter = pipeline.open_exporter(crawled)
    first = rollback_site(crawled, "fgw", exporter)
    assert first.kept_shared == 1 and page.exists()
    second = rollback_site(crawled, "jyj", exporter)
    exporter.close()
    assert second.kept_shared == 0 and not page.exists()
    assert _dead_redirects(crawled, exporter.base_url) == []
