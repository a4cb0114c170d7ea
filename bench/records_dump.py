"""Dump every extracted record (and page analysis) of the real sample sites and the generated fleet, or compare.

A speed change must not change a record where behaviour is not meant to change. This writes, for every page:
  - the generic path's record (crawlers.extract.extract_article),
  - the template path's record (a SiteExtractor fed the site's pages in order, as a crawl does; twice, so the
    second pass runs on learned templates), and which path gave it,
  - the page analysis (crawlers.discover.analyse_page) of every HTML page of the real sites,
to one JSON file; `--compare OLD.json` writes a new dump and prints every field that differs.

    PYTHONPATH=. .venv/bin/python bench/records_dump.py --out /tmp/before.json
    PYTHONPATH=. .venv/bin/python bench/records_dump.py --out /tmp/after.json --compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict, is_dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.extract_speed import real_pages, site_pages  # noqa: E402
from bench.realsites_inventory import _pages  # noqa: E402
from consolidate.samplefleet.realsites import REAL_SITES, samples_dir  # noqa: E402
from crawlers.discover import analyse_page  # noqa: E402
from crawlers.encoding import decode_html  # noqa: E402
from crawlers.extract import SiteExtractor, extract_article  # noqa: E402


def plain(value: object) -> object:
    """A JSON-ready copy of a record or page analysis."""
    return asdict(value) if is_dataclass(value) else value


def dump_extraction(corpus: dict[str, list[tuple[str, str]]], prefix: str) -> dict[str, object]:
    """Generic and template records of every page, keyed by prefix, path (generic/template) and URL."""
    out: dict[str, object] = {}
    for site_id, pages in corpus.items():
        for html, url in pages:
            out[f"{prefix}:generic:{url}"] = plain(extract_article(html, url, site_id))
        extractor = SiteExtractor(site_id)
        for round_no in (1, 2):
            for html, url in pages:
                before = extractor.hits
                record = plain(extractor.extract(html, url))
                out[f"{prefix}:template{round_no}:{url}"] = record
                out[f"{prefix}:hit{round_no}:{url}"] = extractor.hits > before
    return out


def dump_analysis(root: Path) -> dict[str, object]:
    """analyse_page of every HTML page of the real sample sites."""
    out: dict[str, object] = {}
    for site in REAL_SITES:
        folder = root / site.folder
        for path in sorted(_pages(folder)):
            page = decode_html((folder / path).read_bytes(), None)
            out[f"analyse:{site.home_url + path}"] = plain(analyse_page(page.text, site.home_url + path))
    return out


def compare(old: dict[str, object], new: dict[str, object]) -> int:
    """Print every key and record field that differs; the number of differences."""
    diffs = 0
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key.split(":", 2)[1].startswith("hit"):
            print(f"hit changed {key}: {a} -> {b}")  # a template hit changes speed, not the record
            continue
        diffs += 1
        if isinstance(a, dict) and isinstance(b, dict):
            for name in sorted(set(a) | set(b)):
                if a.get(name) != b.get(name):
                    print(f"DIFF {key} .{name}: {str(a.get(name))[:200]!r} -> {str(b.get(name))[:200]!r}")
        else:
            print(f"DIFF {key}: {str(a)[:200]!r} -> {str(b)[:200]!r}")
    return diffs


def main() -> None:
    """Write a dump; with --compare, print the differences with an older one (exit 1 when a record differs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, default=None)
    parser.add_argument("--articles", type=int, default=60, help="articles per generated fleet site")
    parser.add_argument("--samples", type=Path, default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    root = args.samples or samples_dir()
    data: dict[str, object] = {}
    if root is not None:
        data.update(dump_extraction(real_pages(root), "real"))
        data.update(dump_analysis(root))
    else:
        print("no samples folder: the real sites are left out")
    data.update(dump_extraction(site_pages(args.articles), "fleet"))
    args.out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))
    print(f"{len(data)} entries written to {args.out}")
    if args.compare is not None:
        diffs = compare(json.loads(args.compare.read_text()), json.loads(args.out.read_text()))
        print(f"{diffs} differing entries")
        sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
