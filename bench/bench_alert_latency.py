"""Live simulation: how long from a story's publication to its webhook, with a real daemon polling.

Two loopback portals (regional RMOL sites behind the test proxy) publish `--stories` stories, spread
evenly over `--minutes`; one `pantau daemon` polls each every `--poll-seconds` (adaptive polling held
at that interval) and sends every matching story to a webhook receiver on loopback. The bench prints
p50 and p95 of publication-to-webhook latency beside the polling interval, and checks every story
was alerted exactly once. Target (issue 19): p95 <= polling interval + 10 s.

    .venv/bin/python bench/bench_alert_latency.py [--stories 40] [--minutes 7] [--poll-seconds 60]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the loopback portal and webhook receiver of the tests

from tests.conftest_alerts import HttpReceiver  # noqa: E402
from tests.portal_server import PortalServer, Route  # noqa: E402

SITES = ("http://www.rmollampung.id", "http://www.rmoljatim.id")
CONFIG = """\
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
sources:
{sources}
watches:
  - name: semua
    query: Lampung OR Jatim
    channels: [hook]
    delivery: immediate
alerts:
  channels:
    hook:
      type: webhook
      url: {hook}
network:
  allow: [127.0.0.0/8]  # the webhook receiver listens on loopback
daemon:
  metrics_port: null
"""
SOURCE = """\
  {name}:
    family: rmol_regional
    sites: [{host}]
    listings: ["{site}/category/daerah"]
    search_enabled: false
    schedule:
      interval_minutes: {minutes}
      min_interval_minutes: {minutes}
      max_interval_minutes: {minutes}
      jitter_seconds: 0
"""


_WORDS = [
    "jalan",
    "jembatan",
    "pasar",
    "sekolah",
    "petani",
    "nelayan",
    "harga",
    "beras",
    "banjir",
    "longsor",
    "bupati",
    "gubernur",
    "dewan",
    "anggaran",
    "pelabuhan",
    "kapal",
    "bandara",
    "listrik",
    "air",
    "bersih",
    "rumah",
    "sakit",
    "puskesmas",
    "guru",
    "murid",
    "kopi",
    "sawit",
    "karet",
    "tambak",
    "garam",
    "festival",
    "budaya",
    "pariwisata",
    "pajak",
    "retribusi",
    "koperasi",
    "bantuan",
    "sosial",
    "relawan",
    "posko",
    "lomba",
    "olahraga",
]


def story_page(title: str, region: str, number: int) -> bytes:
    """A story of its own: words drawn per story, so no two are near-duplicates of each other."""
    draw = random.Random(number)
    paragraphs = "".join(
        f"<p>Warga {region} {' '.join(draw.sample(_WORDS, 14))} pada hari ke-{number} bagian {n}.</p>"
        for n in range(1, 4)
    )
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1><div class='read-content'>{paragraphs}</div></article></body></html>"
    ).encode()


def publish(server: PortalServer, site: str, published: list[str]) -> None:
    links = "".join(f'<h3 class="title"><a href="{site}/{slug}">{slug}</a></h3>' for slug in published)
    server.route(f"{site}/category/daerah", Route(f"<html><body>{links}</body></html>".encode()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=7.0)
    parser.add_argument("--poll-seconds", type=int, default=60)
    options = parser.parse_args()
    receiver = HttpReceiver()
    folder = Path(tempfile.mkdtemp(prefix="pantau-latency-"))
    (folder / "seeds").mkdir()
    sources = "".join(
        SOURCE.format(
            name=f"site{index}", host=site.removeprefix("http://www."), site=site,
            minutes=options.poll_seconds / 60,
        )
        for index, site in enumerate(SITES)
    )  # fmt: skip
    config = folder / "pantau.yaml"
    config.write_text(
        CONFIG.format(seeds=folder / "seeds", sources=sources, hook=receiver.url), encoding="utf-8"
    )
    stories = [
        (SITES[n % len(SITES)], f"kabar-{n:03d}-dari-{'lampung' if n % 2 == 0 else 'jatim'}")
        for n in range(options.stories)
    ]
    with PortalServer() as server:
        published: dict[str, list[str]] = {site: [] for site in SITES}
        for number, (site, slug) in enumerate(stories):
            region = "Lampung" if "lampung" in slug else "Jatim"
            server.route(f"{site}/{slug}", Route(story_page(slug.replace("-", " ").title(), region, number)))
        for site in SITES:
            publish(server, site, [])
        environment = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
        environment |= {"http_proxy": server.proxy_url, "no_proxy": "127.0.0.1"}
        daemon = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(config), "--db", f"sqlite:///{folder / 'p.db'}",
             "daemon"],
            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        published_at: dict[str, float] = {}
        arrived_at: dict[str, float] = {}
        gap = options.minutes * 60 / max(options.stories, 1)
        started = time.monotonic()
        try:
            deadline = started + options.minutes * 60 + 2 * options.poll_seconds + 30
            next_story = 0
            while time.monotonic() < deadline and len(arrived_at) < options.stories:
                now = time.monotonic()
                while next_story < len(stories) and now >= started + next_story * gap:
                    site, slug = stories[next_story]
                    published[site].append(slug)
                    publish(server, site, published[site])
                    published_at[slug.replace("-", " ").title()] = now
                    next_story += 1
                for request in receiver.requests[len(arrived_at) :]:
                    arrived_at.setdefault(request.json()["article"]["title"], now)
                time.sleep(0.2)
        finally:
            daemon.send_signal(signal.SIGINT)
            daemon.wait(timeout=60)
            receiver.close()
    latencies = sorted(
        arrived_at[title] - published_at[title] for title in arrived_at if title in published_at
    )
    titles = [request.json()["article"]["title"] for request in receiver.requests]
    print(f"stories published: {len(published_at)}, alerted: {len(set(titles))}, webhooks: {len(titles)}")
    if not latencies:
        print("no alert arrived")
        return 1
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"polling interval: {options.poll_seconds} s")
    print(f"publication to webhook: p50 {statistics.median(latencies):.1f} s, p95 {p95:.1f} s "
          f"(target p95 <= {options.poll_seconds + 10} s)")  # fmt: skip
    duplicates = len(titles) - len(set(titles))
    return 0 if duplicates == 0 and len(set(titles)) == options.stories else 1


if __name__ == "__main__":
    sys.exit(main())
