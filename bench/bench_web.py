"""`pantau web` over a year of stories: how fast an inbox page and a filtered page answer, over HTTP.

    .venv/bin/python bench/bench_web.py --stories 100000 --backends sqlite postgresql

The archive is generated, not hand-made: `--stories` matched stories spread over the last 365 days
across 12 sources and 20 watches, 30 % of them copies of another outlet's story (clusters of 2 to 5
copies, 5 to 90 minutes apart), filled in bulk and ANALYZEd. `pantau web` then runs on a loopback port
(the same uvicorn server as `pantau web`) and `--requests` requests of each kind are timed from an
HTTP client: the inbox page (HTML, signed in), the first API page (`/api/v1/stories`), a filtered
page (a random watch + source + 30-day range, through the API and as HTML), and a full-text search
(one or two random words of the generated vocabulary, common and rare alike, as HTML and API).
Bodies are 60 to 140 words drawn from a 4,000-word vocabulary with a Zipf-like skew, so searches
hit anything from tens of thousands of stories to a handful.
PostgreSQL runs in a fresh schema of PANTAU_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.config import load_config  # noqa: E402
from crawler.store.db import Database, open_database  # noqa: E402
from crawler.store.models import Match, Source, StoredArticle, StoryCluster  # noqa: E402
from crawler.store.search import index_stories  # noqa: E402
from crawler.store.users import add_user, create_token  # noqa: E402
from crawler.web.passwords import hash_password  # noqa: E402
from crawler.web.server import WebServer  # noqa: E402

SOURCES = 12
WATCHES = 20
COPY_SHARE = 0.30
BATCH = 10_000
PASSWORD = "bench-password-1"
VOCABULARY = 4000
_SYLLABLES = [c + v for c in "bcdghjklmnprstw" for v in "aiueo"]


def vocabulary(seed: int = 3) -> list[str]:
    """Pronounceable made-up words, most common first."""
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        words["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


def body_words(rng: random.Random, words: list[str], count: int) -> list[str]:
    """`count` words with a Zipf-like skew: the first words of the vocabulary are far the most common."""
    return [words[min(int(rng.paretovariate(0.8)) - 1, len(words) - 1)] for _ in range(count)]


def fill(database: Database, stories: int, seed: int = 11) -> None:
    """`stories` matched stories over the last year, in bulk."""
    rng = random.Random(seed)
    words = vocabulary()
    now = datetime.now(UTC)
    watches = [f"watch-{n}" for n in range(WATCHES)]
    with database.session() as session:
        session.execute(
            insert(Source), [{"id": n + 1, "name": f"outlet{n}", "family": "generic"} for n in range(SOURCES)]
        )
    article_id = cluster_id = 0
    rows: list[dict[str, Any]] = []
    matches: list[dict[str, Any]] = []
    clusters: list[dict[str, Any]] = []
    while article_id < stories:
        first = now - timedelta(seconds=rng.uniform(0, 365 * 24 * 3600))
        copies = rng.randint(2, 5) if rng.random() < COPY_SHARE / 3 else 1
        cluster_id += 1
        clusters.append({"id": cluster_id, "created_at": first})
        watch = rng.choice(watches)
        moment = first
        for outlet in rng.sample(range(SOURCES), copies):
            article_id += 1
            title = f"Berita {article_id} tentang {watch}"
            url = f"https://outlet{outlet}.example/read/{article_id}"
            rows.append(
                {
                    "id": article_id,
                    "canonical_url": url,
                    "url": url,
                    "source_id": outlet + 1,
                    "title": title,
                    "body": " ".join(body_words(rng, words, rng.randint(60, 140))) + ".",
                    "published_at": moment,
                    "published_offset_minutes": 420,
                    "first_seen": moment + timedelta(minutes=3),
                    "verdict": "new" if moment == first else "near",
                    "cluster_id": cluster_id,
                    "field_sources": {"title": "recipe"},
                }
            )
            hit = {"term": watch, "field": "title", "start": 0, "end": 6, "snippet": title}
            matches.append(
                {"article_id": article_id, "watch": watch, "terms": [watch], "snippet": title, "hits": [hit]}
            )
            moment += timedelta(minutes=rng.randint(5, 90))
        if len(rows) >= BATCH or article_id >= stories:
            with database.session() as session:
                session.execute(insert(StoryCluster), clusters)
                session.execute(insert(StoredArticle), rows)
                session.execute(insert(Match), matches)
                index_stories(
                    session.connection(),
                    [(row["id"], row["published_at"], row["title"], row["body"]) for row in rows],
                )
            rows, matches, clusters = [], [], []
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def timed(client: httpx.Client, paths: list[str]) -> dict[str, float]:
    seconds = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    seconds.sort()
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(seconds[int(len(seconds) * 0.95) - 1] * 1000, 1),
    }


def measure(database: Database, requests: int, seed: int = 5) -> dict[str, dict[str, float]]:
    config = load_config(ROOT / "config" / "pantau.yaml")
    add_user(database, "bench", hash_password(PASSWORD), "viewer")
    _, token = create_token(database, "bench", "bench", "read")
    server = WebServer(config, database, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = server.url.rstrip("/")
    rng = random.Random(seed)
    try:
        browser = httpx.Client(base_url=base, timeout=30)
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/login").text)
        assert csrf
        browser.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": csrf.group(1)})
        api = httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
        today = datetime.now(UTC).date()

        def filtered() -> str:
            since = today - timedelta(days=rng.randint(30, 364))
            return (
                f"/api/v1/stories?watch=watch-{rng.randrange(WATCHES)}&source=outlet{rng.randrange(SOURCES)}"
                f"&since={since}&until={since + timedelta(days=29)}&limit=25"
            )

        words = vocabulary()

        def searched() -> str:
            chosen = body_words(rng, words, rng.randint(1, 2))
            return "q=" + "+".join(chosen)

        timed(api, ["/api/v1/stories?limit=25"] * 5)  # warm-up
        filtered_paths = [filtered() for _ in range(requests)]
        searches = [searched() for _ in range(requests)]
        return {
            "inbox page (HTML)": timed(browser, ["/inbox"] * requests),
            "inbox page (API)": timed(api, ["/api/v1/stories?limit=25"] * requests),
            "watch + source + 30 days (API)": timed(api, filtered_paths),
            "watch + source + 30 days (HTML)": timed(
                browser,
                [
                    path.replace("/api/v1/stories", "/inbox").removesuffix("&limit=25")
                    for path in filtered_paths
                ],
            ),
            "full-text search (HTML)": timed(browser, [f"/inbox?{query}" for query in searches]),
            "full-text search (API)": timed(api, [f"/api/v1/stories?{query}&limit=25" for query in searches]),
        }
    finally:
        server.stop()
        thread.join(10)


def open_bench_database(backend: str, workdir: Path) -> tuple[Database, str | None]:
    """A fresh migrated database; for PostgreSQL also the schema to drop afterwards."""
    if backend == "sqlite":
        return open_database(f"sqlite:///{workdir / f'bench-web-{uuid.uuid4().hex[:8]}.db'}"), None
    base = os.environ.get("PANTAU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"pantau_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return open_database(f"{base}{separator}options=-csearch_path%3D{schema}"), schema


def drop(database: Database, schema: str | None) -> None:
    url = database.url
    database.dispose()
    if schema is None:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    base = os.environ.get("PANTAU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    arguments = parser.parse_args()
    print("| backend | stories | fill s | request | p50 ms | p95 ms |\n|---|---|---|---|---|---|")
    for backend in arguments.backends:
        database, schema = open_bench_database(backend, arguments.workdir)
        try:
            started = time.perf_counter()
            fill(database, arguments.stories)
            fill_seconds = round(time.perf_counter() - started, 1)
            for kind, figures in measure(database, arguments.requests).items():
                row = [
                    backend,
                    f"{arguments.stories:,}",
                    fill_seconds,
                    kind,
                    figures["p50_ms"],
                    figures["p95_ms"],
                ]
                print("| " + " | ".join(str(cell) for cell in row) + " |", flush=True)
        finally:
            drop(database, schema)


if __name__ == "__main__":
    main()
