"""Run requests (`pantau run-now`) as the CLI follows them."""

from __future__ import annotations

from crawler.store.db import Database
from crawler.store.models import RunRequest


def run_request_claimed(database: Database, request_id: int) -> bool:
    """Whether a daemon has claimed the request, i.e. started its run."""
    with database.session() as session:
        return session.get_one(RunRequest, request_id).claimed_by is not None
