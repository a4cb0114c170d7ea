"""The example config and `consolidate demo`: the whole job on the built-in sample fleet."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from consolidate import pipeline
from consolidate.report import fleet_report, render_json, render_markdown

EXAMPLE_PORT = re.compile(r"http://127\.0\.0\.1:(87\d\d)/")
PLANTED = {  # what the sample sites carry on purpose → (what it is, where the demo's figures show it)
    "dead_links": ("dead links", "404s: the crawl's errors"),
    "spam_pages": ("pages with hidden spam links (暗链)", "`consolidate audit`"),
    "republished": ("articles published twice", "the copy skipped as a duplicate"),
    "empty_columns": ("empty columns", "flagged by `audit` and `map`"),
    "stale_columns": ("columns not updated for years", "flagged by `audit` and `map`"),
    "undated": ("articles without a date", "`audit`, held by push when the exporter says so"),
    "date_conflict": ("pages whose metadata disagrees on the date", "the extractor picks one"),
    "charset_conflict": ("pages declaring the wrong charset", "decoded anyway"),
    "foreign_script": ("pages loading a foreign script", "`audit`"),
}


def example_config_text() -> str:
    """The commented example migrations.yaml shipped with the package."""
    return resources.files("consolidate").joinpath("example_migrations.yaml").read_text(encoding="utf-8")


def config_for_urls(urls: dict[str, str], rate: float | None = None) -> str:
    """The example config with each site's home URL pointed at a running sample server."""
    text = example_config_text()
    for site_id, url in urls.items():
        text = re.sub(rf"(- id: {site_id}\n(?:    .*\n)*?    home_url: )\S+", rf"\g<1>{url}", text)
    if rate is not None:
        text = re.sub(r"(\n  rate_per_host: )[\d.]+", rf"\g<1>{rate:g}", text)
        text = re.sub(r"crawl: \{rate_per_host: [\d.]+\}", f"crawl: {{rate_per_host: {rate:g}}}", text)
    return text


@dataclass
class DemoResult:
    """Where the demo left things, and the headline figures."""

    workdir: Path
    kept: bool  # False: a temporary workspace, removed when the demo ended
    preview: Path
    report: Path
    articles: int
    pushed: int
    reconciled: bool
    seconds: float


def run_demo(workdir: Path | None = None, articles_per_site: int | None = None, rate: float = 50.0,
             echo: Callable[[str], None] = print, weight: str = "light") -> DemoResult:
    """Serve the sample fleet on 127.0.0.1, crawl, map, push into the static preview, verify and report; a
    temporary workspace (no `workdir`) is removed at the end. weight: the fleet's page weight (light | real)."""
    kept = workdir is not None
    chosen = (workdir or Path(tempfile.mkdtemp(prefix="consolidate-demo-"))).resolve()
    try:
        return _run_demo(chosen, kept, articles_per_site, rate, echo, weight)
    finally:
        if not kept:
            shutil.rmtree(chosen, ignore_errors=True)


def _run_demo(workdir: Path, kept: bool, articles_per_site: int | None, rate: float,
              echo: Callable[[str], None], weight: str = "light") -> DemoResult:
    """The demo's steps in a workspace folder."""
    from consolidate.samplefleet import FleetServer, build_fleet
    from consolidate.verify import verify_site

    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    fleet = build_fleet(articles_per_site=articles_per_site, weight=weight)
    with FleetServer(fleet) as server:
        echo(f"sample fleet: {', '.join(f'{s} at {u}' for s, u in server.urls.items())}")
        config_path = workdir / "migrations.yaml"
        config_path.write_text(config_for_urls(server.urls, rate), encoding="utf-8")
        ws = pipeline.Workspace.open(config_path, db_url=f"sqlite:///{workdir / '.consolidate' / 'state.db'}")
        for summary in pipeline.crawl(ws, None):
            echo(f"crawled {summary.site_id}: {summary.fetched} fetched, "
                 f"{summary.articles_new + summary.articles_changed} articles, {summary.errors} errors")
    for site in ws.config.sites:
        decisions = pipeline.map_site(ws, site.id)
        unmapped = sum(1 for _, d in decisions if d.decision == "unmapped")
        echo(f"mapped {site.id}: {len(decisions)} columns, {unmapped} left for review")
    exporter = pipeline.open_exporter(ws)
    try:
        for site in ws.config.sites:
            s = pipeline.push_site(ws, site.id, exporter)
            why = ", ".join(f"{reason} {n}" for reason, n in sorted(s.skipped.items()))
            echo(f"pushed {site.id}: {s.pushed + s.updated} articles, {s.files} files, "
                 f"skipped {sum(s.skipped.values())}" + (f" ({why})" if why else "") + f", failed {s.failed}")
        for site in ws.config.sites:
            checked = verify_site(ws, site.id, exporter)
            echo(f"verified {site.id}: {checked.ok} ok, {checked.mismatch} differ, {checked.missing} missing")
    finally:
        exporter.close()
    _explain_planted(fleet, echo)
    report = fleet_report(ws)
    report_path = ws.dir / "report.md"
    report_path.write_text(render_markdown(report), encoding="utf-8")
    (ws.dir / "report.json").write_text(render_json(report), encoding="utf-8")
    totals = report["totals"]
    ws.store.engine.dispose()
    return DemoResult(workdir=workdir, kept=kept, preview=ws.dir / "preview", report=report_path,
                      articles=totals.get("articles", 0), pushed=totals.get("pushed", 0),
                      reconciled=report["reconciled"] and totals.get("articles", 0) > 0, seconds=time.monotonic() - started)


def _explain_planted(fleet: object, echo: Callable[[str], None]) -> None:
    """Say which of the errors and skips above the sample sites carry on purpose."""
    echo("\nplanted on purpose in the sample sites (so the errors and skips above are expected):")
    for site in fleet.sites:  # type: ignore[attr-defined]
        for key, (what, where) in PLANTED.items():
            paths = site.planted.get(key) or []
            count = len(paths) // 2 if key == "republished" else len(paths)  # (new, original) pairs
            if count:
                echo(f"  {site.site_id}: {what}: {count} ({where})")
    echo("  column dropped: columns the example migrations.yaml decides not to migrate (不迁移), on purpose")
