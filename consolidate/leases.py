"""Site leases per stage: several workers share a workspace, one worker per site and stage at a time.

A lease expires unless renewed; the lease of a worker whose process is gone (same host) is taken over at once.
Acquisition is one atomic INSERT or conditional UPDATE, so it is safe on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, or_, select, update

from consolidate.core.errors import ConsolidateError
from consolidate.core.store import StageLease, Store, utcnow
from crawlers.frontier import new_worker_id, pid_alive

LEASE_SECONDS = 120.0


class SiteBusyError(ConsolidateError):
    """Another live worker holds the site for this stage."""


@dataclass
class SiteLease:
    """A held lease; renew() it while working, release() when done."""

    store: Store
    stage: str
    site_id: str
    worker_id: str = field(default_factory=new_worker_id)
    seconds: float = LEASE_SECONDS
    _renewed: float = 0.0

    def acquire(self) -> None:
        """Take the site for this stage, or raise SiteBusyError naming the holder."""
        now = utcnow()
        host, pid = socket.gethostname(), os.getpid()
        expires = now + dt.timedelta(seconds=self.seconds)
        with self.store.session() as session:
            inserted = self.store.insert_ignore(session, StageLease, [{
                "stage": self.stage, "site_id": self.site_id, "worker_id": self.worker_id, "host": host, "pid": pid,
                "acquired_at": now, "expires_at": expires}], ["stage", "site_id"])
            if inserted:
                self._renewed = time.monotonic()
                return
            holder = session.get(StageLease, (self.stage, self.site_id))
            dead = holder is not None and holder.host == host and not pid_alive(holder.pid)
            taken = session.execute(update(StageLease).where(
                StageLease.stage == self.stage, StageLease.site_id == self.site_id,
                or_(StageLease.worker_id == self.worker_id, StageLease.expires_at < now,
                    and_(StageLease.worker_id == (holder.worker_id if dead and holder else ""))))
                .values(worker_id=self.worker_id, host=host, pid=pid, acquired_at=now, expires_at=expires)).rowcount
        if not taken:
            who = f"{holder.worker_id} until {holder.expires_at:%H:%M:%S} UTC" if holder else "another worker"
            raise SiteBusyError(f"site {self.site_id!r} is being worked on ({self.stage}) by {who}",
                                hint="wait for that worker, or run this command for other sites")
        self._renewed = time.monotonic()

    def renew(self, force: bool = False) -> None:
        """Extend the lease (at most every third of its length unless forced)."""
        if not force and time.monotonic() - self._renewed < self.seconds / 3:
            return
        with self.store.session() as session:
            renewed = session.execute(update(StageLease).where(
                StageLease.stage == self.stage, StageLease.site_id == self.site_id,
                StageLease.worker_id == self.worker_id)
                .values(expires_at=utcnow() + dt.timedelta(seconds=self.seconds))).rowcount
        if not renewed:
            raise SiteBusyError(f"lost the lease on site {self.site_id!r} ({self.stage}) to another worker",
                                hint="the other worker carries on; nothing is done twice")
        self._renewed = time.monotonic()

    def release(self) -> None:
        """Give the site back."""
        with self.store.session() as session:
            session.execute(delete(StageLease).where(StageLease.stage == self.stage,
                                                     StageLease.site_id == self.site_id,
                                                     StageLease.worker_id == self.worker_id))


def active_leases(store: Store) -> list[dict[str, object]]:
    """Unexpired stage leases (who works on which site), for `consolidate status`; the lease of a worker of this
    host whose process is gone is not listed (the next worker takes it over at once, see SiteLease.acquire)."""
    host = socket.gethostname()
    with store.session() as session:
        rows = session.scalars(select(StageLease).where(StageLease.expires_at >= utcnow())
                               .order_by(StageLease.stage, StageLease.site_id)).all()
    return [{"stage": r.stage, "site": r.site_id, "worker": r.worker_id,
             "expires_at": r.expires_at.isoformat(timespec="seconds")} for r in rows
            if r.host != host or pid_alive(r.pid)]
