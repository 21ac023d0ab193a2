"""The command line on stored data: extract, items list/show/export, crawl errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from crawler.config import Config
from crawler.items import CandidateStory
from crawler.matching import WatchSet
from crawler.pipelines import ExtractStage, MatchStage, StoreStage, source_id
from crawler.store.db import Database
from crawler.store.models import CrawlRun
from tests.conftest import DEFAULT_CONFIG, FIXTURES
from tests.crawl_helpers import run_pantau, settle

BISNIS = FIXTURES / "articles" / "bisnis"
RMOL = FIXTURES / "replay" / "rmol"
KORUT_URL = (
    "https://rmol.id/dunia/read/2025/11/21/687402/"
    "korea-utara-kirim-ribuan-insinyur-militer-ke-rusia-untuk-bangun-kembali-kursk"
)


def test_extract_joins_the_pages_of_one_article_and_prints_json() -> None:
    expected = json.loads((BISNIS / "kim-jong-un.expected.json").read_text(encoding="utf-8"))
    result = run_pantau(
        "extract", *(str(BISNIS / page) for page in expected["pages"]), "--url", expected["url"], "--json",
        config=DEFAULT_CONFIG, database_url="sqlite:///unused.db",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == {
        key: value for key, value in expected.items() if key not in {"pages", "paywalled", "warnings"}
    }


def test_extract_of_a_binary_file_is_one_clear_error(tmp_path: Path) -> None:
    image = tmp_path / "photo.html"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    result = run_pantau("extract", str(image), "--url", "https://rmol.id/x", config=DEFAULT_CONFIG,
                        database_url="sqlite:///unused.db")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "error: https://rmol.id/x is binary content, not an HTML page"


def test_crawl_of_an_unknown_source_names_the_configured_ones(tmp_path: Path) -> None:
    result = run_pantau("crawl", "kompas", config=DEFAULT_CONFIG, database_url=f"sqlite:///{tmp_path}/p.db")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "error: unknown source 'kompas'; configured sources: bisnis, rmol, rmol_regional"
    )


@pytest.fixture
def stored_story(sqlite_database: Database, default_config: Config) -> Database:
    """The Korea Utara story of the RMOL replay fixture, stored through the pipeline stages."""
    with sqlite_database.session() as session:
        run = CrawlRun(source_id=source_id(session, "rmol", default_config))
        session.add(run)
        session.flush()
        run_id = run.id
    story = CandidateStory(
        url=KORUT_URL,
        source="rmol",
        pages=[(RMOL / "dunia-2025-korut-insinyur.html").read_text(encoding="utf-8")],
    )
    watches = WatchSet.from_config(default_config)
    for stage in (ExtractStage(default_config, watches, workers=0), MatchStage(watches),
                  StoreStage(default_config, sqlite_database, run_id)):  # fmt: skip
        story = settle(stage.process_item(story))
    return sqlite_database


def test_items_show_displays_every_field_and_the_match_provenance(stored_story: Database) -> None:
    result = run_pantau("items", "show", "1", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert result.returncode == 0, result.stderr
    assert "Korea Utara Kirim Ribuan Insinyur Militer ke Rusia untuk Bangun Kembali Kursk" in result.stdout
    assert "match korea-utara-rusia" in result.stdout
    assert (
        "'Korea Utara' in title [0:11]: Korea Utara Kirim Ribuan Insinyur Militer ke Rusia" in result.stdout
    )


def test_items_show_of_a_missing_id_is_a_clear_error(stored_story: Database) -> None:
    result = run_pantau("items", "show", "99", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert (result.returncode, result.stderr.strip()) == (1, "error: no stored story has id 99")


def test_items_export_csv_has_the_extract_fields_source_first_seen_duplicate_and_matches(
    stored_story: Database,
) -> None:
    result = run_pantau(
        "items", "export", "--format", "csv", config=DEFAULT_CONFIG, database_url=stored_story.url
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [
        "id", "url", "canonical_url", "title", "authors", "published_at", "body", "lead", "language", "tags",
        "source", "first_seen", "duplicate_of", "matches",
    ]  # fmt: skip
    assert (row["url"], row["canonical_url"], row["authors"], row["published_at"], row["tags"]) == (
        KORUT_URL, "https://rmol.id/read/2025/11/21/687402", "Reni Erina", "2025-11-21T02:30:00+00:00",
        "Korea Utara; Rusia; Kursk",
    )  # fmt: skip
    assert (row["source"], row["duplicate_of"], row["matches"]) == ("rmol", "", "korea-utara-rusia")


def test_items_list_shows_the_newest_stories(stored_story: Database) -> None:
    result = run_pantau("items", "list", "--matched", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert result.returncode == 0, result.stderr
    assert "korea-utara-rusia" in result.stdout and "2025-11-21T02:30" in result.stdout
