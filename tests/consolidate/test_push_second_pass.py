"""Links to articles later in the run wait for them, then resolve in a second pass that reads the bodies again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate import push as push_module
from consolidate.core.outcomes import article_key
from consolidate.core.store import ArticleRow, EventRow, PushRecord
from exporters.base import ExportContext, TargetRef
from tests.exporters.jsonl_exporter import JsonLinesExporter, JsonLinesOptions


def test_links_to_later_articles_resolve_in_the_second_pass(crawled: pipeline.Workspace,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Nine articles linking to the site's last article (read 4 at a time) all point at its new page."""
    site = crawled.config.sites[0].id
    pipeline.map_site(crawled, site)
    exporter = JsonLinesExporter(JsonLinesOptions(), ExportContext(crawled.dir, crawled.config.portal, "p"))
    exporter.start()  # its URLs are known once an article is put: a link to a later article waits for it
    planned = push_module.planned_targets(crawled, site, exporter)
    with crawled.store.session() as session:
        rows = [row for row in session.scalars(select(ArticleRow).where(ArticleRow.site_id == site)
                                               .order_by(ArticleRow.id)) if row.url in planned]
        last = rows[-1]
        for row in rows[:9]:
            row.body_html = (row.body_html or "") + f'<p><a href="{last.url}">相关阅读</a></p>'
        linking = [row.url for row in rows[:9]]
    monkeypatch.setattr(push_module, "BATCH", 4)
    pipeline.push_site(crawled, site, exporter, allow_untriaged=True)
    with crawled.store.session() as session:
        records = {r.source_url: r for r in session.scalars(select(PushRecord).where(
            PushRecord.site_id == site, PushRecord.kind == "article"))}
        removed = [e.url for e in session.scalars(select(EventRow).where(EventRow.code == "unresolved_link"))
                   if last.url in e.message]
    new_url = records[last.url].target_url
    for url in linking:
        record = records[url]
        body = exporter.read(article_key(site, url), TargetRef(record.target_id, record.target_url)).body_html
        assert new_url in body and last.url not in body, url
    exporter.close()
    assert removed == []
