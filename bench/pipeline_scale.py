"""Whole-pipeline figures at scale: `map`, `push` (static preview and bundle), `verify` and `report` on stores of
10k and 100k articles, wall time and peak RSS of each stage, each stage a `consolidate` command in its own process.

    PYTHONPATH=. .venv/bin/python bench/pipeline_scale.py --scales 10000 100000 [--weight real|light]
        [--workdir DIR] [--tree OLD_TREE] [--outputs FILE] [--sites N --base-articles M]

With --workdir the built stores are kept (`store<N>`) and reused by later runs; every run copies the store to a
fresh `n<N>` and runs the stages there, so two runs (e.g. `--tree` an archive of an older commit, for before and
after) start from the same bytes. --outputs writes a digest of what the stages produced (push map, URL map,
events, every output file) for a `diff` between two runs.

How the stores are built (crawling 100k pages on loopback takes hours at real weight): the generated fleet
(`--base-articles` per site, real page weight by default) is served on 127.0.0.1 and crawled once through the
library (`pipeline.crawl`: fetch, extract, store, WARC, attachments); its article rows are then replicated through
the library's own upsert (`crawlers.crawler.upsert_article`) until the store holds N articles. Each copy gets its
own URL (`-rK` before the extension, or `&r=K`), its title and body with every CJK character shifted by a
per-copy offset (same lengths and markup, but text of its own: otherwise every copy is a near-duplicate of its
original and the duplicate finder's candidate pairs grow with the square of the copies, which no real fleet
has), its own content hash and a fetched resource row like its original's. Attachments and images are shared with the original. Stage times exclude the build.

`--sites N` makes a fleet of N sites for push --all's memory against the number of sites: site i is a copy of the
generated site i mod 3 (seed 7 + i // 3, its own port, id `fgw2`, `jyj2`, …, and its own sub-site when the original
goes to one); e.g. `--sites 40 --base-articles 30 --scales 10000` gives 40 sites of ~250 articles.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from copy import deepcopy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import load_workbook  # noqa: E402
from ruamel.yaml import YAML  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from consolidate import pipeline  # noqa: E402
from consolidate.core.records import ArticleRecord, AttachmentRef  # noqa: E402
from consolidate.core.store import ArticleRow, Resource, url_hash  # noqa: E402
from consolidate.demo import config_for_urls  # noqa: E402
from consolidate.samplefleet import FleetServer, build_fleet  # noqa: E402
from crawlers.crawler import recount_columns, upsert_article  # noqa: E402

CLI = str(Path(sys.executable).with_name("consolidate"))
STAGES = [
    ("map", ["map", "--all"], "migrations.yaml"),
    ("push static", ["push", "--all", "--allow-untriaged"], "migrations.yaml"),
    ("push bundle", ["push", "--all", "--allow-untriaged"], "bundle.yaml"),
    ("verify static", ["verify", "--all"], "migrations.yaml"),
    ("verify bundle", ["verify", "--all"], "bundle.yaml"),
    ("report", ["report", "-o", "report.html"], "migrations.yaml"),
]


def build_base(directory: Path, articles: int, weight: str, sites: int = 3) -> int:
    """Crawl the generated fleet into a workspace (migrations.yaml: static preview; bundle.yaml: bundle); more
    than three `sites` are copies of the three (seed 7 + copy number, fleet_sites)."""
    directory.mkdir(parents=True, exist_ok=True)
    fleets = [build_fleet(seed=7 + copy, articles_per_site=articles, weight=weight) for copy in range(-(-sites // 3))]
    with ExitStack() as stack:
        servers = [stack.enter_context(FleetServer(fleet)) for fleet in fleets]
        text = config_for_urls(servers[0].urls, 500.0)
        if sites != 3:
            text = fleet_sites(text, [url for server in servers for url in server.urls.values()][:sites])
        (directory / "migrations.yaml").write_text(text, encoding="utf-8")
        bundle = re.sub(r"exporter: static\b.*\n  options:\n    dir: \S+", "exporter: bundle\n  options:\n"
                        "    dir: .consolidate/bundle", text, count=1)
        assert bundle != text, "the example config's export section changed: update pipeline_scale.py"
        (directory / "bundle.yaml").write_text(bundle, encoding="utf-8")
        ws = pipeline.Workspace.open(directory / "migrations.yaml", db_url=db_url(directory))
        for summary in pipeline.crawl(ws, None):
            if sites <= 6 or summary.site_id in SITE_TEMPLATES:
                print(f"  crawled {summary.site_id}: {summary.fetched} pages, {summary.articles_new} articles")
        with ws.store.session() as session:
            count = session.scalar(select(func.count()).select_from(ArticleRow)) or 0
        ws.store.engine.dispose()
    return count


SITE_TEMPLATES = ("fgw", "jyj", "sfj")  # the example config's sites, in the generated fleet's order


def fleet_sites(text: str, urls: list[str]) -> str:
    """The example config with one site per URL: site i is a copy of SITE_TEMPLATES[i % 3] with the id
    `<template><copy + 1>` (the first three keep their ids), a site code of its own and, when its template goes to a
    sub-site, a copy of that sub-site whose column ids carry the new id."""
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    tree = yaml.load(text)
    templates = {site["id"]: site for site in tree["sites"]}
    subsites = {sub["id"]: sub for sub in tree["portal"]["subsites"]}
    tree["sites"], tree["portal"]["subsites"] = [], []
    for index, url in enumerate(urls):
        name = SITE_TEMPLATES[index % 3]
        copy = index // 3
        new_id = f"{name}{copy + 1}" if copy else name
        site = deepcopy(templates[name])
        site["id"], site["home_url"], site["site_code"] = new_id, url, f"33108{index + 1:05d}"
        site["name"] = f"{site['name']}{copy + 1 if copy else ''}"
        if "subsite" in site["target"]:
            sub = deepcopy(subsites[name])
            sub["id"] = sub["path"] = new_id
            sub["name"] = f"{sub['name']}{copy + 1 if copy else ''}"
            for column in sub["columns"]:
                column["id"] = column["id"].replace(f"{name}-", f"{new_id}-", 1)
            for rule in site.get("mapping", []):
                if str(rule.get("target", "")).startswith(f"{name}-"):
                    rule["target"] = rule["target"].replace(f"{name}-", f"{new_id}-", 1)
            site["target"]["subsite"] = new_id
            tree["portal"]["subsites"].append(sub)
        tree["sites"].append(site)
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


def db_url(directory: Path) -> str:
    """The workspace's SQLite store."""
    return f"sqlite:///{directory / '.consolidate' / 'state.db'}"


def copy_url(url: str, number: int) -> str:
    """The URL of copy `number` of an article."""
    if "?" in url:
        return f"{url}&r={number}"
    stem, dot, ext = url.rpartition(".")
    return f"{stem}-r{number}.{ext}" if dot and "/" not in ext else f"{url}-r{number}"


def replicate(directory: Path, target: int) -> int:
    """Add copies of the stored articles until the store holds `target` articles; the count reached."""
    ws = pipeline.Workspace.open(directory / "migrations.yaml", db_url=db_url(directory))
    with ws.store.session() as session:
        rows = list(session.scalars(select(ArticleRow).order_by(ArticleRow.id)))
        pages = {r.url: r for r in session.scalars(select(Resource).where(Resource.url.in_([a.url for a in rows])))}
        originals = [(row_record(row), pages.get(row.url)) for row in rows]
        sites = sorted({row.site_id for row in rows})
    have, number = len(originals), 0
    while have < target:
        number += 1
        with ws.store.session() as session:
            resources = []
            for record, page in originals[: target - have]:
                copy = copied(record, number)
                upsert_article(session, copy)
                if page is not None:
                    resources.append({"site_id": copy.site, "url": copy.url, "url_hash": url_hash(copy.url),
                                      "kind": page.kind, "status": page.status, "depth": page.depth,
                                      "hint": {}, "http_status": page.http_status,
                                      "content_type": page.content_type, "encoding": page.encoding,
                                      "size": page.size, "sha256": page.sha256, "attempts": page.attempts,
                                      "fetched_at": page.fetched_at})
            if resources:
                session.execute(insert(Resource), resources)
            session.commit()
        have = min(target, have + len(originals))
    with ws.store.session() as session:
        for site_id in sites:
            recount_columns(session, site_id)
        session.commit()
        count = session.scalar(select(func.count()).select_from(ArticleRow)) or 0
    ws.store.engine.dispose()
    return count


def row_record(row: ArticleRow) -> ArticleRecord:
    """The stored article as a record (attachment references as stored)."""
    return ArticleRecord(
        url=row.url, site=row.site_id, column_path=list(row.column_path or []), title=row.title,
        published=row.published, source=row.source, publisher=row.publisher, index_no=row.index_no,
        doc_no=row.doc_no, written=row.written, topic=row.topic, validity=row.validity,
        published_source=row.published_source, body_html=row.body_html, body_text=row.body_text,
        attachments=[AttachmentRef(url=a.get("url") or "", name=a.get("name"), status=a.get("status"),
                                   reason=a.get("reason")) for a in row.attachments or []],
        images=list(row.images or []), spam_links=list(row.spam_links or []), warnings=list(row.warnings or []))


def shifted(text: str | None, number: int) -> str:
    """Text with every CJK ideograph moved `number` × 7919 places along the 20 902 of the basic block."""
    return "".join(chr(0x4E00 + (ord(c) - 0x4E00 + number * 7919) % 20902) if "\u4e00" <= c <= "\u9fa5" else c
                   for c in text or "")


def copied(record: ArticleRecord, number: int) -> ArticleRecord:
    """Copy `number` of a record: own URL, title and body text of its own (CJK shifted), own content hash."""
    copy = ArticleRecord(**{**record.__dict__, "url": copy_url(record.url, number),
                            "title": f"{shifted(record.title, number)}（{number}）",
                            "body_html": shifted(record.body_html, number),
                            "body_text": shifted(record.body_text, number)})
    copy.compute_hash()
    return copy


def run_stage(directory: Path, args: list[str], config: str, tree: Path | None = None
              ) -> tuple[float, float, int, float]:
    """One stage as a `consolidate` command in its own process (the code of `tree` when given): wall seconds,
    peak RSS MB, exit code, CPU seconds (user + system)."""
    out = directory / "stage.time"
    command = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(out), CLI, *args, "-c", str(directory / config),
               "--db", db_url(directory)]
    env = {**os.environ, "COLUMNS": "200", **({"PYTHONPATH": str(tree)} if tree else {})}
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        print(f"    {' '.join(args)} exit {done.returncode}: {done.stderr.strip()[-400:]}")
    seconds, user, system, kib = out.read_text().split()[-4:]
    return float(seconds), int(kib) / 1024, done.returncode, float(user) + float(system)


def outputs_digest(directory: Path) -> list[str]:
    """What the stages produced, one line each: the push map, URL map and events (times left out) and the sha256
    of every file written outside the store; the run's folder is written <dir> everywhere."""
    lines = []
    queries = {"push_records": "target, site_id, source_key, kind, source_url, target_id, target_url, "
                               "content_hash, status, reason, verify_status, verify_note",
               "url_map": "site_id, old_url, url_hash, new_url, status, note",
               "events": "site_id, stage, level, code, message, url"}
    with sqlite3.connect(directory / ".consolidate" / "state.db") as db:
        for table, columns in queries.items():
            for row in sorted(db.execute(f"SELECT {columns} FROM {table}"), key=repr):  # noqa: S608 - fixed names
                lines.append(f"{table} " + repr(row).replace(str(directory), "<dir>"))
    skip = {"state.db", "state.db-wal", "state.db-shm", "stage.time", "migrations.yaml", "bundle.yaml"}
    for path in sorted(directory.rglob("*")):
        parts = path.relative_to(directory).parts
        if path.is_file() and path.name not in skip and parts[1:2] not in (("blobs",), ("warc",), ("spool",)):
            content = file_content(path).replace(str(directory).encode("utf-8"), b"<dir>")
            lines.append(f"file {'/'.join(parts)} {hashlib.sha256(content).hexdigest()}")
    return lines


def file_content(path: Path) -> bytes:
    """A file's bytes as compared between runs: a workbook's cell values (its zip carries the time it was
    written), a report with the time it was made taken out."""
    if path.name == "manifest.xlsx":
        book = load_workbook(path, read_only=True)
        return repr([(sheet.title, list(sheet.values)) for sheet in book.worksheets]).encode("utf-8")
    if path.name == "report.html":
        return re.sub(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\+00:00)?", b"<time>", path.read_bytes())
    return path.read_bytes()


def main() -> None:
    """Build the stores, run every stage at every scale, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--weight", choices=("real", "light"), default="real")
    parser.add_argument("--base-articles", type=int, default=330, help="articles per generated site crawled")
    parser.add_argument("--sites", type=int, default=3, help="sites of the fleet (copies of the three generated "
                                                             "sites beyond three)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the workspaces here")
    parser.add_argument("--base", type=Path, default=None, help="reuse the crawled base workspace of an earlier run")
    parser.add_argument("--stages", nargs="+", default=None, help="only these stages (e.g. map report)")
    parser.add_argument("--tree", type=Path, default=None, help="run the stages with the code of this source tree")
    parser.add_argument("--outputs", type=Path, default=None, help="write a digest of the stages' outputs here "
                                                                    "(<file>.<scale>)")
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    base = args.base or root / "base"
    if args.base is None:
        started = time.monotonic()
        crawled = build_base(base, args.base_articles, args.weight, args.sites)
        print(f"base: {crawled} articles crawled at {args.weight} weight in {time.monotonic() - started:.0f}s ({base})")
    stages = [s for s in STAGES if args.stages is None or s[0] in args.stages or s[0].split()[0] in args.stages]
    results: dict[int, dict[str, tuple[float, float, int]]] = {}
    for scale in args.scales:
        store, directory = root / f"store{scale}", root / f"n{scale}"
        if not store.exists():
            shutil.copytree(base, store)
            started = time.monotonic()
            count = replicate(store, scale)
            print(f"{scale}: store of {count} articles built in {time.monotonic() - started:.0f}s")
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(store, directory)
        results[scale] = {}
        for name, stage_args, config in stages:
            load = os.getloadavg()[0]
            seconds, rss, code, cpu = run_stage(directory, stage_args, config, args.tree)
            results[scale][name] = (seconds, rss, code)
            print(f"  {name:14} {seconds:8.1f}s  cpu {cpu:7.1f}s  peak RSS {rss:6.0f} MB  exit {code}  "
                  f"load {load:.1f} → {os.getloadavg()[0]:.1f}", flush=True)
        if args.outputs:
            Path(f"{args.outputs}.{scale}").write_text("\n".join(outputs_digest(directory)) + "\n", encoding="utf-8")
    scales = args.scales
    print("\nstage          " + "".join(f"{s:>24}" for s in scales) + ("   time ratio" if len(scales) > 1 else ""))
    for name, _, _ in stages:
        cells = "".join(f"{results[s][name][0]:>12.1f}s {results[s][name][1]:>7.0f} MB" for s in scales)
        ratio = (f"   {results[scales[-1]][name][0] / max(results[scales[0]][name][0], 0.01):.1f}× "
                 f"(articles {scales[-1] / scales[0]:.0f}×)") if len(scales) > 1 else ""
        print(f"{name:15}{cells}{ratio}")


if __name__ == "__main__":
    main()
