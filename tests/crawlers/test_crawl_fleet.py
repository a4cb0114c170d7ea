"""Crawling the sample fleet over real HTTP: every article found, every field exact, re-runs change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from warcio.archiveiterator import ArchiveIterator

from consolidate import pipeline
from consolidate.core.store import ArticleRow, EventRow, Resource
from consolidate.records_io import article_records
from consolidate.samplefleet import Fleet, FleetServer

FIELDS = ("title", "published", "source", "publisher", "index_no", "doc_no", "written", "topic", "column_path",
          "body_text", "images")


@pytest.mark.parametrize("site_id", ["fgw", "jyj", "sfj"])
def test_every_article_found_with_every_field_exact(crawled: pipeline.Workspace, fleet: Fleet,
                                                    fleet_server: FleetServer, site_id: str) -> None:
    """Extraction from the crawl equals the generator's truth, field by field."""
    truth = {r.url: r for r in fleet.site(site_id).truth(fleet_server.urls[site_id])}
    got = {r["url"]: r for r in article_records(crawled, site_id)}
    missing = sorted(set(truth) - set(got))
    assert not missing, f"{len(missing)} articles not found, e.g. {missing[:3]}"
    assert not set(got) - set(truth), "pages that are not articles were extracted as articles"
    mismatches = []
    for url, expected in truth.items():
        record = got[url]
        for field in FIELDS:
            if record[field] != getattr(expected, field):
                mismatches.append((url, field, getattr(expected, field), record[field]))
        expected_files = [(a.url, a.name, a.bytes, a.sha256) for a in expected.attachments]
        got_files = [(a["url"], a["name"], a["bytes"], a["sha256"]) for a in record["attachments"]]
        if got_files != expected_files:
            mismatches.append((url, "attachments", expected_files, got_files))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:3]}"


def test_dead_links_are_recorded_as_errors(crawled: pipeline.Workspace, fleet: Fleet,
                                           fleet_server: FleetServer) -> None:
    """Every planted dead link that the crawl reached is an error with HTTP 404, not a crash."""
    with crawled.store.session() as session:
        errors = {r.url: r.http_status for r in session.scalars(select(Resource).where(Resource.status == "error"))}
    for site in fleet.sites:
        base = fleet_server.urls[site.site_id].rstrip("/")
        for path in site.planted.get("dead_links", []):
            assert errors.get(base + path) == 404, f"dead link {path} of {site.site_id} not recorded"


def test_the_only_errors_are_the_planted_dead_links(crawled: pipeline.Workspace, fleet: Fleet,
                                                    fleet_server: FleetServer) -> None:
    """A clean fleet crawl fails on nothing but its dead links: every page, list and file is stored."""
    with crawled.store.session() as session:
        errors = {r.url: r.error for r in session.scalars(select(Resource).where(Resource.status == "error"))}
    planted = {fleet_server.urls[site.site_id].rstrip("/") + path
               for site in fleet.sites for path in site.planted.get("dead_links", [])}
    unexpected = {url: error for url, error in errors.items() if url not in planted}
    assert not unexpected, f"{len(unexpected)} unexpected errors, e.g. {list(unexpected.items())[:2]}"


def test_columns_count_what_their_lists_show(crawled: pipeline.Workspace, fleet: Fleet) -> None:
    """Every site's columns got their list URLs and the number of items their list pages show."""
    from consolidate.core.store import ColumnRow

    with crawled.store.session() as session:
        for site in fleet.sites:
            columns = session.scalars(select(ColumnRow).where(ColumnRow.site_id == site.site_id)).all()
            assert any(column.url for column in columns), f"no column of {site.site_id} got its list URL"
            assert sum(column.listed_items for column in columns) > 0, f"no listed items counted on {site.site_id}"


def test_spam_links_removed_and_reported(crawled: pipeline.Workspace, fleet: Fleet) -> None:
    """Hidden spam links (暗链) never reach stored bodies and are logged for the report."""
    with crawled.store.session() as session:
        bodies = session.scalars(select(ArticleRow.body_html)).all()
        events = session.scalars(select(EventRow.message).where(EventRow.code == "spam_link")).all()
    assert events, "no 暗链 reported"
    assert not any("赌场" in body or "bet365" in body for body in bodies)


def test_recrawl_is_a_no_op(crawled: pipeline.Workspace, fleet_server: FleetServer) -> None:
    """A second crawl of a finished site fetches nothing again and adds no rows."""
    with crawled.store.session() as session:
        before = (session.scalar(select(func.count()).select_from(Resource)),
                  session.scalar(select(func.count()).select_from(ArticleRow)))
    requests_before = len(fleet_server.request_log)
    summaries = pipeline.crawl(crawled, ["fgw", "jyj"])
    with crawled.store.session() as session:
        after = (session.scalar(select(func.count()).select_from(Resource)),
                 session.scalar(select(func.count()).select_from(ArticleRow)))
    assert after == before
    assert all(s.articles_new == 0 and s.articles_changed == 0 for s in summaries)
    page_requests = [r for r in fleet_server.request_log[requests_before:] if not r[2].endswith("robots.txt")]
    assert page_requests == []


def test_every_response_is_archived_in_warc(crawled: pipeline.Workspace) -> None:
    """The site's WARC holds a response record for every fetched URL."""
    warcs = sorted((crawled.dir / "warc").glob("fgw-*.warc.gz"))
    assert warcs
    archived = set()
    for path in warcs:
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type == "response":
                    archived.add(record.rec_headers.get_header("WARC-Target-URI"))
    with crawled.store.session() as session:
        fetched = set(session.scalars(select(Resource.url).where(Resource.site_id == "fgw",
                                                                 Resource.status == "fetched")))
    assert fetched <= archived


def test_finished_crawl_leaves_no_leases_and_no_live_workers(crawled: pipeline.Workspace) -> None:
    """After the fleet crawl nothing is in flight: no 'fetching' rows, no leases, no running workers."""
    from crawlers.frontier import FrontierLease, live_workers

    with crawled.store.session() as session:
        fetching = session.scalar(select(func.count()).select_from(Resource).where(Resource.status == "fetching"))
        leases = session.scalar(select(func.count()).select_from(FrontierLease))
    assert (fetching, leases) == (0, 0)
    assert live_workers(crawled.store) == []
