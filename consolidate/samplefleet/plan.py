"""Build-time planning shared by the site flavours: counts per column and publication timelines."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from consolidate.samplefleet.model import SampleColumn, SampleSite

EARLIEST = date(2014, 1, 6)


@dataclass
class ColumnPlan:
    """How a column is populated."""

    name: str
    path: list[str]
    kind: str
    weight: int
    newest_days: int  # newest item is this many days before the reference date
    planted: set[str] = field(default_factory=set)
    earliest: date = EARLIEST


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split total across weights (largest remainder); every weighted column gets at least one."""
    positive = [index for index, weight in enumerate(weights) if weight > 0]
    counts = [0] * len(weights)
    if not positive:
        return counts
    total = max(total, len(positive))
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    order = sorted(positive, key=lambda index: (-(shares[index] - counts[index]), index))
    for index in order[: total - sum(counts)]:
        counts[index] += 1
    for index in positive:
        if counts[index] == 0:
            donor = max(range(len(counts)), key=lambda i: counts[i])
            counts[donor] -= 1
            counts[index] += 1
    return counts


def timeline(rng: random.Random, count: int, newest: date, earliest: date) -> list[datetime]:
    """count publication datetimes, newest first; the first is exactly on `newest`."""
    if count <= 0:
        return []
    span = max((newest - earliest).days, 1)
    offsets = [int(span * rng.random() ** 1.6) for _ in range(count - 1)]
    moments = [_at_office_hours(rng, newest)]
    moments += [_at_office_hours(rng, newest - timedelta(days=1 + offset % span)) for offset in offsets]
    return sorted(moments, reverse=True)


def planned_columns(columns: list[SampleColumn], rng: random.Random, plans: list[ColumnPlan], urls: list[str],
                    articles: int | None, reference: date,
                    touch: Callable[[datetime], datetime] = lambda moment: moment) -> list[tuple[datetime, SampleColumn]]:
    """Append a column per plan (listed at its URL) to `columns`; the publication moments of its share of
    `articles` (all the weights when None), each passed through `touch`, oldest first."""
    counts = allocate(sum(plan.weight for plan in plans) if articles is None else articles,
                      [plan.weight for plan in plans])
    moments: list[tuple[datetime, SampleColumn]] = []
    for plan, url, count in zip(plans, urls, counts, strict=True):
        column = SampleColumn(plan.path, url, plan.kind, set(plan.planted))
        columns.append(column)
        newest = newest_date(reference, plan.newest_days)
        moments += [(touch(moment), column) for moment in timeline(rng, count, newest, plan.earliest)]
    moments.sort(key=lambda item: (item[0], item[1].url_path))
    return moments


def plan_site(site: SampleSite, plans: list[tuple[ColumnPlan, str]], articles: int | None,
              seconds: bool = False) -> tuple[random.Random, list[tuple[datetime, SampleColumn]]]:
    """The site's planning rng and its columns' publication moments (planned_columns); plans pair a plan with
    its list URL; seconds: moments get a random second (sites that show them)."""
    rng = random.Random(f"{site.seed}:{site.site_id}:plan")
    touch = (lambda moment: moment.replace(second=rng.randrange(60))) if seconds else (lambda moment: moment)
    urls = [url for _, url in plans]
    return rng, planned_columns(site.columns, rng, [plan for plan, _ in plans], urls, articles, site.reference_date,
                                touch)


def _at_office_hours(rng: random.Random, day: date) -> datetime:
    """A datetime on the given day between 08:00 and 17:59."""
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.randrange(60))


def newest_date(reference: date, days: int) -> date:
    """The newest publication day of a column."""
    return reference - timedelta(days=days)


def truncate(title: str, limit: int, ellipsis: str) -> str:
    """List-page text of a title: cut at limit characters with an ellipsis."""
    return title if len(title) <= limit else title[:limit] + ellipsis
