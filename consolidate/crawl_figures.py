"""What a site's failed URLs are, from the store: by cause (an HTTP status, a timeout, a refused address …) and,
within a cause, by what the URL was (images, files, list pages, articles, pages); and, for the office's report, by
kind of problem (PROBLEMS: dead images, dead attachments, dead pages, server errors, robots.txt, other).

A legacy site loses images and attachments over the years; its pages still link to them, and the crawl meets a
404 for each. An office that reads "456 errors" takes the crawl for broken. Broken down ("440 × 404 (412 images,
20 files, 8 pages; gone from the legacy site), 16 timeouts") it reads what it is: the old site's own dead links,
and the few failures that are the crawl's trouble.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from consolidate.core.store import Resource
from consolidate.core.workspace import Workspace

GONE = (404, 410)  # the legacy site no longer has the URL: its own dead link, not the crawl's trouble
# The report's kinds of crawl problem, in its order; every failed URL is one of them, so they add up to the errors.
PROBLEMS = ("dead_images", "dead_attachments", "dead_pages", "server_errors", "robots", "other")
DEAD = {"image": "dead_images", "file": "dead_attachments"}  # a gone URL by its kind; any other kind: a dead page
KIND_WORDS = {"image": ("image", "images"), "file": ("file", "files"), "list": ("list page", "list pages"),
              "article": ("article", "articles"), "page": ("page", "pages")}  # a part or any other kind: a page
SAME_KIND = {"attachment": "file"}  # an attachment is a file to the reader
# (cause, how its message starts) for failures without an HTTP error status; a timeout is any message naming one
CAUSES = (("refused", ("refused:",)),  # a private address the crawl will not fetch (not "Connection refused")
          ("redirect loop", ("too many redirects",)),
          ("not processed", ("could not process", "could not store")))
CAUSE_WORDS = {"timeout": ("timeout", "timeouts"), "refused": ("refused address", "refused addresses"),
               "robots": ("URL not fetched: robots.txt unreachable", "URLs not fetched: robots.txt unreachable"),
               "redirect loop": ("redirect loop", "redirect loops"),
               "not processed": ("URL not processed", "URLs not processed"),
               "unreadable": ("unreadable response", "unreadable responses"),
               "connection": ("connection failure", "connection failures")}


@dataclass
class ErrorGroup:
    """Failed URLs of one cause: an HTTP status ('404') or a failure without one ('timeout'), with how many
    were images, files and pages."""

    cause: str
    http_status: int | None
    count: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # image / file / page → URLs

    def as_dict(self) -> dict[str, Any]:
        """The group for --json output."""
        return {"cause": self.cause, "http_status": self.http_status, "count": self.count, "kinds": self.kinds}


def error_cause(http_status: int | None, error: str | None) -> str:
    """The cause of a failed URL: its HTTP error status, else the class of its error message."""
    if http_status is not None and http_status >= 400:
        return str(http_status)
    text = (error or "").lower()
    if text.startswith("robots.txt"):  # unreachable robots.txt: nothing fetched (RFC 9309), whatever the reason
        return "robots"
    if "timeout" in text or text.startswith("too slow"):
        return "timeout"
    for cause, starts in CAUSES:
        if text.startswith(starts):
            return cause
    return "unreadable" if http_status is not None else "connection"


def url_kind(kind: str | None) -> str:
    """What a resource was, as a reader counts it: image, file, list (page), article or page."""
    kind = SAME_KIND.get(kind or "", kind or "")
    return kind if kind in KIND_WORDS else "page"


def crawl_errors(ws: Workspace, site_id: str) -> list[ErrorGroup]:
    """The site's failed URLs by cause, largest cause first (kinds likewise): what the store holds now, every run
    included (a URL that failed once and was fetched later is not counted)."""
    with ws.store.session() as session:
        rows = session.execute(select(Resource.http_status, Resource.error, Resource.kind, func.count())
                               .where(Resource.site_id == site_id, Resource.status == "error")
                               .group_by(Resource.http_status, Resource.error, Resource.kind)).all()
    groups: dict[str, ErrorGroup] = {}
    kinds: dict[str, Counter[str]] = {}
    for http_status, error, kind, count in rows:
        cause = error_cause(http_status, error)
        group = groups.setdefault(cause, ErrorGroup(cause, http_status if cause.isdigit() else None))
        group.count += count
        kinds.setdefault(cause, Counter())[url_kind(kind)] += count
    for cause, group in groups.items():
        group.kinds = dict(kinds[cause].most_common())
    return sorted(groups.values(), key=lambda g: (-g.count, g.cause))


def describe_errors(groups: list[ErrorGroup]) -> str:
    """Failed URLs in a few words: '440 × 404 (412 images, 20 files, 8 pages; gone from the legacy site),
    16 timeouts (16 pages)'."""
    return ", ".join(_describe_group(group) for group in groups)


def _describe_group(group: ErrorGroup) -> str:
    """One cause: its count, and its kinds in brackets."""
    kinds = ", ".join(_counted(n, KIND_WORDS[kind]) for kind, n in group.kinds.items())
    if group.http_status is not None:
        gone = "; gone from the legacy site" if group.http_status in GONE else ""
        return f"{group.count} × {group.http_status} ({kinds}{gone})"
    return f"{_counted(group.count, CAUSE_WORDS.get(group.cause, (group.cause, group.cause)))} ({kinds})"


def _counted(count: int, words: tuple[str, str]) -> str:
    """'1 image' / '3 images'."""
    return f"{count} {words[0] if count == 1 else words[1]}"


@dataclass
class CrawlProblems:
    """A site's failed URLs per kind of problem (every one of PROBLEMS, zeros included: they add up to the
    site's crawl errors), and each kind's causes ('404', '503', 'timeout' …) with their counts."""

    counts: dict[str, int]
    causes: dict[str, dict[str, int]]
    dead_pages: dict[str, int] = field(default_factory=dict)  # the dead pages per kind: list / article / page

    @property
    def total(self) -> int:
        """Every failed URL."""
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        """The breakdown for --json output."""
        return {"counts": self.counts, "causes": self.causes, "dead_pages": self.dead_pages}


def problem_kind(group: ErrorGroup, kind: str) -> str:
    """The kind of problem (one of PROBLEMS) of a failed URL of the group's cause and the URL kind."""
    if group.http_status in GONE:
        return DEAD.get(kind, "dead_pages")
    if group.http_status is not None and group.http_status >= 500:
        return "server_errors"
    return "robots" if group.cause == "robots" else "other"


def crawl_problems(groups: list[ErrorGroup]) -> CrawlProblems:
    """The failed URLs of crawl_errors' groups per kind of problem, with the causes of each."""
    counts = dict.fromkeys(PROBLEMS, 0)
    causes: dict[str, Counter[str]] = {}
    pages: Counter[str] = Counter()
    for group in groups:
        for kind, n in group.kinds.items():
            problem = problem_kind(group, kind)
            counts[problem] += n
            causes.setdefault(problem, Counter())[group.cause] += n
            pages[kind] += n if problem == "dead_pages" else 0
    return CrawlProblems(counts, {p: dict(causes[p].most_common()) for p in PROBLEMS if p in causes},
                         {kind: n for kind, n in pages.most_common() if n})
