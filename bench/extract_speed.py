"""Extraction speed per core: our generic path, our per-site template path and trafilatura on the same pages.

Every article page of a generated sample fleet is extracted by
  - generic:     crawlers.extract.extract_article (heuristics on every page),
  - template:    crawlers.extract.SiteExtractor once it has learned the site's templates (what a long crawl of
                 one site runs after its first pages; pages that fit no template still take the generic path),
  - trafilatura: trafilatura.extract(html, url=..., with_metadata=True).
Figures are pages per CPU second of this process (one core); each is the best of --rounds rounds, so load from
other processes on the machine disturbs them less; the memos of the page library are emptied before each round.
The template figure counts every page, hits and misses.

    PYTHONPATH=. .venv/bin/python bench/extract_speed.py [--articles 60] [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable

import trafilatura

from consolidate.samplefleet import build_fleet
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor, clear_caches, extract_article

Pages = list[tuple[str, str]]


def site_pages(articles: int) -> dict[str, Pages]:
    """(html, url) of every article page of a generated fleet, per site."""
    out: dict[str, Pages] = {}
    base = "http://bench.example/"
    for site in build_fleet(articles_per_site=articles).sites:
        pages = out.setdefault(site.site_id, [])
        for record in site.truth(base):
            answer = site.respond(record.url[len(base) - 1:])
            pages.append((decode_html(answer.body, answer.content_type).text, record.url))
    return out


def best_rate(func: Callable[[str, str], object], pages: Pages, rounds: int) -> float:
    """Pages per CPU second, best of several rounds."""
    best = float("inf")
    for _ in range(rounds):
        clear_caches()  # each round starts cold: a crawl does not see the same page twice
        started = time.process_time()
        for html, url in pages:
            func(html, url)
        best = min(best, time.process_time() - started)
    return len(pages) / max(best, 1e-9)


def trained(site_id: str, pages: Pages) -> SiteExtractor:
    """A SiteExtractor that has seen the site once (templates learned), counters reset."""
    extractor = SiteExtractor(site_id)
    for html, url in pages:
        extractor.extract(html, url)
    extractor.hits = extractor.misses = extractor.generic = 0
    return extractor


def measure(site_id: str, pages: Pages, rounds: int) -> dict[str, float]:
    """Rates of the three extractors on one site's pages, and the template hit share."""
    extractor = trained(site_id, pages)
    rates = {
        "generic": best_rate(lambda html, url: extract_article(html, url, site_id), pages, rounds),
        "template": best_rate(extractor.extract, pages, rounds),
        "trafilatura": best_rate(lambda html, url: trafilatura.extract(html, url=url, with_metadata=True), pages,
                                 rounds),
    }
    rates["hit_share"] = extractor.hits / max(extractor.hits + extractor.misses + extractor.generic, 1)
    return rates


def main() -> None:
    """Print pages/s per core per site and overall, with the ratio to trafilatura."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    corpus = site_pages(args.articles)
    total = {"generic": 0.0, "template": 0.0, "trafilatura": 0.0}
    count = sum(len(p) for p in corpus.values())
    size = sum(len(h) for p in corpus.values() for h, _ in p) / max(count, 1)
    print(f"pages={count} mean_html={size / 1024:.1f} KiB rounds={args.rounds} (best round, pages per CPU second)")
    for site_id, pages in corpus.items():
        rates = measure(site_id, pages, args.rounds)
        for key in total:
            total[key] += len(pages) / rates[key]
        print(f"{site_id}: generic {rates['generic']:.0f}/s  template {rates['template']:.0f}/s "
              f"(hits {rates['hit_share']:.0%})  trafilatura {rates['trafilatura']:.0f}/s  "
              f"ratio generic {rates['generic'] / rates['trafilatura']:.1f}x template "
              f"{rates['template'] / rates['trafilatura']:.1f}x")
    overall = {key: count / seconds for key, seconds in total.items()}
    print(f"all: generic {overall['generic']:.0f}/s  template {overall['template']:.0f}/s  "
          f"trafilatura {overall['trafilatura']:.0f}/s  ratio generic "
          f"{overall['generic'] / overall['trafilatura']:.1f}x template "
          f"{overall['template'] / overall['trafilatura']:.1f}x")


if __name__ == "__main__":
    main()
