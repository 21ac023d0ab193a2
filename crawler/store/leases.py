"""Named leases in the database: one scheduler per database, one run per source, across processes.

A lease row names its holder (`host:pid:token`) and an expiry the holder keeps pushing forward.
It can be taken only when it is free, expired, or held by a process on this host that is gone,
so a daemon killed with SIGKILL does not block its successor until the expiry.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.domain.errors import PantauError, SourceError
from crawler.store.db import Database
from crawler.store.models import Lease

SCHEDULER_LEASE = "scheduler"
# Scale-out processes show they are alive by leases named with these prefixes (crawler/queue).
WORKER_LEASE_PREFIX = "worker:"
QUEUE_SCHEDULER_LEASE_PREFIX = "queue-scheduler:"


def run_lease(source: str) -> str:
    """The name of the lease that makes a run of `source` exclusive."""
    return f"run:{source}"


class SchedulerBusyError(PantauError):
    """Another daemon already schedules crawls on this database."""


class SourceBusyError(SourceError):
    """Another run of the source is in progress."""


class LeaseLostError(SourceError):
    """A run's lease passed to another process: the run must not write any more (it is fenced off)."""


@dataclass(frozen=True, slots=True)
class LeaseState:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime

    @property
    def process(self) -> str:
        """`host:pid` of the holder, for messages."""
        return self.holder.rsplit(":", 1)[0]


def process_holder() -> str:
    """A holder name unique to this process, even when a restarted process gets the same pid."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Leases:
    """Take, renew and give back leases on behalf of one holder."""

    def __init__(self, database: Database, holder: str | None = None) -> None:
        self.database = database
        self.holder = holder or process_holder()

    def acquire(self, name: str, ttl: timedelta) -> bool:
        """Take the lease if nobody alive holds it (not even this holder); True when taken."""
        now = datetime.now(UTC)
        try:
            with self.database.session() as session:
                current = session.get(Lease, name)
                if current is not None:
                    if _is_live(_state(current), now, self.holder):
                        return False
                    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == current.holder))
                session.add(Lease(name=name, holder=self.holder, acquired_at=now, expires_at=now + ttl))
        except IntegrityError:
            return False  # another process inserted the lease between our read and our write
        return True

    def renew(self, name: str, ttl: timedelta) -> bool:
        """Push the expiry forward; False when the lease is no longer ours."""
        with self.database.session() as session:
            result = session.execute(
                update(Lease)
                .where(Lease.name == name, Lease.holder == self.holder)
                .values(expires_at=datetime.now(UTC) + ttl)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, name: str) -> None:
        """Give the lease back if we still hold it."""
        with self.database.session() as session:
            session.execute(delete(Lease).where(Lease.name == name, Lease.holder == self.holder))

    def current(self, name: str) -> LeaseState | None:
        """Who holds the lease now, or None when it is free (expired or its holder gone)."""
        return live_lease(self.database, name, own_holder=self.holder)


def live_lease(database: Database, name: str, own_holder: str | None = None) -> LeaseState | None:
    """The live holder of a lease, or None when it is free."""
    with database.session() as session:
        row = session.scalar(select(Lease).where(Lease.name == name))
        state = _state(row) if row is not None else None
    if state is None or not _is_live(state, datetime.now(UTC), own_holder):
        return None
    return state


def hold_lease(session: Session, name: str, holder: str) -> None:
    """The fencing check of a write: in the writing transaction, the lease must still be `holder`'s,
    and it stays so until the transaction ends (the row is share-locked on PostgreSQL)."""
    current = session.scalar(select(Lease.holder).where(Lease.name == name).with_for_update(read=True))
    if current != holder:
        raise LeaseLostError(f"the lease {name} passed to another process: this run stores nothing more")


def live_scheduler(database: Database) -> LeaseState | None:
    """Whatever turns run requests into runs: the daemon, else a live scale-out scheduler."""
    daemon = live_lease(database, SCHEDULER_LEASE)
    return daemon or next(iter(live_leases(database, QUEUE_SCHEDULER_LEASE_PREFIX)), None)


def live_leases(database: Database, prefix: str) -> list[LeaseState]:
    """Every live lease whose name starts with `prefix`, by name (the queue's workers and schedulers)."""
    with database.session() as session:
        rows = session.scalars(select(Lease).where(Lease.name.startswith(prefix)).order_by(Lease.name)).all()
        states = [_state(row) for row in rows]
    now = datetime.now(UTC)
    return [state for state in states if _is_live(state, now, None)]


def _state(row: Lease) -> LeaseState:
    return LeaseState(row.name, row.holder, row.acquired_at, row.expires_at)


def _is_live(state: LeaseState, now: datetime, own_holder: str | None) -> bool:
    return state.expires_at > now and not _holder_is_gone(state.holder, own_holder)


def _holder_is_gone(holder: str, own_holder: str | None) -> bool:
    """True when the holder ran on this host and its process no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        # Our own pid: the holder is us, or an earlier process that had our pid (a restarted container).
        return own_holder is not None and holder != own_holder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # a live process of another user
    return False
