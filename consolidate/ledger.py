"""The ledger of legacy URLs: every URL the tool has seen, each with exactly one current disposition.

Dispositions are derived from the store at the moment they are asked for (the crawl's resources, the extracted
articles, the column decisions, the push map of one exporter target, the URL map and the office's edits), so a
push or an import killed half-way leaves nothing to repair: the ledger is exact for whatever was committed.
Only what no other stage records is stored here: hits per URL from the legacy servers' access logs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from sqlalchemy import and_, false, func, literal, select
from sqlalchemy.orm import Session

from consolidate.access_logs import read_log
from consolidate.core.outcomes import IN_TARGET, OFFICE_NOTE, article_key, reason_category
from consolidate.core.store import (
    ArticleRow,
    ColumnMapping,
    LogImport,
    PushRecord,
    Resource,
    UrlHit,
    UrlMapRow,
    url_hash,
)
from consolidate.core.urls import canonical_url
from consolidate.core.workspace import Workspace
from consolidate.holds import is_held
from consolidate.interaction import record_pages
from consolidate.letters_push import letter_disposition, letter_key, letter_pages, letter_records
from consolidate.pagers import part_articles
from consolidate.triage import UNTRIAGED, WITHHELD
from crawlers.incremental import vanished_articles

DISPOSITIONS = ("migrated", "merged", "redirected", "archived", "excluded", "failed", "vanished", "unresolved",
                "unfetchable", "interaction")  # unfetchable: the legacy server itself could not serve it (404,
# timeout); interaction: a letter page sent to the portal's interaction platform (consolidate/letters_push.py)
SKIPPED = ("merged", "redirected", "archived", "excluded", "vanished")  # decided, not migrated: skipped with reason
GONE = "gone from the legacy site"  # how a vanished article's reason starts
DUPLICATE_OF = "duplicate of "  # how a push's skip reason for a duplicate starts: 'duplicate of <its original>'
MIGRATED_ORIGINAL = "duplicate of an article already migrated"  # the note of a duplicate's URL-map row leading to its
# original's page in the portal (the note is the skip reason itself when the original was pushed in the same run)
CLASSES = ("article", "list", "column-home", "other")  # what a fetched HTML page is
FILE_KINDS = ("attachment", "image")
CLASS_OF_KIND = {"article": "article", "list": "list", "home": "column-home", "column-home": "column-home",
                 "column_home": "column-home"}
UNDECIDED = "column not mapped"
WORDS = 10_000  # repeated strings a ledger shares among its entries


@dataclass(slots=True)
class Entry:
    """One legacy URL with its class (what it is) and its one current disposition (where it goes)."""

    url: str
    url_class: str  # article | list | column-home | other | file | unfetched | log
    class_reason: str
    disposition: str
    new_url: str | None = None
    reason: str = ""
    hits: int = 0
    last_seen: str | None = None
    fetched: bool = False  # an HTML page or file the crawl fetched

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain data."""
        return asdict(self)


class MapRow(NamedTuple):
    """A URL-map row as the ledger reads it: where the old URL goes."""

    status: str
    new_url: str | None
    note: str | None


class Pushed(NamedTuple):
    """An article's push-map row on the target as the ledger reads it."""

    status: str
    target_url: str | None
    reason: str | None


@dataclass
class _Facts:
    """What the store holds about one site apart from its URLs (those are streamed), read once."""

    site_id: str
    target: str | None
    decisions: dict[str, ColumnMapping]
    hits: dict[str, UrlHit]
    vanished: dict[str, str]
    letters: set[str] = field(default_factory=set)  # URLs of interaction records with a page of their own
    letter_records: dict[str, PushRecord] = field(default_factory=dict)  # their push map rows on the target
    letter_lists: set[str] = field(default_factory=set)  # list pages showing interaction records
    originals_here: set[str] = field(default_factory=set)  # URLs of the articles its duplicates repeat that the
    # target holds (a duplicate is merged on a target that holds its original: `duplicate_disposition`)
    words: dict[str, str] = field(default_factory=dict)  # one copy of each repeated string (reasons, days)

    def word(self, text: str) -> str:
        """The one stored copy of a string many entries repeat (class reasons, days; at most WORDS kept)."""
        if len(self.words) >= WORDS:
            return self.words.get(text, text)
        return self.words.setdefault(text, text)


def match_key(url: str) -> str:
    """A stored (canonical) URL as compared across sources: percent-decoded (logs encode, pages often do not)."""
    return unquote(url)


def site_targets(ws: Workspace, site_id: str) -> list[str]:
    """Exporter targets holding push records of the site, the most recently pushed first."""
    with ws.store.session() as session:
        rows = session.execute(select(PushRecord.target, func.max(PushRecord.pushed_at))
                               .where(PushRecord.site_id == site_id).group_by(PushRecord.target)).all()
    return [target for target, _ in sorted(rows, key=lambda r: r[1], reverse=True)]


def primary_target(ws: Workspace, site_id: str) -> str | None:
    """The target the site's migration is judged on: the configured exporter's, else the last one pushed."""
    targets = site_targets(ws, site_id)
    configured = [t for t in targets if t.split(":", 1)[0] == ws.config.export.exporter]
    return (configured or targets or [None])[0]


def site_ledger(ws: Workspace, site_id: str, target: str | None = None) -> list[Entry]:
    """Every legacy URL of a site with its class and disposition (articles judged on `target`, default the
    primary target), by URL."""
    return sorted(ledger_entries(ws, site_id, target), key=lambda e: e.url)


def ledger_entries(ws: Workspace, site_id: str, target: str | None = None) -> Iterator[Entry]:
    """The entries of `site_ledger` in no order, streamed: each URL's resource, article, URL-map and push-map rows
    are joined in the store, so only the entries further pages point at are held while the rest stream by."""
    ws.site(site_id)
    facts = _read(ws, site_id, target or primary_target(ws, site_id))
    with ws.store.session() as session:
        parts = session.execute(select(Resource.url, Resource.kind, Resource.hint, Resource.referrer)
                                .where(Resource.site_id == site_id, Resource.kind == "part")
                                .order_by(Resource.id)).all()
        held = dict.fromkeys([u for r in parts for u in (r.url, *part_articles(r))])
        maps: dict[str, MapRow | None] = {}  # the URL-map rows of the further pages
        matched: set[str] = set()  # logged URLs (by key) the store knows otherwise
        for side in (Resource, ArticleRow):
            for row in _joined(session, facts, side):
                entry = _entry(facts, row)
                if facts.hits and (key := url_hash(match_key(entry.url))) in facts.hits:
                    matched.add(key)
                if entry.url in held:
                    held[entry.url], maps[entry.url] = entry, _map_row(row)
                if row.kind != "part":
                    yield entry
        yield from _parts(facts, parts, held, maps)
        yield from _logged_only(session, facts, matched)


def _read(ws: Workspace, site_id: str, target: str | None) -> _Facts:
    """What the ledger is derived from apart from the URLs themselves (small: columns, logs, letters)."""
    with ws.store.session() as session:
        decisions = {m.column_path: m for m in session.scalars(select(ColumnMapping)
                                                               .where(ColumnMapping.site_id == site_id))}
        hits = {h.url_hash: h for h in session.scalars(select(UrlHit).where(UrlHit.site_id == site_id))}
        session.expunge_all()
    return _Facts(site_id, target, decisions, hits, vanished_articles(ws.store, site_id),
                  letters=letter_pages(ws, site_id),
                  letter_records=letter_records(ws, site_id, target) if target is not None else {},
                  letter_lists=set(record_pages(ws, site_id)),
                  originals_here=originals_held(ws, site_id, target) if target is not None else set())


def duplicate_original(reason: str) -> str | None:
    """The URL of the article a push's skip reason 'duplicate of <url>…' names, else None."""
    if reason_category(reason) != "duplicate":
        return None
    return reason.removeprefix(DUPLICATE_OF).split(" ", 1)[0] or None


def originals_held(ws: Workspace, site_id: str, target: str) -> set[str]:
    """The URLs of the articles the site's duplicates (skipped on `target`) repeat that `target` holds, whichever
    site they were read from."""
    with ws.store.session() as session:
        originals = {url for reason in session.scalars(select(PushRecord.reason).where(
            PushRecord.target == target, PushRecord.site_id == site_id, PushRecord.kind == "article",
            PushRecord.status == "skipped", PushRecord.reason.like(f"{DUPLICATE_OF}%")))
            if (url := duplicate_original(reason or ""))}
        keys = {article_key(site.id, url): url for url in originals for site in ws.config.sites}
        found: set[str] = set()
        chunks = [list(keys)[i:i + 500] for i in range(0, len(keys), 500)]
        for chunk in chunks:
            found.update(keys[key] for key in session.scalars(select(PushRecord.source_key).where(
                PushRecord.target == target, PushRecord.source_key.in_(chunk), PushRecord.status.in_(IN_TARGET))))
    return found


def _joined(session: Session, facts: _Facts, side: type[Resource] | type[ArticleRow]) -> Any:
    """The site's resources (`side` Resource) or its articles with no resource (`side` ArticleRow), each row
    with the URL's resource, article, URL-map and push-map columns (None where there is no such row),
    streamed."""
    same = [Resource.site_id == ArticleRow.site_id, Resource.url_hash == ArticleRow.url_hash,
            Resource.url == ArticleRow.url]
    other = ArticleRow if side is Resource else Resource
    prefix = article_key(facts.site_id, "").rsplit(":", 1)[0] + ":"  # article_key(site_id, url) in SQL
    key = literal(prefix) + side.url_hash
    pushed = and_(PushRecord.target == facts.target, PushRecord.source_key == key,
                  PushRecord.site_id == facts.site_id, PushRecord.kind == "article") \
        if facts.target is not None else false()
    query = (select(side.url, Resource.kind, Resource.status, Resource.hint, Resource.http_status, Resource.error,
                    Resource.fetched_at, Resource.referrer, ArticleRow.id.label("article"), ArticleRow.column_path,
                    ArticleRow.extracted_at, UrlMapRow.status.label("map_status"), UrlMapRow.new_url,
                    UrlMapRow.note, PushRecord.status.label("push_status"), PushRecord.target_url,
                    PushRecord.reason.label("push_reason"))
             .select_from(side).outerjoin(other, and_(*same))
             .outerjoin(UrlMapRow, and_(UrlMapRow.site_id == side.site_id, UrlMapRow.url_hash == side.url_hash,
                                        UrlMapRow.old_url == side.url))
             .outerjoin(PushRecord, pushed).where(side.site_id == facts.site_id))
    if side is ArticleRow:
        query = query.where(Resource.id.is_(None))
    return session.execute(query.execution_options(yield_per=2000))


def _map_row(row: Any) -> MapRow | None:
    """The URL's row of the URL map, if it has one."""
    return MapRow(row.map_status, row.new_url, row.note) if row.map_status is not None else None


def _entry(facts: _Facts, row: Any) -> Entry:
    """One URL's entry: its resource's (a page, a file, a failure, an unfetched link), then its article's judged on
    the target's push map; an article page with no article is a failure."""
    mapped = _map_row(row)
    before = _resource_entry(facts, row, mapped) if row.status is not None else None
    if row.article is None:
        assert before is not None
        if before.url_class == "article" and before.disposition != "failed":
            before.disposition, before.new_url = "failed", None
            before.reason = "classed as an article page but no article was extracted"
        return before
    record = Pushed(row.push_status, row.target_url, row.push_reason) if row.push_status is not None else None
    disposition, new, reason = _article_disposition(facts, row.url, " > ".join(row.column_path or []), mapped,
                                                    record)
    why = before.class_reason if before is not None and before.url_class == "article" else "article extracted"
    entry = Entry(row.url, "article", why, disposition, new, reason, _hits(facts, row.url),
                  facts.word(row.extracted_at.date().isoformat()) if row.extracted_at else None,
                  before is not None and before.fetched and before.url_class in CLASSES)
    if disposition == "vanished":
        entry.last_seen = facts.vanished.get(row.url, entry.last_seen)
        entry.reason = f"{GONE} (last seen {entry.last_seen or 'unknown'})" + (
            f"; still on the portal at {new} until `push --sync`" if new else "")
        if new:  # published until push --sync retracts it: counted where it is, in the target
            entry.disposition = "migrated"
        elif mapped is not None and mapped.status == "301" and mapped.new_url:  # to its copy still on the old site
            entry.new_url = mapped.new_url
            entry.reason += f"; its old URL leads to {mapped.new_url} ({mapped.note or 'redirected'})"
    return entry


def vanished_on_portal(ws: Workspace, site_id: str, target: str) -> int:
    """Articles gone from the legacy site that `target` still publishes (until `push --sync` retracts them)."""
    gone = [article_key(site_id, url) for url in vanished_articles(ws.store, site_id)]
    if not gone:
        return 0
    with ws.store.session() as session:
        return sum(session.scalar(select(func.count()).select_from(PushRecord).where(
            PushRecord.site_id == site_id, PushRecord.target == target, PushRecord.kind == "article",
            PushRecord.status.in_(IN_TARGET), PushRecord.source_key.in_(gone[i:i + 500]))) or 0
            for i in range(0, len(gone), 500))


def is_vanished(entry: Entry) -> bool:
    """An article gone from the legacy site: retracted (vanished) or still on the portal until `push --sync`."""
    return entry.disposition == "vanished" or (entry.url_class == "article" and entry.reason.startswith(GONE))


def page_class(resource: Any) -> tuple[str, str]:
    """A fetched HTML page's class and the reason recorded for it (the crawler's, when it gives one)."""
    hint = resource.hint or {}
    given = hint.get("class") or hint.get("page_class")
    reason = hint.get("class_reason") or hint.get("reason")
    if given in CLASSES:
        return given, str(reason or f"classed {given} by the crawler")
    if resource.kind == "part" or given == "part":
        return "other", str(reason or "a continuation page of a paginated article")
    cls = CLASS_OF_KIND.get(resource.kind, "other")
    return cls, str(reason or f"stored by the crawl as {resource.kind!r}")


def _hits(facts: _Facts, url: str) -> int:
    """Logged requests for a URL."""
    if not facts.hits:
        return 0
    hit = facts.hits.get(url_hash(match_key(url)))
    return hit.hits if hit is not None else 0


def _from_url_map(mapped: MapRow | None) -> tuple[str, str | None, str]:
    """A non-article URL's disposition from the URL map the last push wrote (and the office edited)."""
    if mapped is None:
        return "unresolved", None, "no redirect decided yet"
    if mapped.status == "301" and mapped.new_url:
        return "redirected", mapped.new_url, mapped.note or "redirected to its counterpart"
    if mapped.status == "410":
        return "archived", None, mapped.note or "archived (410)"
    return "unresolved", None, mapped.note or "no counterpart decided"


def _page_disposition(facts: _Facts, url: str, mapped: MapRow | None) -> tuple[str, str | None, str]:
    """A page's disposition: a letter's own page by its push-map row; a list of letters led to the interaction
    platform is 'interaction'; any other page from the URL map."""
    if url in facts.letters:
        return letter_disposition(mapped, facts.letter_records.get(letter_key(facts.site_id, url)))
    if url in facts.letter_lists and mapped is not None:
        return letter_disposition(mapped, None)
    return _from_url_map(mapped)


def _resource_entry(facts: _Facts, r: Any, mapped: MapRow | None) -> Entry:
    """A crawled URL as the crawl left it: a page by its class, a file, a failure, an unfetched link."""
    if r.status == "error":  # the old site's own dead link: not a migration failure, its own line
        cls = "file" if r.kind in FILE_KINDS else "unfetched"
        entry = Entry(r.url, cls, f"fetch failed (HTTP {r.http_status})" if r.http_status else "fetch failed",
                      "unfetchable", reason=r.error or "fetch failed")
    elif r.status == "skipped":
        entry = Entry(r.url, "unfetched", "not fetched", "excluded", reason=r.error or "skipped by the crawl")
    elif r.status != "fetched":
        entry = Entry(r.url, "unfetched", f"linked, {r.status}", "unresolved", reason="linked but not fetched")
    elif r.kind in FILE_KINDS:
        disposition, new, note = _from_url_map(mapped)
        entry = Entry(r.url, "file", r.kind, "migrated" if disposition == "redirected" else disposition, new, note)
    else:
        cls, why = page_class(r)
        if r.kind == "part":  # its article's disposition, once the articles are judged (`_parts`)
            entry = Entry(r.url, cls, facts.word(why), "unresolved",
                          reason="a further page of an article not extracted")
        else:
            disposition, new, note = _page_disposition(facts, r.url, mapped)
            entry = Entry(r.url, cls, facts.word(why), disposition, new, note)
    entry.hits = _hits(facts, r.url)
    entry.fetched = r.status == "fetched"
    entry.last_seen = facts.word(r.fetched_at.date().isoformat()) if r.fetched_at else None
    return entry


def _parts(facts: _Facts, parts: list[Any], held: dict[str, Entry | None],
           maps: dict[str, MapRow | None]) -> list[Entry]:
    """Further pages of multi-page articles share their article's disposition (the office's edit of one wins)."""
    found = []
    for r in parts:
        entry = held.get(r.url)
        if entry is None:
            continue
        found.append(entry)
        if entry.disposition != "unresolved" or not entry.fetched:
            continue
        mapped = maps.get(r.url)
        if mapped is not None and (mapped.note or "").startswith(OFFICE_NOTE):
            entry.disposition, entry.new_url, entry.reason = _from_url_map(mapped)
            continue
        article = next((a for a in (held.get(u) for u in part_articles(r))
                        if a is not None and a.url_class == "article"), None)
        if article is None:
            continue
        entry.new_url = article.new_url
        entry.disposition = "merged" if article.new_url else \
            "unresolved" if article.disposition == "failed" else article.disposition
        entry.reason = f"merged into its article {article.url}" if article.new_url else \
            f"a further page of {article.url}: {article.reason}"
    return found


def _article_disposition(facts: _Facts, url: str, column_path: str, office: MapRow | None,
                         record: Pushed | None) -> tuple[str, str | None, str]:
    """(disposition, new URL, reason) of one extracted article on the target (`record`: its push-map row)."""
    in_target = record is not None and record.status in IN_TARGET
    if url in facts.vanished:
        return "vanished", record.target_url if in_target and record is not None else None, "gone"
    if in_target and record is not None:
        return "migrated", record.target_url, "pushed"
    if office is not None and (office.note or "").startswith(OFFICE_NOTE) and office.status in ("301", "410"):
        return ("redirected", office.new_url, office.note or "") if office.status == "301" else \
            ("archived", None, office.note or "")
    if record is not None and record.status == "failed":
        return "failed", None, record.reason or "push failed"
    if record is not None and record.status == "skipped":
        reason = record.reason or "skipped"
        return skip_disposition(office, reason, duplicate_original(reason) in facts.originals_here)
    if record is not None and record.status == "rolled_back":
        return "unresolved", None, "removed from the target by rollback"
    decision = facts.decisions.get(column_path)
    if decision is None or decision.decision == "unmapped":
        return "unresolved", None, f"{UNDECIDED}: {column_path or '(none)'}"
    if decision.decision == "drop":
        return "excluded", None, f"column dropped: {column_path}" + (f" ({decision.reason})" if decision.reason
                                                                      else "")
    return "unresolved", None, "not pushed to this target yet"


def skip_disposition(row: MapRow | None, reason: str, original_here: bool = False) -> tuple[str, str | None, str]:
    """A push skip as a disposition (`row`: the article's URL-map row): duplicates merged when the target holds
    their original (`original_here`, `duplicate_disposition`), dropped columns excluded, undecided columns
    unresolved, anything else (no title, unknown target column) a failure that needs fixing."""
    category = reason_category(reason)
    if category == "duplicate":
        return duplicate_disposition(row, reason, original_here)
    if category == "column dropped":
        return "excluded", None, reason
    if category in (UNDECIDED, UNTRIAGED) or is_held(reason):  # waiting on a decision, a review, or a look
        return "unresolved", None, reason
    if category == WITHHELD:  # the office withheld it in triage: its old URL leads to its column when it can
        return ("redirected", row.new_url, reason) if row is not None and row.status == "301" and row.new_url \
            else ("excluded", None, reason)
    if category.startswith("vanished"):
        return "vanished", None, reason
    return "failed", None, reason


def duplicate_disposition(row: MapRow | None, reason: str, original_here: bool) -> tuple[str, str | None, str]:
    """A duplicate on a target, judged by that target's own state: merged when the target holds its original
    (`original_here`), else it shares the original's decided outcome (the URL map's 410, or a 301 elsewhere than
    to the original's own page), else it waits on its original — a URL-map row leading to the original's page in
    another target, or no row at all, is no merge on this one."""
    if original_here:
        return "merged", row.new_url if row is not None and row.status == "301" else None, reason
    if row is not None and row.status == "410":
        return "archived", None, row.note or reason
    if row is not None and row.status == "301" and row.new_url and row.note not in (MIGRATED_ORIGINAL, reason):
        return "merged", row.new_url, reason
    waits = "is not decided yet" if row is not None and row.status not in ("301", "410") else \
        "this target does not hold yet"  # no row, or a 301 to its page in another target
    return "unresolved", None, f"{reason}, which {waits}"


def _logged_only(session: Session, facts: _Facts, matched: set[str]) -> Iterator[Entry]:
    """URLs seen only in the server logs (`matched`: the keys of those the store knows otherwise): unresolved
    until someone decides them."""
    if not facts.hits:
        return
    with_map = _map_rows(session, facts.site_id, [h.url for k, h in facts.hits.items() if k not in matched])
    for key, hit in facts.hits.items():
        if key in matched:
            continue
        disposition, new, note = _from_url_map(with_map.get(hit.url))
        yield Entry(hit.url, "log", "requested in the server logs, never crawled", disposition, new,
                    note if disposition != "unresolved" else "seen only in server logs", hit.hits, hit.last_hit)


def _map_rows(session: Session, site_id: str, urls: list[str]) -> dict[str, MapRow]:
    """The URL-map rows of these old URLs, by old URL."""
    found = {}
    for start in range(0, len(urls), 500):
        hashes = [url_hash(u) for u in urls[start:start + 500]]
        for row in session.execute(select(UrlMapRow.old_url, UrlMapRow.status, UrlMapRow.new_url, UrlMapRow.note)
                                   .where(UrlMapRow.site_id == site_id, UrlMapRow.url_hash.in_(hashes))):
            found[row.old_url] = MapRow(row.status, row.new_url, row.note)
    return found


# --- reconciliation ------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """A site's ledger counted entry by entry — what the reconciliation, the status figures and the report read —
    so that the ledger itself need not be held (`letter_urls`: the site's letter pages; `threshold`: logged hits
    that make an unresolved URL block sign-off)."""

    letter_urls: set[str]
    threshold: int = 10
    urls: int = 0
    hits: int = 0  # logged requests of every URL
    hot: int = 0  # unresolved URLs with at least `threshold` logged hits
    held: int = 0  # unresolved articles held for a look
    dispositions: Counter[str] = field(default_factory=Counter)  # every URL
    articles: Counter[str] = field(default_factory=Counter)  # article pages by disposition
    pages: Counter[str] = field(default_factory=Counter)  # fetched HTML pages by class
    files: Counter[str] = field(default_factory=Counter)  # files by disposition
    letters: Counter[str] = field(default_factory=Counter)  # letter pages by disposition
    reasons: dict[str, Counter[str]] = field(default_factory=dict)  # skipped/failed/unresolved → article reasons
    other: dict[str, list[Any]] = field(default_factory=dict)  # class reason of 'other' pages → [count, first URL]
    vanished: list[Entry] = field(default_factory=list)

    def add(self, e: Entry) -> None:
        """Count one entry."""
        self.urls += 1
        self.hits += e.hits
        self.dispositions[e.disposition] += 1
        self.hot += e.disposition == "unresolved" and e.hits >= self.threshold
        if e.url_class in CLASSES and e.fetched:
            self.pages[e.url_class] += 1
            if e.url_class == "other":
                seen = self.other.setdefault(e.class_reason, [0, e.url])
                seen[0], seen[1] = seen[0] + 1, min(seen[1], e.url)
        if e.url_class == "article":
            self.articles[e.disposition] += 1
            self.held += e.disposition == "unresolved" and is_held(e.reason)
            group = "skipped" if e.disposition in SKIPPED else e.disposition
            if group in ("skipped", "failed", "unresolved"):
                self.reasons.setdefault(group, Counter())[article_category(e)] += 1
        if e.url_class == "file":
            self.files[e.disposition] += 1
        if e.url in self.letter_urls:
            self.letters[e.disposition] += 1
        if is_vanished(e):
            self.vanished.append(e)

    def other_reasons(self, most: int = 10) -> dict[str, int]:
        """The commonest class reasons of pages classed 'other' (ties in the ledger's URL order)."""
        return {reason: n for reason, (n, _url) in sorted(self.other.items(), key=lambda i: (-i[1][0], i[1][1]))[:most]}

    def vanished_entries(self) -> list[Entry]:
        """The vanished URLs, by URL."""
        return sorted(self.vanished, key=lambda e: e.url)


def article_category(entry: Entry) -> str:
    """The kind of an article's disposition reason, for counting."""
    if entry.disposition == "vanished":
        return "vanished"
    return reason_category(entry.reason or entry.disposition)


def tally(entries: Iterable[Entry], letter_urls: set[str], threshold: int = 10) -> Tally:
    """Entries counted (a list, or `ledger_entries` streamed)."""
    counted = Tally(letter_urls, threshold)
    for entry in entries:
        counted.add(entry)
    return counted


def reconcile(ws: Workspace, site_id: str, target: str | None = None,
              entries: list[Entry] | None = None, counted: Tally | None = None) -> dict[str, Any]:
    """Fetched pages (HTML pages the crawl fetched; files are counted apart) = articles + lists + column homes
    + other; articles = migrated + skipped + failed +
    unresolved; each side counted independently so a URL lost between stages shows as a difference (from the
    ledger's entries, or their tally `counted`)."""
    if counted is None:
        counted = tally(entries if entries is not None else site_ledger(ws, site_id, target), letter_pages(ws, site_id))
    with ws.store.session() as session:
        fetched_pages = session.scalar(select(func.count()).select_from(Resource).where(
            Resource.site_id == site_id, Resource.status == "fetched", Resource.kind.notin_(FILE_KINDS))) or 0
        extracted = session.scalar(select(func.count()).select_from(ArticleRow)
                                   .where(ArticleRow.site_id == site_id)) or 0
    by_class, outcome = counted.pages, counted.articles
    skipped = sum(outcome[d] for d in SKIPPED)
    pages: dict[str, Any] = {"fetched": fetched_pages, **{c.replace("-", "_"): by_class.get(c, 0) for c in CLASSES}}
    pages["other_reasons"] = counted.other_reasons()
    page_sum = sum(by_class.values())
    notes = []
    if page_sum != fetched_pages:
        notes.append(f"{fetched_pages} fetched pages but {page_sum} classed")
    total = sum(outcome.values())
    lines = {"total": total, "extracted": extracted, "migrated": outcome["migrated"], "skipped": skipped,
             "failed": outcome["failed"], "unresolved": outcome["unresolved"], "held": counted.held,
             "skipped_by": {d: outcome[d] for d in SKIPPED if outcome[d]}}
    files = counted.files
    if total != outcome["migrated"] + skipped + outcome["failed"] + outcome["unresolved"]:
        notes.append("article dispositions do not add up")
    if extracted != total:
        notes.append(f"{total - extracted} article pages without an extracted article" if total > extracted
                     else f"{extracted - total} extracted articles missing from the ledger")
    letter_urls, letters = counted.letter_urls, counted.letters
    if sum(letters.values()) != len(letter_urls):
        notes.append(f"{len(letter_urls) - sum(letters.values())} letter pages missing from the ledger")
    return {"target": target or primary_target(ws, site_id), "pages": pages, "articles": lines,
            "files": {"total": sum(files.values()), "unfetchable": files.get("unfetchable", 0)},
            "letters": {"pages": len(letter_urls), **dict(sorted(letters.items()))},
            "ok": not notes, "notes": notes}


def settle_incremental(ws: Workspace, summary: Any) -> Any:
    """An incremental crawl's article tally made whole: every stored article this run found neither new nor
    changed, and that is not gone from the legacy site (found so by this run or an earlier one, not back since),
    is unchanged, whether it answered 304 or was never asked again because no list page changed."""
    if not getattr(summary, "incremental", False):
        return summary
    with ws.store.session() as session:
        stored = session.scalar(select(func.count()).select_from(ArticleRow)
                                .where(ArticleRow.site_id == summary.site_id)) or 0
    gone = max(_stored_gone(ws, summary.site_id), summary.articles_vanished)
    summary.articles_unchanged = max(stored - summary.articles_new - summary.articles_changed - gone,
                                     summary.articles_unchanged, 0)
    return summary


def _stored_gone(ws: Workspace, site_id: str) -> int:
    """How many of the site's stored articles are gone from the legacy site (and not back since)."""
    keys = [url_hash(url) for url in vanished_articles(ws.store, site_id)]
    with ws.store.session() as session:
        return sum(session.scalar(select(func.count()).select_from(ArticleRow).where(
            ArticleRow.site_id == site_id, ArticleRow.url_hash.in_(keys[start:start + 500]))) or 0
            for start in range(0, len(keys), 500))


def counts(entries: list[Entry]) -> dict[str, int]:
    """Entries per disposition."""
    found = Counter(e.disposition for e in entries)
    return {d: found.get(d, 0) for d in DISPOSITIONS}


def top_unresolved(entries: list[Entry], limit: int = 20) -> list[Entry]:
    """Unresolved URLs people actually request, most hits first."""
    return sorted((e for e in entries if e.disposition == "unresolved" and e.hits > 0),
                  key=lambda e: (-e.hits, e.url))[:limit]


def hot_unresolved(entries: list[Entry], threshold: int) -> list[Entry]:
    """Unresolved URLs with at least `threshold` logged hits (they block sign-off)."""
    return [e for e in entries if e.disposition == "unresolved" and e.hits >= threshold]


def path_of(url: str) -> str:
    """The path and query of a URL."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# --- server logs ---------------------------------------------------------------------------------------------

@dataclass
class LogImportResult:
    """What importing one access-log file did."""

    name: str
    log_format: str
    requests: int
    urls: int
    unreadable: int
    already: bool = False


def import_logs(ws: Workspace, site_id: str, paths: list[Path],
                on_file: Callable[[LogImportResult], None] | None = None) -> list[LogImportResult]:
    """Add the requests of access logs to the site's hits, one transaction per file; a file already imported
    (same bytes) is not counted again, so an interrupted import is simply run again."""
    site = ws.site(site_id)
    parts = urlsplit(canonical_url(site.home_url) or site.home_url)
    base = f"{parts.scheme}://{parts.netloc}"
    results = []
    for path in paths:
        count = read_log(path)
        result = LogImportResult(path.name, count.log_format, count.requests, len(count.hits), count.unreadable)
        with ws.store.session() as session:
            if session.scalar(select(LogImport.id).where(LogImport.site_id == site_id,
                                                         LogImport.sha256 == count.sha256)) is not None:
                result.already = True
            else:
                session.add(LogImport(site_id=site_id, sha256=count.sha256, name=str(path), log_format=count.log_format,
                                      requests=count.requests, unreadable=count.unreadable))
                _add_hits(session, site_id, base, count.hits, count.last)
        results.append(result)
        if on_file is not None:
            on_file(result)
    return results


def _add_hits(session: Session, site_id: str, base: str, hits: Counter[str], last: dict[str, str]) -> None:
    """Add hits per request target to the stored counts (inside the caller's transaction)."""
    merged: dict[str, tuple[str, int, str | None]] = {}
    for target, n in hits.items():
        url = canonical_url(base + target) or base + target
        key = url_hash(match_key(url))
        _url, total, day = merged.get(key, (url, 0, None))
        seen = last.get(target)
        merged[key] = (url, total + n, max(filter(None, (day, seen)), default=None))
    keys = list(merged)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        existing = {h.url_hash: h for h in session.scalars(select(UrlHit).where(UrlHit.site_id == site_id,
                                                                                 UrlHit.url_hash.in_(chunk)))}
        for key in chunk:
            url, n, day = merged[key]
            row = existing.get(key)
            if row is None:
                session.add(UrlHit(site_id=site_id, url=url, url_hash=key, hits=n, last_hit=day))
            else:
                row.hits += n
                row.last_hit = max(filter(None, (row.last_hit, day)), default=None)
