"""Crawl memory: the fleet crawl of bench/fleet_crawl.py with the peak RSS of every process and where it goes.

    .venv/bin/python bench/crawl_memory.py --hosts 200 --rate 2 --articles 295 [--max-pages 50] [--log mem.jsonl]

Prints the peak RSS (the kernel's VmHWM) of each process apart: the crawler (this process), the fork server, each
parser process and the page servers (a stand-in for the legacy sites' machines, not the product), and the most the
crawler, fork server and parsers held together (PSS, read every second: pages they share counted once). Every
`--every` pages it logs the crawler's RSS and its C heap (glibc's mallinfo2: bytes in use and free inside the
arenas; malloc_info: the main arena and the threads' arenas), the bytes SQLite holds (sqlite3_status: all its
memory, its page caches), the connections the store's pool keeps, Python's allocated blocks and the parser
processes' RSS, so growth can be placed: Python objects, SQLite, the C heap, or another process. `--held-mib`
sets the crawl's budget of page bytes held (crawlers.crawler.HELD_PAGE_BYTES) for the run."""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet_crawl import ServerProcess  # noqa: E402

import crawlers.crawler as crawler_module  # noqa: E402
from consolidate.core.config import CrawlSettings, Site  # noqa: E402
from consolidate.core.store import Store  # noqa: E402
from crawlers.crawler import CrawlProgress, HeldPages, crawl_sites  # noqa: E402

SQLITE_STATUS_MEMORY_USED = 0
SQLITE_STATUS_PAGECACHE_OVERFLOW = 2


class _MallInfo2(ctypes.Structure):
    """glibc's struct mallinfo2 (all size_t)."""

    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _libc() -> Any:
    """The C library, or None where it has no mallinfo2."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallinfo2"):
        return None
    libc.mallinfo2.restype = _MallInfo2
    return libc


def _sqlite() -> Any:
    """The SQLite library Python's sqlite3 module loaded (the same handle), or None."""
    import sqlite3  # noqa: F401 - loads the library first

    name = ctypes.util.find_library("sqlite3")
    return ctypes.CDLL(name) if name else None


LIBC = _libc()
SQLITE = _sqlite()


def c_heap() -> dict[str, float]:
    """The C heap in MB: in use (small blocks + mmapped), free inside arenas, arena and mmap bytes."""
    if LIBC is None:
        return {}
    info = LIBC.mallinfo2()
    mb = 1 << 20
    return {"heap_used": (info.uordblks + info.hblkhd) / mb, "heap_free": info.fordblks / mb,
            "arena": info.arena / mb, "mmap": info.hblkhd / mb}


def arenas() -> dict[str, float]:
    """glibc's arenas from malloc_info: how many, and the MB the largest and all of them hold from the system."""
    if LIBC is None or not hasattr(LIBC, "malloc_info"):
        return {}
    LIBC.fopen.restype = ctypes.c_void_p
    LIBC.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    LIBC.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.NamedTemporaryFile(suffix=".xml") as tmp:
        handle = LIBC.fopen(tmp.name.encode(), b"w")
        LIBC.malloc_info(0, handle)
        LIBC.fclose(handle)
        root = ElementTree.parse(tmp.name).getroot()
    sizes = [int(heap.find("system[@type='current']").get("size")) for heap in root.findall("heap")]
    return {"arenas": len(sizes), "arena_max": max(sizes, default=0) / (1 << 20), "arenas_sum": sum(sizes) / (1 << 20)}


def sqlite_memory() -> dict[str, float]:
    """SQLite's memory in MB: all it holds, and its page caches' share (current and highest)."""
    if SQLITE is None:
        return {}
    out = {}
    for name, op in (("sqlite", SQLITE_STATUS_MEMORY_USED), ("sqlite_cache", SQLITE_STATUS_PAGECACHE_OVERFLOW)):
        current, high = ctypes.c_int64(), ctypes.c_int64()
        if SQLITE.sqlite3_status64(op, ctypes.byref(current), ctypes.byref(high), 0) == 0:
            out[name], out[name + "_high"] = current.value / (1 << 20), high.value / (1 << 20)
    return out


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM, RssAnon, RssFile and RssShmem of a process in MB ({} when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            out[key] = int(value.split()[0]) / 1024
    return out


def _pss(pid: int) -> float:
    """A process's proportional set size in MB (its shared pages split among their users; 0 when gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    line = next((line for line in text.splitlines() if line.startswith("Pss:")), "Pss: 0 kB")
    return int(line.split()[1]) / 1024


def smaps_parts(pid: int) -> dict[str, float]:
    """A process's PSS in MB by kind of mapping: the C heap (brk), other anonymous memory (mmapped arenas and big
    blocks, Python's arenas), and files (code, libraries); {} when it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return {}
    parts = {"heap": 0.0, "anon": 0.0, "file": 0.0}
    kind = "anon"
    for line in text.splitlines():
        first = line.split(maxsplit=6)
        if "-" in first[0] and len(first) >= 5 and ":" not in first[0]:  # a mapping's header line
            name = first[5] if len(first) > 5 else ""
            kind = "heap" if name == "[heap]" else "file" if name.startswith("/") else "anon"
        elif first[0] == "Pss:":
            parts[kind] += int(first[1]) / 1024
    return {k: round(v, 1) for k, v in parts.items()}


def _parent(pid: int) -> int | None:
    """A process's parent pid, or None when it is gone."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _role(pid: int, server_pid: int | None) -> str:
    """What a descendant of this process is: servers, forkserver, parser, tracker or other."""
    if pid == server_pid:
        return "servers"
    cmdline, parent = _cmdline(pid), _parent(pid)
    if parent == os.getpid():
        return "forkserver" if "forkserver" in cmdline else "tracker" if "resource_tracker" in cmdline else "other"
    return "parser" if "forkserver" in _cmdline(parent or 0) else "other"


def _cmdline(pid: int) -> str:
    """A process's command line ('' when gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


class WatchedHeldPages(HeldPages):
    """The crawl's gate on page bytes held, remembered so the watch can read what it holds."""

    last: WatchedHeldPages | None = None

    def __init__(self, most: int | None = None) -> None:
        super().__init__(most)
        WatchedHeldPages.last = self


class PeakWatch:
    """Every second: the descendants of this process, their roles and their VmHWM (peak RSS) and VmRSS."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.roles: dict[int, str] = {}
        self.peak: dict[int, float] = {}
        self.rss: dict[int, float] = {}
        self.heap_peak = 0.0  # the most C heap in use the crawler was seen with (read every second)
        self.held_then = 0.0  # MB of page bodies the crawl's gate counted at that moment
        self.pss_peak = 0.0  # the most the crawler, fork server and parsers held together (PSS: shared pages split)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _descendants(self) -> set[int]:
        """Pids below this process."""
        parents = {int(e.name): _parent(int(e.name)) for e in Path("/proc").iterdir() if e.name.isdigit()}
        mine, changed = {os.getpid()}, True
        while changed:
            new = {pid for pid, parent in parents.items() if parent in mine and pid not in mine}
            mine |= new
            changed = bool(new)
        return mine - {os.getpid()}

    def read(self) -> None:
        """Record every descendant's peak and current RSS."""
        for pid in self._descendants():
            if pid not in self.roles:
                self.roles[pid] = _role(pid, self.server_pid)
            status = proc_status(pid)
            if status:
                self.peak[pid] = max(self.peak.get(pid, 0.0), status["VmHWM"])
                self.rss[pid] = status["VmRSS"]
        heap = c_heap().get("heap_used", 0.0)
        if heap > self.heap_peak:
            gate = WatchedHeldPages.last
            self.heap_peak = heap
            self.held_then = gate.held / (1 << 20) if gate else 0.0
        product = [os.getpid()] + [pid for pid, role in self.roles.items() if role in ("parser", "forkserver")]
        self.pss_peak = max(self.pss_peak, sum(_pss(pid) for pid in product))

    def _watch(self) -> None:
        """Read every second until stopped."""
        while not self._stop.wait(1.0):
            self.read()

    def stop(self) -> None:
        """Take a last reading and stop."""
        self.read()
        self._stop.set()
        self._thread.join()

    def pids(self, role: str) -> list[int]:
        """The live processes of a role."""
        return [pid for pid, r in self.roles.items() if r == role and Path(f"/proc/{pid}").exists()]

    def current(self, role: str) -> list[float]:
        """The last RSS read of every process of a role."""
        return [round(self.rss[pid], 1) for pid, r in self.roles.items() if r == role and pid in self.rss]


class Sampler:
    """The crawl's progress callback: a memory sample every `every` pages, written to a JSON-lines log."""

    def __init__(self, every: int, store: Store, watch: PeakWatch, log: Path | None) -> None:
        self.every, self.store, self.watch = every, store, watch
        self.pages = 0
        self.started = time.monotonic()
        self.samples: list[dict[str, Any]] = []
        self._log = log.open("w") if log else None

    def __call__(self, progress: CrawlProgress) -> None:
        """Count a page; sample at every `every`th."""
        self.pages += 1
        if self.pages % self.every == 0:
            self.sample()

    def sample(self) -> dict[str, Any]:
        """One line of figures (MB unless named otherwise)."""
        me = proc_status(os.getpid())
        pool = self.store.engine.pool
        row: dict[str, Any] = {"pages": self.pages, "s": round(time.monotonic() - self.started, 1),
                               "rss": round(me.get("VmRSS", 0)), "hwm": round(me.get("VmHWM", 0)), "anon": round(me.get("RssAnon", 0)),
                               **{k: round(v, 1) for k, v in c_heap().items()},
                               **{k: round(v, 1) for k, v in arenas().items()},
                               **{k: round(v, 2) for k, v in sqlite_memory().items()},
                               "pooled": pool.checkedin() if hasattr(pool, "checkedin") else None,
                               "py_blocks": sys.getallocatedblocks(), "parsers": self.watch.current("parser"),
                               "parser_pss": [smaps_parts(pid) for pid in self.watch.pids("parser")],
                               "load": round(os.getloadavg()[0], 1)}
        self.samples.append(row)
        if self._log:
            self._log.write(json.dumps(row) + "\n")
            self._log.flush()
        print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
        return row


def main() -> None:
    """Crawl the fleet, sampling memory; print each process's peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--articles", type=int, default=295)
    parser.add_argument("--weight", choices=("real", "light"), default="real")
    parser.add_argument("--max-pages", type=int, default=None, help="page budget per site (50: the 10k figure)")
    parser.add_argument("--every", type=int, default=2000, help="pages between memory samples")
    parser.add_argument("--held-mib", type=float, default=None,
                        help="the crawl's budget of page bytes held (crawlers.crawler.HELD_PAGE_BYTES; default as is)")
    parser.add_argument("--log", type=Path, default=None, help="JSON lines of the samples")
    parser.add_argument("--parsers", type=int, default=None,
                        help="parser processes from the start, never more (default: as a crawl starts them, one "
                             "growing to parser_limit() while the machine has idle cores)")
    args = parser.parse_args()
    crawler_module.HeldPages = WatchedHeldPages
    if args.held_mib is not None:
        crawler_module.HELD_PAGE_BYTES = int(args.held_mib * (1 << 20))
    child = ServerProcess(args.hosts, args.articles, args.weight)
    workdir = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    store = Store(f"sqlite:///{workdir / 'state.db'}")
    budget = {"max_pages": args.max_pages} if args.max_pages else {}
    settings = CrawlSettings(rate_per_host=args.rate, concurrency_per_host=2, concurrency=512, obey_robots=False,
                             **budget)
    sites = [(Site(id=f"{site_id}{index}", name=site_id, home_url=url, organiser="bench", disposition="migrate"),
              settings) for index, (site_id, url) in enumerate(child.urls)]
    watch = PeakWatch(child._process.pid)
    sampler = Sampler(args.every, store, watch, args.log)
    load = os.getloadavg()
    started = time.monotonic()
    summaries = asyncio.run(crawl_sites(store, sites, workdir, sampler, parse_processes=args.parsers))
    seconds = time.monotonic() - started
    end = sampler.sample()
    watch.stop()
    child.stop()
    pages = sum(s.fetched for s in summaries)
    print(f"weight={args.weight} hosts={args.hosts} rate={args.rate}/s pages={pages} time={seconds:.0f}s "
          f"pages/s={pages / seconds:.1f} load before/after {load[0]:.1f}/{os.getloadavg()[0]:.1f}")
    print(f"peak RSS crawler={end['hwm']:.0f} MB (C heap in use at the end {end.get('heap_used', 0):.0f} MB, "
          f"SQLite {end.get('sqlite', 0):.1f} MB, highest {end.get('sqlite_high', 0):.1f})")
    gate = WatchedHeldPages.last
    print(f"crawler C heap in use, most seen (1/s): {watch.heap_peak:.0f} MB, with {watch.held_then:.1f} MB of "
          f"page bodies held (budget {crawler_module.HELD_PAGE_BYTES / (1 << 20):.0f} MiB; page fetches that "
          f"waited for room: {gate.waited if gate else 0} of {pages})")
    print(f"peak PSS of crawler + fork server + parsers together: {watch.pss_peak:.0f} MB")
    for role in ("parser", "forkserver", "tracker", "servers", "other"):
        peaks = [round(watch.peak[pid]) for pid, r in watch.roles.items() if r == role and pid in watch.peak]
        if peaks:
            print(f"peak RSS {role}: {' '.join(f'{p} MB' for p in peaks)}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
