"""National inspection rules (2019 indicators) on a crawled legacy site: findings with the veto each would trigger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from consolidate.core.config import AuditSettings

VETO_EMPTY = "空白栏目"
VETO_STALE = "栏目不更新"
VETO_HOME = "首页不更新"
VETO_SERIOUS = "严重问题"
VETO_RESPONSE = "互动回应差"


VETO_STALE_KINDS = ("news", "notice", "policy")


class PageFacts(Protocol):
    """What the audit reads of one page's defects (crawlers.defects.PageDefects is one)."""

    url: str
    spam: list[str]
    scripts: list[str]


@dataclass
class ColumnFacts:
    """What the audit needs of a legacy column."""

    path: str
    url: str | None
    kind: str | None
    listed_items: int
    articles: int
    last_published: str | None  # its newest article or interaction record
    container: bool = False
    records: int = 0  # interaction records its pages show (letters…): content as much as articles


def finding(site: str, rule: str, severity: str, veto: str | None, message: str, **evidence: Any) -> dict[str, Any]:
    """One finding in the shape the report reads: site, rule, veto, severity, message, evidence."""
    return {"site": site, "rule": rule, "veto": veto, "severity": severity, "message": message,
            "evidence": {k: v for k, v in evidence.items() if v is not None}}


def days_idle(last_published: str | None, as_of: dt.date) -> int | None:
    """Days between a column's newest item and the audit date (None without a date)."""
    if not last_published:
        return None
    try:
        newest = dt.date.fromisoformat(last_published[:10])
    except ValueError:
        return None
    return (as_of - newest).days


def is_stale(kind: str | None, last_published: str | None, as_of: dt.date, settings: AuditSettings) -> bool:
    """True when a column of this kind has gone longer than its limit without a new item."""
    limit = settings.stale_days.get(kind or "")
    idle = days_idle(last_published, as_of)
    return limit is not None and idle is not None and idle > limit


def column_findings(site: str, columns: list[ColumnFacts], as_of: dt.date, settings: AuditSettings
                    ) -> list[dict[str, Any]]:
    """Empty columns (空白栏目) and stale columns (栏目不更新), with vetoes once their counts reach the limits."""
    empty = [c for c in columns if not c.container and c.articles == 0 and c.listed_items == 0 and not c.records]
    stale = [c for c in columns if not c.container and (c.articles or c.records) and
             is_stale(c.kind, c.last_published, as_of, settings)]
    stale_veto_count = sum(1 for c in stale if c.kind in VETO_STALE_KINDS)
    found = []
    empty_severity = "veto" if len(empty) >= settings.empty_veto else "warning"
    for column in empty:
        found.append(finding(site, "empty_column", empty_severity, VETO_EMPTY,
                             f"empty column (空白栏目): {column.path} never had an item "
                             f"({len(empty)} on the site; the veto needs ≥ {settings.empty_veto})",
                             url=column.url, column=column.path, count=len(empty)))
    for column in stale:
        severity = "veto" if column.kind in VETO_STALE_KINDS and stale_veto_count >= settings.stale_veto \
            else "warning"
        idle = days_idle(column.last_published, as_of)
        limit = settings.stale_days.get(column.kind or "")
        found.append(finding(site, "stale_column", severity, VETO_STALE,
                             f"stale {column.kind} column (栏目不更新): {column.path} idle {idle} days "
                             f"(limit {limit})", url=column.url, column=column.path,
                             date=(column.last_published or "")[:10], days=idle, count=len(stale)))
    return found


def homepage_finding(site: str, home_url: str, dates: list[str | None], as_of: dt.date, settings: AuditSettings
                     ) -> dict[str, Any] | None:
    """首页不更新: the newest dated item linked from the home page is older than the limit (undated count as old)."""
    dated = sorted((d for d in dates if d), reverse=True)
    newest = dated[0] if dated else None
    idle = days_idle(newest, as_of)
    if idle is not None and idle <= settings.homepage_days:
        return None
    message = (f"home page not updated (首页不更新): newest linked item {newest[:10]}, {idle} days before "
               f"{as_of}" if newest else "home page not updated (首页不更新): no dated item linked from it")
    return finding(site, "homepage_stale", "veto", VETO_HOME, message, url=home_url,
                   date=newest[:10] if newest else None, days=idle, count=len(dates))


def undated_findings(site: str, urls: list[str]) -> list[dict[str, Any]]:
    """Items without a publish date (they count as not updated)."""
    return [finding(site, "undated_item", "warning", None, "item without a publish date (发布日期缺失)",
                    url=url, count=len(urls)) for url in urls]


def letter_findings(site: str, letters: list[tuple[str, str, int | None, str | None]]) -> list[dict[str, Any]]:
    """Interaction records judged by the national rule: (url, kind, working days, handling unit); kind
    `veto_unanswered` (a question unanswered over 3 months in the past year: 互动回应差) or `late` (a reply later than
    the working-day limit)."""
    found = []
    for url, kind, days, unit in letters:
        if kind == "veto_unanswered":
            found.append(finding(site, "letter_unanswered", "veto", VETO_RESPONSE,
                                 f"letter unanswered over 3 months (互动回应差): {url}", url=url, unit=unit))
        elif kind == "late":
            found.append(finding(site, "letter_late", "warning", None,
                                 f"reply after {days} working days: {url}", url=url, days=days, unit=unit))
    return found


def broken_link_findings(site: str, broken: list[tuple[str, str, int | None, str | None]]) -> list[dict[str, Any]]:
    """Dead internal links and attachments: (url, kind, http status, referrer)."""
    found = []
    for url, kind, status, referrer in broken:
        rule = "broken_attachment" if kind in ("attachment", "image") else "broken_link"
        what = "attachment or image" if rule == "broken_attachment" else "link"
        found.append(finding(site, rule, "warning", None, f"broken {what} (HTTP {status or 'error'}): {url}",
                             url=url, referrer=referrer, status=status, count=len(broken)))
    return found


def defect_findings(site: str, defects: list[PageFacts], article_spam: dict[str, list[str]],
                    own_hosts: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """暗链 and foreign scripts per page; article spam recorded at crawl time counts too; a link to one of the site's
    own host names (its aliases) is never spam."""
    spam_by_page: dict[str, list[str]] = {d.url: list(d.spam) for d in defects if d.spam}
    for url, links in article_spam.items():
        merged = spam_by_page.setdefault(url, [])
        merged.extend(link for link in links if link not in merged)
    found = []
    for url, all_links in sorted(spam_by_page.items()):
        links = [link for link in all_links if (urlsplit(link).hostname or "").lower() not in own_hosts]
        if not links:
            continue
        found.append(finding(site, "spam_link", "veto", VETO_SERIOUS,
                             f"hidden spam links (暗链) on {url}: {', '.join(links[:5])}",
                             url=url, links=links, count=len(links)))
    for defect in defects:
        if defect.scripts:
            found.append(finding(site, "foreign_script", "veto", VETO_SERIOUS,
                                 f"script injected from a foreign host on {defect.url}: "
                                 f"{', '.join(defect.scripts[:5])}", url=defect.url, scripts=defect.scripts,
                                 count=len(defect.scripts)))
    return found
