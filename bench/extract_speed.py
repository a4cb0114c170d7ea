"""Extraction speed per core: our generic path, our per-site template path and trafilatura on the same pages.

Every article page of a generated sample fleet is extracted by
  - generic:     crawlers.extract.extract_article (heuristics on every page),
  - template:    crawlers.extract.SiteExtractor once it has learned the site's templates (what a long crawl of
                 one site runs after its first pages; pages that fit no template still take the generic path),
  - trafilatura: trafilatura.extract(html, url=..., with_metadata=True).
Figures are pages per CPU second of this process (one core); each is the best of --rounds rounds, so load from
other processes on the machine disturbs them less; the memos of the page library are emptied before each round.
The template figure counts every page, hits and misses. All three run under the garbage-collector set-up of the
crawl's parser processes (crawlers.parsers.settle_heap once the pages are read and the templates learned: what a
parser holds is frozen, as it is there after its first answers).

With --real, the pages are the article pages of the real sample sites (../shared/samples, the inventory of
bench/realsites_inventory.py; templates trained on each site's own pages, as a crawl does), and per-page latency
(p50/p99/max, milliseconds of CPU) is printed for each extractor, with the CPU each spends on the pages of each body
location (container, region, trafilatura, none), the pages where ours is slower than trafilatura and the pages at or
above our p99, each with both times and how the generic path located its body (a page whose body only trafilatura
finds costs trafilatura and more).

    PYTHONPATH=. .venv/bin/python bench/extract_speed.py [--articles 60] [--rounds 5] [--real [--samples DIR]]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from consolidate.samplefleet import build_fleet
from crawlers.encoding import decode_html
from crawlers.extract import SiteExtractor, body_location, clear_caches, extract_article
from crawlers.parsers import settle_heap

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


def real_pages(root: Path) -> dict[str, Pages]:
    """(html, url) of every inventoried article page of the real sample sites, per site."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.realsites_inventory import article_paths
    from consolidate.samplefleet.realsites import REAL_SITES

    out: dict[str, Pages] = {}
    for site in REAL_SITES:
        folder = root / site.folder
        for path in sorted(article_paths(site.id, folder)):
            page = decode_html((folder / path).read_bytes(), None)
            out.setdefault(site.id, []).append((page.text, site.home_url + path))
    return out


def latencies(func: Callable[[str, str, str], object], pages: list[tuple[str, str, str]]) -> list[float]:
    """CPU milliseconds of each (site, html, url) page, best of three tries, caches emptied before each."""
    out = []
    for site_id, html, url in pages:
        best = float("inf")
        for _ in range(3):
            clear_caches()
            started = time.process_time()
            func(site_id, html, url)
            best = min(best, time.process_time() - started)
        out.append(best * 1000)
    return out


def percentile(values: list[float], share: float) -> float:
    """The value at this share of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def print_latency(corpus: dict[str, Pages]) -> None:
    """Per-page CPU latency of each extractor over all pages, and the pages where ours is slower than the peer."""
    pages = [(site_id, html, url) for site_id, items in corpus.items() for html, url in items]
    extractors = {site_id: trained(site_id, items) for site_id, items in corpus.items()}
    settle_heap()
    runs = {
        "template": latencies(lambda site, html, url: extractors[site].extract(html, url), pages),
        "generic": latencies(lambda site, html, url: extract_article(html, url, site), pages),
        "trafilatura": latencies(lambda site, html, url: trafilatura.extract(html, url=url, with_metadata=True),
                                 pages),
    }
    for name, values in runs.items():
        print(f"latency {name}: p50 {percentile(values, 0.5):.1f} ms  p99 {percentile(values, 0.99):.1f} ms  "
              f"max {max(values):.1f} ms")
    how = {url: body_location(html, url) for _, html, url in pages}
    print("bodies located by the generic path: " + ", ".join(
        f"{way} {count}" for way, count in sorted(Counter(how.values()).items())))
    print_by_location(runs, [how[url] for _, _, url in pages])
    for name in ("template", "generic"):
        timed = list(zip(runs[name], runs["trafilatura"], (url for _, _, url in pages), strict=True))
        slower = sorted(((ours - peer, ours, peer, url) for ours, peer, url in timed if ours > peer), reverse=True)
        print(f"pages where {name} is slower than trafilatura: {len(slower)} of {len(pages)} (body located by: "
              + ", ".join(f"{way} {count}" for way, count in sorted(Counter(how[u] for *_, u in slower).items())) + ")")
        for gap, ours, peer, url in slower[:10]:
            print(f"  +{gap:.1f} ms ({ours:.1f} vs {peer:.1f}) [{how[url]}] {url}")
        edge = percentile(runs[name], 0.99)
        print(f"pages at or above the {name} p99 ({edge:.1f} ms), ours vs trafilatura:")
        for ours, peer, url in sorted((t for t in timed if t[0] >= edge), reverse=True):
            print(f"  {ours:.1f} vs {peer:.1f} ms [{how[url]}] {url}")


def print_by_location(runs: dict[str, list[float]], ways: list[str]) -> None:
    """CPU seconds of each extractor on the pages of each body location, and the ratio to trafilatura there."""
    for way in sorted(set(ways)):
        spent = {name: sum(ms for ms, w in zip(values, ways, strict=True) if w == way) / 1000
                 for name, values in runs.items()}
        peer = spent["trafilatura"]
        print(f"  {way} ({ways.count(way)} pages): " + ", ".join(
            f"{name} {seconds:.2f} s" + (f" ({peer / seconds:.1f}x)" if name != "trafilatura" and seconds else "")
            for name, seconds in spent.items()))


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
    settle_heap()
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
    parser.add_argument("--real", action="store_true", help="the real sample sites' article pages")
    parser.add_argument("--samples", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.real:
        from consolidate.samplefleet.realsites import samples_dir

        root = args.samples or samples_dir()
        if root is None:
            sys.exit("no samples folder: pass --samples DIR or set CONSOLIDATE_SAMPLES")
        corpus = real_pages(root)
    else:
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
    if args.real:
        print_latency(corpus)


if __name__ == "__main__":
    main()
