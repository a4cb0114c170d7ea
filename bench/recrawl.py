"""Incremental re-crawl of an unchanged site vs its first crawl: bytes transferred and wall time.

    .venv/bin/python bench/recrawl.py --articles 10000

Also prints peak RSS after each phase (memory must not grow with pages crawled).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from consolidate.core.config import CrawlSettings, Site
from consolidate.core.store import Store
from consolidate.samplefleet import FleetServer, build_fleet
from crawlers.crawler import SiteCrawler


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Crawl once, re-crawl incrementally, print both."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--site", default="fgw")
    args = parser.parse_args()
    fleet = build_fleet(articles_per_site=args.articles)
    fleet.sites = [fleet.site(args.site)]
    workdir = Path(tempfile.mkdtemp(prefix="bench-recrawl-"))
    store = Store(f"sqlite:///{workdir / 'state.db'}")
    settings = CrawlSettings(rate_per_host=1000, concurrency_per_host=8, obey_robots=False, max_pages=10**7)
    with FleetServer(fleet) as server:
        site = Site(id=args.site, name=args.site, home_url=server.urls[args.site], organiser="bench",
                    disposition="migrate")
        rows = []
        for label, incremental in (("first crawl", False), ("incremental", True)):
            started = time.monotonic()
            summary = asyncio.run(SiteCrawler(store, site, settings, workdir, incremental=incremental).run())
            seconds = time.monotonic() - started
            rows.append((label, summary.fetched, summary.not_modified, summary.bytes, seconds))
            print(f"{label}: {summary.fetched} requests ({summary.not_modified} not modified), "
                  f"{summary.bytes / 1e6:.1f} MB bodies, {seconds:.1f}s, peak RSS {peak_rss_mb():.0f} MB")
    (_, _, _, bytes1, secs1), (_, _, _, bytes2, secs2) = rows
    print(f"incremental/first: bytes {bytes2 / max(bytes1, 1):.2%}, speed-up {secs1 / secs2:.1f}x")


if __name__ == "__main__":
    main()
