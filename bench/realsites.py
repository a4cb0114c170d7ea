"""Crawl every real sample site (../shared/samples) on loopback and print what was found against the inventory.

Per site: article pages found / article pages in the site (the inventory in bench/realsites_inventory.py, written
by reading the folders; "linked" is how many of them some page links to), false articles (pages stored as
articles that the inventory does not call articles), fetched HTML pages by class, column folders holding the
found articles vs the inventory's, and field accuracy of the crawled records on the article pages of truth.jsonl.

    PYTHONPATH=. .venv/bin/python bench/realsites.py [--samples DIR] [--keep DIR] [--sites jspn,hncic]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bench import realsites_inventory as inventory  # noqa: E402
from bench.extract_quality import date_matches  # noqa: E402
from consolidate import pipeline  # noqa: E402
from consolidate.core.store import ArticleRow, Resource  # noqa: E402
from consolidate.samplefleet.realsites import REAL_SITES, RealSite, RealSitesServer, samples_dir  # noqa: E402

FIELDS = ("title", "date", "source", "attachments")


def site_path(url: str) -> str:
    """The path of a crawled URL as a file path of the site's folder."""
    return unquote(urlsplit(url).path).lstrip("/") or "index.html"


def crawl_all(root: Path, workdir: Path, sites: tuple[RealSite, ...]) -> tuple[pipeline.Workspace, float]:
    """Serve the sites, crawl them into a fresh workspace; the workspace and the seconds taken."""
    with RealSitesServer(root, sites) as server:
        config = workdir / "migrations.yaml"
        config.write_text(server.config_text(rate=200.0), encoding="utf-8")
        ws = pipeline.Workspace.open(config, db_url=f"sqlite:///{workdir / '.consolidate' / 'state.db'}")
        started = time.monotonic()
        list(pipeline.crawl(ws, None))
        return ws, time.monotonic() - started


def site_figures(ws: pipeline.Workspace, site: RealSite, folder: Path, truth: list[dict]) -> dict:
    """The figures of one site."""
    articles = set(inventory.article_paths(site.id, folder))
    linked = inventory.linked_paths(folder, articles)
    with ws.store.session() as session:
        rows = session.scalars(select(ArticleRow).where(ArticleRow.site_id == site.id)).all()
        pages = session.execute(select(Resource.kind, Resource.status).where(
            Resource.site_id == site.id, Resource.status == "fetched",
            Resource.kind.in_(("article", "list", "page", "other", "column")))).all()
        found = {site_path(r.url): r for r in rows}
        columns = {tuple(r.column_path) for r in rows if r.column_path}
    parts = inventory.part_paths(site.id, folder)
    hits = articles & set(found)
    return {
        "site": site.id, "cms": site.cms, "inventory": len(articles), "linked": len(linked), "found": len(hits),
        "false": len(set(found) - articles - parts - inventory.content_pages(site.id)), "classes": Counter(kind for kind, _ in pages),
        "columns_found": len(columns),
        "column_folders": len({inventory.column_folder(p) for p in articles}),
        "fields": field_scores([t for t in truth if t["site"] == site.folder], found, parts),
        "missed": sorted(articles - set(found))[:5],
    }


def field_scores(truth: list[dict], found: dict[str, ArticleRow], parts: set[str]) -> dict[str, tuple[int, int]]:
    """Per field, (right, total) over the site's truth article pages (a page not crawled counts as wrong). A
    further page of a multi-page article is not scored: the crawl joins it into its first page's record."""
    scores = {name: [0, 0] for name in FIELDS}
    for page in (t for t in truth if t["type"] == "article" and t["path"] not in parts):
        row = found.get(page["path"])
        for name, right in field_checks(page, row).items():
            scores[name][0] += int(right)
            scores[name][1] += 1
    return {name: (right, total) for name, (right, total) in scores.items()}


def field_checks(page: dict, row: ArticleRow | None) -> dict[str, bool]:
    """Whether each field of the crawled record equals the truth (dates at the printed precision)."""
    if row is None:
        return dict.fromkeys(FIELDS, False)
    return {
        "title": (row.title or "") == page.get("title", ""),
        "date": date_matches(row.published, page.get("date")),
        "source": (row.source or "") == (page.get("info_source") or ""),
        "attachments": len(row.attachments or []) == page.get("attachments", 0),
    }


def print_table(figures: list[dict], seconds: float) -> None:
    """The per-site table (markdown, for bench/README.md)."""
    print(f"\nreal sample sites crawled on loopback in {seconds:.1f}s\n")
    print("| site (CMS) | article pages found / in site (linked) | false articles | fetched HTML by class | "
          "columns found / article folders | title | date | 来源 | attachments |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = Counter()
    for f in figures:
        totals.update({k: f[k] for k in ("inventory", "linked", "found", "false")})
        classes = ", ".join(f"{k} {v}" for k, v in sorted(f["classes"].items()))
        cells = [f"{f['fields'][n][0]}/{f['fields'][n][1]}" for n in FIELDS]
        print(f"| {f['site']} ({f['cms']}) | {f['found']} / {f['inventory']} ({f['linked']}) | {f['false']} | "
              f"{classes} | {f['columns_found']} / {f['column_folders']} | " + " | ".join(cells) + " |")
    share = totals["found"] / totals["inventory"] if totals["inventory"] else 0.0
    print(f"| **all** | **{totals['found']} / {totals['inventory']} ({totals['linked']}) = {share:.1%}** | "
          f"{totals['false']} | | | | | | |")
    for f in figures:
        if f["missed"]:
            print(f"  {f['site']}: first missed: {', '.join(f['missed'])}")


def main() -> None:
    """Crawl and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="crawl into this folder and keep it")
    parser.add_argument("--sites", default="", help="comma-separated site ids (default: all)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    root = args.samples or samples_dir()
    if root is None:
        sys.exit("no samples folder: pass --samples DIR or set CONSOLIDATE_SAMPLES")
    wanted = set(filter(None, args.sites.split(",")))
    sites = tuple(s for s in REAL_SITES if not wanted or s.id in wanted)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="realsites-"))
    if args.keep and workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    truth = [json.loads(line) for line in (root / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    ws, seconds = crawl_all(root, workdir, sites)
    figures = [site_figures(ws, site, root / site.folder, truth) for site in sites]
    print_table(figures, seconds)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, default=list))
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
