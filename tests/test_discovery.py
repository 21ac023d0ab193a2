"""Every discovery path of the three families, end to end through `pantau crawl --replay`.

The fixtures are dated 2025 and the look-back window counts back from today, so each config
sets a window that reaches exactly the fixture dates a test wants to page through; the Bisnis
index, read day by day from today, gets its fixture days moved into the window instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.crawl.replay import archive_from_manifest
from crawler.extract import WIB
from crawler.portals.urls import canonical_url
from crawler.store.db import open_database
from crawler.store.models import CrawlRun, FetchValidator, Source, StoredArticle
from tests.conftest import FIXTURES
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route
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
# The undated index (the latest stories, portals.md §2.3) instead of the day-by-day walk.
BISNIS_LATEST_INDEX = BISNIS + '    listings: ["https://www.{site}/index?categoryId=0&type=indeks&page=1"]\n'
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


def replay_archive(
    tmp_path: Path, family: str, added: Mapping[str, Mapping[str, Any]] = {}, removed: Iterable[str] = ()
) -> Path:
    """The family's replay fixtures with pages `added` (URL → manifest entry, `file` absolute) and
    URLs `removed`, packed into a WARC."""
    folder = REPLAY / family
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pages = {
        url: {**entry, "file": str((folder / entry["file"]).resolve())} for url, entry in manifest.items()
    }
    pages.update(added)
    for url in removed:
        del pages[url]
    (tmp_path / f"{family}-manifest.json").write_text(json.dumps(pages), encoding="utf-8")
    archive = tmp_path / f"{family}.warc.gz"
    archive_from_manifest(tmp_path / f"{family}-manifest.json", archive)
    return archive


def fixture(family: str, name: str, **entry: Any) -> dict[str, Any]:
    """A manifest entry for a replay fixture page."""
    return {"file": str(REPLAY / family / name), **entry}


def source_health(database_url: str) -> tuple[str, str | None]:
    database = open_database(database_url)
    with database.session() as session:
        source = session.scalars(select(Source)).one()
        health = (source.health, source.health_reason)
    database.dispose()
    return health


def fetched_validators(database_url: str) -> list[str]:
    """The listing, search and feed pages that carried an ETag, as their validators were saved."""
    database = open_database(database_url)
    with database.session() as session:
        urls = list(session.scalars(select(FetchValidator.url).order_by(FetchValidator.url)))
    database.dispose()
    return urls


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
    config = write_config(tmp_path, BISNIS_LATEST_INDEX, days_back_to(date(2023, 9, 13)))

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
    config = write_config(tmp_path, BISNIS_LATEST_INDEX, days_back_to(date(2025, 11, 15)))
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


# The Bisnis index fixtures of 12-15 November 2025 and the stories they list, by fixture day.
INDEX_DAYS = [
    (date(2025, 11, 15), 1, "index-2025-11-15-p1.html"),
    (date(2025, 11, 15), 2, "index-2025-11-15-p2.html"),
    (date(2025, 11, 14), 1, "index-2025-11-14.html"),
    (date(2025, 11, 13), 1, "index-2025-11-13.html"),
    (date(2025, 11, 12), 1, "index-2025-11-12.html"),
]
INDEX_STORIES = {
    "https://market.bisnis.com/read/20251115/7/1929031/bei-berencana-naikkan-free-float-saham-menjadi-10":
        "../../articles/bisnis/market-free-float.html",
    "https://finansial.bisnis.com/read/20251115/90/1928968/ojk-kredit-perbankan-tumbuh-77-persen-per-oktober-2025":
        "finansial-kredit-perbankan.html",
    "https://ekonomi.bisnis.com/read/20251114/9/1928702/harga-beras-medium-turun-di-33-provinsi":
        "ekonomi-harga-beras.html",
    "https://premium.bisnis.com/read/20251114/648/1928795/menakar-daya-tahan-emiten-batu-bara-di-tengah-koreksi-harga":
        "../../articles/bisnis/premium-batu-bara.html",
    "https://teknologi.bisnis.com/read/20251113/84/1928420/kapasitas-satelit-satria-1-dipakai-37000-titik-layanan-publik":
        "teknologi-satelit-satria.html",
}  # fmt: skip


def moved(text: str, days: Mapping[date, date]) -> str:
    """`text` with each fixture day moved, in every form the index writes it (2025-11-15, 20251115,
    2025/11/15)."""
    for old, new in days.items():
        for form in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
            text = text.replace(old.strftime(form), new.strftime(form))
    return text


def test_bisnis_index_is_read_day_by_day_through_the_window_each_day_up_to_its_total(
    database_url: str, tmp_path: Path
) -> None:
    # 15 November becomes today, the 14th yesterday, and so on: a two-day window holds three days.
    today = datetime.now(WIB).date()
    days = {fixture_day: today - timedelta(days=(date(2025, 11, 15) - fixture_day).days)
            for fixture_day, _, _ in INDEX_DAYS}  # fmt: skip
    added = {}
    for fixture_day, number, name in INDEX_DAYS:
        page = tmp_path / name
        page.write_text(moved((REPLAY / "bisnis" / name).read_text(encoding="utf-8"), days), encoding="utf-8")
        url = f"https://www.bisnis.com/index?categoryId=0&type=indeks&date={days[fixture_day]}&page={number}"
        added[url] = {"file": str(page), "headers": {"ETag": f'"{name}"'}}
    for url, name in INDEX_STORIES.items():
        added[f"{moved(url, days)}?page=all"] = fixture("bisnis", name)
    archive = replay_archive(tmp_path, "bisnis", added)
    sources = BISNIS + "    feeds: []\n    sitemaps: []\n    search_enabled: false\n"
    config = write_config(tmp_path, sources, lookback_days=2)

    crawl(config, database_url, "bisnis", archive)

    index = "https://www.bisnis.com/index?categoryId=0&type=indeks&date="
    assert fetched_validators(database_url) == [
        f"{index}{days[date(2025, 11, 13)]}&page=1",
        f"{index}{days[date(2025, 11, 14)]}&page=1",
        f"{index}{days[date(2025, 11, 15)]}&page=1",
        f"{index}{days[date(2025, 11, 15)]}&page=2",
    ]  # and not the fourth day, before the window
    assert [story["canonical_url"] for story in stored_stories(database_url)] == sorted(
        canonical_url(moved(url, days)) for url in INDEX_STORIES
    )
    # robots.txt ×6 hosts, 4 index pages, 5 stories.
    assert run_counts(database_url) == [("succeeded", 15, 0, 0, 5, 0, 0, [])]

    crawl(config, database_url, "bisnis", archive)
    # Today's first page holds only stored stories: the walk ends there.
    assert run_counts(database_url)[1] == ("succeeded", 2, 0, 0, 0, 0, 0, [])


def test_bisnis_search_pages_on_by_its_numbered_pager(sqlite_database: Any, tmp_path: Path) -> None:
    """search.bisnis.com's pager has numbered links and no next link (portals.md §2.4)."""
    vladivostok = "https://kabar24.bisnis.com/read/20230905/19/1690874/kim-jong-un-dikabarkan-akan-bertemu-putin-di-vladivostok"
    archive = replay_archive(
        tmp_path,
        "bisnis",
        {
            "https://search.bisnis.com/?q=Korea+Utara&page=1": fixture(
                "bisnis", "search-korea-utara-hal-1-dari-2.html"
            ),
            "https://search.bisnis.com/?q=Korea+Utara&page=2": fixture(
                "bisnis", "search-korea-utara-hal-2-dari-2.html"
            ),
            f"{vladivostok}?page=all": fixture("bisnis", "kabar24-kim-jong-un-vladivostok.html"),
        },
    )
    sources = BISNIS + "    feeds: []\n    sitemaps: []\n    listings: []\n"
    config = write_config(tmp_path, sources, days_back_to(date(2023, 9, 1)))
    database_url = str(sqlite_database.engine.url)

    crawl(config, database_url, "bisnis", archive)

    assert [(story["canonical_url"], story["title"]) for story in stored_stories(database_url)] == [
        (
            "https://bisnis.com/read/20230905/1690874",
            "Kim Jong-un Dikabarkan Akan Bertemu Putin di Vladivostok",
        ),
        (
            "https://bisnis.com/read/20230913/1694663",
            "Kim Jong Un Sebut Rusia Bakal Menang dalam Perang di Ukraina",
        ),
    ]
    # robots.txt ×2 hosts, search pages 1-2 for Korea Utara and 1 for Rusia, 2 stories (one on 2
    # pages); the Kim Jong Un story is a copy of a seed.
    assert run_counts(database_url) == [("succeeded", 8, 1, 1, 0, 0, 2, [])]


RMOL = "  rmol:\n    family: rmol\n    sites: [rmol.id]\n"


def test_rmol_with_search_and_sitemaps_configured_discovers_through_them(
    database_url: str, tmp_path: Path
) -> None:
    """No feed and no listing: every story comes from the configured sitemap or search."""
    archive = replay_archive(
        tmp_path,
        "rmol",
        {
            "https://rmol.id/sitemap-news.xml": fixture(
                "rmol", "sitemap-news.xml", content_type="application/xml"
            ),
            "https://rmol.id/search?q=Korea+Utara": fixture("rmol", "search-korea-utara.html"),
            "https://rmol.id/search?q=Rusia": fixture("rmol", "search-rusia.html"),
        },
    )
    sources = RMOL + (
        "    feeds: []\n    listings: []\n"
        '    sitemaps: ["https://{site}/sitemap-news.xml"]\n'
        '    search: "https://{site}/search?q={query}"\n'
    )
    config = write_config(tmp_path, sources, lookback_days=2)

    crawl(config, database_url, "rmol", archive)

    # The stories the sitemap and the searches lead to; the others of expected.json only kanal pages list.
    found = {
        "https://rmol.id/read/2022/09/06/546353",
        "https://rmol.id/read/2024/11/20/645550",
        "https://rmol.id/read/2025/11/19/687311",
        "https://rmol.id/read/2025/11/21/687402",
    }
    assert stored_stories(database_url) == [
        story for story in expected("rmol") if story["canonical_url"] in found
    ]
    # robots.txt ×2 hosts, the sitemap, two searches, 4 stories.
    assert run_counts(database_url) == [("succeeded", 9, 1, 1, 2, 0, 2, [])]
    assert source_health(database_url) == ("healthy", None)


def test_rmol_reads_the_first_feed_candidate_that_answers_the_home_page_and_the_kanal_pages(
    database_url: str, tmp_path: Path
) -> None:
    kanal_stories = {
        "https://rmol.id/bisnis/read/2025/11/18/687188/harga-emas-antam-naik": "bisnis-2025-emas-antam.html",
        "https://rmol.id/nusantara/read/2025/11/20/687350/banjir-bandang-terjang-tiga-desa-di-aceh-tenggara":
            "nusantara-2025-banjir-bandang-aceh.html",
        "https://rmol.id/publika/read/2025/11/19/687290/kursk-dan-pelajaran-bagi-semenanjung-korea":
            "publika-2025-kursk-dan-semenanjung.html",
        # The home page links the AMP form of a story the feed and the dunia kanal link in full.
        "https://rmol.id/amp/2025/11/21/687402/korea-utara-kirim-ribuan-insinyur-militer-ke-rusia-untuk-bangun-kembali-kursk":
            "amp-2025-korut-insinyur.html",
    }  # fmt: skip
    kanals = ("politik", "hukum", "bisnis", "dunia", "nusantara", "publika")
    added = {f"https://rmol.id/{kanal}": fixture("rmol", f"kanal-{kanal}.html") for kanal in kanals}
    added |= {url: fixture("rmol", name) for url, name in kanal_stories.items()}
    # rmol.id/rss and www.rmol.id/rss are not found; the third candidate is the feed.
    added["https://rmol.id/rss/latest-posts"] = fixture("rmol", "rss.xml", content_type="application/rss+xml")
    archive = replay_archive(tmp_path, "rmol", added, removed=["https://rmol.id/rss"])
    config = write_config(tmp_path, RMOL, lookback_days=2)

    crawl(config, database_url, "rmol", archive)

    assert [story["canonical_url"] for story in stored_stories(database_url)] == [
        "https://rmol.id/read/2022/09/06/546353",
        "https://rmol.id/read/2024/11/20/645550",
        "https://rmol.id/read/2025/11/18/687188",  # bisnis kanal
        "https://rmol.id/read/2025/11/19/687290",  # publika kanal
        "https://rmol.id/read/2025/11/19/687311",
        "https://rmol.id/read/2025/11/20/687350",  # nusantara kanal
        "https://rmol.id/read/2025/11/21/687402",
    ]
    # robots.txt ×3 hosts, 3 feed candidates, the home page, 6 kanal pages, 7 stories; the errors are
    # the two feed candidates before the one that answered.
    assert run_counts(database_url) == [("succeeded", 20, 1, 1, 5, 0, 2, ["2 × HTTP 404 Not Found"])]


def test_regional_search_results_as_articles_and_slugs_starting_like_a_page_are_stories(
    database_url: str, tmp_path: Path
) -> None:
    """rmolsumut.id lists search results as `article > h2 > a` (portals.md §1.5), across the network."""
    cari_solusi = "https://www.rmollampung.id/cari-solusi-banjir-di-bandar-lampung-pemkot-bentuk-tim-terpadu"
    added = {
        "https://www.rmolsumut.id/robots.txt": fixture(
            "rmol_regional", "robots.txt", content_type="text/plain"
        ),
        "https://www.rmolsumut.id/cari?q=banjir": fixture("rmol_regional", "sumut-cari-banjir.html"),
        "https://www.rmolsumut.id/cari?q=Korea+Utara": fixture(
            "rmol_regional", "cari-korea-utara-kosong.html"
        ),
        "https://www.rmolsumut.id/cari?q=Rusia": fixture("rmol_regional", "cari-rusia-kosong.html"),
        "https://www.rmollampung.id/cari?q=banjir": fixture("rmol_regional", "lampung-cari-banjir.html"),
        cari_solusi: fixture("rmol_regional", "lampung-cari-solusi-banjir.html"),
        "https://www.rmolsumut.id/siantar-terendam": fixture("rmol_regional", "sumut-siantar-terendam.html"),
    }
    archive = replay_archive(tmp_path, "rmol_regional", added)
    sources = (
        "  sumut:\n    family: rmol_regional\n    sites: [rmolsumut.id, rmollampung.id]\n    listings: []\n"
    )
    config = write_config(
        tmp_path, sources, lookback_days=2, more_watches="  - name: banjir\n    query: banjir\n"
    )

    crawl(config, database_url, "sumut", archive)

    stories = stored_stories(database_url)
    assert [(story["url"], story["published_at"], story["matches"] != []) for story in stories] == [
        (cari_solusi, "2025-07-28T14:05:00+07:00", True),
        ("https://www.rmolsumut.id/siantar-terendam", "2025-07-27T08:40:00+07:00", True),
    ]
    # robots.txt ×2, /cari ×2 sites × 3 keywords, 2 stories (the lampung one listed by both sites' search).
    assert run_counts(database_url) == [("succeeded", 10, 2, 0, 0, 0, 2, [])]
    assert source_health(database_url) == ("healthy", None)


def test_a_search_answered_with_the_home_page_is_not_read_even_when_its_title_holds_the_query(
    sqlite_database: Any, tmp_path: Path
) -> None:
    """rmollampung.id answers `?s=` with its home page (portals.md §1.5), titled "… Politik Lampung …"."""
    home = str(FIXTURES / "discovery" / "rmollampung_home_2025-07.html")
    searched = ("Lampung", "Korea+Utara", "Rusia")
    archive = replay_archive(
        tmp_path,
        "rmol_regional",
        {f"https://www.rmollampung.id/?s={query}": {"file": home} for query in searched},
    )
    sources = (
        "  wordpress:\n    family: rmol_regional\n    sites: [rmollampung.id]\n    listings: []\n"
        '    search: "https://www.{site}/?s={query}"\n'
    )
    config = write_config(
        tmp_path, sources, lookback_days=2, more_watches="  - name: lampung\n    query: Lampung\n"
    )
    database_url = str(sqlite_database.engine.url)

    crawl(config, database_url, "wordpress", archive)

    assert stored_stories(database_url) == []
    # robots.txt and the three searches, none read as a search: no story is requested.
    assert run_counts(database_url) == [("succeeded", 4, 0, 0, 0, 0, 0, [])]
    assert source_health(database_url) == (
        "degraded",
        "3 search requests were answered with a page that is not a search page",
    )


def test_regional_listings_cards_dates_and_search_across_sites(database_url: str, tmp_path: Path) -> None:
    archive = tmp_path / "rmol_regional.warc.gz"
    archive_from_manifest(REPLAY / "rmol_regional" / "manifest.json", archive)
    # Listing page 2 of rmollampung.id dates its card 24 July 2025: the window starts that day,
    # so page 2 is read and page 3 (a day older on the real site) is not.
    config = write_config(tmp_path, REGIONAL, days_back_to(date(2025, 7, 25)), KEMISKINAN)

    crawl(config, database_url, "rmol_regional", archive)

    assert stored_stories(database_url) == expected("rmol_regional")
    # robots.txt ×3, home ×3 (whose menus link only daerah), daerah listing ×3 sites + page 2,
    # /cari ×3 sites × 3 keywords, 4 stories.
    assert run_counts(database_url) == [("succeeded", 23, 2, 0, 2, 0, 2, [])]


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
         "2025-07-25T10:12:00+07:00", True),
        ("https://rmolbanten.com/kemiskinan-lampung-turun-jadi-10-persen-tapi-ketimpangan-menguat-di-desa",
         "2025-07-24T00:00:00+07:00", True),
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


def _sitemap_index(*locations: str) -> bytes:
    sitemaps = "".join(f"<sitemap><loc>{location}</loc></sitemap>" for location in locations)
    return f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">{sitemaps}</sitemapindex>'.encode()


def _sitemap(*stories: str) -> bytes:
    urls = "".join(f"<url><loc>{story}</loc></url>" for story in stories)
    return f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{urls}</urlset>'.encode()


def _bisnis_story(title: str) -> bytes:
    return (
        f'<html><head><meta property="article:published_time" content="2025-07-24T10:00:00+07:00"></head>'
        f'<body><h1 class="detailsTitleCaption">{title}</h1><article class="detailsContent">'
        f"<p>{title}: harga beras naik di pasar induk karena pasokan dari sentra produksi menurun.</p>"
        f"</article></body></html>"
    ).encode()


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_CONFIG = """\
storage:
  url: sqlite:///unused.db
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
archive: all
sources:
  bisnis:
    family: bisnis
    sites: [bisnis.com]
    feeds: []
    listings: []
    sitemaps: ["http://www.{{site}}/sitemap_index.xml"]
    search_enabled: false
"""


def test_sitemap_indexes_are_followed_two_levels_deep(tmp_path: Path) -> None:
    """An index lists a sitemap and an index; that one lists a sitemap and a third index, whose
    sitemap lies past MAX_SITEMAP_DEPTH and is not fetched."""
    site = "http://www.bisnis.com"
    stories = [f"http://market.bisnis.com/read/20250724/7/{1900000 + n}/cerita-{n}" for n in (1, 2, 3)]
    with PortalServer() as portal:
        portal.route(f"{site}/sitemap_index.xml", Route(_sitemap_index(f"{site}/a.xml", f"{site}/b.xml")))
        portal.route(f"{site}/a.xml", Route(_sitemap(stories[0])))
        portal.route(f"{site}/b.xml", Route(_sitemap_index(f"{site}/c.xml", f"{site}/d.xml")))
        portal.route(f"{site}/c.xml", Route(_sitemap(stories[1])))
        portal.route(f"{site}/d.xml", Route(_sitemap_index(f"{site}/e.xml")))
        portal.route(f"{site}/e.xml", Route(_sitemap(stories[2])))
        for n, story in enumerate(stories, start=1):
            portal.route(story, Route(_bisnis_story(f"Cerita {n}")))
        (tmp_path / "seeds").mkdir()
        config = tmp_path / "pantau.yaml"
        config.write_text(SITEMAP_CONFIG.format(seeds=tmp_path / "seeds"), encoding="utf-8")
        database_url = f"sqlite:///{tmp_path / 'pantau.db'}"

        result = run_pantau(
            "crawl", "bisnis", config=config, database_url=database_url, proxy=portal.proxy_url
        )

        fetched = {url for _, url in portal.requests if url.endswith(".xml")}
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(fetched) == [f"{site}/{name}.xml" for name in ("a", "b", "c", "d", "sitemap_index")]
    assert [story["url"] for story in stored_stories(database_url)] == stories[:2]
