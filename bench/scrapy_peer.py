"""The peer row of the fleet benchmark: the same workload through Scrapy + trafilatura, same politeness.

N loopback hosts (127.0.1.1 …) serve sample sites, as in fleet_crawl.py; Scrapy follows every same-host link with
DOWNLOAD_DELAY = 1/r and 2 requests per host, and runs trafilatura on every HTML page (no storage, no archive:
less work than our crawler does). Bench-only: `pip install scrapy` into the venv first (not a dependency).

    PYTHONPATH=. .venv/bin/python bench/scrapy_peer.py --hosts 200 --rate 2 --articles 6
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
from urllib.parse import urlsplit

from bench.fleet_crawl import ServerProcess


def run(urls: list[str], rate: float, concurrency: int) -> tuple[int, float]:
    """Crawl every host with Scrapy; return (pages, seconds)."""
    import scrapy
    import trafilatura
    from scrapy.crawler import CrawlerProcess

    pages = {"count": 0}

    class FleetSpider(scrapy.Spider):
        """Follows same-host links from each home page; extracts every page with trafilatura."""

        name = "fleet"
        start_urls = urls
        custom_settings = {
            "DOWNLOAD_DELAY": 1.0 / rate, "RANDOMIZE_DOWNLOAD_DELAY": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
            "CONCURRENT_REQUESTS": concurrency, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "ERROR",
            "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False,
            "REACTOR_THREADPOOL_MAXSIZE": 4,
        }

        def parse(self, response: scrapy.http.Response):  # type: ignore[no-untyped-def]
            pages["count"] += 1
            if not isinstance(response, scrapy.http.TextResponse):
                return
            trafilatura.extract(response.text, url=response.url)
            host = urlsplit(response.url).netloc
            for href in response.css("a::attr(href)").getall():
                target = response.urljoin(href)
                if urlsplit(target).netloc == host and target.startswith("http"):
                    yield scrapy.Request(target, callback=self.parse)

    logging.disable(logging.WARNING)
    process = CrawlerProcess(settings={"LOG_ENABLED": False})
    process.crawl(FleetSpider)
    started = time.monotonic()
    process.start()
    return pages["count"], time.monotonic() - started


def main() -> None:
    """Serve the fleet, crawl it with Scrapy, print the peer row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=512)
    args = parser.parse_args()
    child = ServerProcess(args.hosts, args.articles)
    cpu0 = time.process_time()
    pages, seconds = run([url for _site, url in child.urls], args.rate, args.concurrency)
    cpu = time.process_time() - cpu0
    child.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    limit = args.hosts * args.rate
    print(f"scrapy+trafilatura hosts={args.hosts} rate={args.rate}/s pages={pages} time={seconds:.1f}s "
          f"pages/s={pages / seconds:.1f} share of N·r={pages / seconds / limit:.2f} cpu={cpu:.1f}s "
          f"({cpu / seconds:.2f} cores) peak_rss={rss:.0f} MB")


if __name__ == "__main__":
    main()
