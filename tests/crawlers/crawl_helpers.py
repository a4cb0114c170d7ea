"""Helpers shared by the crawler tests: a store, a site and settings for a local test server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from consolidate.core.config import CrawlSettings, Site
from consolidate.core.store import EventRow, Resource, Store
from crawlers.crawler import CrawlSummary, SiteCrawler


def local_site(url: str, site_id: str = "faulty") -> Site:
    """A configured legacy site at a local URL."""
    return Site(id=site_id, name="测试站", home_url=url, organiser="测试单位", disposition="migrate")


def fast_settings(**overrides: object) -> CrawlSettings:
    """Crawl settings without politeness delays (our own local servers)."""
    values: dict[str, object] = {"rate_per_host": 500.0, "concurrency_per_host": 4, "timeout": 0.5, "retries": 2}
    values.update(overrides)
    return CrawlSettings.model_validate(values)


def open_store(directory: Path) -> Store:
    """A fresh SQLite store in a directory."""
    directory.mkdir(parents=True, exist_ok=True)
    return Store(f"sqlite:///{directory / 'state.db'}")


def crawl(store: Store, site: Site, settings: CrawlSettings, workspace: Path, **kwargs: object) -> CrawlSummary:
    """Run one SiteCrawler to the end."""
    return asyncio.run(SiteCrawler(store, site, settings, workspace, **kwargs).run())  # type: ignore[arg-type]


def resources_by_path(store: Store, site_id: str) -> dict[str, Resource]:
    """The site's resources keyed by URL path (+query)."""
    with store.session() as session:
        rows = session.scalars(select(Resource).where(Resource.site_id == site_id)).all()
    out = {}
    for row in rows:
        path = "/" + row.url.split("/", 3)[3] if row.url.count("/") >= 3 else "/"
        out[path] = row
    return out


def event_urls(store: Store, site_id: str, level: str | None = None) -> set[str]:
    """URLs that have at least one event (optionally of one level)."""
    query = select(EventRow.url).where(EventRow.site_id == site_id)
    if level:
        query = query.where(EventRow.level == level)
    with store.session() as session:
        return {u for u in session.scalars(query) if u}


def shortcut_answers(shortcut: Callable[[str, str], str | None], exact: Callable[[str, str], str],
                     bases: list[str], hrefs: list[str]) -> int:
    """How many (base, href) pairs a URL-join shortcut answers (hrefs stripped; empty and `#…` ones never asked),
    each answer asserted equal to the exact join's."""
    answered = 0
    for base in bases:
        for href in (h.strip() for h in hrefs):
            got = shortcut(href, base) if href and not href.startswith("#") else None
            if got is not None:
                answered += 1
                assert got == exact(href, base), (base, href)
    return answered
