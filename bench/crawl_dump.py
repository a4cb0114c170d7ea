"""Crawl a small generated fleet and dump its store and WARC records to JSON, or compare with an earlier dump.

A speed change to the crawl (fetching, parsing, writing, archiving, the fleet's server) must leave what a crawl
stores unchanged: every row of every table the crawl writes and every WARC record. This crawls `--hosts` loopback
hosts at real weight (as bench/fleet_crawl.py does, parser process included), one request at a time per host,
and writes the rows and records with what differs from run to run left out (row ids, times, worker ids, the
hosts' ports and the hashes of URLs holding them, WARC record ids and dates, the server's Date header). Two runs
of the same code still differ where crawl order decides which page found a URL first (`referrer` on ~2 % of the
resources, a list's hint on a few): `--compare` prints the differing fields per table.

    PYTHONPATH=. .venv/bin/python bench/crawl_dump.py --out /tmp/before.json
    PYTHONPATH=. .venv/bin/python bench/crawl_dump.py --out /tmp/after.json --compare /tmp/before.json
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from bench.fleet_crawl import ServerProcess  # noqa: E402
from consolidate.core.config import CrawlSettings, Site  # noqa: E402
from consolidate.core.store import Store  # noqa: E402
from crawlers.crawler import crawl_sites  # noqa: E402

VARYING = {"id", "created_at", "crawled_at", "fetched_at", "extracted_at", "started_at", "heartbeat_at", "pid",
           "host", "worker_id", "list_hash", "detected_at", "run_id", "acquired_at", "expires_at", "resource_id",
           "url_hash", "item_hash", "content_hash"}  # the last three hash URLs, which carry the ports
PORT = re.compile(r"(127\.0\.1\.\d+):\d+")
SKIPPED_HEADERS = {"date", "warc-date", "warc-record-id", "warc-concurrent-to", "warc-warcinfo-id", "warc-filename",
                   "warc-block-digest"}  # the block holds the Date header


def crawl(hosts: int, articles: int, workdir: Path) -> None:
    """Crawl the fleet's first `hosts` sites into workdir (SQLite store and WARC files)."""
    child = ServerProcess(hosts, articles, "real")
    try:
        store = Store(f"sqlite:///{workdir / 'state.db'}")
        settings = CrawlSettings(rate_per_host=100, concurrency_per_host=1, concurrency=64, obey_robots=False)
        sites = [(Site(id=f"{site_id}{index}", name=site_id, home_url=url, organiser="bench",
                       disposition="migrate"), settings) for index, (site_id, url) in enumerate(child.urls)]
        asyncio.run(crawl_sites(store, sites, workdir, None, parse_processes=1))
        store.engine.dispose()
    finally:
        child.stop()


def _plain(value: Any) -> Any:
    """A cell as JSON, ports of the loopback hosts left out."""
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return PORT.sub(r"\1", value) if isinstance(value, str) else value


def dump(workdir: Path) -> dict[str, Any]:
    """Every table's rows (varying columns left out, sorted) and every WARC record's headers and payload hash."""
    out: dict[str, Any] = {}
    with sqlite3.connect(workdir / "state.db") as db:
        tables = [name for (name,) in db.execute("select name from sqlite_master where type='table'")]
        for table in sorted(tables):
            columns = [row[1] for row in db.execute(f"pragma table_info({table})")]
            kept = [column for column in columns if column not in VARYING]
            rows = [{c: _plain(v) for c, v in zip(kept, row, strict=True)}
                    for row in db.execute(f"select {', '.join(kept)} from {table}")]
            out[table] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
    records = [record for path in sorted((workdir / "warc").glob("*.warc.gz")) for record in _records(path)]
    out["warc"] = sorted(records, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
    return out


def _records(path: Path) -> list[dict[str, Any]]:
    """Every record of a WARC file: its headers and HTTP headers (varying ones left out), its payload's hash."""
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle):
            http = record.http_headers.headers if record.http_headers is not None else []
            out.append({"warc": _headers(record.rec_headers.headers), "http": _headers(http),
                        "payload": hashlib.sha256(record.content_stream().read()).hexdigest()})
    return out


def _headers(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Header pairs in their order, those that vary from run to run left out."""
    return [[name, _plain(value)] for name, value in pairs if name.lower() not in SKIPPED_HEADERS]


def compare(new: dict[str, Any], old: dict[str, Any]) -> int:
    """Print what differs per table (by field where rows have a URL); the number of differing rows."""
    differing = 0
    for table in sorted(set(new) | set(old)):
        a = {_key(r): r for r in old.get(table, [])}
        b = {_key(r): r for r in new.get(table, [])}
        fields: dict[str, int] = {}
        for key in a.keys() & b.keys():
            for field in sorted(set(a[key]) | set(b[key])):
                if a[key].get(field) != b[key].get(field):
                    fields[field] = fields.get(field, 0) + 1
        changed = len(a.keys() ^ b.keys()) + sum(1 for k in a.keys() & b.keys() if a[k] != b[k])
        if changed:
            differing += changed
            print(f"{table}: {len(a.keys() - b.keys())} rows only before, {len(b.keys() - a.keys())} only after, "
                  f"fields differing: {fields or '-'}")
    return differing


def _key(row: dict[str, Any]) -> str:
    """A row's URL (the record's target URI) where it has one, else the whole row."""
    if "warc" in row and "http" in row:
        uri = [value for name, value in row["warc"] if name in ("WARC-Target-URI", "WARC-Type")]
        return json.dumps(uri)
    return str(row.get("url") or json.dumps(row, sort_keys=True, ensure_ascii=False))


def main() -> None:
    """Crawl, dump, and compare when asked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=6)
    parser.add_argument("--articles", type=int, default=80)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="crawl-dump-"))
    crawl(args.hosts, args.articles, workdir)
    data = dump(workdir)
    args.out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True))
    print(f"{args.out}: " + ", ".join(f"{table} {len(rows)}" for table, rows in data.items() if rows))
    if args.compare:
        differing = compare(data, json.loads(args.compare.read_text()))
        print(f"{differing} differing rows/records")


if __name__ == "__main__":
    main()
