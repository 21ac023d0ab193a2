"""Storage on SQLite and PostgreSQL: migrations, aware time, one row per canonical URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from crawler.domain.article import Article
from crawler.domain.errors import StorageError
from crawler.store.articles import NewStory, insert_articles
from crawler.store.clusters import new_cluster, story_outlets
from crawler.store.db import WRITER_CACHE_KIB, Database, open_database
from crawler.store.models import Base, CrawlRun, Source, StoredArticle
from crawler.store.search import is_search_table

WIB = timezone(timedelta(hours=7))
EXPECTED_TABLES = {
    "alembic_version", "sources", "crawl_runs", "articles", "seed_documents", "story_clusters", "matches",
    "alert_outbox", "near_duplicate_signatures", "near_duplicate_bands", "fetch_validators", "leases",
    "run_requests", "scheduled_runs", "story_follows",
}  # fmt: skip


def test_migrations_create_every_table_and_are_idempotent(database: Database) -> None:
    assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0015"]


def test_the_migrated_schema_is_the_one_the_models_describe(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": False, "include_name": lambda name, kind, _: not is_search_table(name)},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_published_time_comes_back_aware_and_equal(database: Database) -> None:
    published = datetime(2022, 9, 6, 11, 24, tzinfo=WIB)
    with database.session() as session:
        source = Source(name="rmol", family="rmol")
        session.add(source)
        session.flush()
        session.add(StoredArticle(canonical_url="https://rmol.id/read/1", url="u", source_id=source.id,
                                  published_at=published))  # fmt: skip
    with database.session() as session:
        stored = session.scalars(select(StoredArticle)).one()
        assert stored.published_at == published
        assert stored.published_at is not None and stored.published_at.utcoffset() == timedelta(0)
        assert stored.first_seen.tzinfo is not None


def test_a_naive_datetime_is_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), database.session() as session:
        session.add(StoredArticle(canonical_url="https://x/1", url="u", published_at=datetime(2022, 9, 6)))
        session.flush()


def test_one_story_is_one_row(database: Database) -> None:
    with database.session() as session:
        session.add(StoredArticle(canonical_url="https://rmol.id/read/1", url="a"))
    with pytest.raises(IntegrityError), database.session() as session:
        session.add(StoredArticle(canonical_url="https://rmol.id/read/1", url="b"))
    with database.session() as session:
        assert session.scalars(select(StoredArticle.url)).all() == ["a"]


def test_run_counters_and_errors_round_trip(database: Database) -> None:
    with database.session() as session:
        source = Source(name="bisnis", family="bisnis")
        session.add(source)
        session.flush()
        session.add(CrawlRun(source_id=source.id, errors=["2 × HTTP 403"], items_new=3))
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        assert (run.status, run.items_new, run.errors, run.started_at.tzinfo) == (
            "running",
            3,
            ["2 × HTTP 403"],
            UTC,
        )


def test_sqlite_runs_in_wal_mode(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StorageError) as raised:
        open_database("postgresql://nobody:secret@127.0.0.1:1/x?connect_timeout=2")
    assert str(raised.value) == (
        "cannot reach database postgresql://nobody:***@127.0.0.1:1/x?connect_timeout=2: connection failed: "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused'
    )


def test_malformed_database_url_is_a_clear_error() -> None:
    with pytest.raises(StorageError, match=r"^'not a url' is not a database URL"):
        open_database("not a url")


def test_a_batch_of_stories_goes_in_at_once_and_one_stored_before_is_skipped_not_an_error(
    database: Database,
) -> None:
    def story(number: int) -> NewStory:
        url = f"https://rmol.id/read/{number}"
        return NewStory(
            Article(url=url, canonical_url=url, title=f"Berita {number}", body="isi"), None, None, True
        )

    with database.session() as session:
        (first,) = insert_articles(session, [story(1)]).values()
    with database.session() as session:  # as another process would find it, committed
        ids = insert_articles(session, [story(1), story(2), story(3)])
    assert sorted(ids) == ["https://rmol.id/read/2", "https://rmol.id/read/3"]
    with database.session() as session:
        stored = session.execute(
            select(StoredArticle.id, StoredArticle.canonical_url).order_by(StoredArticle.id)
        )
        assert [url for _, url in stored] == [f"https://rmol.id/read/{number}" for number in (1, 2, 3)]
    assert first not in ids.values()


def test_a_clusters_copies_are_read_from_its_index_after_analyze_saw_mostly_unclustered_stories(
    database: Database,
) -> None:
    """Stories without text to compare have no cluster; once ANALYZE has counted them, SQLite must
    still find a cluster's copies through the cluster index, not by walking every story in time order."""
    first = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with database.session() as session:
        session.add_all(
            StoredArticle(canonical_url=f"https://rmol.id/read/{n}", url=f"https://rmol.id/read/{n}",
                          first_seen=first + timedelta(minutes=n))
            for n in range(300)
        )  # fmt: skip
        cluster, other = new_cluster(session), new_cluster(session)
        copies = [("https://www.bisnis.com/a", 9, cluster), ("https://rmol.id/b", 3, cluster),
                  ("https://rmol.id/c", 5, cluster), ("https://kompas.id/d", 1, other)]  # fmt: skip
        session.add_all(
            StoredArticle(canonical_url=url, url=url, first_seen=first + timedelta(minutes=m), cluster_id=c)
            for url, m, c in copies
        )
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    statements: list[tuple[str, Any]] = []

    def keep(_connection: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", keep)
    with database.session() as session:
        outlets = story_outlets(session, cluster)
    event.remove(database.engine, "before_cursor_execute", keep)
    assert outlets == {"rmol.id": "https://rmol.id/b", "bisnis.com": "https://www.bisnis.com/a"}
    if database.is_sqlite:  # PostgreSQL keeps NULLs out of its estimates already
        ((statement, parameters),) = statements
        with database.engine.connect() as connection:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [row.detail for row in explained]
        # The few copies may be sorted after (SQLite's choice by cost); never every story walked.
        assert plan[0] == "SEARCH articles USING INDEX ix_articles_cluster_story (cluster_id=?)"
        assert not [step for step in plan if step.startswith("SCAN")]


def test_a_writing_transaction_holds_a_larger_page_cache_and_gives_it_back_to_the_pool(
    sqlite_database: Database,
) -> None:
    with sqlite_database.session() as session:
        default = session.execute(text("PRAGMA cache_size")).scalar_one()
    with sqlite_database.writing() as session:
        assert session.execute(text("PRAGMA cache_size")).scalar_one() == -WRITER_CACHE_KIB < default
        session.add(StoredArticle(canonical_url="https://rmol.id/read/1", url="a"))
    with sqlite_database.session() as session:  # the pool's one connection, back from the writer
        assert session.execute(text("PRAGMA cache_size")).scalar_one() == default
        assert session.scalars(select(StoredArticle.url)).all() == ["a"]
