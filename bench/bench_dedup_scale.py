"""Near-duplicate index at scale: check and insert time per article and index size, as the archive grows.

    .venv/bin/python bench/bench_dedup_scale.py --sizes 10000 100000 1000000 --backends sqlite postgresql

The archive is filled in bulk (signatures, judge profiles and bands written directly, indexes rebuilt
after) with synthetic bodies: sentences of real Bisnis and RMOL text recombined, a third of their words
swapped for words drawn from the same vocabulary, so each body is unique but common phrases recur as in
news. Profiles are costly to read from text (about 2 ms each), so filled rows carry profiles of a pool of
`PROFILE_POOL` synthetic bodies in turn: a candidate's profile is decoded and weighed exactly as in
production, only its content repeats. Filled rows get every key row a crawl writes
(`NearDuplicateIndex.index_keys`: LSH bands, then quote, lead-sentence and lead-fact keys), the pool's
non-LSH keys made unique per article so that they do not repeat with the pool. At each size,
`--probes` checks are timed through `NearDuplicateIndex.check` (half unseen stories, half edited
copies of stored ones, which should be found), then as many `add`s, each its own transaction; both
read and profile the text as a crawl does.
PostgreSQL runs in a fresh schema of PANTAU_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.dedup.minhash import stable_hashes  # noqa: E402
from crawler.dedup.profile import profile_of, read_story  # noqa: E402
from crawler.dedup.text import normalise_text  # noqa: E402
from crawler.store.db import Database, open_database  # noqa: E402
from crawler.store.models import Base, NearDuplicateBand, NearDuplicateSignature, StoredArticle  # noqa: E402
from crawler.store.neardup import NearDuplicateIndex  # noqa: E402

REAL_TEXT = [
    Path("/work/shared/neardup/bisnis-two-scrapers"),
    ROOT / "tests" / "fixtures" / "dedup",
    ROOT / "config" / "seeds",
]
SENTENCES_PER_ARTICLE = (12, 24)
SWAPPED_WORDS = 0.33
FILL_BATCH = 20_000
PROFILE_POOL = 1_000


class Corpus:
    """Real sentences as arrays of vocabulary ids, and the stable hash of every vocabulary word."""

    def __init__(self, seed: int = 7) -> None:
        texts = list(_real_texts())
        vocabulary: dict[str, int] = {}
        self.sentences: list[npt.NDArray[np.int64]] = []
        for body in texts:
            for sentence in body.replace("\n", " ").split(". "):
                words = normalise_text(sentence).split()
                if len(words) >= 6:
                    self.sentences.append(
                        np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words])
                    )
        self.words = list(vocabulary)
        self.word_hashes = stable_hashes(self.words)
        counts = np.bincount(np.concatenate(self.sentences), minlength=len(self.words)).astype(float)
        self.word_weights = counts / counts.sum()
        self.rng = np.random.default_rng(seed)

    def article(self) -> npt.NDArray[np.int64]:
        """Word ids of a synthetic article."""
        count = self.rng.integers(*SENTENCES_PER_ARTICLE)
        words = np.concatenate([self.sentences[i] for i in self.rng.integers(0, len(self.sentences), count)])
        swapped = self.rng.random(len(words)) < SWAPPED_WORDS
        words[swapped] = self.rng.choice(len(self.words), size=int(swapped.sum()), p=self.word_weights)
        return words

    def edited_copy(self, words: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """A republished copy: last fifth dropped, three words in a hundred changed."""
        copy = words[: len(words) * 4 // 5].copy()
        changed = self.rng.random(len(copy)) < 0.03
        copy[changed] = self.rng.integers(0, len(self.words), int(changed.sum()))
        return copy

    def text(self, words: npt.NDArray[np.int64]) -> str:
        return " ".join(self.words[i] for i in words)


def _real_texts() -> Iterator[str]:
    for folder in REAL_TEXT:
        for path in sorted(folder.glob("*")):
            if path.suffix == ".txt":
                yield path.read_text(encoding="utf-8")
            elif path.suffix in {".json", ".jsonl"}:
                raw = path.read_text(encoding="utf-8")
                items = (
                    json.loads(raw) if path.suffix == ".json" else [json.loads(x) for x in raw.splitlines()]
                )
                for item in items:
                    yield item.get("content") or item.get("isi_artikel") or item.get("a_text") or ""


def fill(database: Database, index: NearDuplicateIndex, corpus: Corpus, count: int) -> None:
    """Bulk-write `count` more articles with their signatures and bands; band indexes rebuilt after."""
    with database.session() as session:
        first_article = (session.scalar(select(func.max(StoredArticle.id))) or 0) + 1
        first_signature = (session.scalar(select(func.max(NearDuplicateSignature.id))) or 0) + 1
    profiles = [profile_of(read_story(corpus.text(corpus.article()))) for _ in range(PROFILE_POOL)]
    stored_profiles = [profile.to_bytes() for profile in profiles]
    band_indexes = list(Base.metadata.tables["near_duplicate_bands"].indexes)
    with database.engine.begin() as connection:
        for band_index in band_indexes:
            band_index.drop(connection)
    for batch_start in range(0, count, FILL_BATCH):
        articles: list[tuple[Any, ...]] = []
        signatures: list[tuple[Any, ...]] = []
        bands: list[tuple[Any, ...]] = []
        now = datetime.now(UTC)
        for offset in range(batch_start, min(count, batch_start + FILL_BATCH)):
            signature = index.hasher.signature_of_words(corpus.word_hashes[corpus.article()])
            article_id, signature_id = first_article + offset, first_signature + offset
            url = f"https://bench.example/{article_id}"
            articles.append(
                (article_id, url, url, "", f"{article_id:064x}", "new", "[]", "[]", "", "id", False, now)
            )
            fingerprint = signature.to_bytes()
            signatures.append(
                (signature_id, "article", article_id, index.scheme, fingerprint, signature.shingle_count,
                 stored_profiles[offset % PROFILE_POOL])
            )  # fmt: skip
            keys = index.index_keys(signature, profiles[offset % PROFILE_POOL])
            # The pool's quote, lead and fact keys made the article's own (they are CRC-32s, < 2**32): as
            # many rows as a crawl writes, without a pool entry's keys shared by a thousandth of the archive.
            bands.extend(
                (signature_id, band, bucket if band < index.bands else bucket ^ (article_id << 32))
                for band, bucket in keys
            )
        _bulk_write(database, [("articles", articles), ("near_duplicate_signatures", signatures),
                               ("near_duplicate_bands", bands)])  # fmt: skip
    with database.engine.begin() as connection:
        for band_index in band_indexes:
            band_index.create(connection)
        if not database.is_sqlite:
            for table in ("articles", "near_duplicate_signatures", "near_duplicate_bands"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, (SELECT MAX(id) FROM {table}))"))
        # Only the tables filled: a database-wide ANALYZE can deadlock with another client analysing too.
        for table in ("articles", "near_duplicate_signatures", "near_duplicate_bands"):
            connection.execute(text(f"ANALYZE {table}"))


_COLUMNS = {
    "articles": "id, canonical_url, url, title, content_hash, verdict, authors, tags, lead, language, "
    "paywalled, first_seen",
    "near_duplicate_signatures": "id, document_kind, document_id, scheme, signature, shingle_count, profile",
    "near_duplicate_bands": "signature_id, band, bucket",
}


def _bulk_write(database: Database, tables: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    """executemany on SQLite, COPY on PostgreSQL: the ORM would dominate the fill time."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, rows in tables:
            if database.is_sqlite:
                marks = ", ".join("?" * len(rows[0]))
                cursor.executemany(f"INSERT INTO {table} ({_COLUMNS[table]}) VALUES ({marks})", rows)
            else:
                with cursor.copy(f"COPY {table} ({_COLUMNS[table]}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def measure(database: Database, index: NearDuplicateIndex, corpus: Corpus, probes: int) -> dict[str, float]:
    """Median and p95 milliseconds per check and per add, and the share of edited copies found."""
    originals = []
    with database.session() as session:
        for _ in range(probes // 2):
            words = corpus.article()
            article = _new_article(session)
            index.add(session, "article", article.id, "", corpus.text(words))
            originals.append(words)
    texts = [corpus.text(corpus.article()) for _ in range(probes - len(originals))]
    texts += [corpus.text(corpus.edited_copy(words)) for words in originals]
    check_times, found = [], 0
    with database.session() as session:
        for body in texts:
            started = time.perf_counter()
            verdict = index.check(session, "", body)
            check_times.append(time.perf_counter() - started)
            found += verdict.kind != "new"
    add_times = []
    for _ in range(probes):
        body = corpus.text(corpus.article())
        started = time.perf_counter()
        with database.session() as session:
            index.add(session, "article", _new_article(session).id, "", body)
        add_times.append(time.perf_counter() - started)
    return {
        "check_median_ms": round(statistics.median(check_times) * 1000, 2),
        "check_p95_ms": round(float(np.percentile(check_times, 95)) * 1000, 2),
        "add_median_ms": round(statistics.median(add_times) * 1000, 2),
        "add_p95_ms": round(float(np.percentile(add_times, 95)) * 1000, 2),
        # Unseen stories flagged would count here too; the corpus makes that all but impossible.
        "flagged_share_of_copies": round(found / len(originals), 3),
    }


def _new_article(session: Session) -> StoredArticle:
    url = f"https://bench.example/probe-{uuid.uuid4().hex}"
    article = StoredArticle(canonical_url=url, url=url, body=None)
    session.add(article)
    session.flush()
    return article


def index_size(database: Database) -> dict[str, int]:
    """Rows and bytes (tables and their indexes) of the near-duplicate index."""
    with database.session() as session:
        signature_rows = session.scalar(select(func.count()).select_from(NearDuplicateSignature)) or 0
        band_rows = session.scalar(select(func.count()).select_from(NearDuplicateBand)) or 0
        if database.is_sqlite:
            size = session.scalar(
                text(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE "
                    "tbl_name IN ('near_duplicate_signatures', 'near_duplicate_bands'))"
                )
            )
        else:
            size = session.scalar(
                text(
                    "SELECT pg_total_relation_size('near_duplicate_signatures')"
                    " + pg_total_relation_size('near_duplicate_bands')"
                )
            )
    return {"signature_rows": signature_rows, "band_rows": band_rows, "index_bytes": int(size or 0)}


def open_bench_database(backend: str, workdir: Path) -> tuple[Database, str | None]:
    """A fresh migrated database; for PostgreSQL also the schema to drop afterwards."""
    if backend == "sqlite":
        return open_database(f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"), None
    base = os.environ.get("PANTAU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"pantau_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return open_database(f"{base}{separator}options=-csearch_path%3D{schema}"), schema


def drop_schema(schema: str) -> None:
    base = os.environ.get("PANTAU_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--probes", type=int, default=200, help="checks and adds timed at each size")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file / PostgreSQL schema")
    arguments = parser.parse_args()
    corpus = Corpus()
    index = NearDuplicateIndex()
    print(f"corpus: {len(corpus.sentences)} real sentences, {len(corpus.words)} words; scheme {index.scheme}")
    for backend in arguments.backends:
        database, schema = open_bench_database(backend, arguments.workdir)
        try:
            stored = 0
            for size in sorted(arguments.sizes):
                started = time.perf_counter()
                fill(database, index, corpus, size - stored)
                with database.session() as session:
                    stored = session.scalar(select(func.count()).select_from(StoredArticle)) or 0
                fill_seconds = round(time.perf_counter() - started, 1)
                figures = {"backend": backend, "stored": size, "fill_s": fill_seconds}
                figures |= measure(database, index, corpus, arguments.probes) | index_size(database)
                print(json.dumps(figures), flush=True)
                with database.session() as session:
                    stored = session.scalar(select(func.count()).select_from(StoredArticle)) or 0
        finally:
            url = database.url
            database.dispose()
            if not arguments.keep:
                if schema:
                    drop_schema(schema)
                else:
                    Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
