"""The WXR exporter on the crawled fleet: valid XML with categories, posts, postmeta and attachments."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ArticleRow
from exporters.wxr import NS


def _push(ws: pipeline.Workspace) -> list[pipeline.PushSummary]:
    with pipeline.open_exporter(ws, "wxr", {}) as exporter:  # closed (its output saved) on the way out
        return [pipeline.push_site(ws, site.id, exporter) for site in ws.config.sites]


def _meta(item: ET.Element) -> dict[str, str]:
    return {m.findtext("wp:meta_key", namespaces=NS): m.findtext("wp:meta_value", default="", namespaces=NS)
            for m in item.findall("wp:postmeta", NS)}


def test_wxr_has_the_content(crawled: pipeline.Workspace) -> None:
    """Counts and fields of categories, posts and attachments match the push."""
    summaries = _push(crawled)
    path = crawled.dir / "export.wxr.xml"
    channel = ET.parse(path).getroot().find("channel")
    assert channel.findtext("wp:wxr_version", namespaces=NS) == "1.2"
    categories = channel.findall("wp:category", NS)
    nicenames = [c.findtext("wp:category_nicename", namespaces=NS) for c in categories]
    parents = {c.findtext("wp:category_nicename", namespaces=NS): c.findtext("wp:category_parent", namespaces=NS)
               for c in categories}
    assert parents["bmdt"] == "zwdt" and nicenames.index("zwdt") < nicenames.index("bmdt")
    items = channel.findall("item")
    posts = [i for i in items if i.findtext("wp:post_type", namespaces=NS) == "post"]
    attachments = [i for i in items if i.findtext("wp:post_type", namespaces=NS) == "attachment"]
    assert len(posts) == sum(s.pushed for s in summaries) > 0
    assert len(attachments) == sum(s.files for s in summaries) > 0
    assert all(a.findtext("wp:attachment_url", namespaces=NS).startswith("https://") for a in attachments)
    with crawled.store.session() as session:
        rows = {pipeline.article_key(a.site_id, a.url): a for a in session.scalars(select(ArticleRow))}
    for post in posts:
        meta = _meta(post)
        row = rows[meta["consolidate_source_key"]]
        assert post.findtext("title") == row.title
        local = post.findtext("wp:post_date", namespaces=NS)
        assert local[:10] == (row.published or "")[:10]  # the legacy (Beijing) wall time, as printed
        if row.published:
            gmt = dt.datetime.fromisoformat(post.findtext("wp:post_date_gmt", namespaces=NS))
            assert dt.datetime.fromisoformat(local) - gmt == dt.timedelta(hours=8)  # post_date_gmt is UTC
        assert meta["consolidate_source_url"] == row.url
        assert meta["consolidate_doc_no"] == (row.doc_no or "")
        assert post.find("category").get("nicename") in nicenames


def test_wxr_second_push_rewrites_nothing(crawled: pipeline.Workspace) -> None:
    """A second push leaves the file (and its ids) untouched."""
    _push(crawled)
    path = crawled.dir / "export.wxr.xml"
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    _push(crawled)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
