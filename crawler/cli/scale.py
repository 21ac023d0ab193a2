"""`pantau scheduler` and `pantau worker`: the scale-out mode on PostgreSQL, through Procrastinate.

The queue library is imported when one of them runs, not with every `pantau` command.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING, Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.config import Config
from crawler.crawl.runner import CrawlService, run_in_reactor
from crawler.store.leases import process_holder

if TYPE_CHECKING:
    from crawler.daemon.metrics import DaemonMetrics

MetricsPort = Annotated[
    int | None,
    typer.Option("--metrics-port", help="Serve Prometheus metrics here (default: daemon.metrics_port)."),
]
Heartbeat = Annotated[
    float, typer.Option("--heartbeat", min=0.5, help="Seconds between this process's heartbeats.")
]


def scheduler(
    ctx: typer.Context,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after", min=1, help="Seconds without a worker's heartbeat before its jobs are retried."
        ),
    ] = 60.0,
    heartbeat: Heartbeat = 10.0,
) -> None:
    """Turn schedules and run-now requests into crawl jobs for the workers; any number may run."""
    from crawler.queue.app import queue_app, require_postgres
    from crawler.queue.processes import run_scheduler
    from crawler.queue.runtime import QueueRuntime
    from crawler.queue.tasks import schedule_tasks, work_tasks

    if stalled_after < 3 * heartbeat:
        raise typer.BadParameter(
            f"--stalled-after ({stalled_after:g} s) must be at least 3 × --heartbeat ({heartbeat:g} s), "
            "or live workers' jobs would be taken from them"
        )
    context = app_context(ctx)
    config, database = context.config, context.database
    require_postgres(database, "scheduler")
    _log_warnings()
    runtime = QueueRuntime(config, database, process_holder(), stalled_seconds=stalled_after)
    app = queue_app(database, f"pantau-scheduler-{os.getpid()}", work_tasks(), schedule_tasks())
    console.print(
        f"pantau scheduler: {len(config.sources)} sources on {database.safe_url}; Ctrl-C stops",
        highlight=False,
    )
    asyncio.run(run_scheduler(runtime, app, heartbeat_seconds=heartbeat))


def worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Crawl jobs run at once.")] = 4,
    heartbeat: Heartbeat = 10.0,
    metrics_port: MetricsPort = None,
) -> None:
    """Run crawl and alert jobs from the queue until Ctrl-C or SIGTERM; any number, on any machine."""
    from crawler.queue.app import queue_app, require_postgres
    from crawler.queue.processes import run_worker
    from crawler.queue.runtime import QueueRuntime
    from crawler.queue.tasks import work_tasks

    context = app_context(ctx)
    config, database = context.config, context.database
    require_postgres(database, "worker")
    _log_warnings()
    app = queue_app(database, f"pantau-worker-{os.getpid()}", work_tasks())
    console.print(
        f"pantau worker: {concurrency} at a time on {database.safe_url}; Ctrl-C stops", highlight=False
    )

    async def main() -> None:
        runtime = QueueRuntime(
            config, database, process_holder(), service=CrawlService(config, database),
            metrics=_metrics(config, metrics_port),
        )  # fmt: skip
        await run_worker(runtime, app, concurrency=concurrency, heartbeat_seconds=heartbeat)

    run_in_reactor(main)


def _metrics(config: Config, port: int | None) -> DaemonMetrics | None:
    port = port if port is not None else config.daemon.metrics_port
    if port is None:
        return None
    from crawler.daemon.metrics import DaemonMetrics

    return DaemonMetrics(port)


def _log_warnings() -> None:
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.WARNING))
