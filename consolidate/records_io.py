"""Articles read back from the store as public records (the `articles --json` shape)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from consolidate.core.records import ArticleRecord, AttachmentRef
from consolidate.core.store import ArticleRow, Resource
from consolidate.core.urls import canonical_url
from consolidate.core.workspace import Workspace


def article_records(ws: Workspace, site_id: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Every article of a site as a dict of exactly the published fields, attachments with bytes and hash."""
    with ws.store.session() as session:
        rows = session.scalars(select(ArticleRow).where(ArticleRow.site_id == site_id)
                               .order_by(ArticleRow.url).limit(limit)).all()
        files = {r.url: r for r in session.scalars(select(Resource).where(
            Resource.site_id == site_id, Resource.kind == "attachment"))}
    return [to_record(row, files).to_public_dict() for row in rows]


def attachment_status(item: dict[str, Any], resource: Resource | None) -> tuple[str, str | None]:
    """('fetched', None) or ('unreachable', why) for a stored attachment and its fetched resource (if any)."""
    if item.get("status") == "unreachable":
        return "unreachable", item.get("reason") or "no address on the page"
    if resource is not None and resource.status == "fetched":
        return "fetched", None
    if resource is None:
        return "unreachable", "not fetched: outside the crawl's scope or not reached"
    if resource.status == "queued":
        return "unreachable", "not fetched yet"
    detail = resource.error or (f"HTTP {resource.http_status}" if resource.http_status else resource.status)
    return "unreachable", detail


def to_record(row: ArticleRow, files: dict[str, Resource]) -> ArticleRecord:
    """An ArticleRecord from a stored row; attachment size/hash from the fetched file when there is one."""
    attachments = []
    for item in row.attachments or []:
        resource = files.get((canonical_url(item["url"]) if item.get("url") else None) or item.get("url") or "")
        fetched = resource is not None and resource.status == "fetched"
        status, reason = attachment_status(item, resource)
        attachments.append(AttachmentRef(url=item.get("url") or "", name=item.get("name"),
                                         bytes=resource.size if fetched else None,
                                         sha256=resource.sha256 if fetched else None, status=status, reason=reason))
    return ArticleRecord(
        url=row.url, site=row.site_id, column_path=list(row.column_path or []), title=row.title,
        published=row.published, source=row.source, publisher=row.publisher, index_no=row.index_no,
        doc_no=row.doc_no, written=row.written, topic=row.topic, validity=row.validity,
        published_source=row.published_source, body_html=row.body_html,
        body_text=row.body_text, attachments=attachments, images=list(row.images or []),
        content_hash=row.content_hash)
