"""Mapping quality on the real sample sites: how many article-holding columns (and articles) `map` decides by
itself, how precise those decisions are, and how often the first suggestion of the rest is right.

The truth is tests/mappers/mapping_truth.csv: the right portal column (ids of the standard portal tree in
mappers/standard_tree.py) per URL folder of a column's article pages, with the reasoning per row. Each legacy
column is resolved to a folder through its articles' URLs (the most common folder), so the truth survives
renamed columns. The portal tree is the standard one, written into a copy of the workspace's migrations.yaml.

    .venv/bin/python bench/realsites.py --keep /tmp/rs-map      # crawl the samples once
    .venv/bin/python bench/mapping_quality.py /tmp/rs-map [--show]
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bench.realsites_inventory import column_folder  # noqa: E402
from consolidate import pipeline  # noqa: E402
from consolidate.core.store import ArticleRow  # noqa: E402
from consolidate.mapping import legacy_columns  # noqa: E402
from mappers.columns import decide  # noqa: E402
from mappers.standard_tree import TOPIC_NODE, TREE  # noqa: E402

TRUTH = Path(__file__).resolve().parents[1] / "tests" / "mappers" / "mapping_truth.csv"
AUTOMATIC = ("migrate", "merge", "drop")


@dataclass
class Row:
    """One truth row."""

    site: str
    folder: str
    name_regex: str
    target: str | None
    reason: str


def load_truth(path: Path = TRUTH) -> list[Row]:
    """The truth rows."""
    with path.open(encoding="utf-8") as handle:
        return [Row(r["site"], r["folder"], r["name_regex"], r["target"] or None, r["reason"])
                for r in csv.DictReader(handle)]


def truth_for(rows: list[Row], site: str, folder: str, path: str) -> Row | None:
    """The truth row of a column: its site, its folder (glob), and the name pattern when the row has one."""
    for row in rows:
        if row.site == site and fnmatch.fnmatchcase(folder, row.folder) and \
                (not row.name_regex or re.search(row.name_regex, path.rsplit(" > ", 1)[-1])):
            return row
    return None


def _tree(items: tuple) -> list[dict]:
    """The standard tree as migrations.yaml columns."""
    return [{"id": i, "name": n, "kind": k, **({"children": _tree(c)} if c else {})} for i, n, k, _s, c in items]


def standard_workspace(workspace: Path, scratch: Path) -> pipeline.Workspace:
    """The crawled workspace under a copy of its config whose portal tree is the standard one."""
    yaml = YAML(typ="safe")
    data = yaml.load((workspace / "migrations.yaml").read_text(encoding="utf-8"))
    data["portal"]["columns"] = _tree(TREE)
    data["portal"]["subsites"] = []
    for site in data["sites"]:
        site.pop("target", None)
        site.pop("mapping", None)
    config = scratch / "migrations.yaml"
    with config.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    db = workspace / ".consolidate" / "state.db"
    return pipeline.Workspace.open(config, db_url=f"sqlite:///{db}")


def column_folders(ws: pipeline.Workspace, site_id: str) -> dict[str, str]:
    """Legacy column path → the most common URL folder of its articles."""
    counts: dict[str, Counter] = {}
    with ws.store.session() as session:
        for url, path in session.execute(select(ArticleRow.url, ArticleRow.column_path)
                                         .where(ArticleRow.site_id == site_id)):
            folder = column_folder(unquote(urlsplit(url).path).lstrip("/"))
            counts.setdefault(" > ".join(path or []), Counter())[folder] += 1
    return {path: c.most_common(1)[0][0] for path, c in counts.items()}


def evaluate(ws: pipeline.Workspace, truth: list[Row], show: bool = False) -> dict[str, int]:
    """Counts over every article-holding column of every site."""
    totals: Counter = Counter()
    for site in ws.config.sites:
        folders = column_folders(ws, site.id)
        columns = [c for c in legacy_columns(ws, site.id) if c.article_count]
        for column, decision in zip(columns, decide(ws.config, site, columns), strict=True):
            if "no-column" in column.flags:
                totals["no_column_articles"] += column.article_count
                continue
            row = truth_for(truth, site.id, folders.get(column.path, ""), column.path)
            if row is None:
                totals["no_truth"] += 1
                if show:
                    print(f"  NO TRUTH {site.id} {folders.get(column.path)!r} {column.path}")
                continue
            totals["columns"] += 1
            totals["articles"] += column.article_count
            special = row.target in (None, TOPIC_NODE)  # no standard function: a 特色栏目 (config special_columns)
            totals["special"] += special
            totals["special_articles"] += column.article_count * special
            auto = decision.decision in AUTOMATIC and decision.decided_by == "consolidate"
            got = decision.target if decision.decision != "drop" else None
            right = got == row.target
            if auto:
                totals["auto"] += 1
                totals["auto_articles"] += column.article_count
                totals["auto_right"] += right
                totals["auto_right_articles"] += column.article_count * right
                totals["auto_standard"] += not special
                totals["auto_standard_articles"] += column.article_count * (not special)
            else:
                totals["review"] += 1
                totals["first_right"] += right
            if show and not (auto and right):
                mark = "WRONG" if auto else ("ok   " if right else "miss ")
                print(f"  {mark} {site.id:6} {column.article_count:4} {column.path[-60:]:60} → {got} (truth {row.target}) "
                      f"{decision.confidence:.2f} | {decision.reason[:150]}")
    return dict(totals)


def report(totals: dict[str, int]) -> str:
    """The figures as text."""
    t = Counter(totals)
    share = lambda a, b: f"{a}/{b} = {a / b:.0%}" if b else "-"  # noqa: E731
    return "\n".join((
        f"article-holding columns with truth: {t['columns']} ({t['articles']} articles); "
        f"without truth: {t['no_truth']}; articles with no column: {t['no_column_articles']}",
        f"decided automatically: columns {share(t['auto'], t['columns'])}, "
        f"articles {share(t['auto_articles'], t['articles'])}",
        f"precision of automatic decisions: columns {share(t['auto_right'], t['auto'])}, "
        f"articles {share(t['auto_right_articles'], t['auto_articles'])}",
        f"first suggestion right for the rest: {share(t['first_right'], t['review'])}",
        f"columns with a standard function (truth not 专题专栏/none: {t['columns'] - t['special']} columns, "
        f"{t['articles'] - t['special_articles']} articles) decided automatically: columns "
        f"{share(t['auto_standard'], t['columns'] - t['special'])}, articles "
        f"{share(t['auto_standard_articles'], t['articles'] - t['special_articles'])}",
    ))


def main() -> None:
    """Evaluate a crawled workspace."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path, help="a workspace kept by bench/realsites.py --keep")
    parser.add_argument("--show", action="store_true", help="list every column not decided right")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        ws = standard_workspace(args.workspace, Path(scratch))
        print(report(evaluate(ws, load_truth(), args.show)))


if __name__ == "__main__":
    main()
