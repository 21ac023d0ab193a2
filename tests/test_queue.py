"""Scale-out mode with real processes on loopback: `pantau scheduler` and `pantau worker`s sharing a
PostgreSQL database through Procrastinate, disturbed the ways production disturbs them."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from sqlalchemy import select, text, update

from crawler.crawl.runner import HEARTBEAT_SECONDS
from crawler.queue.app import ALERTS_QUEUE, CRAWL_QUEUE, ensure_schema, queue_app, task_name
from crawler.queue.planner import defer_delivery
from crawler.queue.tasks import give_back, work_tasks
from crawler.store.db import open_database
from crawler.store.models import CrawlRun, Lease, Source, StoredArticle
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer
from tests.queue_helpers import (
    check_invariants,
    serve_portal,
    site_of,
    terminate_connections,
    write_scale_config,
)
from tests.test_daemon import DaemonProcess

if TYPE_CHECKING:
    from tests.conftest_alerts import HttpReceiver

T = TypeVar("T")
pytest_plugins = ["tests.conftest_alerts"]
SLUGS = ["jalan-rusak", "kopi-robusta", "pelabuhan-baru"]


@pytest.fixture
def processes() -> Iterator[list[DaemonProcess]]:
    """Every scheduler and worker a test starts is killed at the end, whatever happened."""
    started: list[DaemonProcess] = []
    yield started
    for process in started:
        process.kill()


def start(
    processes: list[DaemonProcess], command: str, config: Path, database_url: str, proxy: str, *options: str
) -> DaemonProcess:
    process = DaemonProcess(config, database_url, proxy, *options, command=command)
    processes.append(process)
    return process


def wait_for(probe: Callable[[], T | None], processes: list[DaemonProcess], timeout: float = 120) -> T:
    """`probe()`'s first answer that is not None; on a timeout, the log of every process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.3)
    logs = "\n".join(f"--- {' '.join(p.process.args[-4:])}:\n{p.log}" for p in processes)
    raise AssertionError(f"nothing within {timeout} s\n{logs}")


def migrated(url: str) -> str:
    """The database migrated and its queue's tables created, as the first process to start does."""
    database = open_database(url)
    ensure_schema(database)
    database.dispose()
    return url


def run_rows(database_url: str) -> list[tuple[str, str, str]]:
    """(source, status, trigger) of every run, oldest first."""
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            query = select(Source.name, CrawlRun.status, CrawlRun.trigger).join(Source).order_by(CrawlRun.id)
            return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]
    finally:
        database.dispose()


def stored_urls(database_url: str) -> list[str]:
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            return sorted(session.scalars(select(StoredArticle.url)))
    finally:
        database.dispose()


def queue_sql(database_url: str, query: str) -> list[tuple[object, ...]]:
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            return [tuple(row) for row in session.execute(text(query))]
    finally:
        database.dispose()


def portals(server: PortalServer, count: int, *, delay: float = 0.0) -> dict[str, str]:
    sources = {f"site{index:03d}": site_of(index) for index in range(count)}
    for site in sources.values():
        serve_portal(server, site, SLUGS, delay=delay)
    return sources


def expected_urls(sources: dict[str, str]) -> list[str]:
    return sorted(f"http://www.{site}/{slug}" for site in sources.values() for slug in SLUGS)


def test_scale_out_on_sqlite_is_refused_in_one_sentence(tmp_path: Path) -> None:
    config = write_scale_config(tmp_path / "pantau.yaml", {"site000": site_of(0)}, "http://127.0.0.1:9/")
    database_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    for command in ("worker", "scheduler"):
        result = run_pantau(command, config=config, database_url=database_url, timeout=60)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"error: `pantau {command}` is the scale-out mode and needs PostgreSQL, but {database_url} is "
            "SQLite: run `pantau daemon` on SQLite, or point --db (storage.url) at a postgresql:// database"
        ]


@pytest.mark.postgres
def test_the_queue_schema_is_applied_once_however_many_processes_start_at_once(postgres_url: str) -> None:
    database = open_database(postgres_url)
    try:
        with ThreadPoolExecutor(max_workers=3) as starting:
            applied = list(starting.map(lambda _: ensure_schema(database), range(3)))
        assert sorted(applied) == [False, False, True]
        assert ensure_schema(database) is False
        assert queue_sql(postgres_url, "SELECT count(*) FROM procrastinate_jobs") == [(0,)]
    finally:
        database.dispose()


@pytest.mark.postgres
def test_a_stalled_delivery_whose_successor_waits_is_closed_and_the_next_stalled_job_is_still_retried(
    postgres_url: str,
) -> None:
    """A delivery deferred while the stalled one ran holds the queueing lock the stalled one would be
    queued under: retrying it raised, and the stalled crawl after it was never given back."""
    database = open_database(migrated(postgres_url))
    app = queue_app(database, "pantau-test", work_tasks())

    async def scenario() -> tuple[bool, bool, list[str], int]:
        async with app.open_async():
            manager = app.job_manager
            worker = await manager.register_worker()
            assert await defer_delivery(app)
            delivery = await manager.fetch_job(queues=[ALERTS_QUEUE], worker_id=worker)
            assert delivery is not None and await defer_delivery(app)  # its successor waits
            crawl = app.configure_task(task_name("crawl"), queue=CRAWL_QUEUE)
            await crawl.defer_async(source="site000", trigger="schedule")
            crawling = await manager.fetch_job(queues=[CRAWL_QUEUE], worker_id=worker)
            assert crawling is not None and delivery.id is not None and crawling.id is not None
            superseded, retried = await give_back(manager, delivery), await give_back(manager, crawling)
            statuses = [(await manager.get_job_status_async(job)).value for job in (delivery.id, crawling.id)]
            waiting = await manager.list_jobs_async(queue=ALERTS_QUEUE, status="todo")
            return superseded, retried, statuses, len(list(waiting))

    try:
        assert asyncio.run(scenario()) == (False, True, ["failed", "todo"], 1)
    finally:
        database.dispose()


@pytest.mark.postgres
def test_a_scheduler_and_two_workers_crawl_every_source_and_alert_each_story_once(
    postgres_url: str, tmp_path: Path, processes: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    database_url = migrated(postgres_url)
    with PortalServer() as server:
        sources = portals(server, 6)
        config = write_scale_config(tmp_path / "pantau.yaml", sources, http_receiver.url)
        scheduler = start(processes, "scheduler", config, database_url, server.proxy_url)
        port = free_port()
        workers = [
            start(processes, "worker", config, database_url, server.proxy_url, "--concurrency", "2", *metrics)
            for metrics in (("--metrics-port", str(port), "--heartbeat", "1"), ())
        ]
        wait_for(lambda: len(http_receiver.requests) >= 6 * len(SLUGS) or None, processes)
        time.sleep(3)  # a second alert of any story would come within the next delivery
        status = run_pantau("status", "--json", config=config, database_url=database_url, timeout=60)
        status_lines = run_pantau("status", config=config, database_url=database_url, timeout=60).stdout
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
        other = sum(1 for line in workers[1].lines if " succeeded: " in line)  # runs the other worker did
        asked = run_pantau("run-now", "site003", config=config, database_url=database_url, timeout=60)
        assert asked.stdout.startswith("run of site003 queued: a scheduler"), asked.stderr
        wait_for(lambda: ("site003", "succeeded", "run-now") in run_rows(database_url) or None, processes)
        for worker in workers:
            assert worker.stop(signal.SIGTERM) == 0, worker.log

    assert sorted(run[0] for run in run_rows(database_url)) == sorted([*sources, "site003"])
    assert Counter(run[1:] for run in run_rows(database_url)) == {
        ("succeeded", "schedule"): 6, ("succeeded", "run-now"): 1,
    }  # fmt: skip
    assert stored_urls(database_url) == expected_urls(sources)
    titles = Counter(request.json()["article"]["title"] for request in http_receiver.requests)
    assert len(titles) == 6 * len(SLUGS) and set(titles.values()) == {1}
    check_invariants(database_url).assert_hold()

    queue = json.loads(status.stdout)["queue"]
    crawl = next(entry for entry in queue["queues"] if entry["name"] == "crawl")
    assert (crawl["waiting"], crawl["running"], crawl["failed"], crawl["done"]) == (0, 0, 0, 6)
    host = socket.gethostname()
    assert sorted((entry["role"], entry["process"]) for entry in queue["processes"]) == sorted(
        [("scheduler", f"{host}:{scheduler.process.pid}")]
        + [("worker", f"{host}:{worker.process.pid}") for worker in workers]
    )
    assert "queue crawl: 0 waiting, 0 running, 0 failed, 6 done" in status_lines.splitlines()
    assert f"worker {host}:{workers[0].process.pid}: since " in status_lines
    done = _sample(metrics, 'pantau_queue_jobs_total{outcome="done",task="crawl"}')
    assert done + other == 6
    assert _sample(metrics, 'pantau_queue_job_latency_seconds_count{task="crawl"}') == done
    assert _sample(metrics, 'pantau_queue_depth{queue="crawl"}') == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _sample(metrics: str, name: str) -> float:
    """The value of one sample in Prometheus's text format."""
    return float(next(line.split()[-1] for line in metrics.splitlines() if line.startswith(name + " ")))


@pytest.mark.postgres
def test_a_worker_killed_mid_crawl_has_its_job_retried_elsewhere_and_nothing_happens_twice(
    postgres_url: str, tmp_path: Path, processes: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    database_url = migrated(postgres_url)
    with PortalServer() as server:
        sources = portals(server, 2)
        slow = [server.routes[f"http://www.{site_of(0)}/{slug}"] for slug in SLUGS[1:]]
        for route in slow:
            route.delay_seconds = 60  # the first worker dies waiting for these
        config = write_scale_config(tmp_path / "pantau.yaml", sources, http_receiver.url)
        stalled = ("--stalled-after", "8", "--heartbeat", "1")
        scheduler = start(processes, "scheduler", config, database_url, server.proxy_url, *stalled)
        first = start(processes, "worker", config, database_url, server.proxy_url, "--heartbeat", "1")
        first_url = f"http://www.{site_of(0)}/{SLUGS[0]}"
        wait_for(lambda: first_url in stored_urls(database_url) or None, processes)
        assert ("site000", "running", "schedule") in run_rows(database_url)

        os.killpg(first.process.pid, signal.SIGKILL)  # the machine dies: the worker and its children
        first.process.wait(timeout=30)
        for route in slow:
            route.delay_seconds = 0
        second = start(processes, "worker", config, database_url, server.proxy_url, "--heartbeat", "1")
        # An alert the dead worker had claimed, mid-send, waits for its claim to expire (5 min), then
        # goes out with the same idempotency key: every alert is sent, or held by that claim.
        accounted = lambda: len(http_receiver.requests) + outbox(database_url)["sending"]  # noqa: E731
        wait_for(lambda: accounted() >= 2 * len(SLUGS) or None, processes, timeout=90)
        time.sleep(3)  # a second alert of any story would come within the next delivery
        assert second.stop() == 0, second.log
        assert scheduler.stop() == 0, scheduler.log

    site000_runs = [run[1] for run in run_rows(database_url) if run[0] == "site000"]
    assert site000_runs == ["abandoned", "succeeded"]
    assert "stalled with its worker: retrying it" in scheduler.log
    assert stored_urls(database_url) == expected_urls(sources)
    titles = Counter(request.json()["article"]["title"] for request in http_receiver.requests)
    assert set(titles.values()) == {1}
    statuses = outbox(database_url)
    assert statuses["sent"] == len(titles) and statuses["sending"] == 2 * len(SLUGS) - len(titles) <= 1
    check_invariants(database_url).assert_hold()


def outbox(database_url: str) -> Counter[str]:
    """How many outbox rows are in each status (pending, sending, sent, failed)."""
    return Counter(str(status) for (status,) in queue_sql(database_url, "SELECT status FROM alert_outbox"))


def plan_slots(database_url: str) -> list[int]:
    rows = queue_sql(
        database_url,
        "SELECT (args->>'timestamp')::bigint FROM procrastinate_jobs "
        "WHERE task_name = 'pantau:plan' ORDER BY 1",
    )
    return [int(str(row[0])) for row in rows]


@pytest.mark.postgres
def test_two_schedulers_defer_each_periodic_slot_once_and_one_carries_on_when_the_other_dies(
    postgres_url: str, tmp_path: Path, processes: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    database_url = migrated(postgres_url)
    with PortalServer() as server:
        sources = portals(server, 4)
        config = write_scale_config(tmp_path / "pantau.yaml", sources, http_receiver.url)
        options = ("--stalled-after", "8", "--heartbeat", "1")
        schedulers = [
            start(processes, "scheduler", config, database_url, server.proxy_url, *options) for _ in range(2)
        ]
        start(processes, "worker", config, database_url, server.proxy_url, "--heartbeat", "1")
        wait_for(lambda: len(plan_slots(database_url)) >= 4 or None, processes)
        os.killpg(schedulers[0].process.pid, signal.SIGKILL)
        killed_at = time.time()
        wait_for(lambda: len(http_receiver.requests) >= 4 * len(SLUGS) or None, processes)
        wait_for(lambda: max(plan_slots(database_url)) > killed_at + 15 or None, processes, timeout=60)
        assert schedulers[1].stop() == 0, schedulers[1].log

    slots = plan_slots(database_url)
    assert len(slots) == len(set(slots))
    assert {later - earlier for earlier, later in itertools.pairwise(slots)} == {5}
    assert sorted(run[0] for run in run_rows(database_url)) == sorted(sources)  # each source once
    check_invariants(database_url).assert_hold()


@pytest.mark.postgres
def test_a_source_that_always_fails_backs_off_and_never_holds_the_others_up(
    postgres_url: str, tmp_path: Path, processes: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    database_url = migrated(postgres_url)
    with PortalServer() as server:
        sources = portals(server, 3)
        serve_portal(server, site_of(0), SLUGS, delay=2, listing_status=503)
        config = write_scale_config(
            tmp_path / "pantau.yaml", sources, http_receiver.url, interval_minutes=0.05,
            max_interval={"site000": 1.0},
        )  # fmt: skip
        start(processes, "scheduler", config, database_url, server.proxy_url)
        start(processes, "worker", config, database_url, server.proxy_url, "--concurrency", "1")
        time.sleep(50)

    runs = run_rows(database_url)
    failing = [status for name, status, _ in runs if name == "site000" and status != "running"]
    healthy = Counter(name for name, status, _ in runs if name != "site000" and status == "succeeded")
    assert set(failing) == {"failed"} and 2 <= len(failing) <= 5, runs
    assert min(healthy.values()) > len(failing), runs  # every other source ran more often
    database = open_database(database_url, migrate=False)
    with database.session() as session:
        interval = session.scalar(select(Source.poll_interval_seconds).where(Source.name == "site000"))
    database.dispose()
    assert interval is not None and interval >= 3 * 2 ** (len(failing) - 1)
    check_invariants(database_url).assert_hold()


@pytest.mark.postgres
def test_workers_whose_connections_are_cut_reconnect_and_finish_the_work(
    postgres_url: str, tmp_path: Path, processes: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    database_url = migrated(postgres_url)
    with PortalServer() as server:
        sources = portals(server, 8, delay=0.5)
        config = write_scale_config(tmp_path / "pantau.yaml", sources, http_receiver.url)
        scheduler = start(processes, "scheduler", config, database_url, server.proxy_url)
        workers = [
            start(processes, "worker", config, database_url, server.proxy_url, "--concurrency", "2")
            for _ in range(2)
        ]
        names = [f"pantau-worker-{worker.process.pid}" for worker in workers]
        names.append(f"pantau-scheduler-{scheduler.process.pid}")
        wait_for(lambda: run_rows(database_url) or None, processes)
        cut = 0
        for _ in range(4):
            cut += terminate_connections(database_url, names)
            time.sleep(2)
        assert cut >= 4
        wait_for(lambda: len(http_receiver.requests) >= 8 * len(SLUGS) or None, processes)
        time.sleep(3)
        for process in [*workers, scheduler]:
            assert process.process.poll() is None, process.log
            assert process.stop() == 0, process.log

    assert sorted(run[0] for run in run_rows(database_url)) == sorted(sources)
    assert stored_urls(database_url) == expected_urls(sources)
    titles = Counter(request.json()["article"]["title"] for request in http_receiver.requests)
    assert len(titles) == 8 * len(SLUGS) and set(titles.values()) == {1}
    check_invariants(database_url).assert_hold()


@pytest.mark.postgres
def test_a_run_whose_lease_was_taken_closes_down_and_stores_nothing_more(
    postgres_url: str, tmp_path: Path, processes: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    database_url = migrated(postgres_url)
    with PortalServer() as server:
        sources = portals(server, 1)
        for slug in SLUGS[1:]:
            server.routes[f"http://www.{site_of(0)}/{slug}"].delay_seconds = 50
        config = write_scale_config(tmp_path / "pantau.yaml", sources, http_receiver.url, download_timeout=90)
        start(processes, "scheduler", config, database_url, server.proxy_url)
        worker = start(processes, "worker", config, database_url, server.proxy_url)
        first_url = f"http://www.{site_of(0)}/{SLUGS[0]}"
        wait_for(lambda: first_url in stored_urls(database_url) or None, processes)
        database = open_database(database_url, migrate=False)
        with database.session() as session:  # another process takes the lease over (this one froze)
            session.execute(
                update(Lease)
                .where(Lease.name == "run:site000")
                .values(holder="elsewhere:1:aa", expires_at=datetime.now(UTC) + timedelta(hours=1))
            )
        database.dispose()
        wait_for(lambda: ("site000", "aborted", "schedule") in run_rows(database_url) or None, processes, 60)
        time.sleep(HEARTBEAT_SECONDS / 2)  # long enough for a late story to be stored, if one were
        assert worker.stop() == 0, worker.log

    assert "lost its lease run:site000 to another process: closing it down" in worker.log
    assert stored_urls(database_url) == [first_url]
