"""What `pantau status` shows of the scale-out mode: each queue's jobs and each process's heartbeat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.queue.app import queue_app
from crawler.queue.presence import SCHEDULER_LEASE_PREFIX, WORKER_LEASE_PREFIX
from crawler.store.db import Database
from crawler.store.leases import live_leases


@dataclass(frozen=True, slots=True)
class QueueCounts:
    name: str
    waiting: int
    running: int
    failed: int
    done: int


@dataclass(frozen=True, slots=True)
class QueueProcess:
    """A live scheduler or worker; it renews its lease every heartbeat, so `alive_until` moves on."""

    role: str
    process: str
    since: datetime
    alive_until: datetime


@dataclass(frozen=True, slots=True)
class QueueState:
    queues: list[QueueCounts]
    processes: list[QueueProcess]


async def queue_state(database: Database) -> QueueState | None:
    """The queue's state, or None when this database has no queue (SQLite, or never scaled out)."""
    if database.is_sqlite:
        return None
    app = queue_app(database, "pantau-status")
    async with app.open_async():
        if not await app.check_connection_async():
            return None
        rows = await app.job_manager.list_queues_async()
    queues = [
        QueueCounts(row["name"], row["todo"], row["doing"], row["failed"], row["succeeded"]) for row in rows
    ]
    processes = [
        QueueProcess(role, lease.name.removeprefix(prefix), lease.acquired_at, lease.expires_at)
        for role, prefix in (("scheduler", SCHEDULER_LEASE_PREFIX), ("worker", WORKER_LEASE_PREFIX))
        for lease in live_leases(database, prefix)
    ]
    return QueueState(sorted(queues, key=lambda queue: queue.name), processes)
