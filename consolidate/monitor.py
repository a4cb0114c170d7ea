"""After cutover: request every legacy URL of the URL map and its new home, and classify what answers."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from sqlalchemy import delete, select

from consolidate.core.store import EventRow, UrlMapRow
from consolidate.core.workspace import Workspace
from crawlers.fetch import Pins, open_client, parse_pins, wire_url
from crawlers.urls import canonical_url

CATEGORIES = ("ok", "still_serving", "wrong", "broken", "unreachable", "unmapped")
LEVELS = {"still_serving": "error", "wrong": "error", "broken": "error", "unreachable": "warning",
          "unmapped": "warning"}
USER_AGENT = "consolidate-monitor/0.1 (cutover check)"


@dataclass
class Probe:
    """What one URL answered (without following redirects)."""

    status: int | None
    location: str | None = None
    error: str | None = None


@dataclass
class MonitorResult:
    """One site's monitor run: a row per legacy URL and the counts per category."""

    site_id: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    nothing_to_check: str | None = None  # why no URL was checked (no URL map yet), else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"site": self.site_id, "checked": len(self.rows),
                "counts": {c: self.counts.get(c, 0) for c in CATEGORIES},
                "problems": [r for r in self.rows if r["category"] != "ok"], "nothing_to_check": self.nothing_to_check}


def no_url_map(site_id: str, exporter: str) -> str:
    """Why a site has nothing to check: the URL map monitor reads is not written yet."""
    return (f"no URL map yet, so nothing to check: the map of old URLs to their new addresses is written by "
            f"`consolidate push {site_id}` into the configured exporter ({exporter}; a side export with --exporter "
            f"leaves it as it was) and amended by `consolidate redirects {site_id} --import`; monitor checks the old "
            f"URLs against it after the cutover")


class _Prober:
    """Requests URLs with bounded concurrency and a timeout, caching each URL's answer."""

    def __init__(self, client: aiohttp.ClientSession, concurrency: int, timeout: float) -> None:
        self.client = client
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.limit = asyncio.Semaphore(concurrency)
        self.cache: dict[tuple[str, bool], asyncio.Task[Probe]] = {}

    def probe(self, url: str, follow: bool = False) -> asyncio.Task[Probe]:
        """The (shared) request of a URL."""
        key = (url, follow)
        if key not in self.cache:
            self.cache[key] = asyncio.ensure_future(self._fetch(url, follow))
        return self.cache[key]

    async def _fetch(self, url: str, follow: bool) -> Probe:
        """GET the URL, reading no more than the headers."""
        if canonical_url(url) is None:
            return Probe(None, error="not an http(s) URL")
        async with self.limit:
            try:
                async with self.client.get(wire_url(url), allow_redirects=follow, timeout=self.timeout,
                                           headers={"User-Agent": USER_AGENT}) as response:
                    return Probe(response.status, response.headers.get("location"))
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                return Probe(None, error=f"{type(exc).__name__}: {exc}".rstrip(": "))


def classify(row: UrlMapRow, old: Probe, new: Probe | None) -> tuple[str, str]:
    """(category, detail) for one URL-map row given what the old and new URLs answered."""
    if old.status is None:
        return "unreachable", old.error or "no answer"
    if old.status == 200:
        return "still_serving", "old URL still answers 200"
    if row.status == "301":
        if old.status != 301:
            return "wrong", f"expected 301, got {old.status}"
        location = canonical_url(old.location or "", row.old_url)
        if location is None or location != canonical_url(row.new_url or ""):
            return "wrong", f"redirects to {old.location or '(no Location)'}, mapped {row.new_url}"
        if new is None or new.status != 200:
            answer = new.error if new is not None and new.status is None else (new.status if new else "nothing")
            return "broken", f"new URL answers {answer}"
        return "ok", "301 to the mapped URL, which answers 200"
    if row.status == "410":
        if old.status == 410:
            return "ok", "410 gone"
        return "wrong", f"expected 410, got {old.status}" + (f" → {old.location}" if old.location else "")
    return "unmapped", f"no decision for this URL; it answers {old.status}"


async def _check_rows(rows: list[UrlMapRow], concurrency: int, timeout: float, pins: Pins,
                      progress: Callable[[int, int], None] | None = None
                      ) -> list[tuple[UrlMapRow, Probe, Probe | None]]:
    """Probe every old URL and every mapped new URL, pinned host names at their configured addresses."""
    async with open_client(concurrency, pins) as client:
        prober = _Prober(client, concurrency, timeout)

        done = [0]

        async def one(row: UrlMapRow) -> tuple[UrlMapRow, Probe, Probe | None]:
            new_task = prober.probe(row.new_url, follow=True) if row.status == "301" and row.new_url else None
            old = await prober.probe(row.old_url)
            new = await new_task if new_task is not None else None
            done[0] += 1
            if progress is not None:
                progress(done[0], len(rows))
            return row, old, new

        return list(await asyncio.gather(*(one(row) for row in rows)))


def monitor_site(ws: Workspace, site_id: str, concurrency: int = 8, timeout: float = 10.0,
                 limit: int | None = None, progress: Callable[[int, int], None] | None = None) -> MonitorResult:
    """Check a site's URL map against what the old and new servers answer, reaching host names crawl.resolve pins
    where the crawl reaches them; record problems as events (`progress(done, total)` as each old URL is checked).
    A site without a URL map has nothing to check, and its result says why."""
    site = ws.site(site_id)
    pins = parse_pins(ws.config.crawl_settings(site).resolve)
    with ws.store.session() as session:
        query = select(UrlMapRow).where(UrlMapRow.site_id == site.id).order_by(UrlMapRow.id)
        rows = list(session.scalars(query.limit(limit) if limit else query).all())
    checked = asyncio.run(_check_rows(rows, max(1, concurrency), timeout, pins, progress)) if rows else []
    result = MonitorResult(site.id, nothing_to_check=None if rows else no_url_map(site.id, ws.config.export.exporter))
    for row, old, new in checked:
        category, detail = classify(row, old, new)
        result.counts[category] += 1
        result.rows.append({"old_url": row.old_url, "new_url": row.new_url, "expected": row.status,
                            "old_status": old.status, "location": old.location,
                            "new_status": new.status if new else None, "category": category, "detail": detail})
    _record_events(ws, result)
    return result


def _record_events(ws: Workspace, result: MonitorResult) -> None:
    """Replace the site's previous monitor events with this run's problems and a summary."""
    summary = ", ".join(f"{c} {result.counts[c]}" for c in CATEGORIES if result.counts.get(c))
    with ws.store.session() as session:
        session.execute(delete(EventRow).where(EventRow.site_id == result.site_id, EventRow.stage == "monitor"))
        session.add_all(EventRow(site_id=result.site_id, stage="monitor", level=LEVELS[r["category"]],
                                 code=r["category"], message=r["detail"], url=r["old_url"])
                        for r in result.rows if r["category"] != "ok")
        session.add(EventRow(site_id=result.site_id, stage="monitor", level="warning" if result.nothing_to_check
                             else "info", code="monitor_summary", message=f"{len(result.rows)} legacy URLs checked: "
                             f"{summary or result.nothing_to_check or 'nothing to check'}"))
