"""From portal pages to stored stories: `pantau crawl rmol --replay` on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crawler.crawl.replay import archive_from_manifest
from crawler.store.db import open_database
from crawler.store.models import AlertOutbox, CrawlRun, Match, StoredArticle
from tests.conftest import DEFAULT_CONFIG, FIXTURES
from tests.crawl_helpers import run_pantau

REPLAY = FIXTURES / "replay" / "rmol"
COMPARED = (
    "url", "canonical_url", "title", "authors", "published_at", "body", "lead", "language", "tags",
    "source", "duplicate_of", "matches",
)  # fmt: skip


def stored_stories(database_url: str) -> list[dict[str, Any]]:
    result = run_pantau(
        "items", "export", "--format", "jsonl", config=DEFAULT_CONFIG, database_url=database_url
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return sorted(({key: row[key] for key in COMPARED} for row in rows), key=lambda row: row["canonical_url"])


def test_replayed_rmol_crawl_stores_every_field_exactly(database_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "rmol.warc.gz"
    archive_from_manifest(REPLAY / "manifest.json", archive)

    first = run_pantau(
        "crawl", "rmol", "--replay", str(archive), config=DEFAULT_CONFIG, database_url=database_url
    )
    assert first.returncode == 0, first.stderr

    expected = json.loads((REPLAY / "expected.json").read_text(encoding="utf-8"))
    assert stored_stories(database_url) == expected
    database = open_database(database_url)
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        counts = (run.status, run.pages_fetched, run.items_new, run.items_duplicate, run.items_unmatched,
                  run.items_failed, run.items_matched, run.errors)  # fmt: skip
        # robots.txt ×2 hosts, the feed, the home page, 6 kanal pages, 7 stories
        assert counts == ("succeeded", 17, 1, 1, 5, 0, 2, [])
        alerted = session.scalars(
            select(StoredArticle.canonical_url)
            .join(Match)
            .join(AlertOutbox, AlertOutbox.match_id == Match.id)
        ).all()
        assert alerted == ["https://rmol.id/read/2025/11/21/687402"]
        assert session.scalars(select(AlertOutbox.status)).all() == ["sent"]
    assert "Korea Utara Kirim Ribuan Insinyur Militer ke Rusia" in first.stdout
    assert "alerts: 1 sent, 0 to retry, 0 failed" in first.stdout

    second = run_pantau(
        "crawl", "rmol", "--replay", str(archive), config=DEFAULT_CONFIG, database_url=database_url
    )
    assert second.returncode == 0, second.stderr
    with database.session() as session:
        rerun = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert rerun is not None
        # Stories already stored are not fetched again: only robots.txt, the feed, the home and kanal pages.
        assert (rerun.pages_fetched, rerun.items_new, rerun.items_duplicate, rerun.items_unmatched) == (
            9,
            0,
            0,
            0,
        )
        assert session.scalars(select(AlertOutbox.status)).all() == ["sent"]
    database.dispose()
    assert stored_stories(database_url) == expected
