"""Extraction speed per core: our extract_article vs trafilatura.extract on the same sample-fleet article pages.

    .venv/bin/python bench/extract_speed.py --articles 60
"""

from __future__ import annotations

import argparse
import time

import trafilatura

from consolidate.samplefleet import build_fleet
from crawlers.encoding import decode_html
from crawlers.extract import extract_article


def pages(articles: int) -> list[tuple[str, str]]:
    """(html, url) of every article page of a generated fleet."""
    out = []
    for site in build_fleet(articles_per_site=articles).sites:
        base = "http://bench.example/"
        for record in site.truth(base):
            answer = site.respond(record.url[len(base) - 1:])
            out.append((decode_html(answer.body, answer.content_type).text, record.url))
    return out


def rate(func: object, corpus: list[tuple[str, str]], rounds: int) -> float:
    """Pages per CPU second."""
    started = time.process_time()
    for _ in range(rounds):
        for html, url in corpus:
            func(html, url)  # type: ignore[operator]
    return rounds * len(corpus) / (time.process_time() - started)


def main() -> None:
    """Print pages/s per core for both extractors."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    corpus = pages(args.articles)
    ours = rate(lambda html, url: extract_article(html, url), corpus, args.rounds)
    theirs = rate(lambda html, url: trafilatura.extract(html, url=url, with_metadata=True), corpus, args.rounds)
    size = sum(len(h) for h, _ in corpus) / len(corpus)
    print(f"pages={len(corpus)} mean_html={size / 1024:.1f} KiB rounds={args.rounds}")
    print(f"extract_article: {ours:.0f} pages/s per core")
    print(f"trafilatura.extract: {theirs:.0f} pages/s per core")


if __name__ == "__main__":
    main()
