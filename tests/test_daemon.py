"""`pantau daemon` in a child process against a loopback portal: scheduling, stops, restarts, crashes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from sqlalchemy import func, select

from crawler.crawl.runner import STOP_GRACE_SECONDS
from crawler.store.db import open_database
from crawler.store.leases import QUEUE_SCHEDULER_LEASE_PREFIX, Leases
from crawler.store.models import CrawlRun, Source, StoredArticle
from crawler.store.schedule import next_runs, record_next_run
from tests.conftest import ROOT
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route

if TYPE_CHECKING:
    from tests.conftest_alerts import HttpReceiver

T = TypeVar("T")
LAMPUNG = "http://www.rmollampung.id"
JATIM = "http://www.rmoljatim.id"
SOURCE = """\
  {name}:
    family: rmol_regional
    sites: [{site}]
    listings: ["http://www.{{site}}/category/daerah"]
    search_enabled: false
    enabled: {enabled}
    schedule:
      interval_minutes: 60
      jitter_seconds: 0
"""
CONFIG = """\
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
  concurrency_per_domain: 4
archive: all
sources:
{sources}
watches:
  - name: lampung
    query: Lampung
daemon:
  metrics_port: {metrics_port}
"""
STORIES = ("jalan-rusak-di-lampung-timur", "kopi-robusta-lampung-barat", "pelabuhan-bakauheni-lampung")
SENTENCES = {
    "jalan-rusak-di-lampung-timur": "Warga Lampung Timur mengeluhkan jalan berlubang sejak awal tahun.",
    "kopi-robusta-lampung-barat": "Harga kopi robusta Lampung Barat naik tajam menjelang panen raya.",
    "pelabuhan-bakauheni-lampung": "Pelabuhan Bakauheni Lampung menambah kapal untuk arus mudik.",
    "banjir-surabaya-lampung": "Banjir merendam Surabaya; relawan dari Lampung ikut membantu evakuasi.",
    "jalan-tol-lampung": "Jalan tol Trans Sumatra ruas Lampung dibuka penuh untuk libur panjang.",
}
SLOW_SECONDS = 8

pytest_plugins = ["tests.conftest_alerts"]


def write_config(
    path: Path,
    sources: dict[str, str] | None = None,
    *,
    disabled: tuple[str, ...] = (),
    metrics_port: str = "null",
) -> Path:
    sources = sources or {"lampung": "rmollampung.id"}
    blocks = "".join(
        SOURCE.format(name=name, site=site, enabled=str(name not in disabled).lower())
        for name, site in sources.items()
    )
    (path.parent / "seeds").mkdir(exist_ok=True)
    path.write_text(
        CONFIG.format(seeds=path.parent / "seeds", sources=blocks.rstrip("\n"), metrics_port=metrics_port),
        encoding="utf-8",
    )
    return path


def article_page(slug: str) -> bytes:
    title = slug.replace("-", " ").title()
    paragraphs = "".join(f"<p>{SENTENCES[slug]} Paragraf ke-{n} merinci {title}.</p>" for n in range(1, 4))
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2025-07-24T10:15:00+07:00"></head>'
        f'<body><article><h1>{title}</h1><div class="read-content">{paragraphs}</div></article></body></html>'
    ).encode()


def serve_site(server: PortalServer, site: str, stories: tuple[str, ...], slow: str | None = None) -> None:
    links = "".join(f'<h3 class="title"><a href="{site}/{slug}">{slug}</a></h3>' for slug in stories)
    server.route(f"{site}/category/daerah", Route(f"<html><body>{links}</body></html>".encode()))
    for slug in stories:
        server.route(
            f"{site}/{slug}", Route(article_page(slug), delay_seconds=SLOW_SECONDS if slug == slow else 0)
        )


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    with PortalServer() as server:
        serve_site(server, LAMPUNG, STORIES)
        yield server


class DaemonProcess:
    """`pantau daemon OPTIONS` (or another `command`) in a child process; its stderr is collected
    line by line as it comes."""

    def __init__(
        self, config: Path, database_url: str, proxy: str, *options: str, command: str = "daemon"
    ) -> None:
        environment = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
        environment["http_proxy"] = proxy
        environment["no_proxy"] = "127.0.0.1"  # alert receivers listen on loopback, portals behind the proxy
        pantau = [sys.executable, "-m", "crawler", "--config", str(config), "--db", database_url]
        self.process = subprocess.Popen(
            [*pantau, command, *options],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            start_new_session=True,  # its own process group, as a terminal gives a command
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def holder(self) -> str:
        return f"{socket.gethostname()}:{self.process.pid}"

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, timeout: float = 90) -> str:
        return wait_for(lambda: next((line for line in self.lines if text in line), None), timeout, self)

    def stop(self, signum: int = signal.SIGTERM, *, whole_group: bool = False) -> int:
        """Signal the process, or its whole process group as Ctrl-C in a terminal does; its exit code."""
        if whole_group:
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)

    @property
    def log(self) -> str:
        return "\n".join(self.lines)


def wait_for(probe: Callable[[], T | None], timeout: float = 90, daemon: DaemonProcess | None = None) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if daemon is not None and daemon.process.poll() is not None:
            time.sleep(0.5)
            raise AssertionError(f"the daemon exited with {daemon.process.returncode}:\n{daemon.log}")
        found = probe()
        if found is not None:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nothing within {timeout} s" + (f"; daemon log:\n{daemon.log}" if daemon else ""))


@pytest.fixture
def daemons() -> Iterator[list[DaemonProcess]]:
    """Every daemon a test starts is killed at the end, whatever happened."""
    started: list[DaemonProcess] = []
    yield started
    for daemon in started:
        daemon.kill()


def start(
    daemons: list[DaemonProcess],
    config: Path,
    database_url: str,
    proxy: str,
    *options: str,
    command: str = "daemon",
) -> DaemonProcess:
    daemon = DaemonProcess(config, database_url, proxy, *options, command=command)
    daemons.append(daemon)
    return daemon


def runs(database_url: str) -> list[tuple[str, str]]:
    """(status, trigger) of every run, oldest first."""
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            return [
                (run.status, run.trigger) for run in session.scalars(select(CrawlRun).order_by(CrawlRun.id))
            ]
    finally:
        database.dispose()


def finished_runs(database_url: str, count: int) -> Callable[[], list[tuple[str, str]] | None]:
    def probe() -> list[tuple[str, str]] | None:
        found = runs(database_url)
        done = [run for run in found if run[0] != "running"]
        return found if len(done) >= count else None

    return probe


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pantau.db'}"


def migrated(database_url: str) -> str:
    open_database(database_url).dispose()
    return database_url


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_daemon_runs_each_source_at_start_and_stops_cleanly(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess], signum: int
) -> None:
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, write_config(tmp_path / "pantau.yaml"), database_url, portal.proxy_url)
    wait_for(finished_runs(database_url, 1), daemon=daemon)
    assert daemon.stop(signum) == 0, daemon.log
    assert "daemon stopped" in daemon.log
    assert runs(database_url) == [("succeeded", "schedule")]


def test_new_stories_speed_the_source_up_and_the_interval_is_persisted(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, write_config(tmp_path / "pantau.yaml"), database_url, portal.proxy_url)
    daemon.wait_for_line("lampung now polls every 1800 s")
    assert daemon.stop() == 0
    database = open_database(database_url, migrate=False)
    with database.session() as session:
        assert session.scalar(select(Source.poll_interval_seconds).where(Source.name == "lampung")) == 1800
    next_run = next_runs(database)["lampung"].at
    database.dispose()
    assert timedelta(minutes=29) < next_run - datetime.now(UTC) <= timedelta(minutes=30)


# Three runs in one process, as the daemon makes them; then the Scrapy objects still alive.
REPEATED_RUNS = """
import asyncio, gc, sys
from pathlib import Path
from scrapy import Spider
from scrapy.crawler import Crawler
from crawler.config import load_config
from crawler.crawl.runner import CrawlService, run_in_reactor
from crawler.store.db import open_database

async def crawl_three_times() -> None:
    database = open_database(sys.argv[2])
    service = CrawlService(load_config(Path(sys.argv[1])).with_database(database.url), database)
    for _ in range(3):
        print((await service.crawl("lampung")).status)
    await asyncio.sleep(0.1)  # the loop runs the last crawl's done-callbacks
    gc.collect()
    alive = [type(o).__name__ for o in gc.get_objects() if isinstance(o, (Crawler, Spider))]
    print("alive:", sorted(alive))

run_in_reactor(crawl_three_times)
"""


def test_a_finished_run_leaves_no_crawler_or_spider_alive_in_a_long_lived_process(
    portal: PortalServer, tmp_path: Path
) -> None:
    """What a daemon keeps of each run grows it run after run: the crawler holds the spider, its
    stats and the pipelines."""
    config, database_url = write_config(tmp_path / "pantau.yaml"), migrated(sqlite_url(tmp_path))
    environment = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    environment["http_proxy"] = portal.proxy_url
    result = subprocess.run(
        [sys.executable, "-c", REPEATED_RUNS, str(config), database_url],
        capture_output=True, text=True, cwd=ROOT, env=environment, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["succeeded"] * 3 + ["alive: []"], result.stderr


def test_alerts_leave_right_after_the_run_that_stored_them(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess], http_receiver: HttpReceiver
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    text = config.read_text(encoding="utf-8").replace(
        "    query: Lampung\n", "    query: Lampung\n    channels: [hook]\n    delivery: immediate\n"
    )
    config.write_text(
        text + f"alerts:\n  channels:\n    hook:\n      type: webhook\n      url: {http_receiver.url}\n"
        "network:\n  allow: [127.0.0.0/8]\n",  # the receiver listens on loopback
        encoding="utf-8",
    )
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, config, database_url, portal.proxy_url)
    wait_for(finished_runs(database_url, 1), daemon=daemon)
    finished = time.monotonic()
    # The delivery timer first fires 30 s after the start: alerts sooner than that left with the run.
    wait_for(lambda: http_receiver.requests or None, timeout=20, daemon=daemon)
    assert time.monotonic() - finished < 20
    assert daemon.stop() == 0, daemon.log
    titles = sorted(request.json()["article"]["title"] for request in http_receiver.requests)
    assert len(titles) == len(STORIES) and len(set(titles)) == len(STORIES)


def test_a_second_daemon_on_the_same_database_refuses_with_a_clear_message(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    first = start(daemons, config, database_url, portal.proxy_url)
    first.wait_for_line("daemon started")

    second = run_pantau(
        "daemon", config=config, database_url=database_url, proxy=portal.proxy_url, timeout=60
    )

    assert second.returncode == 1
    assert second.stderr.strip().splitlines()[-1] == (
        f"error: another daemon ({first.holder}) already schedules crawls on {database_url}; "
        "stop it first, or start this one with --standby to take over when it stops"
    )
    assert first.process.poll() is None


def test_a_daemon_refuses_a_database_that_scale_out_schedulers_already_schedule(
    portal: PortalServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    holder = f"{socket.gethostname()}:{os.getpid()}:aa"  # this test process: alive while the daemon looks
    leases = Leases(open_database(database_url), holder)
    assert leases.acquire(f"{QUEUE_SCHEDULER_LEASE_PREFIX}{holder}", timedelta(minutes=5))

    daemon = run_pantau(
        "daemon", config=config, database_url=database_url, proxy=portal.proxy_url, timeout=60
    )

    assert daemon.returncode == 1
    assert daemon.stderr.strip().splitlines()[-1] == (
        f"error: scale-out schedulers ({socket.gethostname()}:{os.getpid()}) already schedule crawls on "
        f"{database_url}; stop them first, or add workers instead"
    )


def test_a_standby_daemon_takes_over_when_the_first_stops(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    first = start(daemons, config, database_url, portal.proxy_url)
    first.wait_for_line("daemon started")
    wait_for(finished_runs(database_url, 1), daemon=first)
    standby = start(daemons, config, database_url, portal.proxy_url, "--standby")
    standby.wait_for_line(f"standby: daemon {first.holder} holds the scheduler lease; waiting")

    assert first.stop() == 0
    started = standby.wait_for_line("daemon started")

    assert "1 sources scheduled (0 added, 0 removed, 0 rescheduled, 1 kept)" in started
    assert standby.stop() == 0
    assert runs(database_url) == [("succeeded", "schedule")]


def test_run_now_makes_the_running_daemon_crawl_the_source_at_once(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, config, database_url, portal.proxy_url)
    wait_for(finished_runs(database_url, 1), daemon=daemon)

    asked = run_pantau("run-now", "lampung", config=config, database_url=database_url, timeout=60)

    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.strip() == f"daemon {daemon.holder} started a run of lampung"
    assert wait_for(finished_runs(database_url, 2), daemon=daemon) == [
        ("succeeded", "schedule"),
        ("succeeded", "run-now"),
    ]
    assert daemon.stop() == 0


def test_run_now_without_a_daemon_says_how_to_crawl_instead(tmp_path: Path) -> None:
    database_url = migrated(sqlite_url(tmp_path))
    result = run_pantau(
        "run-now", "lampung", config=write_config(tmp_path / "pantau.yaml"), database_url=database_url
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: no daemon is running on {database_url}; crawl here instead with `pantau crawl lampung`"
    )


def test_a_restart_keeps_the_persisted_job_and_its_next_run(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    first = start(daemons, config, database_url, portal.proxy_url)
    first.wait_for_line("lampung now polls every")
    assert first.stop() == 0
    before = job_next_run(database_url)

    second = start(daemons, config, database_url, portal.proxy_url)
    started = second.wait_for_line("daemon started")

    assert "1 sources scheduled (0 added, 0 removed, 0 rescheduled, 1 kept)" in started
    assert job_next_run(database_url) == before
    assert second.stop() == 0
    assert runs(database_url) == [("succeeded", "schedule")]


def test_runs_missed_while_the_daemon_was_down_run_once_after_restart(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    first = start(daemons, config, database_url, portal.proxy_url)
    first.wait_for_line("lampung now polls every")
    assert first.stop() == 0
    three_hours_down = datetime.now(UTC) - timedelta(hours=3, seconds=1)
    set_job_next_run(database_url, three_hours_down)

    second = start(daemons, config, database_url, portal.proxy_url)
    second.wait_for_line("run 2 of lampung succeeded")
    second.wait_for_line("lampung now polls every")

    assert job_next_run(database_url) > datetime.now(UTC)
    assert second.stop() == 0
    assert runs(database_url) == [("succeeded", "schedule"), ("succeeded", "schedule")]


def test_a_reload_on_sighup_adds_and_drops_sources_and_survives_a_broken_file(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    serve_site(portal, JATIM, ("banjir-surabaya-lampung",))
    config = write_config(tmp_path / "pantau.yaml")
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, config, database_url, portal.proxy_url)
    wait_for(finished_runs(database_url, 1), daemon=daemon)

    config.write_text("sources: [unclosed\n", encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for_line("configuration not reloaded, the running one stays")
    write_config(config, {"lampung": "rmollampung.id", "jatim": "rmoljatim.id"}, disabled=("lampung",))
    daemon.process.send_signal(signal.SIGHUP)
    reloaded = daemon.wait_for_line("configuration reloaded")
    daemon.wait_for_line("of jatim succeeded")

    assert reloaded.endswith("configuration reloaded: 1 added, 1 removed, 0 rescheduled, 0 kept")
    assert sorted(job_next_runs(database_url)) == ["jatim"]
    assert daemon.stop() == 0


def test_sources_crawl_concurrently_and_a_crawl_beside_the_daemon_is_refused_while_it_runs(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    serve_site(portal, LAMPUNG, STORIES, slow=STORIES[0])
    serve_site(portal, JATIM, ("banjir-surabaya-lampung", "jalan-tol-lampung"), slow="jalan-tol-lampung")
    config = write_config(tmp_path / "pantau.yaml", {"lampung": "rmollampung.id", "jatim": "rmoljatim.id"})
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, config, database_url, portal.proxy_url)
    wait_for(lambda: stored_count(database_url) == 3 or None, daemon=daemon)

    beside = run_pantau("crawl", "lampung", config=config, database_url=database_url, proxy=portal.proxy_url)

    assert beside.returncode == 1
    assert beside.stderr.strip().splitlines()[-1] == (
        f"error: source 'lampung' is being crawled by {daemon.holder}; try again when that run ends"
    )
    wait_for(finished_runs(database_url, 2), daemon=daemon)
    database = open_database(database_url, migrate=False)
    with database.session() as session:
        both = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    database.dispose()
    first, second = both
    assert first.finished_at is not None and second.finished_at is not None
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    again = run_pantau("crawl", "lampung", config=config, database_url=database_url, proxy=portal.proxy_url)
    assert again.returncode == 0, again.stderr
    assert stored_count(database_url) == 5
    assert daemon.stop() == 0


@pytest.mark.parametrize(("signum", "whole_group"), [(signal.SIGTERM, False), (signal.SIGINT, True)])
def test_a_stop_during_a_run_closes_the_run_as_aborted(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess], signum: int, whole_group: bool
) -> None:
    serve_site(portal, LAMPUNG, STORIES, slow=STORIES[0])
    database_url = migrated(sqlite_url(tmp_path))
    daemon = start(daemons, write_config(tmp_path / "pantau.yaml"), database_url, portal.proxy_url)
    wait_for(lambda: stored_count(database_url) == 2 or None, daemon=daemon)

    assert daemon.stop(signum, whole_group=whole_group) == 0, daemon.log

    assert runs(database_url) == [("aborted", "schedule")]
    assert "Traceback" not in daemon.log


def test_ctrl_c_on_a_crawl_closes_its_run_as_aborted_keeps_what_it_stored_and_exits_130(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    serve_site(portal, LAMPUNG, STORIES, slow=STORIES[0])
    database_url = migrated(sqlite_url(tmp_path))
    config = write_config(tmp_path / "pantau.yaml")
    crawl = start(daemons, config, database_url, portal.proxy_url, "lampung", "--no-alerts", command="crawl")
    wait_for(lambda: stored_count(database_url) == 2 or None, daemon=crawl)

    assert crawl.stop(signal.SIGINT, whole_group=True) == 130, crawl.log

    assert runs(database_url) == [("aborted", "manual")]
    stored = stored_count(database_url)  # the slow story may finish while the crawl closes down
    assert stored >= 2 and run_counts(database_url) == (stored, 0, stored)
    assert crawl.lines[-1].startswith("error: stopped: run 1 is recorded as aborted; what it stored is kept")
    assert "Traceback" not in crawl.log
    again = run_pantau("crawl", "lampung", config=config, database_url=database_url, proxy=portal.proxy_url)
    assert again.returncode == 0, again.stderr  # the run lease went with the stopped crawl


def test_a_crawl_that_cannot_close_is_cancelled_after_the_grace_period(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    """Requests waiting on a robots.txt that never answers never end by themselves."""
    portal.route(
        f"{LAMPUNG}/robots.txt", Route(b"User-agent: *\n", content_type="text/plain", delay_seconds=120)
    )
    database_url = migrated(sqlite_url(tmp_path))
    config = write_config(tmp_path / "pantau.yaml")
    crawl = start(daemons, config, database_url, portal.proxy_url, "lampung", "--no-alerts", command="crawl")
    robots = portal.routes[f"{LAMPUNG}/robots.txt"]
    wait_for(lambda: robots.hits or None, daemon=crawl)  # the listing request waits on robots.txt now

    stopped_at = time.monotonic()
    assert crawl.stop(signal.SIGTERM) == 130, crawl.log
    assert time.monotonic() - stopped_at < STOP_GRACE_SECONDS + 10
    assert runs(database_url) == [("aborted", "manual")]
    assert any("did not close within" in line for line in crawl.lines), crawl.log


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_daemon_killed_mid_run_leaves_a_consistent_database_the_next_run_continues_from(
    portal: PortalServer,
    tmp_path: Path,
    daemons: list[DaemonProcess],
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    database_url = migrated(
        sqlite_url(tmp_path) if backend == "sqlite" else request.getfixturevalue("postgres_url")
    )
    serve_site(portal, LAMPUNG, STORIES, slow=STORIES[0])
    config = write_config(tmp_path / "pantau.yaml")
    killed = start(daemons, config, database_url, portal.proxy_url)
    wait_for(lambda: stored_count(database_url) == 2 or None, daemon=killed)

    helpers = descendants(killed.process.pid)  # the extraction pool's fork server and workers
    assert helpers
    killed.kill()
    assert runs(database_url) == [("running", "schedule")]
    wait_for(lambda: not any(map(alive, helpers)) or None, timeout=15)  # none outlives the daemon
    serve_site(portal, LAMPUNG, STORIES)
    second = start(daemons, config, database_url, portal.proxy_url)
    second.wait_for_line("1 orphaned runs marked abandoned")
    asked = run_pantau("run-now", "lampung", config=config, database_url=database_url, timeout=60)
    assert asked.returncode == 0, asked.stderr
    wait_for(finished_runs(database_url, 2), daemon=second)
    assert second.stop() == 0

    database = open_database(database_url, migrate=False)
    with database.session() as session:
        first_run, next_run = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        per_run = dict(
            session.execute(
                select(StoredArticle.crawl_run_id, func.count()).group_by(StoredArticle.crawl_run_id)
            ).all()
        )
    database.dispose()
    assert (first_run.status, first_run.trigger, first_run.items_new, per_run[first_run.id]) == (
        "abandoned", "schedule", 2, 2,
    )  # fmt: skip
    assert (next_run.status, next_run.trigger, next_run.items_new, per_run[next_run.id]) == (
        "succeeded", "run-now", 1, 1,
    )  # fmt: skip
    assert [portal.routes[f"{LAMPUNG}/{slug}"].hits for slug in STORIES] == [1, 0, 0]


def test_metrics_count_runs_on_the_configured_port(
    portal: PortalServer, tmp_path: Path, daemons: list[DaemonProcess]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database_url = migrated(sqlite_url(tmp_path))
    config = write_config(tmp_path / "pantau.yaml", metrics_port=str(port))
    daemon = start(daemons, config, database_url, portal.proxy_url)
    daemon.wait_for_line("lampung now polls every")

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        metrics = response.read().decode()

    assert 'pantau_crawl_runs_total{source="lampung",status="succeeded"} 1.0' in metrics
    assert 'pantau_crawl_stories_total{outcome="new",source="lampung"} 3.0' in metrics
    assert 'pantau_source_poll_interval_seconds{source="lampung"} 1800.0' in metrics
    assert daemon.stop() == 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    children = [
        int(child)
        for task in Path(f"/proc/{pid}/task").glob("*/children")
        for child in task.read_text().split()
    ]
    return [found for child in children for found in (child, *descendants(child))]


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its parent to reap it has finished)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def run_counts(database_url: str) -> tuple[int, int, int]:
    """(new + duplicate + unmatched, failed, matched) of the only run."""
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            run = session.scalars(select(CrawlRun)).one()
            stored = run.items_new + run.items_duplicate + run.items_unmatched
            return stored, run.items_failed, run.items_matched
    finally:
        database.dispose()


def stored_count(database_url: str) -> int:
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(StoredArticle)) or 0
    except Exception:  # the daemon may still be creating the schema
        return 0
    finally:
        database.dispose()


def job_next_runs(database_url: str) -> dict[str, datetime]:
    """Each scheduled source's next run, as the daemon records it."""
    database = open_database(database_url, migrate=False)
    try:
        return {source: next_run.at for source, next_run in next_runs(database).items()}
    finally:
        database.dispose()


def job_next_run(database_url: str) -> datetime:
    return job_next_runs(database_url)["lampung"]


def set_job_next_run(database_url: str, moment: datetime) -> None:
    """What a daemon that was down since `moment` finds: the job was due then."""
    database = open_database(database_url, migrate=False)
    try:
        trigger = next_runs(database)["lampung"].trigger
        assert trigger is not None
        record_next_run(database, "lampung", trigger, moment)
    finally:
        database.dispose()
