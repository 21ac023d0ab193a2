"""The queue's tasks: what a worker runs (`crawl`, `deliver_alerts`) and what a scheduler runs on
its periodic slots (planning, stalled-job recovery, the alert tick, queue retention).

Each call to `work_tasks()` / `schedule_tasks()` builds a fresh blueprint: an app namespaces the
tasks it adds, once per process.
"""

from __future__ import annotations

import asyncio
import logging
import time

from procrastinate import Blueprint, JobContext, RetryStrategy
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Job, Status
from procrastinate.manager import JobManager

from crawler.alerts import deliver_due
from crawler.crawl.runner import CrawlOptions, abandon_orphaned_runs
from crawler.domain.errors import Interrupted, PantauError, StorageError
from crawler.queue.app import ALERTS_QUEUE, CRAWL_QUEUE, SCHEDULER_QUEUE
from crawler.queue.planner import defer_delivery, plan_after_run, plan_crawls
from crawler.queue.runtime import runtime_of
from crawler.store.leases import Leases, SourceBusyError

log = logging.getLogger(__name__)

# A source still held by a run elsewhere (its lease not yet expired), a database that did not
# answer, or a job that reached a stopping worker is tried again: after 3, 9, 27, 81 and 243 seconds.
CRAWL_RETRY = RetryStrategy(
    max_attempts=5, exponential_wait=3, retry_exceptions={SourceBusyError, StorageError, Interrupted}
)
PLAN_CRON = "* * * * * */5"  # every 5 seconds (Procrastinate's sixth cron field counts seconds)
RECOVER_CRON = "* * * * * */5"
ALERT_TICK_CRON = "* * * * * */30"
RETENTION_CRON = "17 * * * *"
JOB_RETENTION_HOURS = 24


async def crawl(context: JobContext, source: str, trigger: str) -> None:
    """One run of `source` with the runner the daemon uses; then its next run and its alerts."""
    runtime = runtime_of(context)
    assert runtime.service is not None, "a crawl job runs in a worker"
    async with runtime.measured(context, "crawl"):
        if source not in runtime.config.sources:
            log.error("%s run of %s skipped: no such source in the configuration", trigger, source)
            return
        started = time.monotonic()
        try:
            summary = await runtime.service.crawl(source, CrawlOptions(trigger=trigger))
        except Interrupted:
            log.warning("%s run of %s not started: the worker is stopping; another takes it", trigger, source)
            raise  # retried by CRAWL_RETRY, on another worker
        except (SourceBusyError, StorageError):
            raise  # retried by CRAWL_RETRY
        except PantauError as error:
            log.error("%s run of %s: %s", trigger, source, error)
            return
        log.warning(
            "run %d of %s %s: %d new, %d duplicate, %d unmatched, %d failed",
            summary.run_id, source, summary.status, summary.new, summary.duplicate,
            summary.unmatched, summary.failed,
        )  # fmt: skip
        interval, health = plan_after_run(runtime.config, runtime.database, summary)
        if runtime.metrics is not None:
            runtime.metrics.record_run(
                summary, time.monotonic() - started, health=health, poll_interval_seconds=interval
            )
        if summary.new + summary.duplicate:
            # Its outbox rows are committed: their alerts leave now, not at the next tick.
            await defer_delivery(context.app)


async def deliver_alerts(context: JobContext) -> None:
    """Deliver every due outbox row; the outbox's unique key sends each alert once, whichever
    worker runs this, and the job's lock keeps deliveries one at a time."""
    runtime = runtime_of(context)
    async with runtime.measured(context, "deliver_alerts"):
        report = await asyncio.to_thread(deliver_due, runtime.database, runtime.config)
        if report.messages:
            log.warning("alert delivery: %d messages, %d rows sent, %d retrying, %d failed",
                        report.messages, report.sent, report.retrying, report.failed)  # fmt: skip


async def plan(context: JobContext, timestamp: int) -> None:
    """Defer the due crawls (one periodic slot; the lock keeps two slots from planning at once)."""
    runtime = runtime_of(context)
    done = await plan_crawls(context.app, runtime.config, runtime.database, runtime.holder)
    if done.deferred or done.requested:
        log.info("planned: %d due, %d run-now, %d still waiting", len(done.deferred), len(done.requested),
                 len(done.waiting))  # fmt: skip


async def recover_stalled(context: JobContext, timestamp: int) -> None:
    """Give the jobs of workers that stopped sending heartbeats (killed, frozen, cut off) back to the
    queue, and close the runs nobody crawls any more as abandoned."""
    runtime = runtime_of(context)
    manager = context.app.job_manager
    ours = context.job.worker_id  # this process is alive, whatever its last heartbeat says
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=runtime.stalled_seconds):
        if ours is not None and job.worker_id == ours:
            continue
        if await give_back(manager, job):
            log.warning("job %s (%s) stalled with its worker: retrying it", job.id, job.call_string)
        else:
            log.warning(
                "job %s (%s) stalled with its worker; another waits under its queueing lock %r and does "
                "its work: marked failed",
                job.id, job.call_string, job.queueing_lock,
            )  # fmt: skip
    abandoned = abandon_orphaned_runs(runtime.database, Leases(runtime.database, runtime.holder))
    if abandoned:
        log.warning("%d orphaned runs marked abandoned", abandoned)


async def give_back(manager: JobManager, job: Job) -> bool:
    """Queue a stalled job again; False when a job of its kind waits already under its queueing lock
    (a delivery deferred since the stalled one started): that one does the same work, and queueing the
    stalled one too would break the lock, so it is closed as failed instead. (Retrying it raised, and
    ended the recovery of every stalled job after it.)"""
    try:
        await manager.retry_job(job)
    except UniqueViolation as taken:
        if taken.queueing_lock is None:
            raise
        await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        return False
    return True


async def alert_tick(context: JobContext, timestamp: int) -> None:
    """Retries and digests leave on time even when no crawl finds anything."""
    await defer_delivery(context.app)


async def retention(context: JobContext, timestamp: int) -> None:
    """Finished jobs are kept a day for `pantau status` and inspection, then deleted."""
    await context.app.job_manager.delete_old_jobs(nb_hours=JOB_RETENTION_HOURS)


def work_tasks() -> Blueprint:
    """The tasks of a worker."""
    blueprint = Blueprint()
    blueprint.task(name="crawl", queue=CRAWL_QUEUE, pass_context=True, retry=CRAWL_RETRY)(crawl)
    blueprint.task(name="deliver_alerts", queue=ALERTS_QUEUE, pass_context=True)(deliver_alerts)
    return blueprint


def schedule_tasks() -> Blueprint:
    """The periodic tasks of a scheduler; each runs under its own lock, one at a time."""
    blueprint = Blueprint()
    for function, cron in (
        (plan, PLAN_CRON), (recover_stalled, RECOVER_CRON),
        (alert_tick, ALERT_TICK_CRON), (retention, RETENTION_CRON),
    ):  # fmt: skip
        name = function.__name__
        task = blueprint.task(name=name, queue=SCHEDULER_QUEUE, pass_context=True, lock=f"scheduler:{name}")
        blueprint.periodic(cron=cron, periodic_id=name)(task(function))
    return blueprint
