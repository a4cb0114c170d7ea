"""The 关停公示 notice for a legacy homepage, and the branded "this site has moved" (410) page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select

from consolidate.checklist import recorded_steps
from consolidate.core.config import Site
from consolidate.core.errors import ConsolidateError, UsageError
from consolidate.core.store import PushRecord
from consolidate.core.workspace import Workspace, require_crawled
from consolidate.push import column_key, portal_index

KINDS = ("notice", "moved")


@dataclass
class NoticeDates:
    """When the notice goes up, when it may come down, and when the site shuts."""

    start: dt.date
    end: dt.date
    shutdown: dt.date


def _environment() -> Environment:
    """Jinja2 environment over consolidate/templates."""
    return Environment(loader=PackageLoader("consolidate", "templates"), autoescape=select_autoescape(["html"]),
                       keep_trailing_newline=True)


def new_site(ws: Workspace, site: Site) -> tuple[str, str]:
    """(URL, name) of the site's new home: its portal sub-site, or the portal column it merges into."""
    portal = ws.config.portal
    base = portal.base_url.rstrip("/") + "/"
    if site.target.subsite:
        sub = next(s for s in portal.subsites if s.id == site.target.subsite)
        return f"{base}{sub.path}/", f"{portal.name} · {sub.name}"
    if site.target.column:
        info = portal_index(ws.config)[site.target.column]
        with ws.store.session() as session:
            url = session.scalar(select(PushRecord.target_url).where(PushRecord.source_key == column_key(info),
                                                                     PushRecord.target_url.is_not(None)).limit(1))
        return url or base, f"{portal.name} · {' > '.join(info.names)}"
    return base, portal.name


def notice_dates(ws: Workspace, site: Site, start: dt.date | None = None, end: dt.date | None = None,
                 shutdown: dt.date | None = None) -> NoticeDates:
    """Dates from the options, else recorded evidence, else configured deadlines; the period is never short."""
    days = ws.config.programme.notice_period_days
    recorded = recorded_steps(ws, site.id).get("notice_posted")
    start = start or (recorded.done_on if recorded else None) or site.deadlines.notice_start \
        or ws.config.programme.deadlines.notice_start
    if start is None:
        raise ConsolidateError(f"{site.id}: no notice start date is known",
                               hint="give --start YYYY-MM-DD, record notice_posted, or set deadlines.notice_start")
    minimum_end = start + dt.timedelta(days=days)
    end = end or minimum_end
    if end < minimum_end:
        raise ConsolidateError(f"{site.id}: the notice would end on {end}, before the {days}-day notice period "
                               f"is over ({minimum_end})", hint=f"end the notice on {minimum_end} or later")
    shutdown = shutdown or end + dt.timedelta(days=1)
    if shutdown <= end:
        raise ConsolidateError(f"{site.id}: shutdown on {shutdown} is not after the notice ends ({end})",
                               hint="shut the site down after the notice period")
    return NoticeDates(start, end, shutdown)


def notice_context(ws: Workspace, site_id: str, dates: NoticeDates | None = None,
                   archive_url: str | None = None) -> dict[str, Any]:
    """Everything the notice templates show."""
    site = ws.site(site_id)
    url, name = new_site(ws, site)
    return {"site": site, "programme": ws.config.programme, "portal": ws.config.portal, "new_url": url,
            "new_name": name, "dates": dates, "days": ws.config.programme.notice_period_days,
            "archive_url": archive_url, "contact": site.contact}


def notice_refusal(ws: Workspace, site_id: str) -> ConsolidateError | None:
    """Why the site gets no notice (never crawled, home page not fetched, or retained: it does not shut), else
    None; the error carries what to run first."""
    site = ws.site(site_id)
    if site.disposition == "retain":
        return ConsolidateError(f"site {site_id!r} is retained: it gets no shutdown notice",
                                hint=f"change its disposition in {ws.loaded.path.name} if it is to close")
    try:
        require_crawled(ws, site_id)
    except ConsolidateError as exc:
        return exc
    return None


def render_notice(ws: Workspace, site_id: str, kind: str = "notice", start: dt.date | None = None,
                  end: dt.date | None = None, shutdown: dt.date | None = None,
                  archive_url: str | None = None) -> str:
    """The notice page (kind 'notice') or the "this site has moved" page (kind 'moved') as HTML."""
    if kind not in KINDS:
        raise UsageError(f"unknown notice kind {kind!r}", hint=f"use one of: {', '.join(KINDS)}")
    refusal = notice_refusal(ws, site_id)
    if refusal is not None:
        raise refusal
    site = ws.site(site_id)
    dates = notice_dates(ws, site, start, end, shutdown) if kind == "notice" else None
    context = notice_context(ws, site_id, dates, archive_url)
    return _environment().get_template(f"{kind}.html").render(**context)
