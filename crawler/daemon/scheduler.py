"""The daemon's life: the scheduler lease, the crawl jobs and the housekeeping jobs on the reactor's
asyncio loop, configuration reload on SIGHUP and a graceful stop on SIGINT/SIGTERM.

One daemon per database: it holds the `scheduler` lease for its whole life. What runs when is
crawler/daemon/jobs.py; how often a source is polled, crawler/daemon/polling.py.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawler.alerts import deliver_due
from crawler.config import Config, load_config
from crawler.crawl.runner import CrawlOptions, CrawlService, RunSummary
from crawler.daemon.jobs import CrawlJobs, trigger_for
from crawler.daemon.polling import current_poll_interval, next_poll_interval
from crawler.daemon.run_requests import claim_run_requests
from crawler.domain.errors import ConfigError, PantauError
from crawler.domain.zones import JAKARTA
from crawler.store.db import Database
from crawler.store.leases import (
    QUEUE_SCHEDULER_LEASE_PREFIX,
    SCHEDULER_LEASE,
    SchedulerBusyError,
    SourceBusyError,
    live_leases,
)
from crawler.store.schedule import poll_intervals, set_poll_interval, source_polling

if TYPE_CHECKING:
    from crawler.daemon.metrics import DaemonMetrics

log = logging.getLogger(__name__)

ALERT_DELIVERY_SECONDS = 30
RUN_REQUEST_POLL_SECONDS = 2
SCHEDULER_LEASE_TTL = timedelta(seconds=60)
SCHEDULER_LEASE_RENEW_SECONDS = 15
STANDBY_POLL_SECONDS = 5.0


class Daemon:
    """Runs every enabled source on its schedule until `stop()` (or SIGINT/SIGTERM); SIGHUP reloads."""

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
        self._requested: set[asyncio.Task[None]] = set()  # run-now crawls and deliveries after a run
        self._delivery = asyncio.Lock()
        self._jobs: CrawlJobs | None = None
        self._lost_lease = False

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        try:
            if await self._take_scheduler_lease():
                await self._schedule_until_stopped(loop)
        finally:
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
        if self._jobs is not None:
            log.warning("configuration reloaded: %s", self._jobs.sync(config, poll_intervals(self.database)))

    async def crawl(self, source: str, trigger: str = "schedule") -> None:
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
        queue_schedulers = live_leases(self.database, QUEUE_SCHEDULER_LEASE_PREFIX)
        if queue_schedulers:  # the scale-out mode schedules this database's crawls already
            raise SchedulerBusyError(
                f"scale-out schedulers ({', '.join(lease.process for lease in queue_schedulers)}) already "
                f"schedule crawls on {self.database.safe_url}; stop them first, or add workers instead"
            )
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
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=JAKARTA)
        jobs = CrawlJobs(scheduler, self.database, self.crawl)
        self._jobs = jobs
        scheduler.start(paused=True)
        changes = jobs.sync(self.config, poll_intervals(self.database))
        for job, seconds in (
            (self._deliver_alerts, ALERT_DELIVERY_SECONDS),
            (self._renew_scheduler_lease, SCHEDULER_LEASE_RENEW_SECONDS),
            (self._start_requested_runs, RUN_REQUEST_POLL_SECONDS),
        ):
            scheduler.add_job(job, IntervalTrigger(seconds=seconds), max_instances=1)
        scheduler.resume()
        log.warning(
            "daemon started: %d sources scheduled (%s); %d orphaned runs marked abandoned",
            len(jobs), changes, abandoned,
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
            self._jobs = None
            if self.metrics is not None:
                self.metrics.close()
            self.leases.release(SCHEDULER_LEASE)
            log.warning("daemon stopped")

    def _after_run(self, summary: RunSummary, seconds: float) -> None:
        """Persist the source's next polling interval and reschedule it; report the run to metrics."""
        source = self.config.sources.get(summary.source)
        polling = source_polling(self.database, summary.source)
        interval, changed = polling.poll_interval_seconds, False
        if source is not None and not source.schedule.cron and summary.status == "succeeded":
            before = current_poll_interval(source.schedule, interval)
            found_new = summary.stories - summary.failed > 0
            interval = next_poll_interval(source.schedule, before, found_new)
            set_poll_interval(self.database, summary.source, interval)
            changed = interval != before
        if self.metrics is not None:
            self.metrics.record_run(summary, seconds, health=polling.health, poll_interval_seconds=interval)
        if summary.new + summary.duplicate and not self._stopping.is_set():
            # Its outbox rows are committed: their alerts leave now, not at the next delivery tick.
            delivery = asyncio.ensure_future(self._deliver_alerts())
            self._requested.add(delivery)
            delivery.add_done_callback(self._requested.discard)
        if source is not None and changed and interval is not None:
            # Once stopping, the next start's sync applies the persisted interval.
            if self._jobs is not None and not self._stopping.is_set():
                self._jobs.reschedule(summary.source, trigger_for(source.schedule, interval))
            log.warning("%s now polls every %.0f s", summary.source, interval)

    async def _deliver_alerts(self) -> None:
        # One delivery at a time: the timer's (retries, digests) and those right after a run.
        async with self._delivery:
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
