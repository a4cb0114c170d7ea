"""Legacy publish times are Beijing wall-clock times: turn them into instants and instants back into them.

Legacy Chinese government CMSs print local time without a zone; every one of them runs on Beijing time
(UTC+8, no daylight saving), so a stored `published` like '2026-05-18T16:01:00' is 08:01 UTC. Targets that
store instants (WordPress's `date_gmt`) are compared with the legacy time through these functions.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEGACY_ZONE_NAME = "Asia/Shanghai"
LEGACY_ZONE = ZoneInfo(LEGACY_ZONE_NAME)
LEGACY_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.I)


def zone(name: str) -> ZoneInfo:
    """The IANA zone of a name, or ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as {LEGACY_ZONE_NAME})") from None


def legacy_instant(text: str | None) -> dt.datetime | None:
    """The aware moment of a legacy date string (Beijing wall time; a bare date is its midnight); None if unreadable."""
    match = LEGACY_DATE.match((text or "").strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=LEGACY_ZONE)
    except ValueError:
        return None


def legacy_wall_time(stored: str | None) -> str | None:
    """An ISO date-time as Beijing wall time 'YYYY-MM-DDTHH:MM:SS'; a value without offset is taken as it is."""
    text = (stored or "").strip().replace(" ", "T")
    if not text:
        return None
    if not OFFSET.search(text):
        return text
    try:
        moment = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(LEGACY_ZONE).strftime("%Y-%m-%dT%H:%M:%S")


def same_legacy_moment(stored: str | None, original: str) -> bool:
    """True when a target's date is the legacy time (to the precision the legacy value has)."""
    local = legacy_wall_time(stored)
    if not local:
        return False
    original = original.strip().replace(" ", "T")
    if len(original) == 10:
        return local[:10] == original
    return local[:19] == original[:19]


def display_time(published: str | None) -> str | None:
    """A legacy date as a reader reads it: '2026-08-02 13:09', or '2026-08-02' for a bare date."""
    moment = legacy_instant(published)
    if moment is None:
        return published
    return moment.strftime("%Y-%m-%d %H:%M" if len((published or "").strip()) > 10 else "%Y-%m-%d")
