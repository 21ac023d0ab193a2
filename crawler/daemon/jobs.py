"""The crawl jobs: one APScheduler job per enabled source, held in memory by the running daemon,
with each job's next run recorded in the database (crawler/store/schedule.py) as it changes.

The record is what a restart resumes from: a source whose trigger is unchanged keeps its recorded
next run, so a restart neither re-runs every source at once nor forgets a run that was due while
the daemon was down (that run happens once, coalesced).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config, ScheduleConfig
from crawler.daemon.polling import current_poll_interval
from crawler.domain.zones import JAKARTA
from crawler.store.db import Database
from crawler.store.schedule import forget_next_run, next_runs, record_next_run

JOBSTORE = "crawls"
JOB_PREFIX = "crawl:"
CRAWL_JOB_OPTIONS: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}


def crawl_job_id(source: str) -> str:
    return f"{JOB_PREFIX}{source}"


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


def trigger_key(trigger: BaseTrigger) -> str:
    """What makes two triggers the same schedule, e.g. `interval[0:30:00] jitter=None`."""
    return f"{trigger} jitter={getattr(trigger, 'jitter', None)}"


@dataclass
class JobChanges:
    """What a (re)load did to the crawl jobs."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rescheduled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [f"{len(names)} {kind}" for kind, names in vars(self).items()]
        return ", ".join(parts)


class RecordedJobStore(MemoryJobStore):
    """APScheduler's memory job store that records each job's next run whenever it changes: when
    added, after each run, when rescheduled. Its shutdown keeps the record for the next daemon."""

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database

    def add_job(self, job: Job) -> None:
        super().add_job(job)
        self._record(job)

    def update_job(self, job: Job) -> None:
        super().update_job(job)
        self._record(job)

    def remove_job(self, job_id: str) -> None:
        super().remove_job(job_id)
        forget_next_run(self.database, job_id.removeprefix(JOB_PREFIX))

    def _record(self, job: Job) -> None:
        record_next_run(
            self.database, job.id.removeprefix(JOB_PREFIX), trigger_key(job.trigger), job.next_run_time
        )


class CrawlJobs:
    """The crawl job of every enabled source on `scheduler`; a job calls `crawl(source)`."""

    def __init__(
        self, scheduler: AsyncIOScheduler, database: Database, crawl: Callable[[str], Awaitable[None]]
    ) -> None:
        self.scheduler = scheduler
        self.database = database
        self.crawl = crawl
        scheduler.add_jobstore(RecordedJobStore(database), JOBSTORE)

    def __len__(self) -> int:
        return len(self.scheduler.get_jobs(jobstore=JOBSTORE))

    def sync(self, config: Config, intervals: Mapping[str, float | None]) -> JobChanges:
        """Make the jobs match the config: one per enabled source, with its current trigger.

        A source whose trigger is unchanged keeps its next run: its job's on a reload, the recorded
        one on a start.
        """
        changes = JobChanges()
        wanted = {
            name: trigger_for(source.schedule, intervals.get(name))
            for name, source in config.sources.items()
            if source.enabled
        }
        recorded = next_runs(self.database)
        for name in sorted(recorded.keys() - wanted.keys()):
            job_id = crawl_job_id(name)
            if self.scheduler.get_job(job_id, JOBSTORE) is None:
                forget_next_run(self.database, name)
            else:
                self.scheduler.remove_job(job_id, JOBSTORE)
            changes.removed.append(job_id)
        now = datetime.now(JAKARTA)
        for name, trigger in wanted.items():
            job_id = crawl_job_id(name)
            record = recorded.get(name)
            next_run: datetime
            if record is None:
                next_run = now
                changes.added.append(job_id)
            elif record.trigger not in (None, trigger_key(trigger)):  # None: the trigger is not known
                next_run = trigger.get_next_fire_time(None, now)
                changes.rescheduled.append(job_id)
            else:
                changes.kept.append(job_id)
                if self.scheduler.get_job(job_id, JOBSTORE) is not None:
                    continue
                next_run = record.at
            self.scheduler.add_job(
                self.crawl, trigger, args=[name], id=job_id, name=name, jobstore=JOBSTORE,
                next_run_time=next_run, replace_existing=True, **CRAWL_JOB_OPTIONS,
            )  # fmt: skip
        return changes

    def reschedule(self, source: str, trigger: BaseTrigger) -> None:
        """Give the source's job a new trigger; its next run is the trigger's first from now."""
        job_id = crawl_job_id(source)
        if self.scheduler.get_job(job_id, JOBSTORE) is not None:
            self.scheduler.reschedule_job(job_id, JOBSTORE, trigger=trigger)
