"""Push and verify read a site's articles in batches; duplicate groups are found once per store state."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate import push as push_module
from consolidate import verify as verify_module
from consolidate.core.outcomes import article_key
from consolidate.core.store import ArticleRow, PushRecord, UrlMapRow
from consolidate.mapping import duplicate_links
from consolidate.samplefleet import Fleet
from consolidate.triage import PushGate
from tests.conftest import push_sites


def _state(ws: pipeline.Workspace) -> tuple[set[tuple], set[tuple]]:
    """What a push leaves behind: the push map and the URL map."""
    with ws.store.session() as session:
        records = {(r.source_key, r.kind, r.status, r.content_hash, r.target_url, r.reason, r.verify_status)
                   for r in session.scalars(select(PushRecord))}
        urls = {(u.site_id, u.old_url, u.new_url, u.status, u.note) for u in session.scalars(select(UrlMapRow))}
    return records, urls


def _push_and_verify(ws: pipeline.Workspace) -> list[tuple[str, int, int, int, int]]:
    """Push every site, then verify it; the verify figures per site."""
    push_sites(ws)
    exporter = pipeline.open_exporter(ws)
    try:
        summaries = [verify_module.verify_site(ws, site.id, exporter) for site in ws.config.sites]
    finally:
        exporter.close()
    return [(s.site_id, s.ok, s.mismatch, s.missing, len(s.suspect)) for s in summaries]


def test_small_batches_push_and_verify_as_one_batch(crawled: pipeline.Workspace, crawled_template: Path,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Articles read 7 at a time give the same push map, URL map and verify figures as all at once."""
    whole = _push_and_verify(crawled)
    target = tmp_path / "batched"
    shutil.copytree(crawled_template, target)
    batched_ws = pipeline.Workspace.open(target / "migrations.yaml",
                                         db_url=f"sqlite:///{target / '.consolidate' / 'state.db'}")
    monkeypatch.setattr(push_module, "BATCH", 7)
    monkeypatch.setattr(verify_module, "BATCH", 7)
    batched = _push_and_verify(batched_ws)
    assert batched == whole
    assert sum(ok for _site, ok, *_ in whole) > 50
    first, second = _state(crawled), _state(batched_ws)
    assert {r[:6] for r in first[0]} == {r[:6] for r in second[0]}
    assert {(s, o.split("/", 3)[-1], n, st, note) for s, o, n, st, note in first[1]} == \
        {(s, o.split("/", 3)[-1], n, st, note) for s, o, n, st, note in second[1]}


def test_the_push_gate_changes_a_row_read_again_after_the_first_is_gone() -> None:
    """A 失效 notice is applied to every row read of an article, even when the first row's memory is reused."""
    gate = PushGate(invalid={"https://x.gov.cn/a.html": "2024-01-01废止"})
    for _ in range(5):
        article = gate.apply(ArticleRow(url="https://x.gov.cn/a.html", body_html="<p>正文</p>", body_text="正文"))
        assert "【已失效】" in article.body_text and article.body_html.count("<p>正文</p>") == 1
        del article
        gc.collect()
    same = ArticleRow(url="https://x.gov.cn/a.html", body_html="<p>正文</p>", body_text="正文")
    assert gate.apply(gate.apply(same)).body_text.count("【已失效】") == 1  # once per row


def test_duplicate_groups_are_kept_but_originals_decided_again(crawled: pipeline.Workspace, fleet: Fleet) -> None:
    """The planted republished copy: once it is on the portal it is the original; once its text changes it is no
    duplicate at all (the groups are found again)."""
    sites = [s.id for s in crawled.config.sites]
    copy, original = fleet.site("fgw").planted["republished"]
    links = duplicate_links(crawled, sites)
    assert len(links) == 1
    (site, copy_url), (_, original_url) = next(iter(links.items()))
    assert copy_url.endswith(copy) and original_url.endswith(original)
    with crawled.store.session() as session:
        session.add(PushRecord(target="t", site_id=site, source_key=article_key(site, copy_url), kind="article",
                               source_url=copy_url, status="pushed"))
    assert duplicate_links(crawled, sites) == {(site, original_url): (site, copy_url)}
    with crawled.store.session() as session:
        row = session.scalar(select(ArticleRow).where(ArticleRow.url == copy_url))
        row.body_text, row.content_hash = "另一篇完全不同的文章正文。" * 20, "changed"
    assert duplicate_links(crawled, sites) == {}
