"""The command line on stored data: extract, items list/show/export/reindex, crawl errors."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.config import Config
from crawler.crawl.pipelines import ExtractStage, MatchStage, StoreStage
from crawler.crawl.plans import source_plan
from crawler.domain.story import CandidateStory
from crawler.matching import WatchSet
from crawler.store import search
from crawler.store.db import Database
from crawler.store.models import CrawlRun, StoredArticle
from crawler.store.seeds import import_seeds
from crawler.store.sources import source_id
from tests.conftest import DEFAULT_CONFIG, FIXTURES
from tests.crawl_helpers import run_pantau, settle

BISNIS = FIXTURES / "articles" / "bisnis"
RMOL = FIXTURES / "replay" / "rmol"
BISNIS_CHANNEL = "https://{channel}.bisnis.com/read/20230913/19/{id}/kim-jong-un-sebut-rusia-bakal-menang"
KIM_URL = BISNIS_CHANNEL.format(channel="kabar24", id=1694663) + "-dalam-perang-di-ukraina"
KIM_COPY_URL = BISNIS_CHANNEL.format(channel="ekonomi", id=1695001)
POLITIK_URL = "https://rmol.id/politik/read/2025/11/19/687311/komisi-ii-dpr-minta-kpu"
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
    skipped = {"pages", "paywalled", "warnings"}
    compared = {key: value for key, value in expected.items() if key not in skipped}
    assert {key: printed[key] for key in compared} == compared


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


def store(database: Database, config: Config, source: str, url: str, *pages: Path) -> None:
    """Store one story through the pipeline stages, in a run of its own."""
    with database.session() as session:
        run = CrawlRun(source_id=source_id(session, source, config))
        session.add(run)
        session.flush()
        run_id = run.id
    story = CandidateStory(url=url, source=source, pages=[page.read_text(encoding="utf-8") for page in pages])
    watches = WatchSet.from_config(config)
    for stage in (ExtractStage(config, watches, workers=0), MatchStage(watches),
                  StoreStage(config, database, run_id)):  # fmt: skip
        story = settle(stage.process_item(story))


@pytest.fixture
def stored_story(sqlite_database: Database, default_config: Config) -> Database:
    """The Korea Utara story of the RMOL replay fixture, stored through the pipeline stages."""
    store(sqlite_database, default_config, "rmol", KORUT_URL, RMOL / "dunia-2025-korut-insinyur.html")
    return sqlite_database


def test_items_show_displays_every_field_and_the_match_provenance(stored_story: Database) -> None:
    result = run_pantau("items", "show", "1", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert result.returncode == 0, result.stderr
    assert "Korea Utara Kirim Ribuan Insinyur Militer ke Rusia untuk Bangun Kembali Kursk" in result.stdout
    assert "match korea-utara-rusia" in result.stdout
    assert (
        "'Korea Utara' in title [0:11]: Korea Utara Kirim Ribuan Insinyur Militer ke Rusia" in result.stdout
    )


def shown_fields(output: str) -> dict[str, str]:
    """The non-empty fields `items show` printed, by name (a field's first line only)."""
    return dict(
        found.groups() for line in output.splitlines() if (found := re.match(r"^ (\w+) +(\S.*?)\s*$", line))
    )


def test_items_show_gives_the_verdict_its_score_and_the_cluster_with_its_other_outlets(
    database: Database, default_config: Config
) -> None:
    import_seeds(database, default_config.seeds_path)
    store(database, default_config, "bisnis", KIM_URL, BISNIS / "kim-jong-un-all.html")
    store(database, default_config, "bisnis", KIM_COPY_URL, BISNIS / "kim-jong-un-p1.html",
          BISNIS / "kim-jong-un-p2.html")  # fmt: skip
    result = run_pantau("items", "show", "2", config=DEFAULT_CONFIG, database_url=database.url)
    assert result.returncode == 0, result.stderr
    fields = shown_fields(result.stdout)
    # A seed it duplicates comes before the article it matches exactly (the story is a seed story).
    assert fields["duplicate_of"] == "seed:004_64116d368e759003.txt"
    assert re.fullmatch(r"near, similarity 0\.\d{4}", fields["verdict"]), fields["verdict"]
    others = rf"kabar24\.bisnis\.com \({re.escape(KIM_URL)}\), seed 004_64116d368e759003\.txt"
    assert re.fullmatch(rf"\d+: also carried by {others}", fields["cluster"]), fields["cluster"]


def test_items_show_and_list_say_a_story_skipped_by_the_pre_check_was_never_compared(
    database: Database, default_config: Config
) -> None:
    page = FIXTURES / "articles" / "rmol" / "politik-desktop-2025.html"  # no watch can match it
    store(database, default_config, "rmol", POLITIK_URL, page)
    shown = run_pantau("items", "show", "1", config=DEFAULT_CONFIG, database_url=database.url)
    assert shown.returncode == 0, shown.stderr
    fields = shown_fields(shown.stdout)
    assert (fields["verdict"], fields["cluster"], "duplicate_of" in fields) == (
        "unchecked (no text was read: no watch could match the page, or it had no body)", "none", False,
    )  # fmt: skip
    listed = run_pantau("items", "list", config=DEFAULT_CONFIG, database_url=database.url)
    assert "│ unchecked │" in listed.stdout


def test_items_show_of_a_missing_id_is_a_clear_error(stored_story: Database) -> None:
    result = run_pantau("items", "show", "99", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert (result.returncode, result.stderr.strip()) == (1, "error: no stored story has id 99")


def test_extract_shows_each_field_with_its_evidence_and_reports_missing_ones() -> None:
    page = FIXTURES / "secondhand" / "articles" / "rmol" / "rmol_2022_dunia_leaked_author.html"
    url = "https://dunia.rmol.id/read/2022/09/06/546353/intelijen-as-rusia-beli-roket"
    result = run_pantau(
        "extract", str(page), "--url", url, config=DEFAULT_CONFIG, database_url="sqlite:///x.db"
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "Sarah Meiliana Gunawan" in lines["authors"] and lines["authors"].rstrip().endswith("byline")
    assert "2022-09-06T11:24:00+07:00" in lines["published_at"]
    assert lines["editors"].split()[1:] == ["not", "found"]


def test_extract_reads_relative_times_against_fetched_at_and_refuses_a_bad_one(tmp_path: Path) -> None:
    saved = tmp_path / "page.html"
    paragraphs = "".join(f"<p>Paragraf {n} tentang festival danau yang digelar warga.</p>" for n in range(4))
    saved.write_text(
        f"<html><body><article><h1>Warga gelar festival danau</h1><div>2 jam yang lalu</div>{paragraphs}"
        "</article></body></html>"
    )
    url = "https://www.contoh-portal.co.id/berita/2024/03/11/warga-gelar-festival"
    common = {"config": DEFAULT_CONFIG, "database_url": "sqlite:///unused.db"}
    saved_at = "2024-03-11T10:30+07:00"
    fetched = run_pantau("extract", str(saved), "--url", url, "--fetched-at", saved_at, "--json", **common)
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["published_at"] == "2024-03-11T08:30:00+07:00"
    undated = run_pantau("extract", str(saved), "--url", url, "--json", **common)
    assert json.loads(undated.stdout)["published_at"] is None
    bad = run_pantau("extract", str(saved), "--url", url, "--fetched-at", "pekan depan", **common)
    assert bad.returncode == 2 and "'pekan depan' is not a past date or an age" in bad.stderr


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
        "id", "url", "canonical_url", "title", "authors", "editors", "source_org", "published_at",
        "modified_at", "section", "body", "lead", "language", "tags", "field_sources", "source", "first_seen",
        "duplicate_of", "matches",
    ]  # fmt: skip
    assert (row["url"], row["canonical_url"], row["authors"], row["published_at"], row["tags"]) == (
        KORUT_URL, "https://rmol.id/read/2025/11/21/687402", "Reni Erina", "2025-11-21T09:30:00+07:00",
        "Korea Utara; Rusia; Kursk",
    )  # fmt: skip
    assert (row["source"], row["duplicate_of"], row["matches"]) == ("rmol", "", "korea-utara-rusia")


def test_items_reindex_rebuilds_a_search_index_made_by_another_analyser(stored_story: Database) -> None:
    def found(word: str) -> bool:
        with stored_story.session() as session:
            narrowed = search.search_filter(session, word)
            assert narrowed is not None
            found = narrowed.condition is not None  # a handful of stories: found by id
            return found and 1 in set(session.scalars(select(StoredArticle.id).where(narrowed.condition)))

    with stored_story.session() as session:
        story = session.get_one(StoredArticle, 1)
        moment = story.published_at or story.first_seen
    with stored_story.engine.begin() as connection:  # as an older analyser would have indexed it
        search.index_stories(connection, [(1, moment, "Korut", "insinyur-insinyur pergi")])
    assert (found("insinyur"), found("Kursk")) == (True, False)
    result = run_pantau("items", "reindex", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert (result.returncode, result.stdout.strip()) == (0, "stories re-indexed: 1"), result.stderr
    assert (found("insinyur"), found("Kursk")) == (True, True)


def test_items_list_shows_the_newest_stories(stored_story: Database) -> None:
    result = run_pantau("items", "list", "--matched", config=DEFAULT_CONFIG, database_url=stored_story.url)
    assert result.returncode == 0, result.stderr
    assert "korea-utara-rusia" in result.stdout and "2025-11-21T09:30+07:00" in result.stdout


def test_items_export_keeps_the_zone_the_portal_gave_the_time_in(
    sqlite_database: Database, default_config: Config
) -> None:
    papua = FIXTURES / "articles" / "rmol_regional" / "papua-bantuan-banjir-wit.html"
    url = "https://www.rmolpapua.id/pemprov-papua-salurkan-bantuan-beras-untuk-korban-banjir-jayapura"
    store(sqlite_database, default_config, "rmol_regional", url, papua)

    result = run_pantau(
        "items", "export", "--format", "jsonl", config=DEFAULT_CONFIG, database_url=sqlite_database.url
    )

    assert result.returncode == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["published_at"] == "2025-11-10T10:05:00+09:00"  # WIT, as `pantau extract` prints it


def test_items_list_since_shows_only_the_stories_first_seen_since_then(
    stored_story: Database, default_config: Config
) -> None:
    store(
        stored_story,
        default_config,
        "rmol",
        POLITIK_URL,
        FIXTURES / "articles" / "rmol" / "politik-desktop-2025.html",
    )
    with stored_story.session() as session:  # the Korea Utara story was first seen three days ago
        session.get_one(StoredArticle, 1).first_seen = datetime.now(UTC) - timedelta(days=3)
    listed = {
        since: run_pantau(
            "items", "list", "--since", since, config=DEFAULT_CONFIG, database_url=stored_story.url
        )
        for since in ("2d", "4d")
    }
    assert [result.returncode for result in listed.values()] == [0, 0]
    assert "Komisi II" in listed["2d"].stdout and "Korea Utara" not in listed["2d"].stdout
    assert "Komisi II" in listed["4d"].stdout and "Korea Utara" in listed["4d"].stdout


def test_crawl_since_replaces_the_look_back_window_for_one_run(default_config: Config) -> None:
    since = datetime.now(UTC) - timedelta(hours=5)
    plan = source_plan(default_config, "rmol", since)
    assert timedelta(hours=5) <= plan.lookback < timedelta(hours=5, minutes=1)
    assert source_plan(default_config, "rmol").lookback == timedelta(days=default_config.crawl.lookback_days)
