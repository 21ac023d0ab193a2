"""The lives of `pantau worker` and `pantau scheduler`: a Procrastinate worker on their queues until
SIGINT/SIGTERM, a presence lease for `pantau status`, and a fresh start when the queue's own
worker stops by itself (its listener's connection was cut).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from contextlib import suppress
from datetime import timedelta
from typing import Any

from procrastinate import App

from crawler.crawl.runner import STOP_GRACE_SECONDS
from crawler.queue.app import ALERTS_QUEUE, CRAWL_QUEUE, SCHEDULER_QUEUE, ensure_schema
from crawler.queue.presence import SCHEDULER_LEASE_PREFIX, WORKER_LEASE_PREFIX
from crawler.queue.runtime import CONTEXT_KEY, QueueRuntime
from crawler.store.leases import SCHEDULER_LEASE, Leases, SchedulerBusyError, live_lease

log = logging.getLogger(__name__)

RESTART_SECONDS = 1.0
SCHEDULER_CONCURRENCY = 4  # plan, recovery, alert tick and retention never wait for one another


async def run_worker(runtime: QueueRuntime, app: App, *, concurrency: int, heartbeat_seconds: float) -> None:
    """Run crawl and alert jobs, `concurrency` at a time, until stopped; running crawls are then
    closed down and recorded as aborted, and their jobs end."""
    service = runtime.service
    assert service is not None
    await _serve(
        runtime, app, f"{WORKER_LEASE_PREFIX}{_process_name()}",
        queues=[CRAWL_QUEUE, ALERTS_QUEUE], concurrency=concurrency, heartbeat_seconds=heartbeat_seconds,
        on_stop=service.stop,
    )  # fmt: skip


async def run_scheduler(runtime: QueueRuntime, app: App, *, heartbeat_seconds: float) -> None:
    """Defer periodic slots and run them until stopped. Any number may run: Procrastinate defers
    each slot once, and each periodic task's lock runs one slot at a time."""
    daemon = live_lease(runtime.database, SCHEDULER_LEASE)
    if daemon is not None:
        raise SchedulerBusyError(
            f"the single-machine daemon ({daemon.process}) schedules crawls on {runtime.database.safe_url}; "
            "stop it before starting scale-out schedulers"
        )
    await _serve(
        runtime, app, f"{SCHEDULER_LEASE_PREFIX}{_process_name()}",
        queues=[SCHEDULER_QUEUE], concurrency=SCHEDULER_CONCURRENCY, heartbeat_seconds=heartbeat_seconds,
        on_stop=None,
    )  # fmt: skip


async def _serve(
    runtime: QueueRuntime,
    app: App,
    presence: str,
    *,
    queues: list[str],
    concurrency: int,
    heartbeat_seconds: float,
    on_stop: Any,
) -> None:
    if await asyncio.to_thread(ensure_schema, runtime.database):
        log.warning("created the job queue's tables in %s", runtime.database.safe_url)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.warning("stopping: finishing running jobs")
        stopping.set()
        if on_stop is not None:
            on_stop()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    leases = Leases(runtime.database, runtime.holder)
    ttl = timedelta(seconds=3 * heartbeat_seconds)
    leases.acquire(presence, ttl)
    options: dict[str, Any] = {
        "queues": queues,
        "concurrency": concurrency,
        "name": presence,
        "install_signal_handlers": False,
        "additional_context": {CONTEXT_KEY: runtime},
        "update_heartbeat_interval": heartbeat_seconds,
        "stalled_worker_timeout": runtime.stalled_seconds,
        "shutdown_graceful_timeout": STOP_GRACE_SECONDS + 2,
    }
    try:
        async with app.open_async():
            keeping = asyncio.ensure_future(
                _keep_presence(runtime, app, leases, presence, ttl, heartbeat_seconds)
            )
            log.warning("%s started on queues %s, %d at a time", presence, ", ".join(queues), concurrency)
            try:
                await _work_until_stopped(app, options, stopping)
            finally:
                keeping.cancel()
                with suppress(asyncio.CancelledError):
                    await keeping
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        leases.release(presence)
        if runtime.metrics is not None:
            runtime.metrics.close()
        log.warning("%s stopped", presence)


async def _work_until_stopped(app: App, options: dict[str, Any], stopping: asyncio.Event) -> None:
    """Procrastinate's worker until `stopping`; when it stops by itself, a new one starts."""
    while not stopping.is_set():
        working = asyncio.ensure_future(app.run_worker_async(**options))
        stop_asked = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({working, stop_asked}, return_when=asyncio.FIRST_COMPLETED)
        stop_asked.cancel()
        if stopping.is_set():
            working.cancel()  # Procrastinate's graceful stop: running jobs get their grace period
            await asyncio.wait({working})
            return
        error = working.exception()
        log.warning(
            "the queue worker stopped by itself (%s); starting it again",
            f"{type(error).__name__}: {error}" if error else "a side task ended",
        )
        await asyncio.sleep(RESTART_SECONDS)


async def _keep_presence(
    runtime: QueueRuntime, app: App, leases: Leases, presence: str, ttl: timedelta, seconds: float
) -> None:
    """Renew this process's presence lease (its heartbeat in `pantau status`) and refresh the
    queue-depth gauges; a database that does not answer is tried again next beat."""
    while True:
        try:
            if not await asyncio.to_thread(leases.renew, presence, ttl):
                await asyncio.to_thread(leases.acquire, presence, ttl)
            if runtime.metrics is not None:
                for queue in await app.job_manager.list_queues_async():
                    runtime.metrics.set_queue_depth(queue["name"], queue["todo"])
        except Exception as error:
            log.warning("heartbeat failed, trying again in %g s: %s", seconds, error)
        await asyncio.sleep(seconds)


def _process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
