"""Page weights of the real sample sites (../shared/samples): the distribution the generated fleet's
`weight="real"` profile draws from.

    PYTHONPATH=. .venv/bin/python bench/page_weights.py            # print the table
    PYTHONPATH=. .venv/bin/python bench/page_weights.py --write    # also rewrite consolidate/samplefleet/page_weights.py
    PYTHONPATH=. .venv/bin/python bench/page_weights.py --fleet real   # the generated fleet's pages, same table

Per page class (article: the hand-read inventory of bench/realsites_inventory.py; list: each site's list-page path
shapes, read from the same folders), per page: HTML bytes, decoded text bytes (the visible text of <body>, scripts
and styles left out, as UTF-8), links (<a href>: menus, footers, lists and body links together), inline script bytes
(<script> without src) and table rows (<tr>). Percentiles over all pages of a class, every site pooled.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.realsites_inventory import _pages, article_paths  # noqa: E402
from consolidate.samplefleet.realsites import REAL_SITES, samples_dir  # noqa: E402
from crawlers.encoding import decode_html  # noqa: E402

# List pages of each site, read from the folders (the inventory's docstring names the same shapes).
LIST = {
    "jspn": r"(?:^|/)(?:articlecolumn(?:-\d+)?|piccolumn)\.html$",
    "hncic": r"(?:^|/)(?:index\w*|list_\d+_\d+)\.html$",
    "zjgztb": r"(?:moreinfo[^/]*|tradeInfo)\.html$",
    "fjmjzz": r"(?:(?:^|/)index(?:_\d+)?\.html|(?:^|/)e/action/ListInfo-[^/]*\.html)$",
    "lgedu": r"^channels/\d+(?:_\d+)?\.html$",
    "pmodlh": r"(?:^|/)index(?:_\d+)?\.html$",
}
METRICS = ("html_bytes", "text_bytes", "links", "script_bytes", "table_rows")
SHARES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)
OUT = Path(__file__).resolve().parents[1] / "consolidate" / "samplefleet" / "page_weights.py"
_WS = re.compile(r"\s+")
MODULE = '''"""Page weights of the real sample sites, written by bench/page_weights.py --write (do not edit by hand)."""

# ruff: noqa: E501
PAGE_WEIGHTS = {}
'''


def measure(raw: bytes) -> dict[str, int]:
    """The five weights of one page."""
    tree = LexborHTMLParser(decode_html(raw, None).text)
    scripts = sum(len(node.text(deep=True).encode("utf-8")) for node in tree.css("script")
                  if not node.attributes.get("src"))
    for node in tree.css("script, style, noscript"):
        node.decompose()
    body = tree.body
    text = _WS.sub(" ", body.text(separator=" ")).strip() if body is not None else ""
    return {"html_bytes": len(raw), "text_bytes": len(text.encode("utf-8")), "links": len(tree.css("a[href]")),
            "script_bytes": scripts, "table_rows": len(tree.css("tr"))}


def percentile(values: list[int], share: float) -> int:
    """Nearest-rank percentile of sorted values."""
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))]


def pages_of(root: Path) -> dict[str, list[dict[str, int]]]:
    """Weights of every article and list page of the six sites, by class."""
    out: dict[str, list[dict[str, int]]] = {"article": [], "list": []}
    for site in REAL_SITES:
        folder = root / site.folder
        articles = article_paths(site.id, folder)
        lists = {p for p in _pages(folder) if re.search(LIST[site.id], p)} - articles
        for cls, paths in (("article", articles), ("list", lists)):
            out[cls] += [{"site": site.id, **measure((folder / p).read_bytes())} for p in sorted(paths)]  # type: ignore[dict-item]
    return out


def fleet_pages(weight: str, articles: int | None) -> dict[str, list[dict[str, int]]]:
    """Weights of every article and list page of the generated fleet (seed 7) at a page weight."""
    from consolidate.samplefleet import build_fleet

    out: dict[str, list[dict[str, int]]] = {"article": [], "list": []}
    for site in build_fleet(articles_per_site=articles, weight=weight).sites:
        articles_at = {path for a in site.articles for path in (a.path, *a.part_paths)}
        for path in site.all_paths():
            page = site.respond(path, {})
            if page.status == 200 and (page.content_type or "").startswith("text/html"):
                cls = "article" if path in articles_at else "list"
                out[cls].append({"site": site.site_id, **measure(page.body)})  # type: ignore[dict-item]
    return out


def summary(pages: dict[str, list[dict[str, int]]]) -> dict[str, object]:
    """Per class: page count, percentiles of each weight, and the large-table tail of article pages."""
    out: dict[str, object] = {"source": "bench/page_weights.py over ../shared/samples (six restored sites)",
                              "percentiles": [f"p{round(s * 100)}" for s in SHARES]}
    for cls, rows in pages.items():
        sites = sorted({str(r["site"]) for r in rows})
        entry: dict[str, object] = {"pages": len(rows), "by_site": {s: sum(r["site"] == s for r in rows) for s in sites}}
        for metric in METRICS:
            values = sorted(r[metric] for r in rows)
            entry[metric] = [percentile(values, s) for s in SHARES]
            entry[metric + "_mean"] = round(sum(values) / len(values))
        tail = [r for r in rows if r["html_bytes"] >= 100 * 1024 and r["table_rows"] >= 20]
        entry["table_tail"] = {"share": round(len(tail) / len(rows), 4), "pages": len(tail),
                               "html_bytes": [min((r["html_bytes"] for r in tail), default=0),
                                              max((r["html_bytes"] for r in tail), default=0)],
                               "table_rows": [min((r["table_rows"] for r in tail), default=0),
                                              max((r["table_rows"] for r in tail), default=0)]}
        out[cls] = entry
    return out


def main() -> None:
    """Measure, print, and with --write store the table beside the generator."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {OUT.name}")
    parser.add_argument("--fleet", choices=("light", "real"), help="measure the generated fleet at this weight instead")
    parser.add_argument("--articles", type=int, default=None, help="with --fleet: articles per site")
    args = parser.parse_args()
    root = samples_dir()
    if args.fleet:
        table = summary(fleet_pages(args.fleet, args.articles))
    elif root is None:
        raise SystemExit("no ../shared/samples (set CONSOLIDATE_SAMPLES)")
    else:
        table = summary(pages_of(root))
    for cls in ("article", "list"):
        entry = table[cls]
        assert isinstance(entry, dict)
        print(f"{cls}: {entry['pages']} pages {entry['by_site']}")
        print(f"  {'':14}" + " ".join(f"{p:>8}" for p in table["percentiles"]) + "     mean")  # type: ignore[union-attr]
        for metric in METRICS:
            print(f"  {metric:14}" + " ".join(f"{v:>8}" for v in entry[metric]) + f" {entry[metric + '_mean']:>8}")
        print(f"  large-table tail (≥100 KiB, ≥20 rows): {entry['table_tail']}")
    if args.write and not args.fleet:
        OUT.write_text(MODULE.format(json.dumps(table, ensure_ascii=False, indent=1)), encoding="utf-8")
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
