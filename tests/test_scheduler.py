"""The daemon's scheduling rules: persisted jobs per source, adaptive intervals and run-now claims."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from alembic import command
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, text

from crawler.config import Config, ScheduleConfig, SourceConfig
from crawler.daemon.jobs import CrawlJobs, trigger_for
from crawler.daemon.polling import next_poll_interval, poll_bounds
from crawler.daemon.run_requests import claim_run_requests
from crawler.store.db import Database, alembic_config
from crawler.store.leases import Leases, run_lease
from crawler.store.models import RunRequest
from crawler.store.run_requests import request_run
from crawler.store.schedule import NextRun, next_runs

EVERY_10 = ScheduleConfig(
    interval_minutes=10, jitter_seconds=0, min_interval_minutes=5, max_interval_minutes=60
)


def config_with(**sources: SourceConfig) -> Config:
    return Config(sources=sources)


def regional(schedule: ScheduleConfig = EVERY_10, enabled: bool = True) -> SourceConfig:
    return SourceConfig(family="rmol_regional", sites=["rmollampung.id"], schedule=schedule, enabled=enabled)


async def no_crawl(source: str) -> None:
    raise AssertionError(f"a paused scheduler crawled {source}")


def with_paused_scheduler(database: Database, body: Callable[[CrawlJobs], None]) -> None:
    """Run `body` against the crawl jobs of a started, paused scheduler on the database: nothing fires."""

    async def main() -> None:
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
        jobs = CrawlJobs(scheduler, database, no_crawl)
        scheduler.start(paused=True)
        try:
            body(jobs)
        finally:
            scheduler.shutdown(wait=False)

    asyncio.run(main())


def test_new_stories_halve_the_interval_down_to_the_minimum() -> None:
    assert next_poll_interval(EVERY_10, None, found_new=True) == 300
    assert next_poll_interval(EVERY_10, 300, found_new=True) == 300


def test_nothing_new_doubles_the_interval_up_to_the_maximum() -> None:
    intervals = [600.0]
    for _ in range(4):
        intervals.append(next_poll_interval(EVERY_10, intervals[-1], found_new=False))
    assert intervals == [600, 1200, 2400, 3600, 3600]


def test_the_adaptive_range_always_contains_the_configured_interval() -> None:
    fast = ScheduleConfig(interval_minutes=1, min_interval_minutes=5, max_interval_minutes=60)
    assert poll_bounds(fast) == (60, 3600)
    assert next_poll_interval(fast, None, found_new=True) == 60


def test_an_interval_source_gets_its_persisted_interval_and_a_cron_source_its_expression() -> None:
    interval = trigger_for(EVERY_10, 1200)
    cron = trigger_for(ScheduleConfig(cron="*/10 * * * *", jitter_seconds=30))
    assert isinstance(interval, IntervalTrigger) and interval.interval == timedelta(seconds=1200)
    assert isinstance(cron, CronTrigger) and str(cron.fields[6]) == "*/10" and cron.jitter == 30


def test_sync_persists_one_job_per_enabled_source(database: Database) -> None:
    config = config_with(
        lampung=regional(),
        bisnis=regional(ScheduleConfig(cron="*/10 * * * *")),
        jatim=regional(enabled=False),
    )

    def check(crawl_jobs: CrawlJobs) -> None:
        scheduler = crawl_jobs.scheduler
        changes = crawl_jobs.sync(config, {"lampung": 1200.0})
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert (changes.added, changes.removed, changes.rescheduled) == (
            ["crawl:lampung", "crawl:bisnis"],
            [],
            [],
        )
        assert sorted(jobs) == ["crawl:bisnis", "crawl:lampung"]
        assert jobs["crawl:lampung"].trigger.interval == timedelta(seconds=1200)
        assert (jobs["crawl:lampung"].coalesce, jobs["crawl:lampung"].max_instances) == (True, 1)
        assert jobs["crawl:lampung"].args == ("lampung",)

    with_paused_scheduler(database, check)
    assert sorted(next_runs(database)) == ["bisnis", "lampung"]


def test_a_reload_adds_removes_and_reschedules_and_keeps_unchanged_next_runs(database: Database) -> None:
    before = config_with(lampung=regional(), jatim=regional(), bisnis=regional())
    every_20 = EVERY_10.model_copy(update={"interval_minutes": 20.0})
    after = config_with(lampung=regional(), jatim=regional(every_20), aceh=regional())

    def check(crawl_jobs: CrawlJobs) -> None:
        scheduler = crawl_jobs.scheduler
        crawl_jobs.sync(before, {})
        kept_next_run = scheduler.get_job("crawl:lampung").next_run_time
        changes = crawl_jobs.sync(after, {})
        assert (changes.added, changes.removed, changes.rescheduled, changes.kept) == (
            ["crawl:aceh"], ["crawl:bisnis"], ["crawl:jatim"], ["crawl:lampung"],
        )  # fmt: skip
        assert scheduler.get_job("crawl:lampung").next_run_time == kept_next_run
        assert scheduler.get_job("crawl:jatim").trigger.interval == timedelta(minutes=20)

    with_paused_scheduler(database, check)


def test_jobs_survive_a_new_scheduler_on_the_same_database(database: Database) -> None:
    config = config_with(lampung=regional())
    first: list[datetime] = []

    def schedule(crawl_jobs: CrawlJobs) -> None:
        scheduler = crawl_jobs.scheduler
        crawl_jobs.sync(config, {})
        first.append(scheduler.get_job("crawl:lampung").next_run_time)

    def restart(crawl_jobs: CrawlJobs) -> None:
        scheduler = crawl_jobs.scheduler
        changes = crawl_jobs.sync(config, {})
        assert (changes.added, changes.kept) == ([], ["crawl:lampung"])
        assert scheduler.get_job("crawl:lampung").next_run_time == first[0]

    with_paused_scheduler(database, schedule)
    with_paused_scheduler(database, restart)


def test_run_requests_are_claimed_once_per_free_source(database: Database) -> None:
    for source in ("lampung", "lampung", "jatim", "aceh"):
        request_run(database, source, requested_by="cli")
    assert Leases(database, "host-b:2:bb").acquire(run_lease("aceh"), timedelta(minutes=1))

    claimed = claim_run_requests(database, "daemon", busy={"jatim"})

    with database.session() as session:
        requests = session.scalars(select(RunRequest).order_by(RunRequest.id)).all()
        states = [(request.source, request.claimed_by) for request in requests]
    assert claimed == ["lampung"]
    assert states == [("lampung", "daemon"), ("lampung", "daemon"), ("jatim", None), ("aceh", None)]
    assert claim_run_requests(database, "daemon", busy=set()) == ["jatim"]


def test_an_upgrade_from_apschedulers_job_table_keeps_each_sources_next_run(database_url: str) -> None:
    """A daemon upgraded from 0006, whose jobs lived in APScheduler's table, resumes where it was."""
    due = datetime(2099, 11, 23, 3, 20, tzinfo=UTC)
    database = Database(database_url)
    with database.engine.begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(
            text("INSERT INTO scheduler_jobs (id, next_run_time, job_state) VALUES (:id, :due, :state)"),
            {"id": "crawl:lampung", "due": due.timestamp(), "state": b"pickled job"},
        )
    database.migrate()

    def restart(crawl_jobs: CrawlJobs) -> None:
        changes = crawl_jobs.sync(config_with(lampung=regional()), {})
        assert (changes.added, changes.rescheduled, changes.kept) == ([], [], ["crawl:lampung"])
        assert crawl_jobs.scheduler.get_job("crawl:lampung").next_run_time == due

    try:
        assert next_runs(database) == {"lampung": NextRun("lampung", None, due)}
        with_paused_scheduler(database, restart)
        assert next_runs(database)["lampung"].trigger == "interval[0:10:00] jitter=None"
    finally:
        database.dispose()
