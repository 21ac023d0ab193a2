"""The watch editor's preview: how long matching an unsaved watch against a week of stored stories
takes, the wait between pressing Preview and seeing the count.

    .venv/bin/python bench/bench_watch_preview.py --stories 2000

`--stories` stories first seen over the last 7 days (2,000 is a week of a 100,000-a-year newsroom),
bodies cycled from the 208 real texts bench_matching.py reads (2 seeds, 1 Media Indonesia article,
205 Bisnis captures), `--without-body` of them kept without a body as `archive: matched` keeps
unmatched stories. Each query is previewed `--runs` times on SQLite; median and p95 are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_matching import load_articles  # noqa: E402

from crawler.config import load_config  # noqa: E402
from crawler.domain.watch import Watch  # noqa: E402
from crawler.store.db import open_database  # noqa: E402
from crawler.store.models import Source, StoredArticle  # noqa: E402
from crawler.store.preview import preview_watch  # noqa: E402
from crawler.web.watch_check import compiled  # noqa: E402

QUERIES = ['"Bank Indonesia"', "(saham OR obligasi) AND bunga", "title:Jokowi", "inflasi NEAR/5 harga"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--without-body", type=float, default=0.7, help="share kept without a body")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    texts = load_articles()
    config = load_config(ROOT / "config" / "pantau.yaml")
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'bench.db'}")
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        for n in range(options.stories):
            text = texts[n % len(texts)]
            kept = (n * 7919 % 1000) / 1000 >= options.without_body
            seen = now - timedelta(minutes=n * 7 * 24 * 60 / options.stories)
            rows.append({"id": n + 1, "canonical_url": f"https://x.id/{n}", "url": f"https://x.id/{n}",
                         "source_id": 1, "title": text.title or text.body[:80], "lead": "",
                         "body": text.body if kept else None, "first_seen": seen})  # fmt: skip
        with database.session() as session:
            session.execute(insert(Source), [{"id": 1, "name": "bisnis", "family": "bisnis"}])
            session.execute(insert(StoredArticle), rows)
        share = f"{options.without_body:.0%}"
        print(f"{options.stories} stories first seen in the last 7 days, {share} without a body")
        print(f"{'query':<34} {'matched':>8} {'median s':>9} {'p95 s':>7}")
        for query in QUERIES:
            watch = compiled(config, Watch(name="bench", query=query))
            seconds, matched = [], 0
            for _ in range(options.runs):
                started = time.perf_counter()
                matched = preview_watch(database, watch, now - timedelta(days=7)).matched
                seconds.append(time.perf_counter() - started)
            seconds.sort()
            p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
            print(f"{query:<34} {matched:>8} {statistics.median(seconds):>9.2f} {p95:>7.2f}")
        database.dispose()


if __name__ == "__main__":
    main()
