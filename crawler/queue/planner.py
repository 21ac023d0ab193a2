"""When each source is crawled in scale-out mode: the same schedules as the daemon's (cron, or an
adaptive interval), kept as each source's next run in the database instead of in one process.

A scheduler defers `crawl(source)` for every source whose next run is due and moves that next
run one interval on; the run itself, when it ends, sets it from its own end and the adapted
interval. A failed run backs off as a quiet one does, so a portal that keeps failing is polled
ever less often, up to `max_interval_minutes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from procrastinate import App
from procrastinate.exceptions import AlreadyEnqueued

from crawler.config import Config
from crawler.crawl.runner import RunSummary
from crawler.daemon.jobs import trigger_for, trigger_key
from crawler.daemon.polling import current_poll_interval, next_poll_interval
from crawler.daemon.run_requests import claim_run_requests
from crawler.domain.zones import JAKARTA
from crawler.queue.app import ALERTS_QUEUE, task_name
from crawler.store.db import Database
from crawler.store.schedule import (
    forget_next_run,
    next_runs,
    poll_intervals,
    record_next_run,
    set_poll_interval,
    source_polling,
)

log = logging.getLogger(__name__)

DELIVERY_LOCK = "alert-delivery"


@dataclass(frozen=True, slots=True)
class Plan:
    """What one planning pass deferred; `waiting`: due, but a job of the source waits already."""

    deferred: list[str]
    waiting: list[str]
    requested: list[str]


def source_lock(source: str) -> str:
    """The job lock (and queueing lock) of a source: one run at a time, one waiting at most."""
    return f"source:{source}"


async def defer_crawl(app: App, source: str, trigger: str, due: datetime) -> bool:
    """Defer `crawl(source)`; False when a job of the source is already waiting."""
    lock = source_lock(source)
    deferrer = app.configure_task(task_name("crawl"), lock=lock, queueing_lock=lock, schedule_at=due)
    try:
        await deferrer.defer_async(source=source, trigger=trigger)
    except AlreadyEnqueued:
        return False
    return True


async def defer_delivery(app: App) -> bool:
    """Defer one alert delivery unless one waits already; deliveries never run two at a time."""
    deferrer = app.configure_task(
        task_name("deliver_alerts"), queue=ALERTS_QUEUE, lock=DELIVERY_LOCK, queueing_lock=DELIVERY_LOCK
    )
    try:
        await deferrer.defer_async()
    except AlreadyEnqueued:
        return False
    return True


async def plan_crawls(app: App, config: Config, database: Database, holder: str) -> Plan:
    """Defer the crawl of every due source and of every source a `pantau run-now` asked for."""
    now = datetime.now(JAKARTA)
    recorded = next_runs(database)
    intervals = poll_intervals(database)
    wanted = {name: source for name, source in config.sources.items() if source.enabled}
    for name in sorted(recorded.keys() - wanted.keys()):
        forget_next_run(database, name)
    deferred: list[str] = []
    waiting: list[str] = []
    for name, source in wanted.items():
        record = recorded.get(name)
        if record is not None and record.at > now:
            continue
        due = record.at if record is not None else now
        (deferred if await defer_crawl(app, name, "schedule", due) else waiting).append(name)
        trigger = trigger_for(source.schedule, intervals.get(name))
        record_next_run(database, name, trigger_key(trigger), trigger.get_next_fire_time(None, now))
    requested = []
    for name in claim_run_requests(database, holder, busy=()):
        if name not in config.sources:
            log.error("run-now of %s ignored: no such source in the configuration", name)
        elif await defer_crawl(app, name, "run-now", now):
            requested.append(name)
    return Plan(deferred, waiting, requested)


def plan_after_run(config: Config, database: Database, summary: RunSummary) -> tuple[float | None, str]:
    """Adapt the source's interval to the run and set its next run from now; (interval, health)."""
    polling = source_polling(database, summary.source)
    interval = polling.poll_interval_seconds
    source = config.sources.get(summary.source)
    if source is None:
        return interval, polling.health
    if not source.schedule.cron and summary.status in ("succeeded", "failed"):
        before = current_poll_interval(source.schedule, interval)
        found_new = summary.status == "succeeded" and summary.stories - summary.failed > 0
        interval = next_poll_interval(source.schedule, before, found_new)
        set_poll_interval(database, summary.source, interval)
        if interval != before:
            log.warning("%s now polls every %.0f s", summary.source, interval)
    trigger = trigger_for(source.schedule, interval)
    record_next_run(
        database,
        summary.source,
        trigger_key(trigger),
        trigger.get_next_fire_time(None, datetime.now(JAKARTA)),
    )
    return interval, polling.health
