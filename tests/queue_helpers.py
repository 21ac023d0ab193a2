"""Scale-out mode under test and bench: portals with distinct stories, configs of many sources,
`pantau scheduler` / `pantau worker` processes, and the invariants every run must keep."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select, text

from crawler.store.db import open_database
from crawler.store.models import AlertOutbox, CrawlRun, Source, StoredArticle
from tests.portal_server import PortalServer, Route

WORDS = (
    "warga",
    "petani",
    "nelayan",
    "gubernur",
    "bupati",
    "jalan",
    "pasar",
    "sekolah",
    "rumah",
    "sakit",
    "harga",
    "beras",
    "kopi",
    "lada",
    "pelabuhan",
    "bandara",
    "banjir",
    "kemarau",
    "panen",
    "pajak",
    "anggaran",
    "desa",
    "kota",
    "jembatan",
    "listrik",
    "air",
    "bersih",
    "pemuda",
    "relawan",
    "polisi",
    "pengadilan",
    "kampus",
    "guru",
    "dokter",
    "bidan",
    "pedagang",
    "sopir",
    "angkot",
    "kapal",
    "ikan",
)
SOURCE = """\
  {name}:
    family: rmol_regional
    sites: [{site}]
    listings: ["http://www.{{site}}/category/daerah"]
    search_enabled: false
    schedule:
      interval_minutes: {interval}
      min_interval_minutes: {interval}
      max_interval_minutes: {max_interval}
      jitter_seconds: 0
"""
CONFIG = """\
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
  concurrency_per_domain: 4
  retry_times: 0
  download_timeout_seconds: {timeout}
archive: all
sources:
{sources}
watches:
  - name: lampung
    query: Lampung
    channels: [hook]
    delivery: immediate
alerts:
  channels:
    hook:
      type: webhook
      url: {hook}
network:
  allow: [127.0.0.0/8]  # the webhook receiver listens on loopback
"""


def site_of(index: int) -> str:
    return f"rmolsite{index:03d}.id"


def story_page(site: str, slug: str) -> bytes:
    """A story whose words are its own (seeded by its URL), so no two stories are near-duplicates."""
    pick = random.Random(f"{site}/{slug}")
    sentences = [
        " ".join(pick.choice(WORDS) for _ in range(14)).capitalize() + f" di Lampung ({slug})."
        for _ in range(6)
    ]
    title = f"Kabar {slug.replace('-', ' ')} dari {site}"
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2025-07-24T10:15:00+07:00"></head>'
        f'<body><article><h1>{title}</h1><div class="read-content">{paragraphs}</div></article></body></html>'
    ).encode()


def serve_portal(
    server: PortalServer, site: str, slugs: list[str], *, delay: float = 0.0, listing_status: int = 200
) -> None:
    """One portal: a listing page linking `slugs`, and each story; `delay` on every answer."""
    base = f"http://www.{site}"
    links = "".join(f'<h3 class="title"><a href="{base}/{slug}">{slug}</a></h3>' for slug in slugs)
    server.route(
        f"{base}/category/daerah",
        Route(f"<html><body>{links}</body></html>".encode(), statuses=[listing_status], delay_seconds=delay),
    )
    server.route(f"{base}/robots.txt", Route(b"User-agent: *\nAllow: /\n", "text/plain", delay_seconds=delay))
    for slug in slugs:
        server.route(f"{base}/{slug}", Route(story_page(site, slug), delay_seconds=delay))


def write_scale_config(
    path: Path,
    sources: dict[str, str],
    hook: str,
    *,
    interval_minutes: float = 60,
    max_interval: dict[str, float] | None = None,
    download_timeout: int = 20,
) -> Path:
    blocks = "".join(
        SOURCE.format(
            name=name, site=site, interval=interval_minutes,
            max_interval=(max_interval or {}).get(name, interval_minutes),
        )
        for name, site in sources.items()
    )  # fmt: skip
    (path.parent / "seeds").mkdir(exist_ok=True)
    path.write_text(
        CONFIG.format(
            seeds=path.parent / "seeds", sources=blocks.rstrip("\n"), hook=hook, timeout=download_timeout
        ),
        encoding="utf-8",
    )
    return path


@dataclass(frozen=True)
class Invariants:
    """What must hold after any run of the scale-out mode, however it was disturbed."""

    overlapping_runs: list[tuple[str, int, int]]
    stories_stored_twice: list[str]
    alerts_queued_twice: list[str]
    slots_deferred_twice: list[tuple[str, str]]

    def assert_hold(self) -> None:
        assert self.overlapping_runs == [], "two runs of one source overlapped"
        assert self.stories_stored_twice == [], "a story was stored twice"
        assert self.alerts_queued_twice == [], "an alert was queued twice"
        assert self.slots_deferred_twice == [], "a periodic slot became two jobs"


def check_invariants(database_url: str) -> Invariants:
    database = open_database(database_url, migrate=False)
    try:
        with database.session() as session:
            runs = session.execute(
                select(Source.name, CrawlRun.id, CrawlRun.started_at, CrawlRun.finished_at)
                .join(Source)
                .order_by(Source.name, CrawlRun.started_at)
            ).all()
            urls = session.scalars(select(StoredArticle.url)).all()
            keys = session.scalars(select(AlertOutbox.dedup_key)).all()
            slots = session.execute(
                text("SELECT task_name, args->>'timestamp' FROM procrastinate_jobs WHERE args ? 'timestamp'")
            ).all()
    finally:
        database.dispose()
    overlapping = []
    for (name, run_id, _, finished), (next_name, next_id, next_start, _) in itertools.pairwise(runs):
        if name == next_name and (finished is None or finished > next_start):
            overlapping.append((name, run_id, next_id))
    return Invariants(
        overlapping_runs=overlapping,
        stories_stored_twice=[url for url, count in Counter(urls).items() if count > 1],
        alerts_queued_twice=[key for key, count in Counter(keys).items() if count > 1],
        slots_deferred_twice=[
            (task, stamp) for (task, stamp), count in Counter(map(tuple, slots)).items() if count > 1
        ],
    )


def terminate_connections(database_url: str, application_names: list[str]) -> int:
    """Cut the connections these processes hold (`pg_terminate_backend`), as a failover does."""
    admin = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = ANY(:names)"
                    ),
                    {"names": application_names},
                ).all()
            )
    finally:
        admin.dispose()
