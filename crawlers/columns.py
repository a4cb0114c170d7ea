"""One legacy column, one node: breadcrumb spellings of the same column ("张家港分中心" / "张家港市分中心") unified.

Two column paths are spellings of one column when articles under the same URL folder (date folders left out) carry
paths of the same depth and the same last name that differ in exactly one name. The spelling fewer articles use is
renamed, at that depth and below, to the one more use, on every article and column of the site; the renames are
kept on the site row (facts["column_aliases"]) so later crawls file pages under the unified path at once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import delete, select, update

from consolidate.core.store import ArticleRow, ColumnRow, SiteRow

ALIASES_KEY = "column_aliases"
_DATE_FOLDER = re.compile(r"(?:19|20)\d{2}(?:-?\d{2}(?:-?\d{2})?)?|\d{4}|\d{1,2}")
Path = tuple[str, ...]


def url_folder(url: str) -> str:
    """The folder of a page URL without date folders (2019/, 201901/, 20200904/, 2020-05-26/, 1129/)."""
    parts = unquote(urlsplit(url).path).split("/")[:-1]
    return "/".join(p for p in parts if p and not _DATE_FOLDER.fullmatch(p))


def find_aliases(pages: Iterable[tuple[str, list[str]]]) -> dict[Path, Path]:
    """Prefix renames (minority spelling -> majority) from (article URL, column path) pairs."""
    groups: dict[tuple[str, int, str], Counter[Path]] = defaultdict(Counter)
    uses: Counter[Path] = Counter()
    for url, names in pages:
        path = tuple(n for n in names if n)
        if not path:
            continue
        groups[(url_folder(url), len(path), path[-1])][path] += 1
        uses.update(path[:depth] for depth in range(1, len(path) + 1))
    renames: dict[Path, Path] = {}
    for spellings in groups.values():
        ordered = sorted(spellings)
        for i, one in enumerate(ordered):
            for other in ordered[i + 1:]:
                differ = [k for k, (a, b) in enumerate(zip(one, other, strict=True)) if a != b]
                if len(differ) != 1:
                    continue
                a, b = one[: differ[0] + 1], other[: differ[0] + 1]
                keep, drop = (a, b) if (uses[a], a) > (uses[b], b) else (b, a)
                renames.setdefault(drop, keep)
    return _settled(renames)


def _settled(renames: dict[Path, Path]) -> dict[Path, Path]:
    """Renames with chains followed to their end (a -> b -> c becomes a -> c), cycles dropped."""
    settled: dict[Path, Path] = {}
    for start in renames:
        seen, target = {start}, renames[start]
        while target in renames and target not in seen:
            seen.add(target)
            target = renames[target]
        if target != start:
            settled[start] = target
    return settled


def unified(names: list[str], renames: dict[Path, Path]) -> list[str]:
    """A column path with its longest renamed prefix replaced (unchanged when none applies)."""
    path = tuple(n for n in names if n)
    for depth in range(len(path), 0, -1):
        target = renames.get(path[:depth])
        if target is not None:
            return list(target + path[depth:])
    return list(names)


def stored_aliases(facts: dict[str, Any] | None) -> dict[Path, Path]:
    """The renames kept on a site row's facts."""
    return {tuple(a): tuple(b) for a, b in (facts or {}).get(ALIASES_KEY, [])}


def unify_columns(session: Any, site_id: str) -> int:
    """Rename minority spellings of the site's columns on its articles and column rows; how many articles moved."""
    rows = session.execute(select(ArticleRow.id, ArticleRow.url, ArticleRow.column_path)
                           .where(ArticleRow.site_id == site_id)).all()
    site = session.get(SiteRow, site_id)
    renames = {**stored_aliases(site.facts if site is not None else None),
               **find_aliases((url, path or []) for _, url, path in rows)}
    renames = _settled(renames)
    if not renames:
        return 0
    moved = 0
    for row_id, _url, path in rows:
        new = unified(path or [], renames)
        if new != list(path or []):
            session.execute(update(ArticleRow).where(ArticleRow.id == row_id).values(column_path=new))
            moved += 1
    _rename_column_rows(session, site_id, renames)
    if site is not None:
        site.facts = {**(site.facts or {}), ALIASES_KEY: sorted([list(a), list(b)] for a, b in renames.items())}
    return moved


def _rename_column_rows(session: Any, site_id: str, renames: dict[Path, Path]) -> None:
    """Column rows of a renamed spelling folded into the kept one (listed counts added, URL kept when unset)."""
    columns = {c.path: c for c in session.scalars(select(ColumnRow).where(ColumnRow.site_id == site_id))}
    for key, column in sorted(columns.items()):
        target = " > ".join(unified(key.split(" > "), renames))
        if target == key:
            continue
        kept = columns.get(target)
        if kept is None:
            column.path, column.name = target, target.rsplit(" > ", 1)[-1]
            columns[target] = column
        else:
            kept.listed_items = (kept.listed_items or 0) + (column.listed_items or 0)
            kept.url = kept.url or column.url
            session.execute(delete(ColumnRow).where(ColumnRow.id == column.id))
