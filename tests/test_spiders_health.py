"""Source health from a run's counters, and conditional GET of listing pages, over real loopback HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler.crawl.health import Health, assess_run
from crawler.crawl.middlewares import STORY, ConditionalGetMiddleware
from crawler.store.db import Database
from crawler.store.models import CrawlRun, FetchValidator, Source, StoredArticle
from tests.conftest import FIXTURES
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route

SITE = "http://www.rmolbanten.com"
LISTING = f"{SITE}/category/daerah"
STORY_URL = f"{SITE}/harga-cabai-di-serang-naik-jelang-akhir-tahun"
CONFIG = """\
storage:
  url: sqlite:///unused.db
seeds:
  path: {seeds}
crawl:
  retry_times: 0
  autothrottle: false
  download_delay_seconds: 0
archive: all
sources:
  banten:
    family: rmol_regional
    sites: [rmolbanten.com]
    listings: ["http://www.{{site}}/category/daerah"]
    search_enabled: false
"""
STORY_PAGE = b"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>Harga Cabai di Serang Naik Jelang Akhir Tahun - RMOLBANTEN.COM</title></head><body>
<div class="post-content"><h1 class="title">Harga Cabai di Serang Naik Jelang Akhir Tahun</h1>
<span class="text-body-tertiary d-inline-block me-3">Senin, 17 November 2025 | 09:30 WIB</span></div>
<div class="post-text read-content"><p>Harga cabai rawit di pasar tradisional Kota Serang naik menjadi
Rp80.000 per kilogram menjelang akhir tahun.</p><p>Pedagang menyebut pasokan dari Lampung berkurang.</p></div>
</body></html>"""
LISTING_PAGE = f"""<html><body><div class="bussiness-items"><div class="bussiness-post-item">
<div class="bussiness-post-content"><h3 class="title"><a href="{STORY_URL}">Harga Cabai Naik</a></h3>
<span><a href="#"><i class="far fa-clock"></i> Senin, 17 November 2025</a></span></div></div></div>
</body></html>""".encode()


@pytest.mark.parametrize(
    ("stats", "status", "health"),
    [
        (
            {"downloader/response_status_count/200": 7, "pantau/listing_pages": 3, "pantau/stories_read": 4},
            "succeeded",
            Health("healthy"),
        ),
        (
            {"pantau/answered/pages": 5, "pantau/forbidden/pages": 5, "response_received_count": 5},
            "succeeded",
            Health(
                "blocked",
                "the portal answered 403 Forbidden to 5 of 5 feed, sitemap, listing and search pages",
            ),
        ),
        (  # half the listing pages refused: blocked; fewer: not
            {
                "downloader/response_status_count/200": 2,
                "pantau/answered/pages": 4,
                "pantau/forbidden/pages": 2,
            },
            "succeeded",
            Health(
                "blocked",
                "the portal answered 403 Forbidden to 2 of 4 feed, sitemap, listing and search pages",
            ),
        ),
        (
            {
                "downloader/response_status_count/200": 2,
                "pantau/answered/pages": 3,
                "pantau/forbidden/pages": 1,
            },
            "succeeded",
            Health("healthy"),
        ),
        (  # one story of 17 refused is a failed story, not a blocked portal
            {
                "downloader/response_status_count/200": 20,
                "pantau/answered/pages": 4,
                "pantau/answered/stories": 17,
                "pantau/forbidden/stories": 1,
            },
            "succeeded",
            Health("healthy"),
        ),
        (  # most stories refused: blocked, from 3 stories up
            {
                "downloader/response_status_count/200": 6,
                "pantau/answered/pages": 4,
                "pantau/answered/stories": 5,
                "pantau/forbidden/stories": 3,
            },
            "succeeded",
            Health("blocked", "the portal answered 403 Forbidden to 3 of 5 story pages"),
        ),
        (
            {
                "downloader/response_status_count/200": 4,
                "pantau/answered/pages": 4,
                "pantau/answered/stories": 2,
                "pantau/forbidden/stories": 2,
            },
            "succeeded",
            Health("healthy"),
        ),
        (
            {
                "downloader/response_status_count/200": 1,
                "downloader/response_status_count/403": 1,
                "robotstxt/response_status_count/403": 1,
            },
            "succeeded",
            Health("healthy"),
        ),
        (
            {
                "downloader/response_status_count/200": 2,
                "pantau/listing_pages": 2,
                "pantau/listing_pages_empty": 2,
            },
            "succeeded",
            Health("unhealthy", "its listings yielded no stories (2 pages read)"),
        ),
        (
            {
                "downloader/response_status_count/200": 7,
                "pantau/stories_read": 4,
                "pantau/missing/published_at": 4,
                "pantau/missing/body": 4,
            },
            "succeeded",
            Health("unhealthy", "none of its 4 stories yielded a body or date"),
        ),
        (
            {
                "downloader/response_status_count/200": 7,
                "pantau/stories_read": 4,
                "pantau/missing/title": 2,
                "pantau/listing_cards_missing": 1,
            },
            "succeeded",
            Health(
                "degraded",
                "2 of 4 stories yielded no title; the listing card selector found nothing on 1 pages",
            ),
        ),
        (
            {"downloader/response_status_count/200": 7, "pantau/stories_read": 4, "pantau/missing/title": 1},
            "succeeded",
            Health("healthy"),
        ),
        (
            {"downloader/response_status_count/200": 1, "pantau/search_not_search_page": 3},
            "succeeded",
            Health("degraded", "3 search requests were answered with a page that is not a search page"),
        ),
        (
            {
                "downloader/response_status_count/200": 3,
                "pantau/search_pages": 3,
                "pantau/search_cards_missing": 3,
            },
            "succeeded",
            Health("degraded", "the listing card selector found nothing on any of its 3 search pages"),
        ),
        # Some searches rightly find nothing while others show cards: the selector still works.
        (
            {
                "downloader/response_status_count/200": 3,
                "pantau/search_pages": 3,
                "pantau/search_cards_missing": 2,
            },
            "succeeded",
            Health("healthy"),
        ),
        (
            {
                "downloader/response_status_count/200": 5,
                "pantau/stories_read": 4,
                "pantau/stories_extracted": 4,
                "pantau/selector_missed/body": 3,
                "pantau/selector_missed/date": 1,
            },
            "succeeded",
            Health(
                "degraded",
                "the recipe's body selectors found nothing on 3 of 4 stories "
                "(fallbacks read them: has the layout changed?)",
            ),
        ),
        # Every discovery page unchanged since the last run: the portal answered.
        ({"downloader/response_status_count/304": 2}, "succeeded", Health("healthy")),
        (
            {
                "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 4,
                "downloader/response_status_count/503": 1,
            },
            "succeeded",
            Health(
                "unhealthy",
                "no feed, sitemap, listing or search page could be read "
                "(4 × connection refused, 1 × HTTP 503 Service Unavailable)",
            ),
        ),
        ({}, "aborted", Health("unknown", "the last run was aborted before it finished")),
    ],
)
def test_run_health(stats: dict[str, Any], status: str, health: Health) -> None:
    assert assess_run(stats, status) == health


def test_a_crash_is_unhealthy_with_its_cause() -> None:
    assert assess_run({}, "failed", "OperationalError: disk full") == Health(
        "unhealthy", "the run crashed: OperationalError: disk full"
    )


def test_listing_requests_carry_the_validators_of_the_last_finished_run(sqlite_database: Database) -> None:
    crawler = get_crawler()
    crawler.settings.frozen = False  # a live database cannot go through the deep copy of settings
    crawler.settings.set("PANTAU_DATABASE", sqlite_database)
    first = ConditionalGetMiddleware.from_crawler(crawler)
    request = Request(LISTING)
    first.process_request(request)
    assert (request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")) == (None, None)
    headers = {"ETag": '"v1"', "Last-Modified": "Mon, 17 Nov 2025 02:30:00 GMT"}
    first.process_response(request, Response(LISTING, status=200, headers=headers, request=request))
    first.save("shutdown")  # an unfinished run keeps nothing
    with sqlite_database.session() as session:
        assert session.scalars(select(FetchValidator)).all() == []
    first.save("finished")

    second = ConditionalGetMiddleware.from_crawler(crawler)
    listing, story = Request(LISTING), Request(STORY_URL, meta={STORY: True})
    second.process_request(listing)
    second.process_request(story)
    assert (listing.headers.get("If-None-Match"), listing.headers.get("If-Modified-Since")) == (
        b'"v1"',
        b"Mon, 17 Nov 2025 02:30:00 GMT",
    )
    assert story.headers.get("If-None-Match") is None
    with pytest.raises(IgnoreRequest, match="not modified since the last run"):
        second.process_response(listing, Response(LISTING, status=304, request=listing))


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    with PortalServer() as server:
        server.route(f"{SITE}/robots.txt", Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        server.route(LISTING, Route(LISTING_PAGE, etag='"daerah-1"'))
        server.route(STORY_URL, Route(STORY_PAGE))
        yield server


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "pantau.yaml"
    config.write_text(CONFIG.format(seeds=tmp_path / "no-seeds"), encoding="utf-8")
    return config


def test_an_unchanged_listing_answers_304_and_yields_nothing_and_a_changed_one_is_read_again(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    config, url = write_config(tmp_path), str(sqlite_database.engine.url)
    for _ in range(2):
        result = run_pantau("crawl", "banten", config=config, database_url=url, proxy=portal.proxy_url)
        assert result.returncode == 0, result.stderr
    later_story = f"{SITE}/banjir-rendam-pandeglang-ratusan-warga-mengungsi"
    later_page = (
        STORY_PAGE.replace(b"Harga Cabai di Serang Naik Jelang Akhir Tahun", b"Banjir Rendam Pandeglang")
        .replace(b"Harga cabai rawit di pasar tradisional Kota Serang naik menjadi",
                 b"Banjir setinggi satu meter merendam empat desa di Pandeglang sejak")
        .replace(b"Rp80.000 per kilogram menjelang akhir tahun.", b"Sabtu malam, ratusan warga mengungsi.")
        .replace(b"Pedagang menyebut pasokan dari Lampung berkurang.", b"BPBD membuka dapur umum.")
    )  # fmt: skip
    portal.route(later_story, Route(later_page))
    card = f'<div class="bussiness-post-item"><h3 class="title"><a href="{later_story}">Banjir</a></h3></div>'
    changed = LISTING_PAGE.replace(
        b'<div class="bussiness-items">', b'<div class="bussiness-items">' + card.encode()
    )
    portal.route(LISTING, Route(changed, etag='"daerah-2"'))
    result = run_pantau("crawl", "banten", config=config, database_url=url, proxy=portal.proxy_url)
    assert result.returncode == 0, result.stderr

    asked = [
        (r.url, r.headers.get("If-None-Match")) for r in portal.received if not r.url.endswith("robots.txt")
    ]
    assert asked == [
        (LISTING, None),
        (STORY_URL, None),
        (LISTING, '"daerah-1"'),  # answered 304: nothing read
        (LISTING, '"daerah-1"'),  # answered with the changed page and its new ETag
        (later_story, None),
    ]
    with sqlite_database.session() as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        # A 304 answer is no page: the second run read robots.txt only.
        assert [(run.pages_fetched, run.items_new + run.items_unmatched, run.errors) for run in runs] == [
            (3, 1, []),
            (1, 0, []),
            (3, 1, []),
        ]
        source = session.scalars(select(Source)).one()
        assert (source.health, source.health_reason) == ("healthy", None)
        assert session.scalars(select(FetchValidator.etag)).all() == ['"daerah-2"']


def test_a_story_layout_the_recipe_no_longer_reads_degrades_the_source(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    """The portal moved its story into new markup: meta tags and trafilatura still yield every field,
    so only the recipe's misses tell that its selectors need updating."""
    redesigned = b"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>Harga Cabai di Serang Naik Jelang Akhir Tahun - RMOLBANTEN.COM</title>
<meta property="og:title" content="Harga Cabai di Serang Naik Jelang Akhir Tahun">
<meta property="article:published_time" content="2025-11-17T09:30:00+07:00"></head><body>
<main><section class="konten-berita-v2"><h2>Harga Cabai di Serang Naik Jelang Akhir Tahun</h2>
<p>Harga cabai rawit di pasar tradisional Kota Serang naik menjadi Rp80.000 per kilogram menjelang
akhir tahun, kata para pedagang kepada wartawan.</p><p>Pedagang menyebut pasokan dari Lampung berkurang
sejak awal bulan karena hujan deras yang merusak kebun cabai petani.</p></section></main></body></html>"""
    portal.route(STORY_URL, Route(redesigned))
    config, url = write_config(tmp_path), str(sqlite_database.engine.url)

    result = run_pantau("crawl", "banten", config=config, database_url=url, proxy=portal.proxy_url)

    assert result.returncode == 0, result.stderr
    with sqlite_database.session() as session:
        article = session.scalars(select(StoredArticle)).one()
        assert (article.title, article.body is not None) == (
            "Harga Cabai di Serang Naik Jelang Akhir Tahun",
            True,
        )
        source = session.scalars(select(Source)).one()
        assert (source.health, source.health_reason) == (
            "degraded",
            "the recipe's title selectors found nothing on 1 of 1 stories "
            "(fallbacks read them: has the layout changed?); "
            "the recipe's date selectors found nothing on 1 of 1 stories "
            "(fallbacks read them: has the layout changed?); "
            "the recipe's body selectors found nothing on 1 of 1 stories "
            "(fallbacks read them: has the layout changed?)",
        )


def test_a_portal_answering_403_is_recorded_as_blocked(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    portal.route(LISTING, Route(b"Forbidden", statuses=[403]))
    config, url = write_config(tmp_path), str(sqlite_database.engine.url)
    result = run_pantau("crawl", "banten", config=config, database_url=url, proxy=portal.proxy_url)
    assert result.returncode == 1, result.stderr  # it read nothing: the run failed
    with sqlite_database.session() as session:
        assert session.scalars(select(CrawlRun.status)).all() == ["failed"]
        source = session.scalars(select(Source)).one()
        assert (source.health, source.health_reason) == (
            "blocked",
            "the portal answered 403 Forbidden to 1 of 1 feed, sitemap, listing and search pages",
        )


SEARCH_CONFIG = """\
seeds:
  path: {seeds}
crawl:
  retry_times: 0
  autothrottle: false
  download_delay_seconds: 0
sources:
  sumut:
    family: rmol_regional
    sites: [rmolsumut.id]
    listings: []
    search: "http://www.{{site}}/cari?q={{query}}"
watches:
  - name: banjir
    query: banjir
"""


def test_a_portal_that_cannot_be_reached_fails_the_run_and_is_unhealthy(
    sqlite_database: Database, tmp_path: Path
) -> None:
    with socket.socket() as unused:  # a port nothing listens on: every connection is refused
        unused.bind(("127.0.0.1", 0))
        refusing = f"http://127.0.0.1:{unused.getsockname()[1]}"
    config, url = write_config(tmp_path), str(sqlite_database.engine.url)

    crawled = run_pantau("crawl", "banten", config=config, database_url=url, proxy=refusing)
    status = run_pantau("status", config=config, database_url=url)

    assert crawled.returncode == 1, crawled.stderr
    assert "run 1 · banten · failed" in crawled.stdout
    reason = (
        "no feed, sitemap, listing or search page could be read "
        "(2 × connection refused, 2 × gave up after retries)"
    )
    with sqlite_database.session() as session:
        source = session.scalars(select(Source)).one()
        assert (source.health, source.health_reason) == ("unhealthy", reason)
        assert session.scalars(select(CrawlRun.status)).all() == ["failed"]
    assert status.returncode == 3
    assert f"banten: unhealthy: {reason}" in status.stdout


def test_a_search_whose_results_no_card_selector_finds_degrades_the_source(
    sqlite_database: Database, tmp_path: Path
) -> None:
    """A real search page (it holds the query) whose results are in a markup the cards miss."""
    redesigned = FIXTURES / "replay" / "rmol_regional" / "sumut-cari-banjir-tata-letak-baru.html"
    config = tmp_path / "pantau.yaml"
    config.write_text(SEARCH_CONFIG.format(seeds=tmp_path / "no-seeds"), encoding="utf-8")
    with PortalServer() as server:
        server.route("http://www.rmolsumut.id/cari?q=banjir", Route(redesigned.read_bytes()))
        result = run_pantau(
            "crawl",
            "sumut",
            config=config,
            database_url=str(sqlite_database.engine.url),
            proxy=server.proxy_url,
        )
    assert result.returncode == 0, result.stderr
    with sqlite_database.session() as session:
        source = session.scalars(select(Source)).one()
        assert (source.health, source.health_reason) == (
            "degraded",
            "the listing card selector found nothing on any of its 1 search pages",
        )
