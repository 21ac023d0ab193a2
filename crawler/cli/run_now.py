"""`pantau run-now SOURCE`: ask the daemon running on this database (or, scaled out, its schedulers)
to run a source now."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.daemon.run_requests import DaemonNotRunningError
from crawler.queue.presence import SCHEDULER_LEASE_PREFIX
from crawler.store.leases import SCHEDULER_LEASE, live_lease, live_leases, process_holder
from crawler.store.run_requests import request_run, run_request_claimed

POLL_SECONDS = 0.5


def run_now(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A source name from the config, e.g. rmol.")],
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for the daemon to start the run.")
    ] = 10.0,
) -> None:
    """Queue a run of SOURCE for the running daemon and wait until it starts."""
    context = app_context(ctx)
    context.config.source(source)
    database = context.database
    daemon = live_lease(database, SCHEDULER_LEASE)
    schedulers = live_leases(database, SCHEDULER_LEASE_PREFIX)  # scale-out mode
    if daemon is None and schedulers:
        request_run(database, source, requested_by=process_holder())
        scheduler = schedulers[0].name.removeprefix(SCHEDULER_LEASE_PREFIX)
        console.print(
            f"run of {source} queued: a scheduler ({scheduler}) hands it to the next free worker",
            highlight=False,
        )
        return
    if daemon is None:
        raise DaemonNotRunningError(
            f"no daemon is running on {database.safe_url}; crawl here instead with `pantau crawl {source}`"
        )
    request_id = request_run(database, source, requested_by=process_holder())
    deadline = time.monotonic() + wait
    while True:
        if run_request_claimed(database, request_id):
            console.print(f"daemon {daemon.process} started a run of {source}", highlight=False)
            return
        if time.monotonic() >= deadline:
            console.print(
                f"run of {source} queued (request {request_id}): the daemon starts it when {source} is free",
                highlight=False,
            )
            return
        time.sleep(POLL_SECONDS)
