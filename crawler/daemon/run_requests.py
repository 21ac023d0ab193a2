"""`pantau run-now`: the CLI queues a request in the database, the running daemon claims it."""

from __future__ import annotations

from collections.abc import Collection

from crawler.domain.errors import PantauError
from crawler.store.db import Database
from crawler.store.leases import live_lease, run_lease
from crawler.store.run_requests import claim_requests, requested_sources


class DaemonNotRunningError(PantauError):
    """`run-now` needs a daemon on the same database."""


def claim_run_requests(database: Database, holder: str, busy: Collection[str]) -> list[str]:
    """Claim the pending requests of every source that is free; several requests of one source are one run.

    A source running here (`busy`) or in another process keeps its requests pending until it is free.
    """
    free = [
        name
        for name in requested_sources(database)
        if name not in busy and live_lease(database, run_lease(name)) is None
    ]
    if free:
        claim_requests(database, free, holder)
    return free
