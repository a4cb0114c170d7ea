"""Template learning in a fleet crawl's parser processes: which process parsed which site's pages, how many
(site, process) pairs learned a template, and the parse CPU a page by the path it took.

    PYTHONPATH=. .venv/bin/python bench/parser_learning.py --weight real --hosts 200 --rate 1 --articles 270 \
        --max-pages 50

Runs bench/fleet_crawl.py with its arguments (its figures are printed as usual), parse_page replaced in the crawl
by a wrapper that logs, from the parser process, one line a page (pid, site, page kind, the extractor's path,
thread CPU µs) to a file of its own; then sums the log. A bench-only hook: nothing in the crawl's output changes.
Run it with PYTHONPATH at another tree to measure that tree's code (the wrapper only reads `_SITE_EXTRACTORS`).
"""

from __future__ import annotations

import collections
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import crawlers.crawler
from crawlers import pageparse

LOG_ENV = "PARSER_LEARNING_LOG"


def logged_parse_page(*args: Any) -> pageparse.ParsedPage:
    """parse_page, logging the page's process, site, kind, extraction path and thread CPU µs."""
    site = args[3]
    extractor = pageparse._SITE_EXTRACTORS.get(site)
    before = (extractor.hits, extractor.generic, extractor.misses, len(extractor.templates)) if extractor else (0,) * 4
    started = time.thread_time_ns()
    parsed = pageparse.parse_page(*args)
    spent = (time.thread_time_ns() - started) // 1000
    extractor = pageparse._SITE_EXTRACTORS.get(site)
    after = (extractor.hits, extractor.generic, extractor.misses, len(extractor.templates)) if extractor else (0,) * 4
    path = ("template" if after[0] > before[0] else "generic" if after[1] > before[1] else
            "miss" if after[2] > before[2] else "none")
    learned = after[3] - before[3]
    line = f"{os.getpid()}\t{site}\t{parsed.kind}\t{path}\t{learned}\t{spent}\n"
    fd = os.open(os.environ[LOG_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    return parsed


def summarise(log: Path) -> None:
    """Print what the log holds: processes, sites split over them, learnings, CPU a page by path."""
    rows = [line.split("\t") for line in log.read_text().splitlines()]
    pids = sorted({row[0] for row in rows})
    by_site: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    learned: collections.Counter[tuple[str, str]] = collections.Counter()
    cpu: dict[str, list[int]] = collections.defaultdict(list)
    for pid, site, _, path, learn, spent in rows:
        by_site[site][pid] += 1
        learned[pid, site] += int(learn)
        cpu[path].append(int(spent))
    split = sum(1 for counts in by_site.values() if len(counts) > 1)
    off_home = sum(sum(counts.values()) - max(counts.values()) for counts in by_site.values())
    print(f"parser processes {len(pids)}; pages {len(rows)}: " +
          ", ".join(f"{pid} {sum(1 for r in rows if r[0] == pid)}" for pid in pids))
    print(f"sites {len(by_site)}; parsed by more than one process {split}; pages away from the site's main process "
          f"{off_home} ({off_home / max(1, len(rows)):.1%})")
    pairs = sum(1 for count in learned.values() if count)
    print(f"templates learned {sum(learned.values())} in {pairs} (site, process) pairs; "
          f"sites with a template {len({site for (_, site), count in learned.items() if count})}")
    total = sum(sum(values) for values in cpu.values())
    print(f"parse_page thread CPU {total / 1e6:.2f} s = {total / max(1, len(rows)) / 1000:.2f} ms a page; by path: " +
          ", ".join(f"{path} {len(values)} pages {sum(values) / len(values) / 1000:.2f} ms"
                    for path, values in sorted(cpu.items())))


def main() -> None:
    """Run fleet_crawl.py's main with the logging parse_page, then summarise."""
    log = Path(tempfile.mkstemp(prefix="parser-learning-", suffix=".tsv")[1])
    os.environ[LOG_ENV] = str(log)
    crawlers.crawler.parse_page = logged_parse_page
    spec = importlib.util.spec_from_file_location("fleet_crawl", Path(__file__).with_name("fleet_crawl.py"))
    assert spec is not None and spec.loader is not None
    fleet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fleet)
    sys.argv[0] = "fleet_crawl.py"
    fleet.main()
    summarise(log)
    log.unlink()


if __name__ == "__main__":
    main()
