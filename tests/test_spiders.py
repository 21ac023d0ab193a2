"""Spider callbacks on real and fixture pages: what each family discovers, and how it pages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.config import Config, load_config
from crawler.crawl.middlewares import StoredStories
from crawler.crawl.plans import spider_arguments
from crawler.domain.crawling import PAGE_OF, STORY
from crawler.domain.story import CandidateStory
from crawler.extract import WIB
from crawler.portals.urls import canonical_url
from spiders import spider_for_family
from spiders.base import (
    FALLBACK,
    MAX_SECTIONS_PER_SITE,
    MAX_SITEMAP_DEPTH,
    MAX_SITEMAPS_FOLLOWED,
    PortalSpider,
)
from spiders.outcomes import describe_failure
from tests.conftest import FIXTURES

DISCOVERY = FIXTURES / "discovery"
BISNIS_REPLAY = FIXTURES / "replay" / "bisnis"
REGIONAL_REPLAY = FIXTURES / "replay" / "rmol_regional"
ARTICLES = FIXTURES / "articles"
KJU = "https://kabar24.bisnis.com/read/20230913/19/1694663/kim-jong-un-sebut-rusia-bakal-menang-dalam-perang-di-ukraina"
TODAY = datetime(2025, 7, 26, 9, 0, tzinfo=UTC)

CONFIG = """\
crawl:
  lookback_days: {lookback_days}
  max_pages_per_listing: 3
sources:
  rmol: {{family: rmol, sites: [rmol.id]}}
  bisnis: {{family: bisnis, sites: [bisnis.com]}}
  regional: {{family: rmol_regional, sites: [rmollampung.id, rmoljatim.id]}}
  generic: {{family: generic, sites: [terkini.id, detik.com], listings: ["https://{{site}}/"]}}
  regional_wordpress_search:
    family: rmol_regional
    sites: [rmollampung.id]
    search: "https://www.{{site}}/?s={{query}}"
watches:
  - name: korea
    query: '"Korea Utara" AND Rusia AND NOT hoaks'
  - name: beras
    query: beras OR "garis kemiskinan"
    sources: [regional]
"""


class FixedStore(StoredStories):
    """Stored canonical URLs as a set: the spider only asks which of a page's stories are stored."""

    def __init__(self, stored: Iterable[str] = ()) -> None:
        super().__init__(None)
        self.stored = set(stored)

    def among(self, keys: Iterable[str]) -> set[str]:
        return self.stored & set(keys)


def make_config(tmp_path: Path, lookback_days: float = 2) -> Config:
    path = tmp_path / "pantau.yaml"
    path.write_text(CONFIG.format(lookback_days=lookback_days), encoding="utf-8")
    return load_config(path)


def make_spider(
    config: Config, source: str, stored: Iterable[str] = (), now: datetime = TODAY, **kwargs: Any
) -> PortalSpider:
    spider_class = spider_for_family(config.sources[source].family)
    return spider_class(**spider_arguments(config, source, FixedStore(stored), **kwargs), now=now)


def page(url: str, path: Path, **cb_kwargs: Any) -> HtmlResponse:
    return HtmlResponse(url, body=path.read_bytes(), request=Request(url, cb_kwargs=cb_kwargs))


def requests_of(outputs: Iterable[Any]) -> list[Request]:
    return [output for output in outputs if isinstance(output, Request)]


def start_requests(spider: PortalSpider) -> list[Request]:
    async def requests() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(requests())


def start_urls(spider: PortalSpider) -> list[str]:
    return [request.url for request in start_requests(spider)]


def test_search_keywords_are_the_watch_terms_that_apply_to_the_source_plus_given_ones(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert make_spider(config, "bisnis", keywords=["IHSG"]).keywords == ("IHSG", "Korea Utara", "Rusia")
    assert make_spider(config, "regional").keywords == ("Korea Utara", "Rusia", "beras", "garis kemiskinan")


def test_start_requests_feeds_sitemaps_listings_and_one_search_per_keyword(tmp_path: Path) -> None:
    # The index starts at today's page (26 July 2025 in WIB).
    assert start_urls(make_spider(make_config(tmp_path), "bisnis")) == [
        "https://rss.bisnis.com/",
        "https://www.bisnis.com/sitemap-news.xml",
        "https://www.bisnis.com/index?categoryId=0&type=indeks&date=2025-07-26&page=1",
        "https://search.bisnis.com/?q=Korea+Utara&page=1",
        "https://search.bisnis.com/?q=Rusia&page=1",
    ]


def test_rmol_reads_the_first_feed_candidate_the_home_page_and_every_kanal_page(tmp_path: Path) -> None:
    assert start_urls(make_spider(make_config(tmp_path), "rmol")) == [
        "https://rmol.id/rss",
        "https://rmol.id/",
        "https://rmol.id/politik",
        "https://rmol.id/hukum",
        "https://rmol.id/bisnis",
        "https://rmol.id/dunia",
        "https://rmol.id/nusantara",
        "https://rmol.id/publika",
    ]


def test_a_feed_candidate_not_found_gives_way_to_the_next_in_portals_md_order(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "rmol")
    tried = []
    request = start_requests(spider)[0]
    while True:
        tried.append(request.url)
        failure = Failure(HttpError(Response(request.url, status=404, request=request), "not found"))
        failure.request = request  # type: ignore[attr-defined]
        following = list(spider.feed_failed(failure))
        if not following:
            break
        [request] = following
    assert tried == [
        "https://rmol.id/rss",
        "https://www.rmol.id/rss",
        "https://rmol.id/rss/latest-posts",
        "https://rmol.id/rss/nasional",
        "https://rmol.id/feed",
    ]


def test_real_regional_listing_yields_its_fifteen_cards_with_their_dates(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "regional")
    listing = page(
        "https://www.rmollampung.id/category/daerah", DISCOVERY / "rmollampung_category_daerah_2025-07.html"
    )
    announced = spider.listing_entries(listing)
    entries = [entry for entry in announced if entry.listed]
    # The sidebar's six most-read stories are announced too, undated and outside the listing proper.
    assert [(entry.listed, entry.published_at) for entry in announced[15:]] == [(False, None)] * 6
    assert len(entries) == 15
    assert (
        entries[0].url
        == "https://www.rmollampung.id/garis-kemiskinan-lampung-naik-beras-jadi-penyumbang-terbesar"
    )
    assert entries[0].title == "Garis Kemiskinan Lampung Naik, Beras Jadi Penyumbang Terbesar"
    assert entries[0].published_at == datetime(2025, 7, 25, tzinfo=WIB)
    assert entries[-1].published_at == datetime(2025, 7, 23, tzinfo=WIB)


def test_regional_listing_pages_on_while_within_the_window_and_stops_past_it(tmp_path: Path) -> None:
    listing = page(
        "https://www.rmollampung.id/category/daerah", DISCOVERY / "rmollampung_category_daerah_2025-07.html"
    )
    # The cards reach back to 23 July: a window from 22 July goes on to page 2, one from 24 July stops.
    wide = requests_of(make_spider(make_config(tmp_path, lookback_days=4), "regional").parse_listing(listing))
    narrow = requests_of(
        make_spider(make_config(tmp_path, lookback_days=2), "regional").parse_listing(listing)
    )
    assert [r.url for r in wide if r.callback.__name__ == "parse_listing"] == [
        "https://www.rmollampung.id/category/daerah?page=2"
    ]
    assert [r for r in narrow if r.callback.__name__ == "parse_listing"] == []
    # The 15 cards and the sidebar's 6 most-read stories, undated: those never keep paging going.
    assert len([r for r in narrow if r.meta.get(STORY)]) == 21


def test_a_listing_page_whose_stories_are_all_stored_is_not_fetched_again_nor_paged(tmp_path: Path) -> None:
    config = make_config(tmp_path, lookback_days=30)
    listing = page(
        "https://www.rmollampung.id/category/daerah", DISCOVERY / "rmollampung_category_daerah_2025-07.html"
    )
    announced = [entry.url for entry in make_spider(config, "regional").listing_entries(listing)]
    spider = make_spider(config, "regional", stored=[canonical_url(url) for url in announced])
    # No stored story is requested again, and page 2 is not read.
    assert requests_of(spider.parse_listing(listing)) == []
    assert len(announced) == 21


def test_a_search_answered_with_the_home_page_is_ignored(tmp_path: Path) -> None:
    """rmollampung.id answers `?s=` with its home page and HTTP 200 (portals.md §1.5)."""
    spider = make_spider(make_config(tmp_path), "regional_wordpress_search")
    home = page("https://www.rmollampung.id/?s=beras", DISCOVERY / "rmollampung_home_2025-07.html")
    assert list(spider.parse_listing(home, via="search", query="beras")) == []


@pytest.mark.parametrize(
    ("source", "url", "path", "query", "is_search_page"),
    [
        # The home page's title holds "Lampung" ("Portal Berita Politik Lampung Terkini"): no proof.
        (
            "regional_wordpress_search",
            "https://www.rmollampung.id/?s=Lampung",
            DISCOVERY / "rmollampung_home_2025-07.html",
            "Lampung",
            False,
        ),
        # `/cari?q=` redirected to the home page: not at the search path.
        (
            "regional",
            "https://www.rmollampung.id/",
            DISCOVERY / "rmollampung_home_2025-07.html",
            "Lampung",
            False,
        ),
        (
            "regional",
            "https://www.rmollampung.id/cari?q=kemiskinan",
            REGIONAL_REPLAY / "lampung-cari-kemiskinan.html",
            "kemiskinan",
            True,
        ),
        # The search box holds the query in another case.
        (
            "regional",
            "https://www.rmollampung.id/cari?q=KEMISKINAN",
            REGIONAL_REPLAY / "lampung-cari-kemiskinan.html",
            "KEMISKINAN",
            True,
        ),
        # The search box holds another query than the one asked for.
        (
            "regional",
            "https://www.rmollampung.id/cari?q=kemiskinan+desa",
            REGIONAL_REPLAY / "lampung-cari-kemiskinan.html",
            "kemiskinan desa",
            False,
        ),
        (
            "bisnis",
            "https://search.bisnis.com/?q=Korea+Utara&page=2",
            BISNIS_REPLAY / "search-korea-utara-hal-2-dari-2.html",
            "korea utara",
            True,
        ),
    ],
)
def test_a_search_page_is_at_the_search_path_with_the_query_in_its_search_box(
    tmp_path: Path, source: str, url: str, path: Path, query: str, is_search_page: bool
) -> None:
    spider = make_spider(make_config(tmp_path), source)
    assert spider.is_search_page(page(url, path), query) is is_search_page


def test_a_search_page_that_echoes_the_query_is_read(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "regional")
    url = "https://www.rmollampung.id/cari?q=kemiskinan"
    results = page(url, FIXTURES / "replay" / "rmol_regional" / "lampung-cari-kemiskinan.html")
    found = [
        request.url
        for request in requests_of(spider.parse_listing(results, via="search", query="kemiskinan"))
    ]
    # The search of one network site lists stories of another: both are sources of this spider.
    assert found == [
        "https://www.rmollampung.id/kemiskinan-lampung-turun-jadi-10-persen-tapi-ketimpangan-menguat-di-desa",
        "https://www.rmoljatim.id/pemerintah-targetkan-swasembada-garam-tahun-2027",
    ]


def test_bisnis_search_links_are_unwrapped_and_each_story_requested_once(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "bisnis")
    korea = page("https://search.bisnis.com/?q=Korea+Utara&page=1", BISNIS_REPLAY / "search-korea-utara.html")
    rusia = page("https://search.bisnis.com/?q=Rusia&page=1", BISNIS_REPLAY / "search-rusia.html")
    first = requests_of(spider.parse_listing(korea, via="search", query="Korea Utara"))
    second = requests_of(spider.parse_listing(rusia, via="search", query="Rusia"))
    assert [request.url for request in first] == [f"{KJU}?page=all"]
    assert first[0].meta[FALLBACK] == KJU
    assert first[0].cb_kwargs["listing_published_at"] == datetime(2023, 9, 13, tzinfo=WIB)
    assert second == []


def test_regional_search_results_as_articles_with_an_h2_headline_are_cards(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "regional")
    results = page("https://www.rmolsumut.id/cari?q=banjir", REGIONAL_REPLAY / "sumut-cari-banjir.html")
    # rmolsumut.id is not a site of this source: only the cross-network result is its story.
    assert [(entry.url, entry.title) for entry in spider.listing_entries(results, searching=True)] == [
        (
            "https://www.rmollampung.id/cari-solusi-banjir-di-bandar-lampung-pemkot-bentuk-tim-terpadu",
            "Cari Solusi Banjir di Bandar Lampung, Pemkot Bentuk Tim Terpadu",
        )
    ]


def test_bisnis_search_pages_on_by_its_numbered_pager_links(tmp_path: Path) -> None:
    """search.bisnis.com's pager has numbered links only, no rel=next (portals.md §2.4)."""
    spider = make_spider(make_config(tmp_path, lookback_days=1200), "bisnis")
    first = page(
        "https://search.bisnis.com/?q=Korea+Utara&page=1",
        BISNIS_REPLAY / "search-korea-utara-hal-1-dari-2.html",
    )
    last = page(
        "https://search.bisnis.com/?q=Korea+Utara&page=2",
        BISNIS_REPLAY / "search-korea-utara-hal-2-dari-2.html",
    )
    assert [r.url for r in requests_of(spider.parse_listing(first, via="search", query="Korea Utara"))] == [
        f"{KJU}?page=all",
        "https://search.bisnis.com/?q=Korea+Utara&page=2",
    ]
    assert [
        r.url for r in requests_of(spider.parse_listing(last, via="search", page=2, query="Korea Utara"))
    ] == [
        "https://kabar24.bisnis.com/read/20230905/19/1690874/kim-jong-un-dikabarkan-akan-bertemu-putin-di-vladivostok?page=all"
    ]


INDEX = "https://www.bisnis.com/index?categoryId=0&type=indeks"
INDEX_DAYS = {
    f"{INDEX}&date=2025-11-15&page=1": BISNIS_REPLAY / "index-2025-11-15-p1.html",
    f"{INDEX}&date=2025-11-15&page=2": BISNIS_REPLAY / "index-2025-11-15-p2.html",
    f"{INDEX}&date=2025-11-14&page=1": BISNIS_REPLAY / "index-2025-11-14.html",
    f"{INDEX}&date=2025-11-13&page=1": BISNIS_REPLAY / "index-2025-11-13.html",
    f"{INDEX}&date=2025-11-12&page=1": BISNIS_REPLAY / "index-2025-11-12.html",
}
NOV_15 = datetime(2025, 11, 15, 10, 0, tzinfo=UTC)  # 17:00 WIB: a two-day window starts on the 13th


def index_pages_read(spider: PortalSpider) -> list[str]:
    """The index pages a spider reads, in turn, from the first its start yields."""
    pending = [request for request in start_requests(spider) if request.url.startswith(INDEX)]
    read = []
    while pending:
        request = pending.pop(0)
        read.append(request.url)
        response = HtmlResponse(request.url, body=INDEX_DAYS[request.url].read_bytes(), request=request)
        outputs = requests_of(request.callback(response, **request.cb_kwargs))
        pending += [output for output in outputs if output.url.startswith(INDEX)]
    return read


def test_bisnis_index_is_walked_day_by_day_through_the_window_each_day_up_to_its_total(
    tmp_path: Path,
) -> None:
    spider = make_spider(make_config(tmp_path), "bisnis", now=NOV_15)
    assert index_pages_read(spider) == [
        f"{INDEX}&date=2025-11-15&page=1",
        f"{INDEX}&date=2025-11-15&page=2",
        f"{INDEX}&date=2025-11-14&page=1",
        f"{INDEX}&date=2025-11-13&page=1",
    ]  # and not the 12th, before the window


def test_bisnis_index_walk_ends_on_a_page_whose_stories_are_all_stored(tmp_path: Path) -> None:
    # Today's first page holds the market story (stored) and a video (no story).
    stored = ["https://bisnis.com/read/20251115/1929031"]
    spider = make_spider(make_config(tmp_path), "bisnis", stored=stored, now=NOV_15)
    assert index_pages_read(spider) == [f"{INDEX}&date=2025-11-15&page=1"]


def test_bisnis_index_pages_up_to_its_total_and_skips_video(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path, lookback_days=800), "bisnis")
    first = page(
        "https://www.bisnis.com/index?categoryId=0&type=indeks&page=1", BISNIS_REPLAY / "index-p1.html"
    )
    last = page(
        "https://www.bisnis.com/index?categoryId=0&type=indeks&page=2", BISNIS_REPLAY / "index-p2.html"
    )
    assert [request.url for request in requests_of(spider.parse_listing(first))] == [
        "https://market.bisnis.com/read/20251115/7/1929031/bei-berencana-naikkan-free-float-saham-menjadi-10?page=all",
        "https://premium.bisnis.com/read/20251114/648/1928795/menakar-daya-tahan-emiten-batu-bara-di-tengah-koreksi-harga?page=all",
        "https://www.bisnis.com/index?categoryId=0&type=indeks&page=2",
    ]
    assert [request.url for request in requests_of(spider.parse_listing(last, page=2))] == [f"{KJU}?page=all"]


def test_bisnis_story_served_whole_by_page_all_is_one_page(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "bisnis")
    whole = page(f"{KJU}?page=all", ARTICLES / "bisnis" / "kim-jong-un-all.html")
    [story] = spider.parse_story(whole, listing_title="", listing_published_at=None)
    assert isinstance(story, CandidateStory)
    assert (story.url, len(story.pages)) == (KJU, 1)


def test_a_story_on_premium_bisnis_com_is_paywalled_by_its_address_alone(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "bisnis")
    premium = "https://premium.bisnis.com/read/20251114/648/1928795/menakar-daya-tahan-emiten-batu-bara"
    # A page without the JSON-LD or paywall markup the extractor looks for: the host still says it.
    stub = HtmlResponse(
        f"{premium}?page=all", body=b"<html><body><h1>Menakar</h1></body></html>", request=Request(premium)
    )
    [story] = spider.parse_story(stub, listing_title="", listing_published_at=None)
    [free] = spider.parse_story(
        page(f"{KJU}?page=all", ARTICLES / "bisnis" / "kim-jong-un-all.html"),
        listing_title="", listing_published_at=None,
    )  # fmt: skip
    assert isinstance(story, CandidateStory) and isinstance(free, CandidateStory)
    assert (story.url, story.paywalled, free.paywalled) == (premium, True, False)


def test_bisnis_story_whose_page_all_is_ignored_is_walked_page_by_page(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "bisnis")
    first = page(f"{KJU}?page=all", ARTICLES / "bisnis" / "kim-jong-un-p1.html")
    [following] = spider.parse_story(first, listing_title="t", listing_published_at=None)
    assert isinstance(following, Request)
    assert (following.url, following.meta[PAGE_OF]) == (f"{KJU}/2", KJU)
    second = HtmlResponse(
        following.url,
        body=(ARTICLES / "bisnis" / "kim-jong-un-p2.html").read_bytes(),
        request=following,
    )
    [story] = following.callback(second, **following.cb_kwargs)
    assert isinstance(story, CandidateStory)
    assert (story.url, story.listing_title, len(story.pages)) == (KJU, "t", 2)
    assert story.pages[1] == (ARTICLES / "bisnis" / "kim-jong-un-p2.html").read_text(encoding="utf-8")


def test_bisnis_story_whose_page_all_is_refused_is_fetched_plainly(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "bisnis")
    request = Request(f"{KJU}?page=all", meta={STORY: True, FALLBACK: KJU}, cb_kwargs={"via": "feed"})
    refused = Response(request.url, status=404, request=request)
    failure = Failure(HttpError(refused, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    [retry] = spider.story_failed(failure)
    assert isinstance(retry, Request)
    assert (retry.url, retry.dont_filter, FALLBACK in retry.meta) == (KJU, True, False)
    # The plain URL failing too is a failed story, recorded once under the story's own URL.
    failure = Failure(HttpError(Response(KJU, status=404, request=retry), "Ignoring non-200 response"))
    failure.request = retry  # type: ignore[attr-defined]
    [failed] = spider.story_failed(failure)
    assert isinstance(failed, CandidateStory)
    assert (failed.url, failed.failure) == (KJU, "HTTP 404 Not Found")


@pytest.mark.parametrize(
    ("source", "url", "is_story"),
    [
        ("rmol", "https://rmol.id/politik/read/2025/11/19/687311/komisi-ii", True),
        ("rmol", "https://dunia.rmol.id/read/2022/09/06/546353/intelijen-as", True),
        ("rmol", "https://rmol.id/amp/2025/11/19/687311/komisi-ii", True),
        ("rmol", "https://rmol.id/politik", False),
        ("bisnis", "https://ekonomi.bisnis.com/read/20251114/9/1928702/harga-beras", True),
        ("bisnis", "https://video.bisnis.com/read/20251115/603/1929040/video-ihsg", False),
        ("bisnis", "https://infografik.bisnis.com/read/20251115/547/1929041/infografik", False),
        ("bisnis", "https://www.bisnis.com/index?categoryId=0", False),
        ("regional", "https://rmollampung.id/garis-kemiskinan-lampung-naik", True),
        ("regional", "https://www.rmollampung.id/cari-solusi-banjir-di-bandar-lampung", True),
        ("regional", "https://www.rmollampung.id/carikan-rumah-singgah-untuk-pasien-miskin", True),
        ("regional", "https://www.rmollampung.id/rss-feeds-pemprov-lampung-diluncurkan", True),
        ("regional", "https://www.rmollampung.id/rssi-lampung-juara-umum", True),
        ("regional", "https://www.rmoljatim.id/siantar-terendam", True),
        ("regional", "https://www.rmollampung.id/tag-nomor-rumah-warga-dibagikan/", True),
        ("regional", "https://www.rmollampung.id/cari", False),
        ("regional", "https://www.rmollampung.id/cari/", False),
        ("regional", "https://www.rmollampung.id/cari?q=banjir", False),
        ("regional", "https://www.rmollampung.id/cari/banjir-bandang", False),
        ("regional", "https://www.rmollampung.id/rss-feeds", False),
        ("regional", "https://www.rmollampung.id/index-berita", False),
        ("regional", "https://www.rmollampung.id/tentang-kami", False),
        ("regional", "https://www.rmollampung.id/privacy-policy", False),
        ("regional", "https://www.rmollampung.id/kode-etik-jurnalistik", False),
        ("regional", "https://www.rmollampung.id/iklan", False),
        ("regional", "https://www.rmollampung.id/category/daerah-dan-kota-lain", False),
        ("regional", "https://www.rmollampung.id/tag/banjir-bandang", False),
        ("regional", "https://www.rmollampung.id/profile/ahmad-amri", False),
        ("regional", "https://www.rmolsumut.id/berita-dari-situs-lain-juga", False),
        # The network's old .com form (portals.md §1.5), on any site of the source.
        ("regional", "https://www.rmoljatim.id/read/2018/06/27/1485/Belum-Ada-Pemenang,-Survei-LSI", True),
        # A site of no family: a date, a numeric id or a headline slug makes a story, on its own sites.
        ("generic", "https://makassar.terkini.id/2022/12/14/harga-cabai-di-makassar-turun/", True),
        ("generic", "https://news.detik.com/berita/d-7654321/dpr-gelar-rapat-paripurna", True),
        ("generic", "https://www.detik.com/sumbagsel/berita/d-8022448/lampung-tuntas", True),
        ("generic", "https://lampung.terkini.id/berita/712345/bandarlampung-siapkan-pasar", True),
        ("generic", "https://makassar.terkini.id/harga-cabai-turun/", True),
        ("generic", "https://makassar.terkini.id/peristiwa/warga-sentani-gelar-festival.html", True),
        ("generic", "https://makassar.terkini.id/2022/12/", False),
        ("generic", "https://makassar.terkini.id/2022/12/14/", False),
        ("generic", "https://makassar.terkini.id/category/news/", False),
        ("generic", "https://makassar.terkini.id/tag/banjir-rob-makassar/", False),
        ("generic", "https://makassar.terkini.id/author/antara/", False),
        ("generic", "https://makassar.terkini.id/page/2/", False),
        ("generic", "https://makassar.terkini.id/pedoman-media-siber/", False),
        ("generic", "https://makassar.terkini.id/tentang-kami-dan-redaksi/", False),
        ("generic", "https://makassar.terkini.id/uploads/2022/12/foto-banjir-rob-12345.jpg", False),
        ("generic", "https://news.detik.com/indeks", False),
        ("generic", "https://makassar.terkini.id/ekonomi", False),
        ("generic", "https://makassar.fajar.co.id/2022/12/14/harga-cabai-di-makassar-turun/", False),
    ],
)
def test_story_urls_of_each_family(tmp_path: Path, source: str, url: str, is_story: bool) -> None:
    assert make_spider(make_config(tmp_path), source).is_story(url) is is_story


def test_a_sitemap_index_is_followed_up_to_the_limits_and_each_step_counted(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    spider = PortalSpider.from_crawler(crawler, **spider_arguments(config, "bisnis", FixedStore()), now=TODAY)
    listed = [f"https://www.bisnis.com/sitemap-{day:02d}.xml" for day in range(1, MAX_SITEMAPS_FOLLOWED + 6)]
    index = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in listed)
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>'

    def sitemap(url: str, depth: int) -> list[Request]:
        response = XmlResponse(url, body=body.encode(), request=Request(url))
        return requests_of(spider.parse_sitemap(response, depth=depth))

    followed = sitemap("https://www.bisnis.com/sitemap_index.xml", depth=0)
    too_deep = sitemap(listed[0], depth=MAX_SITEMAP_DEPTH)

    assert [(r.url, r.cb_kwargs["depth"]) for r in followed] == [
        (u, 1) for u in listed[:MAX_SITEMAPS_FOLLOWED]
    ]
    assert too_deep == []
    assert {key: value for key, value in crawler.stats.get_stats().items() if "sitemap" in key} == {
        "pantau/sitemaps_followed": MAX_SITEMAPS_FOLLOWED,
        "pantau/sitemaps_over_limit": 5,
        "pantau/sitemap_index_too_deep": 1,
    }


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("Received 300000 bytes which is larger than download max size (200000) in request <GET x>.",
         "too large: larger than the 195 KB download limit"),
        ("", "download cancelled"),  # a download cut short by a stop is no oversized page
    ],
)  # fmt: skip
def test_a_cancelled_download_is_too_large_only_when_scrapy_says_so(message: str, cause: str) -> None:
    failure = Failure(DownloadCancelledError(message))
    failure.request = Request("https://rmol.id/dunia/read/2025/11/21/1/x")  # type: ignore[attr-defined]
    assert describe_failure(failure, 200_000) == cause


FAIRNESS_CONFIG = """\
sources:
  rmol: {family: rmol, sites: [rmol.id]}
  rmol_regional: {family: rmol_regional, sites: [rmoljatim.id]}
  bisnis: {family: bisnis, sites: [bisnis.com]}
  generic: {family: generic, sites: [terkini.id], search: "https://makassar.{site}/?s={query}"}
watches:
  - name: dprd
    query: '"DPRD Jatim" AND NOT hoaks'
"""


@pytest.mark.parametrize("source", ["rmol", "rmol_regional", "bisnis", "generic"])
def test_a_watchs_terms_and_given_keywords_reach_the_search_of_every_family_that_has_one(
    tmp_path: Path, source: str
) -> None:
    path = tmp_path / "pantau.yaml"
    path.write_text(FAIRNESS_CONFIG, encoding="utf-8")
    config = load_config(path)
    spider = make_spider(config, source, keywords=["dprd jatim", "banjir"])
    template = spider.discovery.search

    searched = [
        request.cb_kwargs["query"] for request in start_requests(spider) if request.cb_kwargs.get("query")
    ]

    # The given keywords, then the watch's term unless given already in another case; rmol.id has no
    # known search.
    assert searched == (["dprd jatim", "banjir"] if template else [])
    assert (template is None) is (source == "rmol")


SECONDHAND_DISCOVERY = FIXTURES / "secondhand" / "discovery"


def test_rmol_home_page_adds_every_kanal_its_menu_links_beyond_the_known_ones(tmp_path: Path) -> None:
    spider = make_spider(make_config(tmp_path), "rmol")
    home = next(r for r in start_requests(spider) if r.url == "https://rmol.id/")
    response = page(home.url, SECONDHAND_DISCOVERY / "rmol" / "rmol_home.html")

    read = requests_of(spider.parse_listing(response, **home.cb_kwargs))

    assert [r.url for r in read if r.callback.__name__ == "parse_listing"] == [
        "https://rmol.id/olahraga",
        "https://rmol.id/sosbud",
        "https://rmol.id/pertahanan",
    ]


def test_a_regional_home_page_menu_is_read_up_to_the_cap_and_the_rest_counted(tmp_path: Path) -> None:
    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    arguments = spider_arguments(make_config(tmp_path), "regional", FixedStore())
    spider = PortalSpider.from_crawler(crawler, **arguments, now=TODAY)
    menu = "".join(
        f'<li><a href="/category/kanal-{n}">K{n}</a></li>' for n in range(MAX_SECTIONS_PER_SITE + 4)
    )
    body = f"<html><body><header><ul>{menu}</ul></header></body></html>".encode()
    home = HtmlResponse("https://www.rmoljatim.id/", body=body, request=Request("https://www.rmoljatim.id/"))

    read = [r.url for r in requests_of(spider.parse_listing(home, home=True))]

    assert read == [f"https://www.rmoljatim.id/category/kanal-{n}" for n in range(MAX_SECTIONS_PER_SITE)]
    assert crawler.stats.get_value("pantau/sections_over_limit") == 4
    assert crawler.stats.get_value("pantau/sections_followed") == MAX_SECTIONS_PER_SITE
