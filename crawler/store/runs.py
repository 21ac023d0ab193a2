"""Crawl runs: opened and closed around a crawl, counted story by story, abandoned when orphaned."""

from __future__ import annotations

import os
import socket
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crawler.store.db import Database
from crawler.store.models import CrawlRun, Source

MAX_STORY_ERRORS = 50
"""Failed stories listed one by one on a run; past this the counts still add up."""

_COUNTERS = {
    "new": CrawlRun.items_new,
    "duplicate": CrawlRun.items_duplicate,
    "unmatched": CrawlRun.items_unmatched,
    "failed": CrawlRun.items_failed,
}


def open_run(session: Session, source_id: int, trigger: str) -> int:
    """Open a run of the source and return its id; a run of it still marked running is abandoned.

    The caller holds the source's run lease, so such a run belonged to a dead process.
    """
    now = datetime.now(UTC)
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.source_id == source_id, CrawlRun.status == "running")
        .values(status="abandoned", finished_at=now)
    )
    run = CrawlRun(
        source_id=source_id,
        trigger=trigger,
        status="running",
        started_at=now,
        heartbeat_at=now,
        owner=f"{socket.gethostname()}:{os.getpid()}",
    )
    session.add(run)
    session.flush()
    return run.id


def record_heartbeat(database: Database, run_id: int) -> None:
    """The run is alive now."""
    with database.session() as session:
        session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(heartbeat_at=datetime.now(UTC)))


def count_outcomes(
    session: Session, run_id: int, outcomes: list[str], matched: int, failures: list[str]
) -> None:
    """Add stories to the run's counts, each once by its final outcome, in the transaction storing them;
    failed stories' causes are listed on the run up to MAX_STORY_ERRORS."""
    values: dict[Any, Any] = {}
    for outcome, counted in Counter(outcomes).items():
        values[_COUNTERS[outcome]] = _COUNTERS[outcome] + counted
    if matched:
        values[CrawlRun.items_matched] = CrawlRun.items_matched + matched
    values[CrawlRun.heartbeat_at] = datetime.now(UTC)
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(values))
    if failures:
        run = session.get_one(CrawlRun, run_id)
        room = max(0, MAX_STORY_ERRORS - len(run.errors))
        if room:
            run.errors = [*run.errors, *failures[:room]]


def close_run(session: Session, run_id: int, *, status: str, pages: int, errors: list[str]) -> CrawlRun:
    """Close the run with its final status, pages fetched and run-wide errors (before its story errors)."""
    run = session.get_one(CrawlRun, run_id)
    run.status = status
    run.finished_at = datetime.now(UTC)
    run.pages_fetched = pages
    run.errors = errors + list(run.errors)
    return run


def running_runs(database: Database) -> list[tuple[int, str]]:
    """(run id, source name) of every run marked running."""
    with database.session() as session:
        query = select(CrawlRun.id, Source.name).join(Source).where(CrawlRun.status == "running")
        return [(run_id, name) for run_id, name in session.execute(query)]


def abandon_runs(database: Database, run_ids: list[int]) -> None:
    """Close these runs as abandoned, if they are still marked running."""
    with database.session() as session:
        session.execute(
            update(CrawlRun)
            .where(CrawlRun.id.in_(run_ids), CrawlRun.status == "running")
            .values(status="abandoned", finished_at=datetime.now(UTC))
        )


def last_runs(session: Session) -> dict[int, CrawlRun]:
    """Source id -> its latest run."""
    latest = select(func.max(CrawlRun.id)).group_by(CrawlRun.source_id)
    return {run.source_id: run for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(latest)))}
