"""The daemon: one persisted job per source on the reactor's asyncio loop, adaptive polling, run-now
requests, configuration reload on SIGHUP and a graceful stop on SIGINT/SIGTERM.

Jobs live in APScheduler's SQLAlchemyJobStore, table `scheduler_jobs` of the project's database,
so a restart picks them up and the runs missed while the daemon was down run once (coalesced).
One daemon per database: it holds the `scheduler` lease for its whole life.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import column, select, table, update

from crawler.alerts import deliver_due
from crawler.config import Config, ScheduleConfig, load_config
from crawler.crawl.runner import CrawlOptions, CrawlService, RunSummary
from crawler.domain.errors import ConfigError, PantauError
from crawler.domain.zones import JAKARTA
from crawler.store.db import Database
from crawler.store.leases import SCHEDULER_LEASE, SchedulerBusyError, SourceBusyError, live_lease, run_lease
from crawler.store.models import RunRequest, Source

if TYPE_CHECKING:
    from crawler.daemon.metrics import DaemonMetrics

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_jobs"
ALERT_DELIVERY_SECONDS = 30
RUN_REQUEST_POLL_SECONDS = 2
SCHEDULER_LEASE_TTL = timedelta(seconds=60)
SCHEDULER_LEASE_RENEW_SECONDS = 15
STANDBY_POLL_SECONDS = 5.0
CRAWL_JOB_OPTIONS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}


class DaemonNotRunningError(PantauError):
    """`run-now` needs a daemon on the same database."""


def crawl_job_id(source: str) -> str:
    return f"crawl:{source}"


# --- adaptive polling -----------------------------------------------------------------------------


def poll_bounds(schedule: ScheduleConfig) -> tuple[float, float]:
    """The adaptive range in seconds; it always contains the configured interval."""
    interval = (schedule.interval_minutes or schedule.min_interval_minutes) * 60
    low, high = schedule.min_interval_minutes * 60, schedule.max_interval_minutes * 60
    return min(low, interval), max(high, interval)


def current_poll_interval(schedule: ScheduleConfig, persisted_seconds: float | None) -> float:
    """The interval in force: the persisted adaptive one, else the configured one, within the bounds."""
    low, high = poll_bounds(schedule)
    seconds = persisted_seconds or (schedule.interval_minutes or 0) * 60 or low
    return min(max(seconds, low), high)


def next_poll_interval(schedule: ScheduleConfig, persisted_seconds: float | None, found_new: bool) -> float:
    """Halve the interval after a run that found new stories, double it after one that found none."""
    low, high = poll_bounds(schedule)
    seconds = current_poll_interval(schedule, persisted_seconds)
    return max(seconds / 2, low) if found_new else min(seconds * 2, high)


def trigger_for(schedule: ScheduleConfig, persisted_seconds: float | None = None) -> BaseTrigger:
    """The APScheduler trigger of a source: its cron expression, else its adaptive interval."""
    if schedule.cron:
        trigger = CronTrigger.from_crontab(schedule.cron, timezone=JAKARTA)
        trigger.jitter = schedule.jitter_seconds or None
        return trigger
    return IntervalTrigger(
        seconds=current_poll_interval(schedule, persisted_seconds),
        jitter=schedule.jitter_seconds or None,
        timezone=JAKARTA,
    )


# --- jobs -----------------------------------------------------------------------------------------


@dataclass
class JobChanges:
    """What a (re)load did to the persisted jobs."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{len(names)} {kind}" for kind, names in vars(self).items()]
        return ", ".join(parts)


def sync_jobs(
    scheduler: AsyncIOScheduler, config: Config, intervals: Mapping[str, float | None]
) -> JobChanges:
    """Make the persisted jobs match the config: one per enabled source, with its current trigger.

    A job whose trigger is unchanged keeps its next run time, so a restart neither re-runs every
    source at once nor forgets a run that was due while the daemon was down.
    """
    changes = JobChanges()
    wanted = {
        crawl_job_id(name): (name, trigger_for(source.schedule, intervals.get(name)))
        for name, source in config.sources.items()
        if source.enabled
    }
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id not in wanted:
            scheduler.remove_job(job.id, jobstore="default")
            changes.removed.append(job.id)
    for job_id, (name, trigger) in wanted.items():
        job = scheduler.get_job(job_id, jobstore="default")
        if job is None:
            scheduler.add_job(
                scheduled_crawl, trigger, args=[name], id=job_id, name=name, jobstore="default",
                next_run_time=datetime.now(JAKARTA), **CRAWL_JOB_OPTIONS,
            )  # fmt: skip
            changes.added.append(job_id)
        elif _trigger_key(job.trigger) != _trigger_key(trigger):
            scheduler.reschedule_job(job_id, jobstore="default", trigger=trigger)
            changes.rescheduled.append(job_id)
        else:
            changes.kept.append(job_id)
    return changes


def _trigger_key(trigger: BaseTrigger) -> tuple[str, str, object]:
    return type(trigger).__name__, str(trigger), getattr(trigger, "jitter", None)


def next_run_times(database: Database) -> dict[str, datetime]:
    """Each scheduled source's next run, read from the job store table without unpickling jobs."""
    jobs = table(JOB_TABLE, column("id"), column("next_run_time"))
    with database.session() as session:
        rows = session.execute(select(jobs.c.id, jobs.c.next_run_time)).all()
    return {
        job_id.removeprefix("crawl:"): datetime.fromtimestamp(timestamp, UTC)
        for job_id, timestamp in rows
        if job_id.startswith("crawl:") and timestamp is not None
    }


async def scheduled_crawl(source: str) -> None:
    """The job function the job store persists by reference: a scheduled run on the current daemon."""
    if Daemon.current is None:
        log.error("no daemon to run %s on", source)
        return
    await Daemon.current.crawl(source, "schedule")


# --- run-now requests -----------------------------------------------------------------------------


def request_run(database: Database, source: str, requested_by: str) -> int:
    """Queue a run of `source` for the daemon; returns the request's id."""
    with database.session() as session:
        request = RunRequest(source=source, requested_by=requested_by)
        session.add(request)
        session.flush()
        return request.id


def claim_run_requests(database: Database, holder: str, busy: Collection[str]) -> list[str]:
    """Claim the pending requests of every source that is free; several requests of one source are one run.

    A source running here (`busy`) or in another process keeps its requests pending until it is free.
    """
    with database.session() as session:
        pending = session.scalars(select(RunRequest).where(RunRequest.claimed_at.is_(None))).all()
        sources = sorted({request.source for request in pending})
    free = [name for name in sources if name not in busy and live_lease(database, run_lease(name)) is None]
    if not free:
        return []
    with database.session() as session:
        session.execute(
            update(RunRequest)
            .where(RunRequest.source.in_(free), RunRequest.claimed_at.is_(None))
            .values(claimed_at=datetime.now(UTC), claimed_by=holder)
        )
    return free


# --- the daemon -----------------------------------------------------------------------------------


class Daemon:
    """Runs every enabled source on its schedule until `stop()` (or SIGINT/SIGTERM); SIGHUP reloads."""

    current: ClassVar[Daemon | None] = None

    def __init__(
        self,
        config: Config,
        database: Database,
        *,
        standby: bool = False,
        metrics: DaemonMetrics | None = None,
    ) -> None:
        self.config = config
        self.database = database
        self.standby = standby
        self.metrics = metrics
        self.service = CrawlService(config, database)
        self.leases = self.service.leases
        self._stopping = asyncio.Event()
        self._running: dict[str, asyncio.Task[object]] = {}
        self._requested: set[asyncio.Task[None]] = set()
        self._scheduler: AsyncIOScheduler | None = None
        self._lost_lease = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        try:
            if await self._take_scheduler_lease():
                Daemon.current = self
                await self._schedule_until_stopped(loop)
        finally:
            Daemon.current = None
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                loop.remove_signal_handler(signum)
        if self._lost_lease:
            raise SchedulerBusyError("this daemon lost its scheduler lease to another daemon and stopped")

    def stop(self) -> None:
        """Stop scheduling; running crawls are closed down and their runs recorded as aborted."""
        log.warning("stopping: finishing running crawls")
        self._stopping.set()

    def reload(self) -> None:
        """Re-read the configuration file; jobs are added, removed and rescheduled to match it."""
        try:
            config = load_config(self.config.path).with_database(self.database.url)
        except ConfigError as error:
            log.error("configuration not reloaded, the running one stays: %s", error)
            return
        self.config = config
        self.service.config = config
        if self._scheduler is not None:
            log.warning("configuration reloaded: %s", sync_jobs(self._scheduler, config, self._intervals()))

    async def crawl(self, source: str, trigger: str) -> None:
        """One run of `source` unless one is already going on; then adapt its polling interval."""
        if source in self._running:
            log.warning("%s run of %s skipped: it is running already", trigger, source)
            return
        task = asyncio.current_task()
        assert task is not None
        self._running[source] = task
        started = time.monotonic()
        try:
            summary = await self.service.crawl(source, CrawlOptions(trigger=trigger))
        except SourceBusyError as busy:
            log.warning("%s run of %s skipped: %s", trigger, source, busy)
            return
        except PantauError as error:
            log.error("%s run of %s: %s", trigger, source, error)
            return
        except Exception:
            log.exception("%s run of %s failed", trigger, source)
            return
        finally:
            self._running.pop(source, None)
        log.warning(
            "run %d of %s %s: %d new, %d duplicate, %d unmatched, %d failed",
            summary.run_id, source, summary.status, summary.new, summary.duplicate,
            summary.unmatched, summary.failed,
        )  # fmt: skip
        self._after_run(summary, time.monotonic() - started)

    async def _take_scheduler_lease(self) -> bool:
        """Take the database's scheduler lease, or refuse; a standby waits for it. False if stopped."""
        announced = False
        while not self.leases.acquire(SCHEDULER_LEASE, SCHEDULER_LEASE_TTL):
            holder = self.leases.current(SCHEDULER_LEASE)
            if holder is None:
                continue  # released between our two reads: try again at once
            if not self.standby:
                raise SchedulerBusyError(
                    f"another daemon ({holder.process}) already schedules crawls on "
                    f"{self.database.safe_url}; "
                    "stop it first, or start this one with --standby to take over when it stops"
                )
            if not announced:
                log.warning("standby: daemon %s holds the scheduler lease; waiting", holder.process)
                announced = True
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), STANDBY_POLL_SECONDS)
            if self._stopping.is_set():
                log.warning("daemon stopped")
                return False
        return True

    async def _schedule_until_stopped(self, loop: asyncio.AbstractEventLoop) -> None:
        abandoned = self.service.abandon_orphaned_runs()
        scheduler = AsyncIOScheduler(
            event_loop=loop,
            timezone=JAKARTA,
            jobstores={
                "default": SQLAlchemyJobStore(engine=self.database.engine, tablename=JOB_TABLE),
                "internal": MemoryJobStore(),
            },
        )
        self._scheduler = scheduler
        scheduler.start(paused=True)
        changes = sync_jobs(scheduler, self.config, self._intervals())
        for job, seconds in (
            (self._deliver_alerts, ALERT_DELIVERY_SECONDS),
            (self._renew_scheduler_lease, SCHEDULER_LEASE_RENEW_SECONDS),
            (self._start_requested_runs, RUN_REQUEST_POLL_SECONDS),
        ):
            scheduler.add_job(job, IntervalTrigger(seconds=seconds), jobstore="internal", max_instances=1)
        scheduler.resume()
        log.warning(
            "daemon started: %d sources scheduled (%s); %d orphaned runs marked abandoned",
            len(scheduler.get_jobs(jobstore="default")), changes, abandoned,
        )  # fmt: skip
        try:
            await self._stopping.wait()
        finally:
            scheduler.pause()
            await self.service.stop()
            pending = [*self._running.values(), *self._requested]
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            scheduler.shutdown(wait=False)
            self._scheduler = None
            if self.metrics is not None:
                self.metrics.close()
            self.leases.release(SCHEDULER_LEASE)
            log.warning("daemon stopped")

    def _intervals(self) -> dict[str, float | None]:
        with self.database.session() as session:
            return dict(session.execute(select(Source.name, Source.poll_interval_seconds)).tuples().all())

    def _after_run(self, summary: RunSummary, seconds: float) -> None:
        """Persist the source's next polling interval and reschedule it; report the run to metrics."""
        source = self.config.sources.get(summary.source)
        adapts = source is not None and not source.schedule.cron and summary.status == "succeeded"
        with self.database.session() as session:
            row = session.scalars(select(Source).where(Source.name == summary.source)).one()
            if source is not None and adapts:
                before = current_poll_interval(source.schedule, row.poll_interval_seconds)
                found_new = summary.stories - summary.failed > 0
                row.poll_interval_seconds = next_poll_interval(source.schedule, before, found_new)
                adapts = row.poll_interval_seconds != before
            interval, health = row.poll_interval_seconds, row.health
        if self.metrics is not None:
            self.metrics.record_run(summary, seconds, health=health, poll_interval_seconds=interval)
        if source is not None and adapts and interval is not None:
            self._reschedule(summary.source, trigger_for(source.schedule, interval))
            log.warning("%s now polls every %.0f s", summary.source, interval)

    def _reschedule(self, source: str, trigger: BaseTrigger) -> None:
        job_id = crawl_job_id(source)
        scheduler = self._scheduler
        if scheduler is None or self._stopping.is_set():
            return  # the next start's sync applies the persisted interval
        if scheduler.get_job(job_id, jobstore="default") is not None:
            scheduler.reschedule_job(job_id, jobstore="default", trigger=trigger)

    async def _deliver_alerts(self) -> None:
        try:
            await asyncio.to_thread(deliver_due, self.database, self.config)
        except Exception:
            log.exception("alert delivery failed")

    async def _renew_scheduler_lease(self) -> None:
        if not self.leases.renew(SCHEDULER_LEASE, SCHEDULER_LEASE_TTL):
            log.error("lost the scheduler lease: another daemon took over; stopping")
            self._lost_lease = True
            self.stop()

    async def _start_requested_runs(self) -> None:
        for source in claim_run_requests(self.database, self.leases.holder, busy=set(self._running)):
            if source not in self.config.sources:
                log.error("run-now of %s ignored: no such source in the configuration", source)
                continue
            task = asyncio.ensure_future(self.crawl(source, "run-now"))
            self._requested.add(task)
            task.add_done_callback(self._requested.discard)
