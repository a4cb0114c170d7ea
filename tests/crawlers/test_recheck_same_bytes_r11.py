"""A re-check that gets a stored article's page back byte for byte keeps the stored article: the page did not
change, whatever a second extraction would make of it (round-11 trial: fjmjzz hdtj/2016-05-08/45.html, its file
identical, was re-extracted without the site's learned template — 745 → 199 characters, 5 → 1 images — counted
'changed', and `push --sync` overwrote the full post on the portal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from consolidate import pipeline
from consolidate.core.store import ArticleRow
from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer, samples_dir

SITE = "fjmjzz"


def articles(ws: pipeline.Workspace) -> dict[str, tuple[str | None, str | None, list]]:
    """Each stored article's title, body text and images, by URL."""
    with ws.store.session() as session:
        return {a.url: (a.title, a.body_text, list(a.images or [])) for a in session.scalars(
            select(ArticleRow).where(ArticleRow.site_id == SITE))}


def test_a_recheck_of_an_unchanged_real_site_changes_no_article(tmp_path: Path) -> None:
    """Crawl fjmjzz (one stored article then differs from what a plain extraction of its page gives, as a
    template's extraction may), then `crawl --recheck all` while the site serves the same files without validators
    (every page a 200): none is counted changed and every stored article stays exactly as it was."""
    root = samples_dir()
    if root is None:
        pytest.skip("../shared/samples is absent (a fresh clone has no real sample sites)")
    config = tmp_path / "migrations.yaml"
    with RealSitesServer(root, tuple(s for s in REAL_SITES if s.id == SITE)) as server:
        config.write_text(server.config_text(rate=200.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{tmp_path / '.consolidate' / 'state.db'}")
        pipeline.crawl(ws, [SITE])
        with ws.store.session() as session:  # as an extraction by other means (a learned template) left it
            article = session.scalars(select(ArticleRow).where(ArticleRow.site_id == SITE)
                                      .order_by(ArticleRow.id).limit(1)).one()
            article.body_text, article.content_hash = (article.body_text or "") + " 模板所取", "0" * 64
        before = articles(ws)
        [summary] = pipeline.crawl_fleet(ws, [SITE], recheck="all")
    assert len(before) > 50
    assert summary.articles_changed == 0 and summary.articles_new == 0, summary
    assert summary.articles_unchanged >= len(before)
    assert articles(ws) == before
