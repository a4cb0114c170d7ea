"""Pushing the crawled fleet into the static preview: complete, linked locally, idempotent, reconciled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consolidate import pipeline
from consolidate.core.errors import ExporterError
from consolidate.core.store import PushRecord, UrlMapRow
from consolidate.report import fleet_report
from exporters.base import ExportContext, create_exporter
from tests.crawlers.test_fuzz import unsafe_markup


def _push_all(ws: pipeline.Workspace) -> list[pipeline.PushSummary]:
    exporter = pipeline.open_exporter(ws)
    try:
        return [pipeline.push_site(ws, site.id, exporter) for site in ws.config.sites]
    finally:
        exporter.close()


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_push_fills_preview_and_reconciles(crawled: pipeline.Workspace) -> None:
    """≥ 95% of articles land in the preview with date, source and files; every article is accounted for."""
    _push_all(crawled)
    report = fleet_report(crawled)
    totals = report["totals"]
    assert totals["pushed"] >= 0.95 * totals["articles"]
    for site in report["sites"]:
        assert site["reconciliation"]["ok"], site["reconciliation"]
        assert site["push"]["failed"] == 0
    preview = crawled.dir / "preview"
    with crawled.store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.kind == "article",
                                                           PushRecord.status == "pushed")).all()
    assert records
    for record in records:
        page = (preview / record.target_id).read_text(encoding="utf-8")
        assert "<h1>" in page
    for page in preview.rglob("*.html"):
        assert not unsafe_markup(page.read_text(encoding="utf-8"), allowed=("style",)), page
    legacy_hosts = {re.sub(r"^https?://", "", s.home_url).rstrip("/") for s in crawled.config.sites}
    for page in preview.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        hrefs = re.findall(r'(?:href|src)="([^"]+)"', text)
        assert not [h for h in hrefs if any(host in h for host in legacy_hosts)], page


def test_attachments_rehosted_with_equal_bytes(crawled: pipeline.Workspace) -> None:
    """Every file link in a preview article resolves to a file whose bytes equal the legacy file."""
    _push_all(crawled)
    preview = crawled.dir / "preview"
    checked = 0
    for page in preview.rglob("*.html"):
        for href in re.findall(r'href="((?:\.\./)*files/[^"]+)"', page.read_text(encoding="utf-8")):
            target = (page.parent / href).resolve()
            assert target.is_file(), (page, href)
            checked += 1
    assert checked > 0


def test_second_push_changes_nothing(crawled: pipeline.Workspace) -> None:
    """Re-running push: no new records, no rewritten files, everything reported unchanged."""
    _push_all(crawled)
    preview = crawled.dir / "preview"
    before = _snapshot(preview)
    with crawled.store.session() as session:
        rows_before = session.scalar(select(func.count()).select_from(PushRecord))
        urls_before = session.scalar(select(func.count()).select_from(UrlMapRow))
    summaries = _push_all(crawled)
    assert all(s.pushed == 0 and s.updated == 0 for s in summaries)
    assert sum(s.unchanged for s in summaries) > 0
    assert _snapshot(preview) == before
    with crawled.store.session() as session:
        assert session.scalar(select(func.count()).select_from(PushRecord)) == rows_before
        assert session.scalar(select(func.count()).select_from(UrlMapRow)) == urls_before


def test_dry_run_touches_nothing(crawled: pipeline.Workspace) -> None:
    """--dry-run counts what would be pushed and writes no record or file."""
    exporter = pipeline.open_exporter(crawled)
    summary = pipeline.push_site(crawled, "fgw", exporter, dry_run=True)
    assert summary.pushed > 0
    with crawled.store.session() as session:
        assert session.scalar(select(func.count()).select_from(PushRecord)) == 0


def test_every_legacy_article_url_has_an_outcome(crawled: pipeline.Workspace) -> None:
    """The URL map gives each crawled article a 301 target or a 410 with a reason."""
    _push_all(crawled)
    with crawled.store.session() as session:
        rows = session.scalars(select(UrlMapRow).where(UrlMapRow.site_id == "jyj")).all()
    assert rows
    assert all((r.status == "301" and r.new_url) or (r.status == "410" and r.note) for r in rows)


def test_unknown_exporter_and_option_list_the_valid_ones(crawled: pipeline.Workspace) -> None:
    """Exporter names and options are checked, and the error lists what is valid."""
    context = ExportContext(workspace=crawled.dir, portal=crawled.config.portal, programme_name="x")
    with pytest.raises(ExporterError) as unknown:
        create_exporter("joomla", {}, context)
    assert "static" in (unknown.value.hint or "")
    with pytest.raises(ExporterError) as option:
        create_exporter("static", {"colour": "red"}, context)
    assert "dir" in (option.value.hint or "") and "colour" in option.value.message
