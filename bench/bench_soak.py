"""Soak: the daemon runs 500 scheduled crawls against a local portal; memory stays flat, runs never overlap.

Five RMOL-regional sources on a loopback portal (tests/portal_server.py, a forward proxy) are
scheduled every few seconds; a publisher thread adds a story to every site each second, so runs
store real articles. Resident memory of the daemon and of each of its child processes (fork server,
resource tracker, extraction workers) is read from /proc every 50 finished runs, so a growth shows
where it is; the total at the 50th and the 500th run is the figure. Fails (exit 1) when memory grows
by 10% or more, when two runs of a source overlap, or when a run is left `running` after the stop.

    .venv/bin/python bench/bench_soak.py [--runs 500] [--interval-seconds 3] [--sample-every 50]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from itertools import pairwise
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.store.db import open_database  # noqa: E402
from crawler.store.models import CrawlRun, Source, StoredArticle  # noqa: E402
from tests.portal_server import PortalServer, Route  # noqa: E402

SITES = ("rmollampung.id", "rmoljatim.id", "rmoljabar.id", "rmolsumsel.id", "rmolaceh.id")
LISTED_STORIES = 5
SOURCE = """\
  {name}:
    family: rmol_regional
    sites: [{site}]
    listings: ["http://www.{{site}}/category/daerah"]
    search_enabled: false
    schedule:
      interval_minutes: {minutes}
      min_interval_minutes: {minutes}
      max_interval_minutes: {minutes}
      jitter_seconds: 0
"""
CONFIG = """\
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
  obey_robots_txt: false
archive: all
sources:
{sources}
watches:
  - name: lampung
    query: Lampung
"""


class Publisher:
    """Adds one story per site every second; each listing shows the newest few."""

    def __init__(self, portal: PortalServer) -> None:
        self.portal = portal
        self.published = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Publisher:
        self._publish()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._publish()

    def _publish(self) -> None:
        number = self.published
        self.published += 1
        for site in SITES:
            slug = f"berita-{number}-{site.split('.')[0]}"
            title = f"Berita {number} Lampung dari {site}"
            body = "".join(
                f"<p>Kabar nomor {number} dari {site}: paragraf {n} tentang Lampung dan sekitarnya.</p>"
                for n in range(1, 5)
            )
            page = (
                f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta property="og:title" content="{title}"></head><body><article><h1>{title}</h1>'
                f'<div class="read-content">{body}</div></article></body></html>'
            )
            self.portal.route(f"http://www.{site}/{slug}", Route(page.encode()))
            newest = range(number, max(-1, number - LISTED_STORIES), -1)
            links = "".join(
                f'<h3 class="title"><a href="http://www.{site}/berita-{n}-{site.split(".")[0]}">{n}</a></h3>'
                for n in newest
            )
            listing = f"<html><body><div class='bussiness-items'>{links}</div></body></html>"
            self.portal.route(f"http://www.{site}/category/daerah", Route(listing.encode()))


def resident_kib(pid: int) -> dict[str, int]:
    """Resident memory of the process and each of its descendants, by role: the daemon, the fork
    server, the resource tracker and the extraction workers (summed) hold pages and trees too."""
    found: dict[str, int] = {}
    _count_resident(pid, "daemon", found)
    return found


def _count_resident(pid: int, role: str, found: dict[str, int]) -> None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = [int(child) for task in Path(f"/proc/{pid}/task").glob("*/children")
                    for child in task.read_text().split()]  # fmt: skip
    except FileNotFoundError:
        return  # it exited while being counted
    own = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    found[role] = found.get(role, 0) + own
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if role == "fork server":
            child_role = "workers"  # forked from it, they share its command line
        elif b"forkserver" in command:
            child_role = "fork server"
        elif b"resource_tracker" in command:
            child_role = "resource tracker"
        else:
            child_role = "workers"
        _count_resident(child, child_role, found)


def _mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--baseline-run", type=int, default=50)
    parser.add_argument("--interval-seconds", type=float, default=3.0)
    parser.add_argument("--sample-every", type=int, default=50, help="runs between memory readings")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, PortalServer() as portal, Publisher(portal):
        workdir = Path(folder)
        (workdir / "seeds").mkdir()
        minutes = arguments.interval_seconds / 60
        sources = "".join(
            SOURCE.format(name=site.split(".")[0], site=site, minutes=minutes) for site in SITES
        ).rstrip("\n")
        config = workdir / "pantau.yaml"
        config.write_text(CONFIG.format(seeds=workdir / "seeds", sources=sources), encoding="utf-8")
        database_url = f"sqlite:///{workdir / 'pantau.db'}"
        database = open_database(database_url)
        environment = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
        environment["http_proxy"] = portal.proxy_url
        log = (workdir / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(config), "--db", database_url, "daemon"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        started = time.monotonic()
        samples: dict[int, dict[str, int]] = {}  # finished runs -> resident KiB by process role
        next_sample = arguments.sample_every
        try:
            while True:
                if daemon.poll() is not None:
                    print((workdir / "daemon.log").read_text()[-3000:])
                    raise SystemExit(f"the daemon exited with {daemon.returncode}")
                with database.session() as session:
                    finished = session.scalar(
                        select(func.count()).select_from(CrawlRun).where(CrawlRun.status != "running")
                    )
                finished = finished or 0
                if arguments.baseline_run not in samples and finished >= arguments.baseline_run:
                    samples[arguments.baseline_run] = resident_kib(daemon.pid)
                if finished >= next_sample and next_sample < arguments.runs:
                    samples.setdefault(next_sample, resident_kib(daemon.pid))
                    next_sample += arguments.sample_every
                if finished >= arguments.runs:
                    samples[arguments.runs] = resident_kib(daemon.pid)
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            daemon.send_signal(signal.SIGTERM)
            exit_code = daemon.wait(timeout=120)
        finally:
            if daemon.poll() is None:
                daemon.kill()
            log.close()

        with database.session() as session:
            runs = session.execute(
                select(Source.name, CrawlRun.status, CrawlRun.started_at, CrawlRun.finished_at)
                .join(Source)
                .order_by(CrawlRun.started_at)
            ).all()
            stored = session.scalar(select(func.count()).select_from(StoredArticle)) or 0
        database.dispose()

    statuses: dict[str, int] = {}
    for run in runs:
        statuses[run.status] = statuses.get(run.status, 0) + 1
    overlaps = 0
    for name in {run.name for run in runs}:
        own = [run for run in runs if run.name == name]
        overlaps += sum(
            1
            for earlier, later in pairwise(own)
            if earlier.finished_at is None or later.started_at < earlier.finished_at
        )
    concurrent = sum(
        1
        for earlier, later in pairwise(runs)
        if earlier.finished_at is not None and later.started_at < earlier.finished_at
    )
    baseline_kib = sum(samples[arguments.baseline_run].values())
    final_kib = sum(samples[arguments.runs].values())
    growth = (final_kib - baseline_kib) / baseline_kib * 100
    every = f"every {arguments.interval_seconds:g} s"
    print(f"soak: {len(runs)} runs of {len(SITES)} sources {every} in {elapsed:.0f} s")
    print(f"  run statuses: {dict(sorted(statuses.items()))}; articles stored: {stored}")
    baseline, final = f"{baseline_kib / 1024:.1f} MiB", f"{final_kib / 1024:.1f} MiB"
    print(
        f"  resident memory, daemon and workers: {baseline} at run {arguments.baseline_run}, "
        f"{final} at run {arguments.runs} ({growth:+.1f}%)"
    )
    roles = list(samples[arguments.runs])
    print(f"  resident MiB by process after run: {' / '.join(['total', *roles])}")
    for run, by_role in sorted(samples.items()):
        figures = " / ".join(_mib(by_role.get(role, 0)) for role in roles)
        print(f"    {run:>5}: {_mib(sum(by_role.values()))} / {figures}")
    print(
        f"  overlapping runs of one source: {overlaps}; runs that overlapped another source's: {concurrent}"
    )
    print(f"  left running after the stop: {statuses.get('running', 0)}; daemon exit code {exit_code}")
    failed = growth >= 10 or overlaps or statuses.get("running", 0) or exit_code
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
