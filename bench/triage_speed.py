"""Triage speed: articles (with their attachments) triaged per CPU second over the generated fleet, against the
crawl's CPU for the same pages.

    PYTHONPATH=. .venv/bin/python bench/triage_speed.py --articles 300

The sample fleet is served from a child process (its CPU is not ours), crawled into a fresh workspace with the
real crawler, then `consolidate.triage.triage_site` runs over every site. Prints pages/s of triage per CPU second,
CPU milliseconds per article for crawl and triage, and triage as a share of crawl CPU (target: ≤ 10 %).
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from consolidate import pipeline
from consolidate import triage as stage
from consolidate.demo import config_for_urls
from consolidate.samplefleet import FleetServer, build_fleet


def _serve_child(articles: int, conn: Connection) -> None:
    """Child process: serve the sample fleet, send its URLs, stop when told."""
    server = FleetServer(build_fleet(articles_per_site=articles)).start()
    conn.send(dict(server.urls))
    conn.recv()
    server.stop()


def main() -> None:
    """Crawl the fleet, triage it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="articles per sample site")
    parser.add_argument("--repeat", type=int, default=3, help="triage runs (the best is printed too)")
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    conn, child = context.Pipe()
    process = context.Process(target=_serve_child, args=(args.articles, child), daemon=True)
    process.start()
    urls = conn.recv()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "migrations.yaml"
        config.write_text(config_for_urls(urls, 500.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config)
        cpu0 = time.process_time()
        summaries = pipeline.crawl(ws, None)
        crawl_cpu = time.process_time() - cpu0
        conn.send("stop")
        process.join(timeout=30)
        fetched = sum(s.fetched for s in summaries)
        runs = []
        for _ in range(args.repeat):
            cpu0 = time.process_time()
            results = [stage.triage_site(ws, site.id) for site in ws.config.sites]
            runs.append(time.process_time() - cpu0)
        articles = sum(r.articles for r in results)
        attachments = sum(r.attachments + r.unreadable for r in results)
        findings = sum(sum(r.findings.values()) for r in results)
    print(f"fleet: {len(urls)} sites, {articles} articles, {attachments} attachments ({findings} findings)")
    print(f"crawl: {crawl_cpu:.2f} s CPU = {crawl_cpu / max(articles, 1) * 1000:.2f} ms per article"
          + f" ({fetched} pages fetched, {crawl_cpu / max(fetched, 1) * 1000:.2f} ms per page)")
    for number, cpu in enumerate(runs, start=1):
        print(f"triage run {number}: {cpu:.2f} s CPU, {articles / cpu:.0f} articles/s, "
              f"{cpu / max(articles, 1) * 1000:.2f} ms per article = {cpu / crawl_cpu:.1%} of crawl CPU")
    best = min(runs)
    print(f"best: {articles / best:.0f} articles/s; triage adds {best / crawl_cpu:.1%} to crawl CPU per article")


if __name__ == "__main__":
    main()
