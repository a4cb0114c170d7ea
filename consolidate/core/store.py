"""The state store: one SQLAlchemy schema every stage reads and writes (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.schema import CreateIndex

from consolidate.core.errors import StoreError, redact

SCHEMA_VERSION = 4
DB_ENV = "CONSOLIDATE_DB"


def utcnow() -> dt.datetime:
    """The current time in UTC, without tzinfo (portable across SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    """Key/value facts about the store itself (schema version)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SiteRow(Base):
    """A legacy site as last seen by any stage."""

    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    home_url: Mapped[str] = mapped_column(Text)
    disposition: Mapped[str] = mapped_column(String(16))
    cms: Mapped[str | None] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # footer facts seen while crawling
    crawled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    mapped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Resource(Base):
    """One URL of a legacy site: queued, fetched, failed or skipped (the crawl frontier too)."""

    __tablename__ = "resources"
    # The frontier's claim (a site's queued URLs, lowest depth first) and its "any queued?" read this index alone:
    # with only the one-column indexes, SQLite took the status index and visited every queued row of every site.
    __table_args__ = (UniqueConstraint("site_id", "url_hash"),
                      Index("ix_resources_site_status", "site_id", "status", "depth", "id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="page")  # page|article|list|attachment|image|part
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|fetched|error|skipped
    depth: Mapped[int] = mapped_column(Integer, default=0)
    referrer: Mapped[str | None] = mapped_column(Text)
    hint: Mapped[dict[str, Any]] = mapped_column(default=dict)  # e.g. list title/date of an article link
    http_status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ColumnRow(Base):
    """A legacy column (栏目) discovered on a site."""

    __tablename__ = "columns"
    __table_args__ = (UniqueConstraint("site_id", "path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    path: Mapped[str] = mapped_column(Text)  # names joined by " > "
    name: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    listed_items: Mapped[int] = mapped_column(Integer, default=0)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    last_published: Mapped[str | None] = mapped_column(String(32))


class ArticleRow(Base):
    """One extracted article of a legacy site."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("site_id", "url_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    column_path: Mapped[list[Any]] = mapped_column(default=list)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    index_no: Mapped[str | None] = mapped_column(Text)
    doc_no: Mapped[str | None] = mapped_column(Text)
    written: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[str | None] = mapped_column(Text)  # 有效性 as the page shows it
    published_source: Mapped[str | None] = mapped_column(String(32))  # which evidence gave `published`
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(default=list)  # [{url, name}]
    images: Mapped[list[Any]] = mapped_column(default=list)
    spam_links: Mapped[list[Any]] = mapped_column(default=list)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    extracted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ColumnMapping(Base):
    """The decision for one legacy column: migrate to a portal column, or drop."""

    __tablename__ = "column_mappings"
    __table_args__ = (UniqueConstraint("site_id", "column_path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    column_path: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16))  # migrate|drop|unmapped
    target: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="consolidate")
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PushRecord(Base):
    """What one exporter target holds for one source object: source key → target id."""

    __tablename__ = "push_records"
    __table_args__ = (UniqueConstraint("target", "source_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(200))  # exporter name + destination
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    source_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # column|article|file
    source_url: Mapped[str | None] = mapped_column(Text)
    target_id: Mapped[str | None] = mapped_column(String(200))
    target_url: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pushed|updated|unchanged|skipped|failed
    reason: Mapped[str | None] = mapped_column(Text)
    pushed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    verify_status: Mapped[str | None] = mapped_column(String(16))  # ok|mismatch|missing (schema 2)
    verify_note: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UrlMapRow(Base):
    """Where a legacy URL goes after cutover: 301 to a new URL, 410 archived, or unresolved."""

    __tablename__ = "url_map"
    __table_args__ = (UniqueConstraint("site_id", "url_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    old_url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    new_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # 301|410|unresolved
    note: Mapped[str | None] = mapped_column(Text)


class ChecklistStep(Base):
    """One shutdown-checklist step of a site, with the evidence recorded for it."""

    __tablename__ = "checklist_steps"
    __table_args__ = (UniqueConstraint("site_id", "step"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    step: Mapped[str] = mapped_column(String(64))
    done_on: Mapped[dt.date | None] = mapped_column()
    ref: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @classmethod
    def record(cls, session: Session, site_id: str, step: str, done_on: dt.date, ref: str | None) -> None:
        """Insert or update a site's evidence row for `step`."""
        row = session.scalar(select(cls).where(cls.site_id == site_id, cls.step == step))
        if row is None:
            row = cls(site_id=site_id, step=step)
            session.add(row)
        row.done_on, row.ref = done_on, ref

    def acknowledged(self) -> int:
        """The count an office acknowledgement recorded in its evidence ('N pages: REF'); 0 when none is given."""
        count = (self.ref or "").split(" ", 1)[0]
        return int(count) if count.isdigit() else 0


class StageLease(Base):
    """A worker's claim on one site for one stage (e.g. push), so two workers never do the same site at once."""

    __tablename__ = "stage_leases"
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(120))
    host: Mapped[str] = mapped_column(String(80))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EventRow(Base):
    """A message from any stage: warnings, skips and errors the report must account for."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str | None] = mapped_column(String(40), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))  # info|warning|error
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WarcPending(Base):
    """A response written to a WARC segment that has not reached the storage yet (S3 mode, crawlers/warc.py): if
    its worker dies, the URL is fetched again. Marked stored when the segment is uploaded (schema 4)."""

    __tablename__ = "warc_pending"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    worker_id: Mapped[str] = mapped_column(String(120), index=True)
    segment: Mapped[str] = mapped_column(String(200), index=True)
    url_hash: Mapped[str] = mapped_column(String(40))
    stored: Mapped[bool] = mapped_column(Boolean, default=False)  # the segment is uploaded


# --- the ledger's (consolidate/ledger.py) tables ------------------------------------------------------------

class UrlHit(Base):
    """Requests for one legacy URL counted from the old server's access logs."""

    __tablename__ = "ledger_hits"
    __table_args__ = (UniqueConstraint("site_id", "url_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))  # of match_key(url)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    last_hit: Mapped[str | None] = mapped_column(String(32))


class LogImport(Base):
    """One access-log file counted into the hits (by content hash, so a file is never counted twice)."""

    __tablename__ = "ledger_log_imports"
    __table_args__ = (UniqueConstraint("site_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    log_format: Mapped[str] = mapped_column(String(16))
    requests: Mapped[int] = mapped_column(Integer, default=0)
    unreadable: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- the triage's (consolidate/triage.py) tables ------------------------------------------------------------

class TriageFinding(Base):
    """One finding on one article, with the office's decision once made. `excerpt` is always masked."""

    __tablename__ = "triage_findings"
    __table_args__ = (UniqueConstraint("site_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    key: Mapped[str] = mapped_column(String(40))  # of url, location, kind and masked excerpt: stable across runs
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40), index=True)
    location: Mapped[str] = mapped_column(Text)  # title | body | attachment:<name>
    category: Mapped[str] = mapped_column(String(16))  # personal | validity | link | review
    kind: Mapped[str] = mapped_column(String(32))
    excerpt: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    decision: Mapped[str | None] = mapped_column(String(16))  # mask | withhold | publish | invalid | None
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    found_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TriageScan(Base):
    """Which version of an article (its content hash) the triage last read."""

    __tablename__ = "triage_scans"
    __table_args__ = (UniqueConstraint("site_id", "url_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    url_hash: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TriageBlob(Base):
    """What the triage read in one attachment file (by content hash), so unchanged files are not parsed again.
    `findings` holds [kind, masked excerpt, count, detail] rows only, never a value."""

    __tablename__ = "triage_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    reader: Mapped[int] = mapped_column(Integer, default=0)  # READER_VERSION that produced the row
    method: Mapped[str] = mapped_column(String(16), default="")  # docx | xlsx | xls | pdf | text | raw | ""
    unread: Mapped[str | None] = mapped_column(Text)  # why the file could not be read
    findings: Mapped[list[Any]] = mapped_column(default=list)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- interaction records' (consolidate/interaction.py, crawlers/interaction.py) tables ----------------------

class InteractionRow(Base):
    """One interaction record of a legacy site, as the crawl extracted it. `writer` and `contact` are personal
    data, kept here for the office and masked in every export."""

    __tablename__ = "interaction_records"
    __table_args__ = (UniqueConstraint("site_id", "url_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str] = mapped_column(String(40), default="generic")
    column_path: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str | None] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    writer: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received: Mapped[str | None] = mapped_column(String(32))
    replied: Mapped[str | None] = mapped_column(String(32))
    reply_unit: Mapped[str | None] = mapped_column(Text)
    question_html: Mapped[str | None] = mapped_column(Text)
    reply_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    status_text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default="detail")  # detail page | list row
    survey: Mapped[list[Any] | None] = mapped_column(default=None)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    extracted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- the crawl frontier's (crawlers/frontier.py) tables -----------------------------------------------------

class CrawlWorker(Base):
    """A crawl worker: who it is, which site it crawls and when it last showed signs of life."""

    __tablename__ = "crawl_workers"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid:random
    host: Mapped[str] = mapped_column(String(80))
    pid: Mapped[int] = mapped_column(Integer)
    sites: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="running")  # running|finished|interrupted
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class FrontierLease(Base):
    """A URL a worker has claimed: nobody else fetches it until the lease expires."""

    __tablename__ = "frontier_leases"
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    worker_id: Mapped[str] = mapped_column(String(120), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


# --- incremental crawls' (crawlers/incremental.py) tables ---------------------------------------------------

class ListEntry(Base):
    """One article link as a list page last showed it."""

    __tablename__ = "crawl_list_entries"
    __table_args__ = (UniqueConstraint("site_id", "list_hash", "item_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    list_hash: Mapped[str] = mapped_column(String(40), index=True)
    item_hash: Mapped[str] = mapped_column(String(40), index=True)
    item_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(32))


class CrawlChange(Base):
    """An article an incremental crawl found new, changed or vanished."""

    __tablename__ = "crawl_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(40), index=True)
    change: Mapped[str] = mapped_column(String(16))  # new|changed|vanished
    run_id: Mapped[str | None] = mapped_column(String(120))  # the worker that noticed it
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


def url_hash(url: str) -> str:
    """A fixed-width key for a URL (URLs can exceed index limits)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


# Upgrades from version N to N+1, run in order by Store.upgrade(); each a list of SQL statements, or of functions
# of the connection (a new table is created from its model, in the database's own dialect).
UPGRADES: dict[int, list[str | Callable[[Connection], None]]] = {
    1: [
        "ALTER TABLE push_records ADD COLUMN verify_status VARCHAR(16)",
        "ALTER TABLE push_records ADD COLUMN verify_note TEXT",
        "ALTER TABLE push_records ADD COLUMN verified_at TIMESTAMP",
    ],
    2: [
        "ALTER TABLE articles ADD COLUMN validity TEXT",
        "ALTER TABLE articles ADD COLUMN published_source VARCHAR(32)",
    ],
    3: [lambda conn: WarcPending.__table__.create(conn, checkfirst=True)],  # S3 workspace (issue 22)
}

# Indexes declared after their table's schema version was fixed. An index changes no data, so it takes no version
# step: a new store gets it from create_all, a store made before gets it when next opened (`Store._add_late_indexes`).
def _declared_index(model: type[Base], name: str) -> Index:
    """The index of that name declared on the model."""
    return next(index for index in model.__table__.indexes if index.name == name)


LATE_INDEXES: tuple[Index, ...] = (_declared_index(Resource, "ix_resources_site_status"),)


class Store:
    """Opens the state store, creates or checks its schema, and hands out sessions."""

    def __init__(self, url: str, allow_old_schema: bool = False) -> None:
        url = normalise_db_url(url)
        self.url = url
        _refuse_empty_sqlite(url)
        self.engine = _make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._prepare_schema(allow_old_schema)

    @classmethod
    def for_workspace(cls, workspace: Path, url: str | None = None, allow_old_schema: bool = False) -> Store:
        """The store named by --db / CONSOLIDATE_DB, else SQLite in the workspace."""
        url = url or os.environ.get(DB_ENV)
        if not url:
            workspace.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{workspace / 'state.db'}"
        return cls(url, allow_old_schema)

    @property
    def is_postgres(self) -> bool:
        """True when the store is a PostgreSQL database."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def schema_version(self) -> int:
        """The schema version recorded in the store (0 when none is)."""
        return self._recorded_version() or 0

    def _recorded_version(self) -> int | None:
        """The recorded schema version, or None for a store nothing has written yet."""
        with self.session() as session:
            row = session.get(Meta, "schema_version")
            return int(row.value) if row else None

    def upgrade(self) -> list[int]:
        """Apply pending upgrades in order; return the versions reached."""
        reached = []
        version = self.schema_version()
        while version < SCHEMA_VERSION:
            try:
                with self.engine.begin() as conn:  # the changes and the new version commit together
                    for statement in UPGRADES.get(version, []):
                        if callable(statement):
                            statement(conn)
                        else:
                            conn.exec_driver_sql(statement)
                    conn.execute(update(Meta).where(Meta.key == "schema_version").values(value=str(version + 1)))
            except SQLAlchemyError as exc:
                raise StoreError(f"upgrading the state store from schema {version} failed: {exc.orig or exc}",
                                 hint="nothing of that step was applied; restore a backup or report the store's "
                                      "state") from None
            version += 1
            reached.append(version)
        return reached

    def _prepare_schema(self, allow_old_schema: bool) -> None:
        """Create tables in a new store, late indexes in an older one; refuse a store from a newer release."""
        try:
            Base.metadata.create_all(self.engine)
            version = self._recorded_version()
        except SQLAlchemyError as exc:
            raise self._open_failure(exc) from None
        self._check_version(version, allow_old_schema)
        try:
            self._add_late_indexes()
        except SQLAlchemyError as exc:
            raise self._open_failure(exc) from None

    def _open_failure(self, exc: SQLAlchemyError) -> StoreError:
        """A database error met while opening the store, as one line with a hint."""
        if isinstance(exc, OperationalError):
            return StoreError(f"cannot open the state store {self.safe_url}: {_one_line(exc.orig)}",
                              hint="check --db / CONSOLIDATE_DB and that the database is running")
        return StoreError(f"cannot open the state store {self.safe_url}: {_one_line(getattr(exc, 'orig', exc))}",
                          hint=DAMAGED_HINT if _damaged(exc) else "check --db / CONSOLIDATE_DB")

    def _add_late_indexes(self) -> None:
        """Create the late indexes an older store lacks (one catalog read each when they are there)."""
        for index in LATE_INDEXES:
            if not self._has_index(index):
                self._create_index(index)

    def _has_index(self, index: Index) -> bool:
        """Whether the store holds this index (read from the catalog: no table lock)."""
        with self.engine.connect() as conn:
            return inspect(conn).has_index(index.table.name, index.name)

    def _create_index(self, index: Index) -> None:
        """CREATE INDEX IF NOT EXISTS; another worker creating it at the same moment is no failure."""
        try:
            with self.engine.begin() as conn:
                conn.execute(CreateIndex(index, if_not_exists=True))
        except IntegrityError as exc:
            # PostgreSQL: when two sessions pass IF NOT EXISTS at once, the later one's catalog row (pg_class)
            # collides with the first's once that commits: a unique violation, the index being there all the same.
            if not (getattr(exc.orig, "sqlstate", None) == "23505" and self._has_index(index)):
                raise

    def _check_version(self, version: int | None, allow_old_schema: bool) -> None:
        """Record the version of a new store; refuse a newer store, and an older one unless upgrading."""
        if version is None:
            self._set_version(SCHEMA_VERSION)
        elif version > SCHEMA_VERSION:
            raise StoreError(f"the state store is at schema {version}, newer than this release ({SCHEMA_VERSION})",
                             hint="upgrade consolidate")
        elif version < SCHEMA_VERSION and not allow_old_schema:
            raise StoreError(f"the state store is at schema {version}; this release needs {SCHEMA_VERSION}",
                             hint="run `consolidate upgrade`")

    def _set_version(self, version: int) -> None:
        """Record the schema version."""
        with self.session() as session:
            session.merge(Meta(key="schema_version", value=str(version)))

    @property
    def safe_url(self) -> str:
        """The store URL with any password hidden (user:pw@ and ?password=)."""
        return redact(self.engine.url.render_as_string(hide_password=True))

    def insert_ignore(self, session: Session, model: type[Base], rows: list[dict[str, Any]],
                      keys: list[str]) -> int:
        """Insert rows, silently keeping existing ones with the same unique keys; return rows inserted (counted
        from RETURNING: PostgreSQL's rowcount for ON CONFLICT DO NOTHING is -1, which read as "inserted" let two
        workers take one lease)."""
        if not rows:
            return 0
        insert = _dialect_insert(self.engine.dialect.name)
        key = getattr(model, keys[0])
        statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=keys).returning(key)
        return len(session.execute(statement).all())

    def count(self, model: type[Base], **filters: Any) -> int:
        """Rows of a table matching simple equality filters."""
        with self.session() as session:
            query = select(func.count()).select_from(model).filter_by(**filters)
            return int(session.scalar(query) or 0)


def _dialect_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT support for this database."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def normalise_db_url(url: str) -> str:
    """A PostgreSQL URL as libpq and Heroku-style tools write it (postgres://, postgresql://) made the one the
    store's driver takes (postgresql+psycopg://); every other URL unchanged."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def _make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, foreign keys and a busy timeout so stages can overlap."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use the state store URL: {redact(_one_line(exc))}",
                         hint="use sqlite:///path/state.db or postgresql+psycopg://user@host/db") from None


DAMAGED_HINT = ("the SQLite file is damaged: restore state.db from a backup, or salvage it with "
                "`sqlite3 state.db .recover | sqlite3 recovered.db`")


def _one_line(exc: object) -> str:
    """An exception's text on one line (drivers print several)."""
    return " ".join(str(exc).split())


def _damaged(exc: BaseException) -> bool:
    """True for SQLite's words for a damaged file."""
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "file is encrypted" in text


def store_failure(exc: SQLAlchemyError) -> StoreError:
    """A database error met mid-command as one line (a damaged file, a lost connection), never a traceback."""
    orig = getattr(exc, "orig", None) or exc
    if _damaged(exc):
        return StoreError(f"the state store is damaged: {_one_line(orig)}", hint=DAMAGED_HINT)
    return StoreError(f"the state store failed: {redact(_one_line(orig))[:300]}",
                      hint="check --db / CONSOLIDATE_DB and that the database is running; run the command again "
                           "to resume")


def _refuse_empty_sqlite(url: str) -> None:
    """A zero-byte SQLite file is a store that lost its contents (a truncated copy, a full disk), never a new one:
    opening it would silently start over with an empty store."""
    if not url.startswith("sqlite"):
        return
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database
    except Exception:  # noqa: BLE001 - _make_engine reports a bad URL
        return
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        if path.is_file() and path.stat().st_size == 0:
            raise StoreError(f"the state store {path} is empty (0 bytes): its contents were lost",
                             hint="restore it from a backup; delete the file only if you mean to start again from "
                                  "nothing")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
