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
from consolidate.ledger import primary_target
from consolidate.push import column_key, portal_index
from consolidate.readiness import in_target
from consolidate.redirects import RedirectCounts, count_redirects, load_redirects

KINDS = ("notice", "moved")
# What a notice may say old links do after the shutdown, from the URL map as it stands when it is written: every
# legacy URL redirects ('all'); each redirects or is gone, 410 ('decided'); every one is gone ('gone'); or the map
# is not finished — no map yet, or URLs still unresolved — and no redirect is promised ('pending'). The notice
# hangs on the homepage for 30 days as written: it never promises more than the map holds. Nor more than the
# portal holds: with no article of the site in its target (never pushed, or rolled back) the notice and the moved
# page say no content is on the new site yet and promise no redirect ('none'), and the CLI says so.
PROMISES = ("all", "decided", "gone", "pending", "none")


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


def link_promise(ws: Workspace, site_id: str) -> tuple[str, RedirectCounts | None]:
    """One of PROMISES for the site, with the URL map's counts (None: no map yet)."""
    try:
        counts = count_redirects(load_redirects(ws, site_id))
    except ConsolidateError:  # no URL map yet: nothing is decided
        return "pending", None
    if counts.unresolved or not (counts.moved or counts.gone):
        return "pending", counts
    if not counts.gone:
        return "all", counts
    return ("decided" if counts.moved else "gone"), counts


def migrated_articles(ws: Workspace, site_id: str) -> tuple[int, str | None]:
    """(how many of the site's articles its target holds, that target): the configured exporter's, else the last
    one pushed; (0, None) when the site was never pushed."""
    target = primary_target(ws, site_id)
    return (in_target(ws, site_id, target, "article") if target else 0), target


def notice_warning(ws: Workspace, site_id: str) -> str | None:
    """The office's notes on a notice, one a line (None when there are none): the 主办单位 it leaves out while the
    config does not name it, and what it cannot promise (redirects, content on the new site) with what would let
    it."""
    notes = [note for note in (_organiser_warning(ws, site_id), _promise_warning(ws, site_id)) if note]
    return "\n".join(notes) or None


def _organiser_warning(ws: Workspace, site_id: str) -> str | None:
    """A line when the site's 主办单位 is unknown (empty in the config): the notice names no organiser and is not
    signed by one."""
    if ws.site(site_id).organiser:
        return None
    return (f"{site_id}: 主办单位 (organiser) unknown, so the notice names none and is signed with the date only — "
            f"fill in sites[].organiser in {ws.loaded.path.name} and write the notice again")


def _promise_warning(ws: Workspace, site_id: str) -> str | None:
    """A line for the office when the notice cannot promise that old links redirect or that content is on the new
    site (None when it does or need not), saying what would let it."""
    articles, target = migrated_articles(ws, site_id)
    promise, counts = link_promise(ws, site_id)
    if not articles and promise != "gone":  # every old page gone (a closing site): nothing was to move
        where = f"no article of it is in {target} (rolled back?)" if target else "nothing of it has been pushed yet"
        return (f"{site_id}: {'no URL map yet and ' if counts is None else ''}{where}, so the notice promises no "
                "migrated content and no redirects (it says the content is not on the new site yet and redirects "
                f"are being arranged) — `consolidate push {site_id}`, check it with `consolidate verify {site_id}`, "
                "and write the notice again")
    if promise != "pending":
        return None
    if counts is None:
        return (f"{site_id}: no URL map yet, so the notice promises no redirects (it says they are being arranged "
                f"and some old links may stop working) — `consolidate push {site_id}`, decide the URLs, and write "
                "the notice again")
    return (f"{site_id}: {counts.text()} — the notice promises no redirects (it says they are being arranged and "
            f"some old links may stop working); decide them (`consolidate redirects {site_id} -o FILE.csv`, edit, "
            f"`--import FILE.csv`) and write the notice again")


def notice_context(ws: Workspace, site_id: str, dates: NoticeDates | None = None,
                   archive_url: str | None = None) -> dict[str, Any]:
    """Everything the notice templates show."""
    site = ws.site(site_id)
    url, name = new_site(ws, site)
    migrated = migrated_articles(ws, site_id)[0]
    promise = link_promise(ws, site_id)[0]
    return {"site": site, "programme": ws.config.programme, "portal": ws.config.portal, "new_url": url,
            "new_name": name, "dates": dates, "days": ws.config.programme.notice_period_days,
            "archive_url": archive_url, "contact": site.contact, "migrated": migrated,
            "links": promise if migrated or promise == "gone" else "none"}


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
