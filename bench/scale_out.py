"""Scale-out: crawls per minute and story-to-alert latency with 1, 2, 4 and 8 workers, the single
daemon beside them, and the figures the capacity model in README rests on.

200 loopback portals (the tests' portal server, every answer delayed 200 ms to model a real portal)
each list a few stories; a publisher adds a new story to a random portal every second. Each
configuration runs on a fresh PostgreSQL schema for `--minutes`: one `pantau scheduler` and N
`pantau worker --concurrency C`, or one `pantau daemon`. Printed per configuration: finished crawls
per minute (after a warm-up), p95 time from a story appearing in a listing to its alert row,
CPU seconds of the crawling processes per crawl, rows written per crawl, wall time of a crawl, and
the invariants (no overlapping runs of one source, every story stored once, every alert queued
once, every periodic slot deferred once). Then the queue alone: empty jobs per second through
Procrastinate on this PostgreSQL.

    .venv/bin/python bench/scale_out.py [--sources 200] [--workers 1,2,4,8] [--minutes 3]
        [--concurrency 4] [--interval-minutes 0.5] [--latency 0.2] [--no-daemon]
    (PANTAU_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the loopback portal server and helpers of the tests

from procrastinate import Blueprint  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from crawler.queue.app import ensure_schema, queue_app  # noqa: E402
from crawler.store.db import open_database  # noqa: E402
from crawler.store.models import AlertOutbox, CrawlRun, Match, StoredArticle  # noqa: E402
from tests.conftest_alerts import HttpReceiver  # noqa: E402
from tests.portal_server import PortalServer, Route  # noqa: E402
from tests.queue_helpers import (  # noqa: E402
    check_invariants,
    serve_portal,
    site_of,
    story_page,
    write_scale_config,
)

BASE_URL = os.environ.get("PANTAU_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
WARM_UP_SECONDS = 45
DAEMON_CONFIG = "daemon:\n  metrics_port: null\n"


@dataclass
class Portals:
    """200 portals whose listings grow by one story a second, each story's appearance timed."""

    server: PortalServer
    sites: list[str]
    latency: float
    listed: dict[str, list[str]]
    appeared: dict[str, float]  # story URL -> when it entered its listing (epoch seconds)

    def publish(self, stop: threading.Event) -> None:
        pick = random.Random(7)
        number = 0
        while not stop.wait(1.0):
            site = pick.choice(self.sites)
            number += 1
            slug = f"berita-baru-{number}"
            self.server.route(
                f"http://www.{site}/{slug}", Route(story_page(site, slug), delay_seconds=self.latency)
            )
            self.listed[site].insert(0, slug)
            base = f"http://www.{site}"
            links = "".join(
                f'<h3 class="title"><a href="{base}/{s}">{s}</a></h3>' for s in self.listed[site][:10]
            )
            self.appeared[f"{base}/{slug}"] = time.time()
            self.server.route(
                f"{base}/category/daerah",
                Route(f"<html><body>{links}</body></html>".encode(), delay_seconds=self.latency),
            )


@dataclass
class Result:
    label: str
    crawls_per_minute: float
    p95_alert_seconds: float | None
    alerts: int
    cpu_per_crawl: float
    writes: Writes
    crawl_wall_p50: float
    invariants: str


def schema_url(schema: str) -> str:
    separator = "&" if "?" in BASE_URL else "?"
    return f"{BASE_URL}{separator}options=-csearch_path%3D{schema}"


def group_cpu_seconds(groups: list[int]) -> float:
    """User + system CPU of every live process in these process groups (workers and their pools)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


STORY_TABLES = (
    "articles", "story_clusters", "near_duplicate_signatures", "near_duplicate_bands", "story_follows",
    "matches", "alert_outbox",
)  # fmt: skip


def rows_by_table(admin_url: str, schema: str) -> dict[str, int]:
    """Rows inserted, updated and deleted so far in each table of the schema (PostgreSQL's counters)."""
    engine = create_engine(admin_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del, n_tup_ins FROM pg_stat_user_tables "
                "WHERE schemaname = :schema"
            ),
            {"schema": schema},
        ).all()
    engine.dispose()
    counts = {name: int(written) for name, written, _ in rows}
    counts["articles inserted"] = next((int(ins) for name, _, ins in rows if name == "articles"), 0)
    return counts


@dataclass(frozen=True)
class Writes:
    """Rows written in a window: the queue's per crawl, the rest per crawl, the stories' per story."""

    queue_per_crawl: float
    runs_per_crawl: float
    per_story: float
    stories: int

    @classmethod
    def between(cls, before: dict[str, int], after: dict[str, int], crawls: int) -> Writes:
        delta = {name: after.get(name, 0) - before.get(name, 0) for name in after}
        stories = delta.pop("articles inserted", 0)
        queue = sum(count for name, count in delta.items() if name.startswith("procrastinate"))
        story = sum(count for name, count in delta.items() if name in STORY_TABLES)
        runs = sum(delta.values()) - queue - story
        return cls(queue / max(crawls, 1), runs / max(crawls, 1), story / max(stories, 1), stories)


def start(command: list[str], config: Path, url: str, proxy: str) -> subprocess.Popen[bytes]:
    environment = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    environment |= {"http_proxy": proxy, "no_proxy": "127.0.0.1"}
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "--config", str(config), "--db", url, *command],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def run_configuration(
    label: str, commands: list[list[str]], args: argparse.Namespace, folder: Path
) -> Result:
    schema = f"pantau_bench_{uuid.uuid4().hex[:10]}"
    admin_url = BASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = schema_url(schema)
    database = open_database(url)
    ensure_schema(database)
    receiver = HttpReceiver()
    try:
        with PortalServer() as server:
            sites = [site_of(index) for index in range(args.sources)]
            portals = Portals(server, sites, args.latency, {}, {})
            for site in sites:
                portals.listed[site] = ["kabar-pertama", "kabar-kedua"]
                serve_portal(server, site, portals.listed[site], delay=args.latency)
            config = write_scale_config(
                folder / f"{schema}.yaml",
                {f"s{index:03d}": site for index, site in enumerate(sites)},
                receiver.url,
                interval_minutes=args.interval_minutes,
                download_timeout=30,  # Pantau's default
            )
            with config.open("a", encoding="utf-8") as appended:
                appended.write(DAEMON_CONFIG)
            processes = [start(command, config, url, server.proxy_url) for command in commands]
            stop = threading.Event()
            publisher = threading.Thread(target=portals.publish, args=(stop,), daemon=True)
            publisher.start()
            try:
                time.sleep(WARM_UP_SECONDS)
                groups = [process.pid for process in processes]
                window_start = datetime.now(UTC)
                cpu_start, rows_start = group_cpu_seconds(groups), rows_by_table(admin_url, schema)
                time.sleep(args.minutes * 60)
                window_end = datetime.now(UTC)
                cpu_end, rows_end = group_cpu_seconds(groups), rows_by_table(admin_url, schema)
            finally:
                stop.set()
                for process in processes:
                    with_signal(process, signal.SIGTERM)
            with database.session() as session:
                finished = session.execute(
                    select(CrawlRun.started_at, CrawlRun.finished_at).where(
                        CrawlRun.finished_at >= window_start, CrawlRun.finished_at < window_end
                    )
                ).all()
                alert_rows = session.execute(
                    select(StoredArticle.url, func.min(AlertOutbox.created_at))
                    .join(Match, Match.article_id == StoredArticle.id)
                    .join(AlertOutbox, AlertOutbox.match_id == Match.id)
                    .group_by(StoredArticle.url)
                ).all()
        latencies = sorted(
            created.timestamp() - portals.appeared[story]
            for story, created in alert_rows
            if story in portals.appeared and created is not None
        )
        crawls = len(finished)
        invariants = check_invariants(url)
        try:
            invariants.assert_hold()
            verdict = "hold"
        except AssertionError as broken:
            verdict = f"BROKEN: {broken}"
        return Result(
            label=label,
            crawls_per_minute=crawls / args.minutes,
            p95_alert_seconds=latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
            alerts=len(latencies),
            cpu_per_crawl=(cpu_end - cpu_start) / crawls if crawls else float("nan"),
            writes=Writes.between(rows_start, rows_end, crawls),
            crawl_wall_p50=statistics.median((end - begin).total_seconds() for begin, end in finished)
            if finished
            else float("nan"),
            invariants=verdict,
        )
    finally:
        receiver.close()
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def with_signal(process: subprocess.Popen[bytes], signum: int) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signum)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


async def empty_jobs_per_second(jobs: int, workers: int, concurrency: int) -> tuple[float, float]:
    """(deferred per second, run per second) of no-op jobs through Procrastinate on a fresh schema."""
    schema = f"pantau_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(BASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    database = open_database(schema_url(schema), migrate=False)
    try:
        ensure_schema(database)
        blueprint = Blueprint()

        @blueprint.task(name="noop", queue="bench")
        async def noop(number: int) -> None:
            return None

        app = queue_app(database, "pantau-bench", blueprint)
        async with app.open_async():
            task = app.tasks["pantau:noop"]
            started = time.perf_counter()
            for first in range(0, jobs, 100):
                await asyncio.gather(
                    *(task.defer_async(number=n) for n in range(first, min(first + 100, jobs)))
                )
            deferred = time.perf_counter() - started
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    app.run_worker_async(
                        queues=["bench"],
                        wait=False,
                        concurrency=concurrency,
                        install_signal_handlers=False,
                        listen_notify=False,
                        name=f"bench-{n}",
                    )
                    for n in range(workers)
                )
            )
            ran = time.perf_counter() - started
        return jobs / deferred, jobs / ran
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4,8")
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--interval-minutes", type=float, default=0.5)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--empty-jobs", type=int, default=5000)
    parser.add_argument("--no-daemon", action="store_true")
    parser.add_argument("--queue-only", action="store_true", help="Only the empty-job throughput.")
    args = parser.parse_args()
    print(
        f"{args.sources} sources every {args.interval_minutes:g} min "
        f"(demand {args.sources / args.interval_minutes:.0f} crawls/min), portal latency "
        f"{args.latency * 1000:.0f} ms, {args.minutes:g} min measured after {WARM_UP_SECONDS} s; "
        f"{os.cpu_count()} cores",
        flush=True,
    )
    results: list[Result] = []
    if not args.queue_only:
        with tempfile.TemporaryDirectory() as folder:
            configurations: list[tuple[str, list[list[str]]]] = []
            if not args.no_daemon:
                configurations.append(("daemon", [["daemon"]]))
            for count in (int(n) for n in args.workers.split(",")):
                worker = ["worker", "--concurrency", str(args.concurrency)]
                configurations.append((f"{count} worker(s)", [["scheduler"], *([worker] * count)]))
            for label, commands in configurations:
                result = run_configuration(label, commands, args, Path(folder))
                results.append(result)
                print(_row(result), flush=True)
    queue_figures = [
        (workers, *asyncio.run(empty_jobs_per_second(args.empty_jobs, workers, 4))) for workers in (1, 4)
    ]
    print()
    print(
        "| configuration | crawls/min | vs 0.8 × N × one worker | p95 listing→alert row | alerts "
        "| CPU s/crawl | rows/crawl: queue + runs | rows/new story | crawl wall p50 | invariants |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    one = next((r.crawls_per_minute for r in results if r.label == "1 worker(s)"), None)
    for result in results:
        count = int(result.label.split()[0]) if result.label[0].isdigit() else None
        target = f"{result.crawls_per_minute / (0.8 * count * one):.2f}" if count and one else "—"
        print(_row(result, target))
    for workers, deferred, ran in queue_figures:
        print(
            f"queue alone: {args.empty_jobs} empty jobs, {workers} worker(s) of concurrency 4, one process: "
            f"{deferred:.0f} deferred/s, {ran:.0f} run/s"
        )
    return 0


def _row(result: Result, target: str = "—") -> str:
    p95 = f"{result.p95_alert_seconds:.1f} s" if result.p95_alert_seconds is not None else "—"
    writes = result.writes
    return (
        f"| {result.label} | {result.crawls_per_minute:.0f} | {target} | {p95} | {result.alerts} | "
        f"{result.cpu_per_crawl:.2f} | {writes.queue_per_crawl:.1f} + {writes.runs_per_crawl:.1f} | "
        f"{writes.per_story:.1f} ({writes.stories}) | {result.crawl_wall_p50:.1f} s | "
        f"{result.invariants} |"
    )


if __name__ == "__main__":
    sys.exit(main())
