"""`pantau run-now` requests in the database: queued by the CLI, claimed by the running daemon."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select, update

from crawler.store.db import Database
from crawler.store.models import RunRequest


def request_run(database: Database, source: str, requested_by: str) -> int:
    """Queue a run of `source` for the daemon; returns the request's id."""
    with database.session() as session:
        request = RunRequest(source=source, requested_by=requested_by)
        session.add(request)
        session.flush()
        return request.id


def requested_sources(database: Database) -> list[str]:
    """The sources with a pending (unclaimed) request, by name."""
    with database.session() as session:
        pending = select(RunRequest.source).where(RunRequest.claimed_at.is_(None)).distinct()
        return sorted(session.scalars(pending))


def claim_requests(database: Database, sources: Collection[str], holder: str) -> None:
    """Mark every pending request of `sources` as claimed by `holder`."""
    with database.session() as session:
        session.execute(
            update(RunRequest)
            .where(RunRequest.source.in_(sources), RunRequest.claimed_at.is_(None))
            .values(claimed_at=datetime.now(UTC), claimed_by=holder)
        )


def run_request_claimed(database: Database, request_id: int) -> bool:
    """Whether a daemon has claimed the request, i.e. started its run."""
    with database.session() as session:
        return session.get_one(RunRequest, request_id).claimed_by is not None
