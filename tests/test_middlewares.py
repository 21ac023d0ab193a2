"""The story filter: a story is fetched once per run and never when stored, whatever retries and
redirects do to the request."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.crawl.middlewares import NOT_STORED, PAGE_OF, STORY, SeenStoryFilter
from crawler.portals.urls import canonical_url
from crawler.store.db import Database
from crawler.store.models import StoredArticle

SITE = "https://www.rmollampung.id"


@pytest.fixture
def story_filter(database: Database) -> SeenStoryFilter:
    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    return SeenStoryFilter(database, crawler)


def story(url: str, **meta: object) -> Request:
    return Request(url, meta={STORY: True, **meta})


def redirected(request: Request, to: str) -> Request:
    """What Scrapy's RedirectMiddleware makes of a request: same meta, new address."""
    return request.replace(url=to, meta={**request.meta, "redirect_urls": [request.url]})


def test_a_stored_story_is_not_fetched(database: Database, story_filter: SeenStoryFilter) -> None:
    with database.session() as session:
        session.add(StoredArticle(canonical_url=canonical_url(f"{SITE}/kopi-naik"), url=f"{SITE}/kopi-naik"))
    with pytest.raises(IgnoreRequest, match="already stored"):
        story_filter.process_request(story("http://rmollampung.id/kopi-naik/"))
    assert story_filter.process_request(story(f"{SITE}/jalan-rusak")) is None


def test_a_retry_passes_but_another_request_for_the_same_story_does_not(
    story_filter: SeenStoryFilter,
) -> None:
    first = story(f"{SITE}/jalan-rusak", **{NOT_STORED: True})
    story_filter.process_request(first)
    story_filter.process_request(first.copy())  # RetryMiddleware retries with a copy
    with pytest.raises(IgnoreRequest, match="already fetched in this run"):
        story_filter.process_request(redirected(story(f"{SITE}/alamat-lama"), f"{SITE}/jalan-rusak"))
    assert story_filter.crawler.stats.get_value("pantau/already_fetched") == 1  # type: ignore[union-attr]


def test_a_redirect_is_checked_against_the_store_even_after_the_listing_check(
    database: Database, story_filter: SeenStoryFilter
) -> None:
    with database.session() as session:
        moved_to = f"{SITE}/alamat-baru"
        session.add(StoredArticle(canonical_url=canonical_url(moved_to), url=moved_to))
    moved = story(f"{SITE}/alamat-lama", **{NOT_STORED: True})
    story_filter.process_request(moved)
    with pytest.raises(IgnoreRequest, match="already stored"):
        story_filter.process_request(redirected(moved, f"{SITE}/alamat-baru"))


def test_listing_requests_and_later_pages_pass_untouched(story_filter: SeenStoryFilter) -> None:
    story_filter.process_request(story(f"{SITE}/jalan-rusak"))
    assert story_filter.process_request(Request(f"{SITE}/jalan-rusak")) is None
    assert story_filter.process_request(story(f"{SITE}/jalan-rusak", **{PAGE_OF: f"{SITE}/x"})) is None
