"""The crawl frontier in the state store, shared safely by several workers through leases.

A worker (one crawler of one site in one process, id `host:pid:random`) claims queued URLs in batches: the rows
become 'fetching' and get a lease row with an expiry. Live workers renew their leases with a heartbeat; the
leases of a dead worker expire (or, on the same host, are reclaimed at once when its pid is gone) and any
worker puts those URLs back in the queue. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; SQLite with one
atomic `UPDATE … WHERE status='queued' RETURNING`.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session

from consolidate.core.store import CrawlWorker, FrontierLease, Resource, Store, url_hash, utcnow
from crawlers.lifeline import pid_exists

LEASE_SECONDS = 60.0
HEARTBEAT_SECONDS = 15.0


LEASE_DONE = delete(FrontierLease.__table__).where(FrontierLease.__table__.c.resource_id == bindparam("rid"))
RESOURCES = Resource.__table__
# The claim's statements, built once (a crawl claims thousands of times; building one costs more than running it).
_PICK = (select(RESOURCES.c.id).where(RESOURCES.c.site_id == bindparam("c_site"), RESOURCES.c.status == "queued")
         .order_by(RESOURCES.c.depth, RESOURCES.c.id).limit(bindparam("c_limit", type_=Integer())).with_for_update(skip_locked=True))
CLAIM = (update(RESOURCES).where(RESOURCES.c.id.in_(_PICK.scalar_subquery()), RESOURCES.c.status == "queued")
         .values(status="fetching").returning(RESOURCES.c.id))
CLAIMED_ROWS = (select(RESOURCES).where(RESOURCES.c.id.in_(bindparam("c_ids", expanding=True)))
                .order_by(RESOURCES.c.depth, RESOURCES.c.id))
WORKERS = CrawlWorker.__table__
LEASES = FrontierLease.__table__
# What every worker runs each heartbeat and while its frontier is idle, built once too (Core: no ORM evaluation).
HEARTBEAT_WORKER = update(WORKERS).where(WORKERS.c.id == bindparam("h_worker")).values(
    heartbeat_at=bindparam("h_now", type_=WORKERS.c.heartbeat_at.type), fetched=bindparam("h_fetched"),
    state="running")
HEARTBEAT_LEASES = update(LEASES).where(LEASES.c.worker_id == bindparam("h_worker")).values(
    expires_at=bindparam("h_expires", type_=LEASES.c.expires_at.type))
QUEUED = select(func.count()).select_from(RESOURCES).where(RESOURCES.c.site_id == bindparam("q_site"),
                                                           RESOURCES.c.status == "queued")
ANY_QUEUED = select(RESOURCES.c.id).where(RESOURCES.c.site_id == bindparam("q_site"),
                                         RESOURCES.c.status == "queued").limit(1)
OTHERS_BUSY = select(func.count()).select_from(LEASES).where(LEASES.c.site_id == bindparam("q_site"),
                                                             LEASES.c.worker_id != bindparam("q_worker"))
# What every worker runs at its start and while its frontier is idle (recovery of dead workers' URLs).
RUNNING_HERE = select(WORKERS.c.id, WORKERS.c.pid).where(WORKERS.c.host == bindparam("r_host"),
                                                       WORKERS.c.state == "running")
MARK_DEAD = update(WORKERS).where(WORKERS.c.id.in_(bindparam("r_dead", expanding=True))).values(state="dead")
STALE_LEASES = select(LEASES.c.resource_id).where(
    LEASES.c.site_id == bindparam("r_site"),
    or_(LEASES.c.expires_at < bindparam("r_now", type_=LEASES.c.expires_at.type),
        LEASES.c.worker_id.in_(select(WORKERS.c.id).where(WORKERS.c.state == "dead").scalar_subquery())))
ORPHANS = (select(RESOURCES.c.id).outerjoin(LEASES, LEASES.c.resource_id == RESOURCES.c.id)
           .where(RESOURCES.c.site_id == bindparam("r_site"), RESOURCES.c.status == "fetching",
                  LEASES.c.resource_id.is_(None)))


def new_worker_id() -> str:
    """host:pid:random — unique per crawler instance."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists on this host and is not a zombie (dead, not yet reaped)."""
    return pid_exists(pid) and not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True when /proc says the process has exited and only waits to be reaped (Linux; False elsewhere)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    state = stat.rpartition(")")[2].split()  # the command name may hold spaces and parentheses
    return bool(state) and state[0] in ("Z", "X")


@dataclass
class Frontier:
    """One worker's view of one site's frontier."""

    store: Store
    site_id: str
    worker_id: str
    lease_seconds: float = LEASE_SECONDS
    _workers_query: Any = field(default=None, init=False, repr=False, compare=False)

    # -- worker registry ----------------------------------------------------------
    def register(self) -> None:
        """Record this worker as running."""
        host, pid, _ = self.worker_id.rsplit(":", 2)
        with self.store.session() as session:
            session.merge(CrawlWorker(id=self.worker_id, host=host, pid=int(pid), sites=[self.site_id],
                                      state="running", fetched=0, started_at=utcnow(), heartbeat_at=utcnow()))

    def heartbeat(self, fetched: int) -> None:
        """Show this worker is alive and extend its leases."""
        with self.store.session() as session:
            self.heartbeat_in(session, fetched)

    def heartbeat_in(self, session: Session, fetched: int) -> None:
        """`heartbeat` inside a transaction someone else commits."""
        now = utcnow()
        connection = session.connection()
        connection.execute(HEARTBEAT_WORKER, {"h_worker": self.worker_id, "h_now": now, "h_fetched": fetched})
        connection.execute(HEARTBEAT_LEASES, {"h_worker": self.worker_id, "h_expires": self._expiry(now)})

    def site_workers_in(self, session: Session) -> int:
        """Live workers (this one included) crawling this site: they share the site's politeness budget."""
        recent = utcnow() - dt.timedelta(seconds=self.lease_seconds)
        rows = session.connection().execute(self._site_workers_query(), {"w_recent": recent}).all()
        return max(1, sum(1 for worker_id, sites in rows if self.site_id in (sites or [])
                          or worker_id == self.worker_id))

    def _site_workers_query(self) -> Any:
        """The query of `site_workers_in`, built once per worker (it runs every heartbeat)."""
        if self._workers_query is None:
            query = select(WORKERS.c.id, WORKERS.c.sites).where(
                WORKERS.c.state == "running",
                WORKERS.c.heartbeat_at >= bindparam("w_recent", type_=WORKERS.c.heartbeat_at.type))
            if _spelt_as_is(self.site_id):  # only rows whose JSON holds "<site>" can name it: 200 sites ask this
                query = query.where(or_(cast(WORKERS.c.sites, String).contains(f'"{self.site_id}"', autoescape=True),
                                        WORKERS.c.id == self.worker_id))  # of each other's rows every heartbeat
            self._workers_query = query
        return self._workers_query

    def retire_in(self, session: Session, state: str, fetched: int) -> None:
        """Requeue every URL still leased and mark the worker finished or interrupted (caller commits)."""
        ids = list(session.scalars(select(FrontierLease.resource_id).where(FrontierLease.worker_id == self.worker_id)))
        self._requeue(session, ids)
        session.execute(update(CrawlWorker).where(CrawlWorker.id == self.worker_id)
                        .values(state=state, fetched=fetched, heartbeat_at=utcnow()))

    # -- claiming -----------------------------------------------------------------
    def claim(self, limit: int) -> list[Row]:
        """Lease up to `limit` queued URLs of the site, lowest depth first (rows of `resources`)."""
        with self.store.session() as session:
            return self.claim_in(session, limit)

    def claim_in(self, session: Session, limit: int) -> list[Row]:
        """`claim` inside a transaction someone else commits (plain rows: nothing to detach)."""
        if limit <= 0:
            return []
        connection = session.connection()
        claimed = list(connection.execute(CLAIM, {"c_site": self.site_id, "c_limit": limit}).scalars())
        if not claimed:
            return []
        self._lease(session, claimed)
        return list(connection.execute(CLAIMED_ROWS, {"c_ids": claimed}).all())

    def claim_url_in(self, session: Session, url: str, kind: str, depth: int, referrer: str | None) -> bool:
        """Lease one URL outside the batch (an article's further part; caller commits); False if another has it."""
        key = url_hash(url)
        self.store.insert_ignore(session, Resource, [{
            "site_id": self.site_id, "url": url, "url_hash": key, "kind": kind, "status": "queued",
            "depth": depth, "referrer": referrer, "hint": {}, "attempts": 0}], ["site_id", "url_hash"])
        claimed = list(session.scalars(update(Resource).where(Resource.site_id == self.site_id,
                                                              Resource.url_hash == key,
                                                              Resource.status == "queued")
                                       .values(status="fetching").returning(Resource.id),
                                       execution_options={"synchronize_session": False}))
        self._lease(session, claimed)
        return bool(claimed)

    def done(self, session: Session, resource_id: int) -> None:
        """Drop the lease of a URL whose final state is being written in `session`."""
        session.execute(LEASE_DONE, {"rid": resource_id})

    def release(self, resource_ids: list[int]) -> None:
        """Put claimed but unprocessed URLs back in the queue."""
        if resource_ids:
            with self.store.session() as session:
                self._requeue(session, resource_ids)

    def release_in(self, session: Session, resource_ids: list[int]) -> None:
        """`release` inside a transaction someone else commits."""
        self._requeue(session, resource_ids)

    # -- recovery -----------------------------------------------------------------
    def reclaim(self) -> int:
        """Requeue URLs whose lease expired, whose worker died (found dead now or earlier), or that have no lease."""
        with self.store.session() as session:
            return self.reclaim_in(session)

    def reclaim_in(self, session: Session) -> int:
        """`reclaim` inside a transaction someone else commits."""
        connection = session.connection()
        dead = self._dead_here(connection)
        if dead:
            connection.execute(MARK_DEAD, {"r_dead": dead})
        # Workers marked dead now or by an earlier reclaim (another site's, in this run or a past one): their leases
        # on this site are free at once, not after they expire.
        stale = list(connection.execute(STALE_LEASES, {"r_site": self.site_id, "r_now": utcnow()}).scalars())
        orphans = list(connection.execute(ORPHANS, {"r_site": self.site_id}).scalars())
        self._requeue(session, stale + orphans)
        return len(stale) + len(orphans)

    def _dead_here(self, connection: Connection) -> list[str]:
        """The workers of this host still marked running whose process is gone. Each process is looked for once:
        a fleet crawl runs a worker per site in one process, and every site's start asked for each of them."""
        rows = connection.execute(RUNNING_HERE, {"r_host": socket.gethostname()}).all()
        alive: dict[int, bool] = {os.getpid(): True}  # this process runs: its workers live
        dead = []
        for worker_id, pid in rows:
            if pid not in alive:
                alive[pid] = pid_alive(pid)
            if not alive[pid] and worker_id != self.worker_id:
                dead.append(worker_id)
        return dead

    def others_busy(self) -> bool:
        """True while another live worker holds leases on this site (its results may queue more URLs)."""
        with self.store.session() as session:
            return self.others_busy_in(session)

    def others_busy_in(self, session: Session) -> bool:
        """`others_busy` inside someone else's transaction."""
        count = session.connection().execute(OTHERS_BUSY, {"q_site": self.site_id, "q_worker": self.worker_id}).scalar()
        return bool(count)

    def queued(self) -> int:
        """URLs of the site waiting in the queue."""
        return self.store.count(Resource, site_id=self.site_id, status="queued")

    def queued_in(self, session: Session) -> int:
        """`queued` inside someone else's transaction."""
        return int(session.connection().execute(QUEUED, {"q_site": self.site_id}).scalar() or 0)

    def has_queued_in(self, session: Session) -> bool:
        """Whether any URL of the site waits in the queue (the first found answers: nothing is counted)."""
        return session.connection().execute(ANY_QUEUED, {"q_site": self.site_id}).first() is not None

    # -- helpers ------------------------------------------------------------------
    def _expiry(self, now: dt.datetime) -> dt.datetime:
        """When a lease taken or renewed now expires."""
        return now + dt.timedelta(seconds=self.lease_seconds)

    def _lease(self, session: Session, resource_ids: list[int]) -> None:
        """Insert lease rows for freshly claimed URLs."""
        if resource_ids:
            expires = self._expiry(utcnow())
            session.execute(insert(FrontierLease.__table__), [
                {"resource_id": rid, "site_id": self.site_id, "worker_id": self.worker_id, "expires_at": expires}
                for rid in resource_ids])

    def _requeue(self, session: Session, resource_ids: list[int]) -> None:
        """Back to 'queued' (only rows still 'fetching'), leases dropped."""
        for start in range(0, len(resource_ids), 500):
            chunk = resource_ids[start:start + 500]
            session.execute(delete(FrontierLease).where(FrontierLease.resource_id.in_(chunk)),
                            execution_options={"synchronize_session": False})
            session.execute(update(Resource).where(and_(Resource.id.in_(chunk), Resource.status == "fetching"))
                            .values(status="queued"), execution_options={"synchronize_session": False})


def _spelt_as_is(text: str) -> bool:
    """True when JSON writes this string as itself between quotes (printable ASCII, no quote or backslash)."""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


def live_workers(store: Store, within_seconds: float = LEASE_SECONDS) -> list[dict[str, Any]]:
    """Running workers whose heartbeat is recent, each with the number of URLs it holds leased; a worker of this
    host whose process is gone (killed before it could retire) is not live, whatever its heartbeat says."""
    since = utcnow() - dt.timedelta(seconds=within_seconds)
    with store.session() as session:
        leases = dict(session.execute(select(FrontierLease.worker_id, func.count())
                                      .group_by(FrontierLease.worker_id)).all())
        workers = session.scalars(select(CrawlWorker).where(CrawlWorker.state == "running",
                                                            CrawlWorker.heartbeat_at >= since)
                                  .order_by(CrawlWorker.started_at)).all()
        return [{"id": w.id, "host": w.host, "pid": w.pid, "sites": list(w.sites or []), "fetched": w.fetched,
                 "started_at": w.started_at, "heartbeat_at": w.heartbeat_at, "leases": int(leases.get(w.id, 0))}
                for w in workers if not _gone(w.host, w.pid)]


def _gone(host: str, pid: int) -> bool:
    """True when the worker ran on this host and its process no longer exists (another host's cannot be told)."""
    return host == socket.gethostname() and not pid_alive(pid)
