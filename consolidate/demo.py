"""The example config and `consolidate demo`: the whole job on the built-in sample fleet."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from consolidate import pipeline
from consolidate.report import fleet_report, render_json, render_markdown

EXAMPLE_PORT = re.compile(r"http://127\.0\.0\.1:(87\d\d)/")


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
    preview: Path
    report: Path
    articles: int
    pushed: int
    reconciled: bool
    seconds: float


def run_demo(workdir: Path | None = None, articles_per_site: int | None = None, rate: float = 50.0,
             echo: Callable[[str], None] = print) -> DemoResult:
    """Serve the sample fleet on 127.0.0.1, crawl, map, push into the static preview and report."""
    from consolidate.samplefleet import FleetServer, build_fleet

    started = time.monotonic()
    workdir = (workdir or Path(tempfile.mkdtemp(prefix="consolidate-demo-"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    fleet = build_fleet(articles_per_site=articles_per_site)
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
            echo(f"pushed {site.id}: {s.pushed + s.updated} articles, {s.files} files, "
                 f"skipped {sum(s.skipped.values())}, failed {s.failed}")
    finally:
        exporter.close()
    report = fleet_report(ws)
    report_path = ws.dir / "report.md"
    report_path.write_text(render_markdown(report), encoding="utf-8")
    (ws.dir / "report.json").write_text(render_json(report), encoding="utf-8")
    totals = report["totals"]
    return DemoResult(workdir=workdir, preview=ws.dir / "preview", report=report_path,
                      articles=totals.get("articles", 0), pushed=totals.get("pushed", 0),
                      reconciled=report["reconciled"] and totals.get("articles", 0) > 0, seconds=time.monotonic() - started)
