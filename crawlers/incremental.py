"""Incremental re-crawls: conditional requests, list-page diffing, and the new/changed/vanished record.

Every crawl remembers which article links each list page showed (with the list's title and date) in
`crawl_list_entries`. An incremental run re-requests the non-article pages conditionally (ETag /
If-Modified-Since); a list page that changed is diffed against what it showed before, and only articles that
are new or whose list entry changed are fetched again. Articles no list shows any more are re-checked at the
end: a 404/410 marks them vanished. Each outcome is a row of `crawl_changes` (and an event for the report).
An article edited in place under an unchanged list entry is seen only when the run also re-requests articles
(`recheck`: a number of them, the longest unchecked first, or all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from consolidate.core.store import ArticleRow, CrawlChange, ListEntry, Resource, Store, url_hash

if TYPE_CHECKING:
    from crawlers.writer import Deferred

RECHECK_KINDS = ("page", "home", "list", "other")
CHANGE_KINDS = ("new", "changed", "vanished")


ENTRIES = ListEntry.__table__
# record_list's statements, built once: a crawl records every list page it fetches.
LIST_SHOWED = select(ENTRIES.c.item_hash, ENTRIES.c.title, ENTRIES.c.date).where(
    ENTRIES.c.site_id == bindparam("l_site"), ENTRIES.c.item_hash.in_(bindparam("l_items", expanding=True)))
LIST_FORGET = delete(ENTRIES).where(ENTRIES.c.site_id == bindparam("l_site"), ENTRIES.c.list_hash == bindparam("l_list"))
LIST_INSERT = insert(ENTRIES)


def requeue_for_recheck(store: Store, site_id: str) -> int:
    """Queue the site's fetched non-article pages (and transient failures) again for conditional requests."""
    with store.session() as session:
        pages = session.execute(update(Resource).where(
            Resource.site_id == site_id, Resource.status == "fetched", Resource.kind.in_(RECHECK_KINDS))
            .values(status="queued")).rowcount or 0
        transient = session.execute(update(Resource).where(
            Resource.site_id == site_id, Resource.status == "error",
            Resource.http_status.is_(None) | (Resource.http_status >= 500) | (Resource.http_status == 429))
            .values(status="queued")).rowcount or 0
    return pages + transient


def requeue_articles(store: Store, site_id: str, how_many: int | Literal["all"]) -> int:
    """Queue fetched articles again for conditional requests, the longest unchecked first; return how many.

    List diffing cannot see an article edited in place under an unchanged list entry; re-requesting the article
    itself can (a 304 costs no body, a changed page is re-extracted and marked changed).
    """
    if how_many != "all" and how_many <= 0:
        return 0
    oldest = select(Resource.id).where(Resource.site_id == site_id, Resource.status == "fetched",
                                       Resource.kind == "article").order_by(Resource.fetched_at, Resource.id)
    if how_many != "all":
        oldest = oldest.limit(how_many)
    with store.session() as session:
        ids = list(session.scalars(oldest))
        for start in range(0, len(ids), 500):
            session.execute(update(Resource).where(Resource.id.in_(ids[start:start + 500])).values(status="queued"))
    return len(ids)


def listed_hashes(store: Store, site_id: str) -> set[str]:
    """Hashes of every article URL some list page of the site currently shows."""
    with store.session() as session:
        return set(session.scalars(select(ListEntry.item_hash).where(ListEntry.site_id == site_id).distinct()))


def record_list(session: Session, site_id: str, list_url: str,
                items: list[tuple[str, str | None, str | None]], diff: bool = True,
                later: Deferred | None = None) -> list[str]:
    """Replace what a list page shows; return known item URLs whose title or date differs from before.

    diff=False skips the comparison (a first crawl has nothing to compare with) and returns [].
    later: where to queue the DELETE and INSERT (a batched crawl job of a first crawl), instead of running them now.
    """
    list_key = url_hash(list_url)
    unique = {url_hash(url): (url, title, date) for url, title, date in items}
    before: dict[str, tuple[str | None, str | None]] = {}
    connection = session.connection()
    if unique and diff:
        for item_hash, title, date in connection.execute(LIST_SHOWED, {"l_site": site_id, "l_items": list(unique)}):
            before.setdefault(item_hash, (title, date))
    rows = [{"site_id": site_id, "list_hash": list_key, "item_hash": key, "item_url": url, "title": title,
             "date": date} for key, (url, title, date) in unique.items()]
    forget = {"l_site": site_id, "l_list": list_key}
    if later is not None:
        later.add(LIST_FORGET, forget)
        if rows:
            later.add(LIST_INSERT, rows)
    else:
        connection.execute(LIST_FORGET, forget)
        if rows:
            connection.execute(LIST_INSERT, rows)
    return [unique[key][0] for key, old in before.items() if old != unique[key][1:]]


def forget_list(session: Session, site_id: str, list_url: str) -> None:
    """A list page that is gone shows nothing any more."""
    session.execute(delete(ListEntry).where(ListEntry.site_id == site_id, ListEntry.list_hash == url_hash(list_url)))


def requeue_urls(session: Session, site_id: str, urls: list[str], hint_updates: dict[str, dict] | None = None) -> int:
    """Queue already fetched URLs again (e.g. articles whose list entry changed); return how many."""
    count = 0
    for url in urls:
        row = session.scalar(select(Resource).where(Resource.site_id == site_id, Resource.url_hash == url_hash(url)))
        if row is None or row.status not in ("fetched", "error", "skipped"):
            continue
        row.status = "queued"
        if hint_updates and url in hint_updates:
            row.hint = {**(row.hint or {}), **hint_updates[url]}
        count += 1
    return count


def unlisted_articles(store: Store, site_id: str, before: set[str]) -> list[str]:
    """Article URLs some list showed before the run and none shows now."""
    gone = before - listed_hashes(store, site_id)
    if not gone:
        return []
    urls: list[str] = []
    keys = list(gone)
    with store.session() as session:
        for start in range(0, len(keys), 500):
            urls.extend(session.scalars(select(ArticleRow.url).where(ArticleRow.site_id == site_id,
                                                                     ArticleRow.url_hash.in_(keys[start:start + 500]))))
    return sorted(urls)


def note_change(session: Session, site_id: str, url: str, change: str, run_id: str | None) -> None:
    """Record one new/changed/vanished article."""
    session.add(CrawlChange(site_id=site_id, url=url, url_hash=url_hash(url), change=change, run_id=run_id))


def changes(store: Store, site_id: str, run_id: str | None = None) -> list[dict[str, Any]]:
    """Recorded changes of a site (optionally of one run), oldest first."""
    query = select(CrawlChange).where(CrawlChange.site_id == site_id)
    if run_id is not None:
        query = query.where(CrawlChange.run_id == run_id)
    with store.session() as session:
        return [{"url": c.url, "change": c.change, "run_id": c.run_id, "detected_at": c.detected_at}
                for c in session.scalars(query.order_by(CrawlChange.id))]


def still_vanished(store: Store, articles: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (site, URL) of these articles an incremental crawl found gone from the legacy site and not back since
    (their latest recorded change is 'vanished'); read by URL hash, a few hundred at a time."""
    wanted = {(site_id, url_hash(url)): (site_id, url) for site_id, url in articles}
    latest: dict[tuple[str, str], str] = {}
    keys = sorted({key for _site, key in wanted})
    with store.session() as session:
        for start in range(0, len(keys), 500):
            for site_id, key, change in session.execute(
                    select(CrawlChange.site_id, CrawlChange.url_hash, CrawlChange.change)
                    .where(CrawlChange.url_hash.in_(keys[start:start + 500])).order_by(CrawlChange.id)):
                latest[site_id, key] = change
    return {wanted[key] for key, change in latest.items() if change == "vanished" and key in wanted}


def vanished_articles(store: Store, site_id: str) -> dict[str, str]:
    """Articles an incremental crawl found gone from the legacy site (and not back since) → the day last seen."""
    with store.session() as session:
        changes = session.execute(select(CrawlChange.url, CrawlChange.change).where(CrawlChange.site_id == site_id)
                                  .order_by(CrawlChange.id)).all()
        latest = dict(changes)
        gone = [url for url, change in latest.items() if change == "vanished"]
        seen = dict(session.execute(select(ArticleRow.url, ArticleRow.extracted_at).where(
            ArticleRow.site_id == site_id, ArticleRow.url_hash.in_([url_hash(u) for u in gone]))).all()) if gone else {}
    return {url: (seen[url].date().isoformat() if seen.get(url) else "unknown") for url in gone}
