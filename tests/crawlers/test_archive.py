"""Working from the WARC archive: re-extraction equals the crawl; one page extracts to an exact record."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app
from consolidate.core.records import ARTICLE_FIELDS
from consolidate.core.store import ArticleRow
from consolidate.records_io import article_records
from consolidate.samplefleet import Fleet, FleetServer


def test_reextract_from_archive_equals_the_crawl(crawled: pipeline.Workspace, fleet_server: FleetServer) -> None:
    """Every article rebuilt from the WARC files is identical to the crawled one; nothing is fetched."""
    from crawlers.archive import reextract_site

    before = {site.id: article_records(crawled, site.id) for site in crawled.config.sites}
    with crawled.store.session() as session:
        session.query(ArticleRow).filter(ArticleRow.site_id == "jyj").update({"body_text": "", "content_hash": "x"})
    requests = len(fleet_server.request_log)
    for site in crawled.config.sites:
        summary = reextract_site(crawled.store, site, crawled.dir)
        assert summary.missing == 0 and summary.failed == 0
        assert summary.articles == len(before[site.id])
        assert summary.changed == (len(before[site.id]) if site.id == "jyj" else 0)
        assert article_records(crawled, site.id) == before[site.id]
    assert len(fleet_server.request_log) == requests


def test_cli_extract_from_archive(crawled: pipeline.Workspace) -> None:
    """`consolidate extract --from-archive SITE --json` reports the re-extraction."""
    config, db = str(crawled.loaded.path), crawled.store.url
    result = CliRunner().invoke(app, ["extract", "fgw", "--from-archive", "--json", "-c", config, "--db", db])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["articles"] > 0 and summary["unchanged"] == summary["articles"]


def test_cli_extract_one_file_prints_exactly_the_article_fields(fleet: Fleet, fleet_server: FleetServer,
                                                                tmp_path: Path) -> None:
    """A saved page with --url gives the same record as the generator's truth, with exactly ARTICLE_FIELDS."""
    site = fleet.site("sfj")
    base = fleet_server.urls["sfj"]
    truth = next(r for r in site.truth(base) if not r.attachments and r.column_path)
    path = truth.url[len(base) - 1:]
    page = site.respond(path)
    saved = tmp_path / "page.html"
    saved.write_bytes(page.body)
    result = CliRunner().invoke(app, ["extract", str(saved), "--url", truth.url, "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert tuple(record) == ARTICLE_FIELDS
    assert (record["title"], record["published"], record["body_text"]) == (truth.title, truth.published,
                                                                          truth.body_text)


def test_cli_extract_url_and_bad_input(fleet: Fleet, fleet_server: FleetServer, tmp_path: Path) -> None:
    """A URL is fetched and extracted; a missing file is one clear error line, not a traceback."""
    truth = fleet.site("fgw").truth(fleet_server.urls["fgw"])[0]
    result = CliRunner().invoke(app, ["extract", truth.url, "--json", "-c", str(tmp_path / "none.yaml")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == truth.title
    missing = CliRunner().invoke(app, ["extract", str(tmp_path / "nope.html")])
    assert missing.exit_code != 0 and "no such file" in missing.output and "Traceback" not in missing.output
