"""Fleet crawl throughput: N loopback hosts (127.0.1.1 …), each limited to r req/s; achieved pages/s vs N·r.

    .venv/bin/python bench/fleet_crawl.py --hosts 200 --rate 2 --articles 6

Prints pages/s, the share of the politeness limit reached, CPU seconds and peak RSS (extraction and storage
included: this is the real crawler writing to a SQLite store).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from consolidate.config import CrawlSettings, Site
from consolidate.samplefleet import FleetServer, build_fleet
from consolidate.store import Store
from crawlers.crawler import crawl_sites


def serve(hosts: int, articles: int) -> list[FleetServer]:
    """One sample-fleet server (its first site) per loopback address 127.0.1.1 … 127.0.1.N."""
    servers = []
    for index in range(hosts):
        fleet = build_fleet(seed=7 + index, articles_per_site=articles)
        fleet.sites = [fleet.sites[index % len(fleet.sites)]]
        servers.append(FleetServer(fleet, host=f"127.0.1.{index + 1}").start())
    return servers


def main() -> None:
    """Run the benchmark and print figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=512)
    args = parser.parse_args()
    servers = serve(args.hosts, args.articles)
    workdir = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    store = Store(f"sqlite:///{workdir / 'state.db'}")
    settings = CrawlSettings(rate_per_host=args.rate, concurrency_per_host=2, concurrency=args.concurrency,
                             obey_robots=False)
    sites = []
    for index, server in enumerate(servers):
        (site_id, url), = server.urls.items()
        sites.append((Site(id=f"{site_id}{index}", name=site_id, home_url=url, organiser="bench",
                           disposition="migrate"), settings))
    cpu0 = time.process_time()
    started = time.monotonic()
    summaries = asyncio.run(crawl_sites(store, sites, workdir))
    seconds = time.monotonic() - started
    cpu = time.process_time() - cpu0
    for server in servers:
        server.stop()
    pages = sum(s.fetched for s in summaries)
    limit = args.hosts * args.rate
    # The first request of each host goes at once; the rest are spaced 1/r apart.
    ideal = max((s.fetched - 1) / args.rate for s in summaries)
    print(f"hosts={args.hosts} rate={args.rate}/s pages={pages} articles={sum(s.articles_new for s in summaries)}")
    print(f"time={seconds:.1f}s pages/s={pages / seconds:.1f} limit N·r={limit:.0f}/s "
          f"share={pages / seconds / limit:.2f} (vs the per-host schedule: {ideal / seconds:.2f})")
    print(f"cpu={cpu:.1f}s ({cpu / seconds:.2f} cores) peak_rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          f"(servers run in this process too)")


if __name__ == "__main__":
    main()
