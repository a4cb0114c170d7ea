"""Crawl pages/s with the workspace on the local disk vs on S3-compatible object storage, same fleet (issue 22).

    .venv/bin/python bench/storage_crawl.py --hosts 20 --rate 20 --articles 6 --rounds 2

The sample servers run in a child process (bench/fleet_crawl.py); the object store is a private moto server on
127.0.0.1 (tests/services/s3.py), so the figure measures what the crawler adds (segment uploads, blob conditional
PUTs in threads beside the event loop, the pending-record notes), not a network — but moto runs on the same cores,
so its CPU seconds are printed beside the crawler's. Rounds alternate local and S3; the target is S3 pages/s ≥ 0.9
of local.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fleet_crawl import ServerProcess  # noqa: E402 - the sample servers in a child process

from consolidate.core.config import CrawlSettings, Site, WorkspaceSettings  # noqa: E402
from consolidate.core.storage import open_storage  # noqa: E402
from consolidate.core.store import Store  # noqa: E402
from crawlers.crawler import crawl_sites  # noqa: E402


def process_cpu(pid: int | None) -> float:
    """CPU seconds a process has used (Linux /proc; 0 when unknown)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def crawl_once(urls: list[tuple[str, str]], args: argparse.Namespace, storage: str | None) -> tuple[int, float]:
    """One crawl of every host into a fresh workspace; pages fetched and seconds."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    settings = CrawlSettings(rate_per_host=args.rate, concurrency_per_host=2, concurrency=args.concurrency,
                             obey_robots=False)
    settings._workspace = WorkspaceSettings(storage=storage, segment_records=args.segment_records)
    sites = [(Site(id=f"{site_id}{index}", name=site_id, home_url=url, organiser="bench", disposition="migrate"),
              settings) for index, (site_id, url) in enumerate(urls)]
    store = Store(f"sqlite:///{workdir / 'state.db'}")
    started = time.monotonic()
    summaries = asyncio.run(crawl_sites(store, sites, workdir, None, parse_processes=args.parse_processes))
    return sum(s.fetched for s in summaries), time.monotonic() - started


def main() -> None:
    """Run the rounds and print pages/s for each storage and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--segment-records", type=int, default=1000)
    parser.add_argument("--parse-processes", type=int, default=0)
    args = parser.parse_args()
    from tests.services.s3 import private_s3

    def missing(message: str) -> None:
        raise SystemExit(f"error: {message}")

    child = ServerProcess(args.hosts, args.articles)
    figures: dict[str, list[float]] = {"local": [], "s3": []}
    try:
        with private_s3(missing) as server:
            os.environ.update(server.environ())
            for _ in range(args.rounds):
                for kind in ("local", "s3"):
                    bucket = None
                    if kind == "s3":
                        name = f"bench-{uuid.uuid4().hex[:12]}"
                        server.create_bucket(name)
                        bucket = f"s3://{name}/ws"
                    cpu, moto = time.process_time(), process_cpu(server.pid)
                    pages, seconds = crawl_once(child.urls, args, bucket)
                    cpu, moto = time.process_time() - cpu, process_cpu(server.pid) - moto
                    figures[kind].append(pages / seconds)
                    extra = ""
                    if bucket:
                        usage = open_storage(WorkspaceSettings(storage=bucket), Path(".")).usage()
                        extra = f" ({usage.objects} objects, {usage.bytes / 1e6:.1f} MB in the bucket)"
                    print(f"{kind:5} pages={pages} time={seconds:.1f}s pages/s={pages / seconds:.1f} crawler "
                          f"cpu={cpu:.2f}s moto cpu={moto:.2f}s{extra}", flush=True)
    finally:
        child.stop()
    local, remote = (sum(v) / len(v) for v in (figures["local"], figures["s3"]))
    print(f"hosts={args.hosts} rate={args.rate}/s: local {local:.1f} pages/s, S3 {remote:.1f} pages/s, "
          f"ratio {remote / local:.2f} (target ≥ 0.9)")


if __name__ == "__main__":
    main()
