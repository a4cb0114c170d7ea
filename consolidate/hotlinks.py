"""Images and files a pushed body still takes from another server (hotlinks), named per page.

A body's image or file on the site's own host names (any port) is fetched by the crawl and re-hosted, or taken out
with a message (consolidate/push.py). What is left pointing elsewhere keeps working only while that server serves
it: on a legacy host of the programme that is shut down at cutover (this site's or a sibling's) it breaks for sure,
so it is a warning the checklist counts; on any other host it is said once per page, for the office to judge.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import func, select

from consolidate.core.config import Config
from consolidate.core.errors import UsageError
from consolidate.core.store import ChecklistStep, EventRow
from consolidate.core.workspace import Workspace
from consolidate.wording import counted

LEGACY_HOTLINK = "legacy_hotlink"  # taken from a server of the programme that goes at cutover
EXTERNAL_HOTLINK = "external_hotlink"  # taken from a server outside the programme (or one that stays)
HOTLINK_CODES = (LEGACY_HOTLINK, EXTERNAL_HOTLINK)
SHOWN = 5  # addresses named in one message; the rest are counted
HOTLINKS_ACCEPTED = "legacy_hotlinks_accepted"  # the office's acknowledgement, kept beside the steps' evidence


def host_name(url: str) -> str:
    """The host name of a URL or a bare host[:port], lower-cased, without port."""
    return (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()


def legacy_hosts(config: Config) -> set[str]:
    """Host names (any port) of the programme's sites that go at cutover: every site but a retained one, minus
    the portal's own host."""
    names = {host_name(u) for site in config.sites if site.disposition != "retain"
             for u in (site.home_url, *site.aliases)}
    return names - {host_name(config.portal.base_url)} - {""}


def hotlink_messages(kept: list[str], legacy: set[str]) -> list[tuple[str, str, str, int]]:
    """(level, code, message, count) for the images and files a body keeps taking from other servers: one for
    those on legacy hosts (warning), one for the others (info); none when there are none."""
    links = list(dict.fromkeys(kept))
    old = [u for u in links if host_name(u) in legacy]
    other = [u for u in links if host_name(u) not in legacy]
    found = []
    if old:
        found.append(("warning", LEGACY_HOTLINK, f"{_count(old)} still taken from a legacy server that is shut down "
                      f"at cutover (the crawl did not carry {_them(old)}): copy {_them(old)} to the portal by hand, "
                      f"or add the host to the site's aliases and crawl again: {_named(old)}", len(old)))
    if other:
        found.append(("info", EXTERNAL_HOTLINK, f"{_count(other)} still taken from another site, not migrated "
                      f"(shown only while that site serves {_them(other)}): {_named(other)}", len(other)))
    return found


def _count(links: list[str]) -> str:
    """'1 image or file' / '3 images or files'."""
    return "1 image or file" if len(links) == 1 else f"{len(links)} images or files"


def _them(links: list[str]) -> str:
    """'it' or 'them'."""
    return "it" if len(links) == 1 else "them"


def _named(links: list[str]) -> str:
    """The first addresses, and how many more."""
    more = len(links) - SHOWN
    return ", ".join(links[:SHOWN]) + (f" (and {more} more)" if more > 0 else "")


def legacy_hotlink_pages(ws: Workspace, site_id: str) -> int:
    """Pages whose pushed body still takes an image or file from a legacy server (the last push's judgement: the
    messages are re-judged at every push of the article)."""
    with ws.store.session() as session:
        return session.scalar(select(func.count(func.distinct(EventRow.url))).where(
            EventRow.site_id == site_id, EventRow.stage == "push", EventRow.code == LEGACY_HOTLINK)) or 0


def accepted_hotlinks(step: ChecklistStep | None) -> int | None:
    """How many such pages the office acknowledged (from its evidence row, 'N pages: REF'); None when it has not."""
    return None if step is None else step.acknowledged()


def hotlink_blockers(ws: Workspace, site_id: str, accepted: ChecklistStep | None) -> list[str]:
    """The content_migrated blocker for pages still taking files from a legacy server, until acknowledged (a later
    push that finds more names them again)."""
    pages = legacy_hotlink_pages(ws, site_id)
    done = accepted_hotlinks(accepted)
    if not pages or (done is not None and done >= pages):
        return []
    return [f"{counted(pages, 'page')} still {'takes' if pages == 1 else 'take'} images or files from a legacy server that is shut down at cutover "
            f"(they break then): `consolidate messages {site_id} --stage push` names them (legacy_hotlink); copy "
            f"them to the portal by hand, or add the host to the site's aliases and crawl again, then acknowledge "
            f"with consolidate.hotlinks.accept_hotlinks"]


def accept_hotlinks(ws: Workspace, site_id: str, done_on: dt.date, ref: str) -> int:
    """Record the office's acknowledgement of the pages counted now (how many: returned)."""
    pages = legacy_hotlink_pages(ws, site_id)
    if not pages:
        raise UsageError(f"{site_id}: no pushed page takes images or files from a legacy server; nothing to "
                         "acknowledge", hint=f"see `consolidate messages {site_id} --stage push`")
    with ws.store.session() as session:
        ChecklistStep.record(session, site_id, HOTLINKS_ACCEPTED, done_on, f"{pages} pages: {ref}")
    return pages
