"""`pantau watch test` and `pantau watch backfill`, and backfill itself on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from crawler.config import Config, WatchConfig
from crawler.matching import CompiledWatch, parse_query
from crawler.matching.backfill import BackfillReport, backfill
from crawler.seeds import import_seeds
from crawler.store.db import Database, open_database
from crawler.store.models import AlertOutbox, Match, Source, StoredArticle
from tests.crawl_helpers import run_pantau

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "pantau.yaml"
SEED = ROOT / "config" / "seeds" / "000_d8c0db3640f267ed.txt"
SEED_NAMES = ("000_d8c0db3640f267ed.txt", "004_64116d368e759003.txt")


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pantau.db'}"


def test_watch_test_json_says_why_a_file_matches(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "test", '"Korea Utara" AND Rusia', "--file", str(SEED), "--json",
        config=CONFIG, database_url=sqlite_url(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["matched"] is True
    assert len(verdict["hits"]) == 23
    assert verdict["hits"][1] == {
        "term": "Korea Utara",
        "field": "body",
        "start": 96,
        "end": 107,
        "snippet": "…Panel Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di "
        "Ukraina LAPORAN: <a…",
    }


def test_watch_test_exits_1_when_nothing_matches(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "test", "Jokowi NEAR/3 Putin", "--file", str(SEED), "--json",
        config=CONFIG, database_url=sqlite_url(tmp_path),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout) == {"matched": False, "hits": []}


def test_watch_test_reads_a_stored_story_by_id_and_prints_a_table(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    database = open_database(url)
    with database.session() as session:
        article = StoredArticle(
            canonical_url="https://rmol.id/x",
            url="https://rmol.id/x",
            title="Korut uji rudal",
            body="Tanpa isi",
        )
        session.add(article)
        session.flush()
        article_id = article.id
    database.dispose()
    result = run_pantau(
        "watch", "test", "title:DPRK", "--item", str(article_id), config=CONFIG, database_url=url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "matched: 1 hits"
    assert "│ Korea Utara │ title │ 0-5     │ Korut uji rudal │" in result.stdout


def test_watch_test_reports_a_bad_query_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "test", "(Rusia", "--file", str(SEED), config=CONFIG, database_url=sqlite_url(tmp_path)
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: column 7: expected ')' to close the '(' at column 1"


def test_watch_backfill_prints_what_it_scanned_and_matched(tmp_path: Path) -> None:
    result = run_pantau(
        "watch", "backfill", "korea-utara-rusia", config=CONFIG, database_url=sqlite_url(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "watch 'korea-utara-rusia': 0 stored stories scanned, 0 matched (0 recorded as historical); "
        f"2 seeds scanned, 2 matched: {', '.join(SEED_NAMES)}"
    )


def test_watch_backfill_of_an_unknown_watch_names_the_configured_ones(tmp_path: Path) -> None:
    result = run_pantau("watch", "backfill", "nope", config=CONFIG, database_url=sqlite_url(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == "error: unknown watch 'nope'; configured watches: korea-utara-rusia"


def add_article(
    database: Database, slug: str, title: str, body: str | None, source: str | None = None
) -> int:
    with database.session() as session:
        source_id = None
        if source is not None:
            row = session.scalar(select(Source).where(Source.name == source))
            if row is None:
                row = Source(name=source, family=source)
                session.add(row)
                session.flush()
            source_id = row.id
        article = StoredArticle(
            canonical_url=f"https://bisnis.com/{slug}", url=f"https://bisnis.com/{slug}",
            title=title, body=body, source_id=source_id,
        )  # fmt: skip
        session.add(article)
        session.flush()
        return article.id


def test_backfill_records_historical_matches_once_and_never_alerts(
    database: Database, default_config: Config
) -> None:
    import_seeds(database, default_config.seeds_path)
    matching = add_article(database, "a", "Kim ke Rusia", "Korea Utara kirim peluru", source="bisnis")
    add_article(database, "b", "Harga cabai", "Pedagang mengeluh", source="bisnis")
    add_article(database, "c", "Korea Utara dan Rusia", None, source="bisnis")  # seen only: no body
    add_article(database, "d", "Korut dan Rusia", "isi", source="rmol")  # a source the watch skips
    query = '"Korea Utara" AND Rusia'
    watch = CompiledWatch(
        WatchConfig(name="kr", query=query, sources=["bisnis"]), parse_query(query, default_config.aliases)
    )

    first = backfill(database, watch)
    second = backfill(database, watch)

    assert first == BackfillReport("kr", 2, 1, 1, 2, SEED_NAMES)
    assert second == BackfillReport("kr", 2, 1, 0, 2, SEED_NAMES)
    with database.session() as session:
        (match,) = session.scalars(select(Match)).all()
        assert (match.article_id, match.watch, match.historical, match.terms) == (
            matching, "kr", True, ["Rusia", "Korea Utara"],
        )  # fmt: skip
        assert match.hits[0] == {
            "term": "Rusia", "field": "title", "start": 7, "end": 12, "snippet": "Kim ke Rusia",
        }  # fmt: skip
        assert match.snippet == "Kim ke Rusia"
        assert session.scalars(select(AlertOutbox)).all() == []
