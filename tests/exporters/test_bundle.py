"""The bundle exporter on the crawled fleet: complete JSONL, content-addressed files, manifest, idempotent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ArticleRow, PushRecord
from exporters.base import TargetRef


def _push(ws: pipeline.Workspace) -> list[pipeline.PushSummary]:
    with pipeline.open_exporter(ws, "bundle", {}) as exporter:  # closed (its output saved) on the way out
        return [pipeline.push_site(ws, site.id, exporter) for site in ws.config.sites]


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_bundle_holds_every_article_field_and_file(crawled: pipeline.Workspace) -> None:
    """articles.jsonl has every migrated article with all fields; attachments resolve to files with equal bytes."""
    summaries = _push(crawled)
    root = crawled.dir / "bundle"
    articles = {a["source_key"]: a for a in _lines(root / "articles.jsonl")}
    assert len(articles) == sum(s.pushed for s in summaries) > 0
    columns = {c["id"] for c in _lines(root / "columns.jsonl")}
    with crawled.store.session() as session:
        rows = {pipeline.article_key(a.site_id, a.url): a for a in session.scalars(select(ArticleRow))}
    referenced = 0
    for key, entry in articles.items():
        row = rows[key]
        assert entry["column_id"] in columns
        for field in ("title", "published", "source", "publisher", "index_no", "doc_no", "written", "topic"):
            assert entry[field] == getattr(row, field), field
        assert entry["source_url"] == row.url
        for attachment in entry["attachments"]:
            data = (root / "files" / attachment["sha256"][:2] / attachment["sha256"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == attachment["sha256"] and attachment["name"]
            referenced += 1
    assert referenced > 0
    files = _lines(root / "files.jsonl")
    assert all((root / f["path"]).stat().st_size == f["size"] for f in files)
    book = load_workbook(root / "manifest.xlsx")
    sheet = book["文章"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref and sheet["B1"].value == "标题"
    assert sheet.max_row == len(articles) + 1
    assert book["附件"].max_row == len(files) + 1


def test_bundle_second_push_rewrites_nothing(crawled: pipeline.Workspace) -> None:
    """Re-running the push leaves every bundle file untouched; read() gives the article back."""
    _push(crawled)
    root = crawled.dir / "bundle"
    before = _snapshot(root)
    summaries = _push(crawled)
    assert all(s.pushed == 0 and s.updated == 0 for s in summaries)
    assert _snapshot(root) == before
    exporter = pipeline.open_exporter(crawled, "bundle", {})
    with crawled.store.session() as session:
        record = session.scalars(select(PushRecord).where(  # one the bundle holds (skipped ones it does not)
            PushRecord.kind == "article", PushRecord.target == exporter.target,
            PushRecord.status.in_(("pushed", "updated", "unchanged"))).order_by(PushRecord.id)).first()
    snapshot = exporter.read(record.source_key, TargetRef(record.target_id, record.target_url or ""))
    assert snapshot is not None and snapshot.column_ids and snapshot.title


def test_static_preview_read_matches_the_article(crawled: pipeline.Workspace) -> None:
    """read() of the static preview (the other exporter with read) gives back title, date, column and files."""
    exporter = pipeline.open_exporter(crawled, "static", {})
    pipeline.push_site(crawled, "jyj", exporter)
    with crawled.store.session() as session:
        records = session.scalars(select(PushRecord).where(PushRecord.kind == "article",
                                                           PushRecord.target == exporter.target,
                                                           PushRecord.status != "skipped")).all()
        rows = {a.url: a for a in session.scalars(select(ArticleRow).where(ArticleRow.site_id == "jyj"))}
    with_files = 0
    for record in records:
        snapshot = exporter.read(record.source_key, TargetRef(record.target_id, record.target_url or ""))
        row = rows[record.source_url]
        assert snapshot is not None and snapshot.title == row.title and snapshot.url == record.target_url
        assert snapshot.published == row.published and snapshot.column_ids[0].startswith("jyj-")
        assert all(sha and size for _name, sha, size in snapshot.attachments)
        with_files += bool(snapshot.attachments)
    assert with_files > 0
    exporter.close()
