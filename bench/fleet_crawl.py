"""Fleet crawl throughput: N loopback hosts (127.0.1.1 …), each limited to r req/s; achieved pages/s vs N·r.

    .venv/bin/python bench/fleet_crawl.py --hosts 200 --rate 2 --articles 6 [--weight real|light]

Prints pages/s, the share of the politeness limit reached, CPU seconds and peak RSS (extraction and storage
included: this is the real crawler writing to a SQLite store). Pages are at real weight by default (furniture,
bodies and a tail of 100–400 KiB table pages drawn from the real sample sites, samplefleet/weights.py); `--weight
light` gives the ~3 KiB pages of the earlier figures. The sites differ in size (three CMS layouts), so
hosts run out of work one after another and no crawler can hold N·r to the end; the figure for the target is
the share of N·r in the seconds while every host still had work (the last line).

Team mode (issue 7): `--workers 2 --postgres` runs two crawler processes on one private PostgreSQL store (started
on 127.0.0.1 for the run) and prints the throughput and the duplicate fetches (URLs requested more than once);
compare with `--workers 1 --postgres`. The sample servers run in a child process
(`--servers-inline` puts them back in the crawler's process, as the first version of this script did); their
CPU is printed on its own line. They answer from a few event loop threads (LoopFleetServer); `--threaded-servers`
gives each host the threaded FleetServer of the figures before round 10 (same answers, more CPU a request: at 200
hosts, a page's first request cost 3.4 ms against 1.1 in the loops, side by side).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import shutil
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from consolidate.core.config import CrawlSettings, Site
from consolidate.core.store import Store
from consolidate.samplefleet import FleetServer, build_fleet
from consolidate.samplefleet.loopserver import LoopFleetServer
from crawlers.crawler import CrawlProgress, crawl_sites

SERVER_LOOPS = 8  # event loop threads serving the hosts


class Servers:
    """One sample-fleet site per loopback address 127.0.1.1 … 127.0.1.N: a threaded FleetServer per host
    (`threaded=True`, what the other benches use), or all hosts from a few event loop threads (`threaded=False`,
    LoopFleetServer, what fleet_crawl.py uses: the same answers at a third to two thirds of the CPU; on a machine
    oversubscribed by other work its few threads may get the CPU later than many handler threads, bench/README.md
    round 6)."""

    def __init__(self, hosts: int, articles: int, weight: str = "real", threaded: bool = True) -> None:
        self.urls: list[tuple[str, str]] = []
        self._threaded: list[FleetServer] = []
        self._loop = None if threaded else LoopFleetServer(loops=min(hosts, SERVER_LOOPS))
        for index in range(hosts):
            fleet = build_fleet(seed=7 + index, articles_per_site=articles, weight=weight)
            fleet.sites = [fleet.sites[index % len(fleet.sites)]]
            host = f"127.0.1.{index + 1}"
            if self._loop is not None:
                self.urls.append(next(iter(self._loop.serve(fleet, host).items())))
            else:
                self._threaded.append(FleetServer(fleet, host=host).start())
                self.urls.append(next(iter(self._threaded[-1].urls.items())))

    def stop(self) -> None:
        """Stop serving."""
        if self._loop is not None:
            self._loop.stop()
        for server in self._threaded:
            server.stop()


def _serve_child(hosts: int, articles: int, weight: str, threaded: bool, conn: Connection) -> None:
    """Child process: serve the hosts, send their URLs, wait for 'stop', send back the CPU seconds used."""
    servers = Servers(hosts, articles, weight, threaded)
    conn.send(servers.urls)
    cpu0 = time.process_time()
    conn.recv()
    cpu = time.process_time() - cpu0
    servers.stop()
    conn.send(cpu)


class ServerProcess:
    """The sample servers in a child process, so their CPU is not the crawler's."""

    def __init__(self, hosts: int, articles: int, weight: str = "real", threaded: bool = True) -> None:
        self._conn, child = multiprocessing.get_context("fork").Pipe()
        self._process = multiprocessing.get_context("fork").Process(target=_serve_child,
                                                                   args=(hosts, articles, weight, threaded, child),
                                                                   daemon=True)
        self._process.start()
        self.urls: list[tuple[str, str]] = self._conn.recv()

    def stop(self) -> float:
        """Stop the servers; the CPU seconds they used while serving."""
        self._conn.send("stop")
        cpu = float(self._conn.recv())
        self._process.join(timeout=30)
        return cpu


_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[int, int, float] | None:
    """(parent pid, start time in ticks, user+system CPU seconds) of a process from /proc, or None when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[19]), (int(fields[11]) + int(fields[12])) / _TICKS


class DescendantCpu:
    """CPU seconds of this process's descendants (the parser processes of the fork server are not reaped where
    getrusage sees them), read from /proc by a thread: pids found every second, their CPU read four times a
    second, so at most ~0.25 s of a process's last CPU goes uncounted. Its own CPU is kept apart (`own`)."""

    def __init__(self) -> None:
        self.cpu: dict[tuple[int, int], float] = {}  # (pid, start ticks) -> last CPU seconds seen
        self.parents: dict[tuple[int, int], int] = {}
        self.own = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _discover(self) -> None:
        """Add the descendants of this process to the watched set."""
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
                parents[int(entry.name)] = stat[0]
        mine, changed = {os.getpid()}, True
        while changed:
            new = {pid for pid, parent in parents.items() if parent in mine and pid not in mine}
            mine |= new
            changed = bool(new)
        for pid in mine - {os.getpid()}:
            if (stat := _proc_stat(pid)) is not None:
                self.cpu.setdefault((pid, stat[1]), stat[2])
                self.parents[(pid, stat[1])] = stat[0]

    def _read(self) -> None:
        """Update the CPU of every watched process still alive."""
        for key in list(self.cpu):
            stat = _proc_stat(key[0])
            if stat is not None and stat[1] == key[1]:
                self.cpu[key] = max(self.cpu[key], stat[2])

    def _watch(self) -> None:
        """Discover every second, read every quarter second, until stopped."""
        tick = 0
        while not self._stop.wait(0.25):
            started = time.thread_time()
            if tick % 4 == 0:
                self._discover()
            self._read()
            tick += 1
            self.own += time.thread_time() - started

    def stop(self) -> None:
        """Take a last reading and stop."""
        self._stop.set()
        self._thread.join()
        self._read()

    def total(self, excluded: set[int]) -> float:
        """CPU seconds of the descendants, leaving out the given pids and everything below them."""
        return sum(self.cpu[key] for key in self.kept(excluded))

    def kept(self, excluded: set[int]) -> list[tuple[int, int]]:
        """The descendants seen, leaving out the given pids and everything below them."""
        out = []
        for pid, start in self.cpu:
            lineage, key = {pid}, (pid, start)
            while key in self.parents:
                parent = self.parents[key]
                lineage.add(parent)
                key = next((k for k in self.parents if k[0] == parent), None)
            if not lineage & excluded:
                out.append((pid, start))
        return out


class Timeline:
    """First and last fetch time per site, from the progress callback."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}
        self.pages: dict[str, int] = {}
        self.per_second: dict[int, int] = {}  # pages recorded in each second of the run

    def __call__(self, progress: CrawlProgress) -> None:
        """Note one fetched page of a site."""
        now = time.monotonic()
        run = progress.summary
        self.first.setdefault(run.site_id, now)
        self.last[run.site_id] = now
        self.pages[run.site_id] = run.fetched
        self.per_second[int(now)] = self.per_second.get(int(now), 0) + 1

    def steady_share(self, limit: float) -> tuple[float, float]:
        """Pages/s over N·r in the whole seconds while every host still had work; and that window's length."""
        start, end = int(max(self.first.values())) + 1, int(min(self.last.values()))
        if end <= start:
            return 0.0, 0.0
        pages = sum(self.per_second.get(second, 0) for second in range(start, end))
        return pages / (end - start) / limit, float(end - start)

    def busy_share(self, rate: float) -> float:
        """Pages over what the per-host rate allows while each host had work (first to last fetch)."""
        allowed = sum((self.last[s] - self.first[s]) * rate + 1 for s in self.first)
        return sum(self.pages.values()) / allowed if allowed else 0.0


def main() -> None:
    """Run the benchmark and print figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--weight", choices=("real", "light"), default="real",
                        help="page weight of the generated sites (default real: as heavy as the real sample sites)")
    parser.add_argument("--concurrency", type=int, default=512)
    parser.add_argument("--max-pages", type=int, default=None,
                        help="page budget per site (e.g. the large fleet stopped early: memory at fewer pages)")
    parser.add_argument("--parse-processes", type=int, default=None,
                        help="parser processes beside the crawler (default: crawl_sites decides; 0: none)")
    parser.add_argument("--servers-inline", action="store_true", help="serve the hosts from this process")
    parser.add_argument("--threaded-servers", action="store_true",
                        help="a threaded FleetServer per host instead of event loop threads (LoopFleetServer) serving "
                             "them all: the figures before round 10")
    parser.add_argument("--loop-servers", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--workers", type=int, default=1, help="crawler processes sharing one store")
    parser.add_argument("--postgres", action="store_true", help="a private PostgreSQL store instead of SQLite")
    args = parser.parse_args()
    if args.workers > 1 or args.postgres:
        team(args)
        return
    child = None
    if args.servers_inline:
        servers = Servers(args.hosts, args.articles, args.weight, args.threaded_servers)
        urls = servers.urls
    else:
        child = ServerProcess(args.hosts, args.articles, args.weight, args.threaded_servers)
        urls = child.urls
    workdir = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    store = Store(f"sqlite:///{workdir / 'state.db'}")
    budget = {"max_pages": args.max_pages} if args.max_pages else {}
    settings = CrawlSettings(rate_per_host=args.rate, concurrency_per_host=2, concurrency=args.concurrency,
                             obey_robots=False, **budget)
    sites = [(Site(id=f"{site_id}{index}", name=site_id, home_url=url, organiser="bench", disposition="migrate"),
              settings) for index, (site_id, url) in enumerate(urls)]
    timeline = Timeline()
    load = os.getloadavg()
    watcher = DescendantCpu()
    cpu0 = time.process_time()
    started = time.monotonic()
    summaries = asyncio.run(crawl_sites(store, sites, workdir, timeline, parse_processes=args.parse_processes))
    seconds = time.monotonic() - started
    watcher.stop()
    cpu = time.process_time() - cpu0 - watcher.own
    parser_cpu = watcher.total({child._process.pid} if child else set())
    parsers = sum(1 for key in watcher.kept({child._process.pid} if child else set())
                  if watcher.parents.get(key) != os.getpid())  # the fork server's children (not it, nor a tracker)
    server_cpu = child.stop() if child else None
    if not child:
        servers.stop()
    pages = sum(s.fetched for s in summaries)
    limit = args.hosts * args.rate
    # The first request of each host goes at once; the rest are spaced 1/r apart.
    ideal = max((s.fetched - 1) / args.rate for s in summaries)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parser process (and the servers' child)
    print(f"weight={args.weight} hosts={args.hosts} rate={args.rate}/s pages={pages} articles={sum(s.articles_new for s in summaries)}")
    steady, window = timeline.steady_share(limit)
    print(f"time={seconds:.1f}s pages/s={pages / seconds:.1f} limit N·r={limit:.0f}/s "
          f"share={pages / seconds / limit:.2f} (vs the per-host schedule: {ideal / seconds:.2f}; "
          f"while each host had work: {timeline.busy_share(args.rate):.2f})")
    print(f"while every host had work ({window:.0f} s): {steady * limit:.1f} pages/s = {steady:.2f} of N·r")
    where = "servers in this process too" if child is None else f"servers: {server_cpu:.1f}s cpu in a child process"
    print(f"cpu={cpu:.1f}s ({cpu / seconds:.2f} cores; parser processes not counted) "
          f"peak_rss={rss:.0f} MB ({where})")
    print(f"child processes (parser, servers): {children.ru_utime + children.ru_stime:.1f}s cpu, "
          f"largest peak_rss={children.ru_maxrss / 1024:.0f} MB")
    server_part = f" servers {server_cpu / pages * 1000:.2f}" if server_cpu is not None else ""
    print(f"cpu per page (ms): crawler {cpu / pages * 1000:.2f} parser {parser_cpu / pages * 1000:.2f}{server_part} "
          f"({parsers} parser processes, {parser_cpu:.1f}s incl. start-up) load average before/after "
          f"{load[0]:.2f}/{os.getloadavg()[0]:.2f}")
    shutil.rmtree(workdir, ignore_errors=True)  # the store and WARCs of a 10k run are ~170 MB


def _team_worker(url: str, sites: list[tuple[Site, CrawlSettings]], workdir: Path, conn: Connection) -> None:
    """One crawler process of a team: crawl every site (leases share the work); send back requests made."""
    summaries = asyncio.run(crawl_sites(Store(url), sites, workdir, None, parse_processes=0))
    conn.send(sum(s.fetched for s in summaries))


def team(args: argparse.Namespace) -> None:
    """Several crawler processes on one store: pages/s and duplicate fetches."""
    from contextlib import ExitStack

    from sqlalchemy import func, select

    from consolidate.core.store import Resource

    with ExitStack() as stack:
        if args.postgres:
            from tests.services.postgres import private_postgres

            def missing(message: str) -> None:
                raise SystemExit(f"no PostgreSQL: {message}")

            server = stack.enter_context(private_postgres(missing))
            server.execute("CREATE DATABASE bench")
            url = server.url("bench")
        child = ServerProcess(args.hosts, args.articles, args.weight, args.threaded_servers)
        workdir = Path(tempfile.mkdtemp(prefix="bench-team-"))
        url = url if args.postgres else f"sqlite:///{workdir / 'state.db'}"
        Store(url).engine.dispose()
        settings = CrawlSettings(rate_per_host=args.rate, concurrency_per_host=2, concurrency=args.concurrency,
                                 obey_robots=False)
        sites = [(Site(id=f"{site_id}{index}", name=site_id, home_url=site_url, organiser="bench",
                       disposition="migrate"), settings) for index, (site_id, site_url) in enumerate(child.urls)]
        context = multiprocessing.get_context("fork")
        pipes = [context.Pipe() for _ in range(args.workers)]
        started = time.monotonic()
        workers = [context.Process(target=_team_worker, args=(url, sites, workdir, end)) for _, end in pipes]
        for worker in workers:
            worker.start()
        requests = sum(conn.recv() for conn, _ in pipes)
        seconds = time.monotonic() - started
        for worker in workers:
            worker.join()
        child.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        store = Store(url)
        with store.session() as session:
            distinct = session.scalar(select(func.count()).select_from(Resource).where(
                Resource.status.in_(("fetched", "error", "skipped")))) or 0
        store.engine.dispose()
    print(f"workers={args.workers} store={'postgresql' if args.postgres else 'sqlite'} hosts={args.hosts} "
          f"rate={args.rate}/s")
    print(f"time={seconds:.1f}s distinct URLs={distinct} pages/s={distinct / seconds:.1f} "
          f"share of N·r={distinct / seconds / (args.hosts * args.rate):.2f} requests={requests} "
          f"duplicate fetches={max(0, requests - distinct)}")


if __name__ == "__main__":
    main()
