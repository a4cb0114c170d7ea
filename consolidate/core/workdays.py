"""Working days and calendar months: deadlines of the shutdown checklist and of letter replies."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """Monday to Friday and not a listed holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The date `days` working days after `start` (before it when negative); `start` itself is not counted."""
    off = set(holidays)
    step = 1 if days >= 0 else -1
    current, left = start, abs(days)
    while left:
        current += dt.timedelta(days=step)
        if is_working_day(current, off):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] = ()) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    off = set(holidays)
    low, high, sign = (start, end, 1) if end >= start else (end, start, -1)
    count = sum(1 for n in range(1, (high - low).days + 1) if is_working_day(low + dt.timedelta(days=n), off))
    return sign * count


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
