"""The bundle read back line by line: verify finds each entry on disk without holding the bundle in memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consolidate.core.config import Portal
from consolidate.core.errors import ExporterError
from exporters.base import ExportArticle, ExportContext, TargetRef
from exporters.bundle import BundleExporter, BundleOptions


def _bundle(root: Path) -> BundleExporter:
    portal = Portal(name="门户", base_url="https://portal.example.gov.cn/", columns=[])
    return BundleExporter(BundleOptions(dir=str(root)), ExportContext(root.parent, portal, "p"))


def _article(number: int, title: str) -> ExportArticle:
    return ExportArticle(source_key=f"article:s:{number:04d}", source_url=f"https://x.gov.cn/{number}.html",
                         site_id="s", site_name="站", subsite=None, column_key="column:s:a", column_id="a",
                         title=title, published="2024-01-02", source=None, publisher=None, index_no=None,
                         doc_no=None, written=None, topic=None, body_html=f"<p>正文{number}</p>", content_hash="h")


def _push(root: Path, articles: list[ExportArticle]) -> None:
    writer = _bundle(root)
    writer.start()
    for article in articles:
        writer.put_article(article, TargetRef("a", ""), None)
    writer.finish()
    writer.close()


def test_read_finds_every_article_and_a_later_push(tmp_path: Path) -> None:
    """Each of 300 articles reads back with its own title; an article a later push adds is found too."""
    root = tmp_path / "bundle"
    _push(root, [_article(n, f"标题{n}") for n in range(300)])
    reader = _bundle(root)
    reader.start()
    try:
        assert all(reader.read(f"article:s:{n:04d}", TargetRef("", "")).title == f"标题{n}" for n in range(300))
        assert reader.read("article:s:9999", TargetRef("", "")) is None
        _push(root, [_article(9999, "后来的")])  # another writer, once this one's lock is gone
    finally:
        reader.close()
    again = _bundle(root)
    again.start()
    assert again.read("article:s:9999", TargetRef("", "")).title == "后来的"
    again.close()


def test_a_title_with_a_line_separator_reads_back(tmp_path: Path) -> None:
    """U+2028 is written raw in the JSONL: it is not a line break, and the entry reads back whole."""
    root = tmp_path / "bundle"
    _push(root, [_article(1, "上半\u2028下半"), _article(2, "其二")])
    reader = _bundle(root)
    reader.start()
    assert reader.read("article:s:0001", TargetRef("", "")).title == "上半\u2028下半"
    assert reader.read("article:s:0002", TargetRef("", "")).title == "其二"
    reader.close()


def test_the_last_line_of_a_key_wins_and_a_damaged_line_is_a_clear_error(tmp_path: Path) -> None:
    """A key written twice reads as its later line; a line that is not an entry names the file and line."""
    root = tmp_path / "bundle"
    _push(root, [_article(1, "旧")])
    path = root / "articles.jsonl"
    entry = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8") + json.dumps({**entry, "title": "新"}, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    reader = _bundle(root)
    reader.start()
    assert reader.read("article:s:0001", TargetRef("", "")).title == "新"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    with pytest.raises(ExporterError, match=r"articles\.jsonl:3"):
        reader.read("article:s:0001", TargetRef("", ""))
    reader.close()
