"""Attachment status in `articles --json`: every referenced file is fetched or unreachable with a reason."""

from __future__ import annotations

from consolidate.core.store import ArticleRow, Resource
from consolidate.records_io import attachment_status, to_record

FILE = "http://www.example.gov.cn/P0202001.pdf"


def test_status_of_each_kind_of_reference() -> None:
    fetched = Resource(url=FILE, status="fetched", size=10, sha256="ab" * 32)
    missing = Resource(url=FILE, status="error", http_status=404)
    large = Resource(url=FILE, status="skipped", error="larger than max_bytes")
    assert attachment_status({"url": FILE}, fetched) == ("fetched", None)
    assert attachment_status({"url": FILE}, missing) == ("unreachable", "HTTP 404")
    assert attachment_status({"url": FILE}, large) == ("unreachable", "larger than max_bytes")
    assert attachment_status({"url": FILE}, None)[0] == "unreachable"
    dead = {"url": "", "name": "报名表.doc", "status": "unreachable", "reason": "javascript: link"}
    assert attachment_status(dead, None) == ("unreachable", "javascript: link")


def test_stored_row_keeps_unreachable_files_by_name() -> None:
    row = ArticleRow(url="http://www.example.gov.cn/a.html", site_id="s", column_path=[], attachments=[
        {"url": FILE, "name": "方案.pdf", "status": None, "reason": None},
        {"url": "", "name": "报名表.doc", "status": "unreachable", "reason": "javascript: link"}], images=[])
    files = {FILE: Resource(url=FILE, status="fetched", size=10, sha256="ab" * 32)}
    public = to_record(row, files).to_public_dict()["attachments"]
    assert [(a["name"], a["status"], a["bytes"], a["reason"]) for a in public] == [
        ("方案.pdf", "fetched", 10, None), ("报名表.doc", "unreachable", None, "javascript: link")]
