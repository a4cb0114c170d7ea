"""verify reports an article whose attachments no push can carry (no address on the legacy page, or never
fetched) as not verified, each attachment once, the same count as the checklist's; once the office acknowledges
them (checklist --accept-missing-files) they are no longer differences."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.missing_files import missing_attachments
from tests.conftest import crawl_real_sites, migrated_articles, push_sites

SITE = "jyj"


def _cli(ws: pipeline.Workspace, *args: str) -> tuple[int, str]:
    """Run the CLI on the workspace: exit code and output, whitespace folded."""
    result = CliRunner().invoke(app, [*args, "-c", str(ws.loaded.path), "--db", ws.store.url])
    return result.exit_code, " ".join(result.output.split())


def _verify(ws: pipeline.Workspace, site_id: str) -> pipeline.VerifySummary:
    """verify of one site on the configured target."""
    exporter = pipeline.open_exporter(ws)
    try:
        return pipeline.verify_site(ws, site_id, exporter)
    finally:
        exporter.close()


def test_an_article_that_lost_attachments_is_not_verified_until_acknowledged(crawled: pipeline.Workspace) -> None:
    """One article gains an address-less attachment (listed twice) and one the crawl never fetched: push leaves
    both off its page; verify calls the article a mismatch naming both, counts 2 on 1 page as the checklist does,
    exits 1 without suggesting a push; acknowledged, verify is clean and the checklist names neither."""
    article = migrated_articles(crawled, SITE)[0]
    nowhere = {"name": "报名表.doc", "url": ""}
    unfetched = {"name": "细则.pdf", "url": "/never/fetched/rules.pdf"}
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == article.id).values(
            attachments=list(article.attachments or []) + [nowhere, nowhere, unfetched]))
    push_sites(crawled, [SITE], allow_untriaged=True)
    assert missing_attachments(crawled, SITE) == (2, 1)

    found = _verify(crawled, SITE)
    [lost] = [r for r in found.results if r.status != "ok"]
    assert lost.source_url == article.url and lost.status == "mismatch" and lost.lost == 2
    assert "报名表.doc" in lost.differences[0] and "rules.pdf" in lost.differences[0], lost.differences
    assert (found.lost_files, found.lost_pages, found.resendable) == (2, 1, 0)
    code, out = _cli(crawled, "verify", SITE)
    assert code == 1 and " 1 differ, 0 missing" in out and "2 attachments on 1 page not on the portal" in out
    assert "--update" not in out and "--accept-missing-files" in out, out
    with crawled.store.session() as session:
        stored = session.scalar(select(PushRecord).where(PushRecord.source_url == article.url,
                                                         PushRecord.kind == "article"))
        assert stored is not None and stored.verify_status == "mismatch"

    code, out = _cli(crawled, "checklist", SITE, "--accept-missing-files", "--ref", "附件已由部门补传")
    assert code == 0, out
    code, out = _cli(crawled, "verify", SITE)
    assert code == 0 and " 0 differ, 0 missing" in out and "acknowledged by the office" in out, out
    _code, out = _cli(crawled, "checklist", SITE)
    assert "not verified clean" not in out and "not on the portal" not in out, out


def test_verify_counts_the_real_sites_lost_attachments_as_the_checklist_does(tmp_path: Path) -> None:
    """zjgztb (Epoint): the attachments its push could not carry are as many in verify as in the checklist, each
    on its page, and verify is not clean while they are not acknowledged."""
    ws = crawl_real_sites(tmp_path / "ws", ["zjgztb"])
    pipeline.map_site(ws, "zjgztb")
    push_sites(ws, ["zjgztb"], allow_untriaged=True)
    files, pages = missing_attachments(ws, "zjgztb")
    found = _verify(ws, "zjgztb")
    assert files > 0 and (found.lost_files, found.lost_pages) == (files, pages)
    assert found.mismatch >= pages and sum(1 for r in found.results if r.lost and r.status == "ok") == 0
