"""Push's skipped / unresolved figures are the ledger's (status's) for the same target, by one rule: a side export
(`push --exporter bundle` beside the static portal) counts a duplicate whose original it carries as merged, as
status does (round 9 trial: pmodlh "2 skipped, 107 unresolved (duplicate 21)" against status "Skipped 15 +
Unresolved 94 (duplicate 8)"), and an article whose URL the office decided counts under 'office', not under push's
own hold ("empty body 1" against status "office 1")."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select, update

from consolidate import pipeline
from consolidate.core.store import ColumnMapping, PushRecord
from consolidate.ledger import ledger_entries, tally
from consolidate.redirects import CSV_HEADER, import_csv
from tests.conftest import push_sites


def _status(ws: pipeline.Workspace, site_id: str, target: str) -> dict[str, dict[str, int]]:
    """The article reasons status reads for the site on `target`: {skipped, unresolved} → reason code → count."""
    reasons = tally(ledger_entries(ws, site_id, target), set()).reasons
    return {group: dict(sorted(reasons.get(group, {}).items())) for group in ("skipped", "unresolved")}


def _push(ws: pipeline.Workspace, site_id: str, exporter: str | None = None, options: dict | None = None,
          dry_run: bool = False) -> pipeline.PushSummary:
    """One push of a site to the configured exporter or the one named, closed afterwards."""
    target = pipeline.open_exporter(ws, exporter, options, start=not dry_run)
    try:
        return pipeline.push_site(ws, site_id, target, dry_run=dry_run)
    finally:
        target.close()


def _duplicated_site(ws: pipeline.Workspace) -> str:
    """A site of the fleet with a duplicate whose original the static push migrated."""
    with ws.store.session() as session:
        sites = set(session.scalars(select(PushRecord.site_id).where(PushRecord.kind == "article",
                                                                     PushRecord.reason.like("duplicate of %"))))
    assert sites, "the generated fleet has no duplicate articles"
    return sorted(sites)[0]


def test_a_side_export_counts_what_status_counts_for_it(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """Every site pushed to the static portal, then one with duplicates to a bundle: the bundle push's skipped and
    unresolved reasons are status's for the bundle target, and its merged duplicates are skipped (a bundle's
    'a/<id>' address is no redirect, but the side export writes none: the portal's URL map stands)."""
    push_sites(crawled)
    site = _duplicated_site(crawled)
    planned = _push(crawled, site, "bundle", {"dir": str(tmp_path / "bundle")}, dry_run=True)
    summary = _push(crawled, site, "bundle", {"dir": str(tmp_path / "bundle")})
    counted = summary.outcomes()
    assert counted == _status(crawled, site, summary.target)
    assert counted["skipped"].get("duplicate", 0) > 0, counted
    assert planned.outcomes() == counted  # the dry run counts as the push does


def test_an_article_the_office_archived_counts_under_office(crawled: pipeline.Workspace, tmp_path: Path) -> None:
    """An article push does not send (its column dropped) whose URL the office then sets to 410: push's next
    figures name it 'office', as status does, and no longer under push's own reason."""
    pipeline.map_site(crawled, "jyj")
    with crawled.store.session() as session:
        path = next(p for p in session.scalars(select(ColumnMapping.column_path).where(
            ColumnMapping.site_id == "jyj", ColumnMapping.decision == "migrate").order_by(ColumnMapping.column_path)))
        session.execute(update(ColumnMapping).where(ColumnMapping.site_id == "jyj", ColumnMapping.column_path == path)
                        .values(decision="drop", target=None))
    (first,) = push_sites(crawled, ["jyj"])
    dropped = first.outcomes()["skipped"]["column dropped"]
    with crawled.store.session() as session:
        url = next(iter(session.scalars(select(PushRecord.source_url).where(
            PushRecord.site_id == "jyj", PushRecord.kind == "article", PushRecord.status == "skipped")
            .order_by(PushRecord.source_url))))
    sheet = tmp_path / "redirects.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([CSV_HEADER, [url, "", "410", "office: archived"]])
    assert import_csv(crawled, "jyj", sheet).changed == 1
    (again,) = push_sites(crawled, ["jyj"])
    assert again.outcomes()["skipped"] == {"column dropped": dropped - 1, "office": 1}, again.outcomes()
    assert again.outcomes() == _status(crawled, "jyj", again.target)
