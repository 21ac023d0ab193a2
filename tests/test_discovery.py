"""Every discovery path of the bisnis and RMOL regional families, end to end through `pantau crawl --replay`.

The fixtures are dated 2025 and the look-back window counts back from today, so each config
sets a window that reaches exactly the fixture dates a test wants to page through.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.extract import WIB
from crawler.replay import archive_from_manifest
from crawler.store.db import open_database
from crawler.store.models import CrawlRun, FetchValidator, Source, StoredArticle
from tests.conftest import FIXTURES
from tests.crawl_helpers import run_pantau
from tests.test_end_to_end import stored_stories

REPLAY = FIXTURES / "replay"
CONFIG = """\
storage:
  url: sqlite:///unused.db
seeds:
  path: {seeds}
crawl:
  lookback_days: {lookback_days}
sources:
{sources}
aliases:
  Korea Utara: [Korut, DPRK]
watches:
  - name: korea-utara-rusia
    query: '"Korea Utara" AND Rusia'
{more_watches}"""
BISNIS = "  bisnis:\n    family: bisnis\n    sites: [bisnis.com]\n"
KEMISKINAN = "  - name: kemiskinan\n    query: kemiskinan\n"
REGIONAL = (
    "  rmol_regional:\n    family: rmol_regional\n    sites: [rmollampung.id, rmoljatim.id, rmolpapua.id]\n"
)


def days_back_to(day: date) -> int:
    """A look-back window that starts on `day` (today in WIB counts as day 0)."""
    return (datetime.now(WIB).date() - day).days


def write_config(tmp_path: Path, sources: str, lookback_days: int, more_watches: str = "") -> Path:
    config = tmp_path / "pantau.yaml"
    config.write_text(
        CONFIG.format(
            seeds=Path(__file__).resolve().parent.parent / "config" / "seeds",
            lookback_days=lookback_days,
            sources=sources,
            more_watches=more_watches,
        ),
        encoding="utf-8",
    )
    return config


def crawl(config: Path, database_url: str, source: str, archive: Path) -> None:
    result = run_pantau("crawl", source, "--replay", str(archive), config=config, database_url=database_url)
    assert result.returncode == 0, result.stdout + result.stderr


def run_counts(database_url: str) -> list[tuple[Any, ...]]:
    database = open_database(database_url)
    with database.session() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        counts = [
            (run.status, run.pages_fetched, run.items_new, run.items_duplicate, run.items_unmatched,
             run.items_failed, run.items_matched, run.errors)
            for run in runs
        ]  # fmt: skip
    database.dispose()
    return counts


def expected(family: str) -> list[dict[str, Any]]:
    stories: list[dict[str, Any]] = json.loads(
        (REPLAY / family / "expected.json").read_text(encoding="utf-8")
    )
    return stories


def test_bisnis_feed_sitemap_index_search_and_pages_store_each_story_once(
    database_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "bisnis.warc.gz"
    archive_from_manifest(REPLAY / "bisnis" / "manifest.json", archive)
    config = write_config(tmp_path, BISNIS, days_back_to(date(2023, 9, 13)))

    crawl(config, database_url, "bisnis", archive)

    assert stored_stories(database_url) == expected("bisnis")
    # robots.txt ×6 hosts, RSS, sitemap, index pages 1-2, two searches, 3 stories (one on 2 pages).
    assert run_counts(database_url) == [("succeeded", 16, 0, 1, 2, 0, 1, [])]
    database = open_database(database_url)
    with database.session() as session:
        paywalled = session.scalars(select(StoredArticle.url).where(StoredArticle.paywalled)).all()
        assert paywalled == [
            "https://premium.bisnis.com/read/20251114/648/1928795/menakar-daya-tahan-emiten-batu-bara-di-tengah-koreksi-harga"
        ]
        validators = session.execute(
            select(FetchValidator.url, FetchValidator.etag).order_by(FetchValidator.url)
        )
        assert validators.all() == [
            ("https://rss.bisnis.com/", '"rss-1763200676"'),
            ("https://www.bisnis.com/index?categoryId=0&type=indeks&page=1", 'W/"indeks-1-5f2a"'),
            ("https://www.bisnis.com/index?categoryId=0&type=indeks&page=2", 'W/"indeks-2-77c1"'),
        ]
        source = session.scalars(select(Source)).one()
        assert (source.health, source.health_reason) == ("healthy", None)
    database.dispose()

    crawl(config, database_url, "bisnis", archive)
    # Only robots.txt ×3, RSS, sitemap, index page 1 (nothing new on it: no page 2) and the searches.
    assert run_counts(database_url)[1] == ("succeeded", 8, 0, 0, 0, 0, 0, [])
    assert stored_stories(database_url) == expected("bisnis")


def test_bisnis_index_paging_stops_at_the_look_back_window(sqlite_database: Any, tmp_path: Path) -> None:
    archive = tmp_path / "bisnis.warc.gz"
    archive_from_manifest(REPLAY / "bisnis" / "manifest.json", archive)
    # Index page 1 reaches back to 14 November 2025; a window starting the day after ends paging there.
    config = write_config(tmp_path, BISNIS, days_back_to(date(2025, 11, 15)))
    database_url = str(sqlite_database.engine.url)

    crawl(config, database_url, "bisnis", archive)

    with sqlite_database.session() as session:
        fetched = session.scalars(select(FetchValidator.url).order_by(FetchValidator.url)).all()
    assert fetched == [
        "https://rss.bisnis.com/",
        "https://www.bisnis.com/index?categoryId=0&type=indeks&page=1",
    ]
    # The Kim Jong Un story is still found, through search and not through index page 2.
    assert len(stored_stories(database_url)) == 3


def test_regional_listings_cards_dates_and_search_across_sites(database_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "rmol_regional.warc.gz"
    archive_from_manifest(REPLAY / "rmol_regional" / "manifest.json", archive)
    # Listing page 2 of rmollampung.id dates its card 24 July 2025: the window starts that day,
    # so page 2 is read and page 3 (a day older on the real site) is not.
    config = write_config(tmp_path, REGIONAL, days_back_to(date(2025, 7, 25)), KEMISKINAN)

    crawl(config, database_url, "rmol_regional", archive)

    assert stored_stories(database_url) == expected("rmol_regional")
    # robots.txt ×3, daerah listing ×3 sites + page 2, /cari ×3 sites × 3 keywords, 4 stories.
    assert run_counts(database_url) == [("succeeded", 20, 2, 0, 2, 0, 2, [])]


def test_a_site_of_an_existing_family_is_crawled_with_config_alone(
    sqlite_database: Any, tmp_path: Path
) -> None:
    """rmolbanten.com is in no default list: its pages are the regional fixtures moved to its host."""
    site = tmp_path / "banten"
    site.mkdir()
    manifest = json.loads((REPLAY / "rmol_regional" / "manifest.json").read_text(encoding="utf-8"))
    pages = {}
    for url, entry in manifest.items():
        if "rmollampung.id" not in url:
            continue
        source_file = (REPLAY / "rmol_regional" / entry["file"]).resolve()
        moved = site / source_file.name
        moved.write_text(source_file.read_text(encoding="utf-8").replace("rmollampung.id", "rmolbanten.com"))
        pages[url.replace("rmollampung.id", "rmolbanten.com")] = {**entry, "file": moved.name}
    (site / "manifest.json").write_text(json.dumps(pages), encoding="utf-8")
    archive = tmp_path / "banten.warc.gz"
    archive_from_manifest(site / "manifest.json", archive)
    sources = "  banten:\n    family: rmol_regional\n    sites: [rmolbanten.com]\n"
    config = write_config(tmp_path, sources, days_back_to(date(2025, 7, 25)), KEMISKINAN)
    database_url = str(sqlite_database.engine.url)

    crawl(config, database_url, "banten", archive)

    stories = stored_stories(database_url)
    assert [(story["canonical_url"], story["published_at"], story["matches"] != []) for story in stories] == [
        ("https://rmolbanten.com/garis-kemiskinan-lampung-naik-beras-jadi-penyumbang-terbesar",
         "2025-07-25T03:12:00+00:00", True),
        ("https://rmolbanten.com/kemiskinan-lampung-turun-jadi-10-persen-tapi-ketimpangan-menguat-di-desa",
         "2025-07-23T17:00:00+00:00", True),
    ]  # fmt: skip
    lampung = next(s for s in expected("rmol_regional") if s["canonical_url"].endswith("terbesar"))
    banten = stories[0]
    # The family's clean-up applies to the new site: the same body, "Baca Juga" lines and all removed.
    assert banten["body"] == lampung["body"].replace("rmollampung.id", "rmolbanten.com")


@pytest.mark.parametrize("family", ["bisnis", "rmol_regional", "rmol"])
def test_every_replay_fixture_page_exists(family: str) -> None:
    manifest = json.loads((REPLAY / family / "manifest.json").read_text(encoding="utf-8"))
    missing = [
        entry["file"] for entry in manifest.values() if not (REPLAY / family / entry["file"]).is_file()
    ]
    assert missing == []
