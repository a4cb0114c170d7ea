"""HTTP facts shared by the crawler and the exporters (standard library only)."""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import time


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date, never negative); None when the
    header is absent or unreadable. Callers cap it."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, time.time() if now is None else now)
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _seconds_until(date: str, now: float) -> float | None:
    """Seconds from `now` to an HTTP date (0 when it is past), None when it is no date."""
    try:
        when = email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # '-0000': UTC, origin unknown (RFC 5322)
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)
