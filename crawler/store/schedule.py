"""The daemon's schedule in the database: each source's next run and adaptive polling interval.

The daemon writes a source's next run whenever its job's next run changes; `pantau status` reads
it, and a restarted daemon resumes from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from crawler.store.db import Database
from crawler.store.models import ScheduledRun, Source


@dataclass(frozen=True, slots=True)
class NextRun:
    source: str
    trigger: str | None
    """The trigger `at` was computed with; None when carried over from APScheduler's job table."""
    at: datetime


@dataclass(frozen=True, slots=True)
class SourcePolling:
    """What the daemon reports of a source after a run: its adaptive interval and its health."""

    poll_interval_seconds: float | None
    health: str


def next_runs(database: Database) -> dict[str, NextRun]:
    """Every recorded next run, by source name."""
    with database.session() as session:
        rows = session.scalars(select(ScheduledRun).order_by(ScheduledRun.source)).all()
        return {row.source: NextRun(row.source, row.trigger, row.next_run_at) for row in rows}


def record_next_run(database: Database, source: str, trigger: str, at: datetime) -> None:
    """Record (or replace) the next run of `source` and the trigger it follows."""
    with database.session() as session:
        row = session.get(ScheduledRun, source)
        if row is None:
            session.add(ScheduledRun(source=source, trigger=trigger, next_run_at=at))
        else:
            row.trigger, row.next_run_at = trigger, at


def forget_next_run(database: Database, source: str) -> None:
    """Forget the next run of a source that is no longer scheduled."""
    with database.session() as session:
        session.execute(delete(ScheduledRun).where(ScheduledRun.source == source))


def poll_intervals(database: Database) -> dict[str, float | None]:
    """The persisted adaptive polling interval of every source that has run, by source name."""
    with database.session() as session:
        return dict(session.execute(select(Source.name, Source.poll_interval_seconds)).all())


def source_polling(database: Database, source: str) -> SourcePolling:
    """The polling interval and health of a source that has run."""
    with database.session() as session:
        row = session.execute(
            select(Source.poll_interval_seconds, Source.health).where(Source.name == source)
        ).one()
        return SourcePolling(row.poll_interval_seconds, row.health)


def set_poll_interval(database: Database, source: str, seconds: float) -> None:
    """Persist the adaptive polling interval of a source that has run."""
    with database.session() as session:
        session.scalars(select(Source).where(Source.name == source)).one().poll_interval_seconds = seconds
