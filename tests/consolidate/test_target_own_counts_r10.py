"""Each target's counts depend on that target's own state (round 10 trial item 6: lgedu's bundle read "Skipped 13 +
Unresolved 22", and "Skipped 0 + Unresolved 35" once the static portal alone was rolled back): a duplicate is merged
on a target that holds its original, whatever the portal's URL map says, and waits on one that does not, even with
no URL-map row at all. Push's figures and status's agree on every target, and an article push cannot send as it is
(no title) is 'failed' in both (item 3: push said skipped, status Failed)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ArticleRow, PushRecord
from consolidate.ledger import ledger_entries, tally
from consolidate.mapping import duplicate_links
from tests.conftest import migrated_articles, push_sites


def _status(ws: pipeline.Workspace, site_id: str, target: str) -> dict[str, dict[str, int]]:
    """The article reasons status reads for the site on `target`, by group and reason code."""
    reasons = tally(ledger_entries(ws, site_id, target), set()).reasons
    return {group: dict(sorted(reasons.get(group, {}).items())) for group in ("skipped", "unresolved", "failed")}


def _push(ws: pipeline.Workspace, site_id: str, exporter: str | None = None, options: dict | None = None,
          **push_options: object) -> pipeline.PushSummary:
    """One push of a site to the configured exporter or the one named, closed afterwards."""
    target = pipeline.open_exporter(ws, exporter, options, start=not push_options.get("dry_run"))
    try:
        return pipeline.push_site(ws, site_id, target, **push_options)
    finally:
        target.close()


def _figures(summary: pipeline.PushSummary) -> dict[str, dict[str, int]]:
    """A push's figures in status's groups."""
    return {**summary.outcomes(), "failed": summary.failed_reasons()}


def _duplicated_site(ws: pipeline.Workspace, target: str) -> str:
    """A site of the fleet with a duplicate skipped on `target`."""
    with ws.store.session() as session:
        sites = set(session.scalars(select(PushRecord.site_id).where(
            PushRecord.target == target, PushRecord.kind == "article", PushRecord.reason.like("duplicate of %"))))
    assert sites, "the generated fleet has no duplicate articles"
    return sorted(sites)[0]


def test_rolling_back_the_portal_leaves_a_side_exports_counts(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Every site to the static portal, one with duplicates to a bundle too; rolling the portal back changes
    nothing the bundle target counts, and the bundle's dry run still counts its duplicates merged."""
    (portal, *_rest) = push_sites(crawled)
    site = _duplicated_site(crawled, portal.target)
    options = {"dir": str(tmp_path / "bundle")}
    bundle = _push(crawled, site, "bundle", options)
    before = _status(crawled, site, bundle.target)
    assert before["skipped"].get("duplicate", 0) > 0, before
    assert _figures(bundle) == before
    exporter = pipeline.open_exporter(crawled)
    try:
        pipeline.rollback_site(crawled, site, exporter)
    finally:
        exporter.close()
    assert _status(crawled, site, bundle.target) == before
    assert _figures(_push(crawled, site, "bundle", options, dry_run=True)) == before
    assert _status(crawled, site, portal.target)["skipped"].get("duplicate", 0) == 0  # the portal holds none


def test_a_duplicate_whose_original_the_target_lacks_waits(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """A trial push of one duplicate alone to a fresh bundle, nothing pushed to the portal (no URL-map row): its
    original is not there, so it waits on it — it was counted merged for want of a URL-map row."""
    sites = [site.id for site in crawled.config.sites]
    site, url = min(duplicate_links(crawled, sites))
    summary = _push(crawled, site, "bundle", {"dir": str(tmp_path / "alone")}, only=[url])
    assert summary.outcomes()["unresolved"].get("duplicate") == 1, summary.outcomes()
    status = _status(crawled, site, summary.target)
    assert status["unresolved"].get("duplicate") == 1 and not status["skipped"].get("duplicate"), status


def test_an_article_without_a_title_is_failed_in_push_and_status(crawled: pipeline.Workspace) -> None:
    """An article with no title: push's line counts it failed under its reason, as status does."""
    row = migrated_articles(crawled, "jyj")[0]
    with crawled.store.session() as session:
        session.execute(update(ArticleRow).where(ArticleRow.id == row.id).values(title=""))
    (summary,) = push_sites(crawled, ["jyj"])
    assert summary.failed_reasons() == {"no title extracted": 1}, summary.failed_reasons()
    assert "no title extracted" not in summary.outcomes()["skipped"]
    assert _status(crawled, "jyj", summary.target)["failed"] == {"no title extracted": 1}
