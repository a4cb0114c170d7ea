"""Round 10: small office-facing defects of the trial — `checklist --all` read at 80 columns, the config
`fleet serve-samples` writes, `monitor` with nothing to check, the report's CMS column."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from consolidate import pipeline
from consolidate.cli import app


def _options(ws: pipeline.Workspace) -> list[str]:
    """The CLI's workspace options."""
    return ["-c", str(ws.loaded.path), "--db", ws.store.url]


def _bullets(text: str) -> list[str]:
    """The items printed under dashes ('  - item', continued on lines indented by four), each joined back."""
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("  - "):
            items.append(line[4:].strip())
        elif line.startswith("    ") and items and line.strip():
            items[-1] += " " + line.strip()
    return items


def test_checklist_all_reads_at_80_columns(crawled: pipeline.Workspace) -> None:
    """At 80 columns `checklist --all` fits, keeps step ids whole, and prints each site's blockers below the table
    one a line, each readable whole (they were squeezed into a table cell, one word a line)."""
    runner = CliRunner()
    listing = runner.invoke(app, ["checklist", "--all", *_options(crawled)], env={"COLUMNS": "80"})
    assert listing.exit_code == 0, listing.output
    assert max(len(line) for line in listing.stdout.splitlines()) <= 80
    document = json.loads(runner.invoke(app, ["checklist", "--all", "--json", *_options(crawled)]).output)
    printed = _bullets(listing.stdout)
    for site in document["sites"]:
        assert site["blockers"], site["site"]  # a fresh crawl: nothing pushed, columns undecided
        assert f"{site['site']}: {site['next_step']} blocked by" in listing.stdout
        for blocker in site["blockers"]:
            assert " ".join(blocker.split()) in printed, (blocker, printed)
        assert f" {site['next_step']} " in listing.stdout  # whole in its table row


def test_serve_samples_config_is_polite_and_guesses_no_organiser(tmp_path: Path) -> None:
    """The config `fleet serve-samples` writes (the one a new user copies for the real sites) crawls at the
    example's polite rate, saying why, unless --rate asks for more; it leaves each site's 主办单位 empty, saying it
    is unknown — it used to write 20 requests/s and the site's name as its organiser."""
    from consolidate.core.config import parse_config
    from consolidate.samplefleet.realsites import REAL_SITES, RealSitesServer

    root = tmp_path / "samples"
    (root / REAL_SITES[0].folder).mkdir(parents=True)  # a folder to serve; its pages do not matter here
    with RealSitesServer(root, REAL_SITES[:1]) as server:
        polite, fast = server.config_text(), server.config_text(rate=20)
    config = parse_config(polite)
    assert config.crawl.rate_per_host == 1.0 and "# polite to a twenty-year-old server" in polite
    assert parse_config(fast).crawl.rate_per_host == 20.0 and "a real legacy server\n  # gets 1" in fast
    assert config.sites[0].organiser == "" and "主办单位 unknown" in polite
    assert REAL_SITES[0].name not in polite.split("organiser:", 1)[1].splitlines()[0]


def test_the_crawl_table_names_an_unrecognised_cms(crawled: pipeline.Workspace) -> None:
    """抓取情况: a site whose pages showed no known CMS (jspn, custom-built: the crawl records none) reads 未识别 /
    'not recognised' in the CMS column, which was left empty; a recognised one keeps its name."""
    from sqlalchemy import update

    from consolidate.core.store import SiteRow
    from consolidate.report import fleet_report
    from consolidate.report_formats import site_sections

    with crawled.store.session() as session:
        session.execute(update(SiteRow).where(SiteRow.id == "fgw").values(cms=None))
    report = fleet_report(crawled)
    for lang, unknown in (("zh", "未识别"), ("en", "not recognised")):
        table = next(s for s in site_sections(report, lang) if s.key == "crawl")
        cms = {row[0]: row[table.headers.index("CMS")] for row in table.rows}
        assert cms["fgw"] == unknown and cms["jyj"] == "hanweb", cms
