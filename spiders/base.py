"""The one portal spider: discovery through feeds, sitemaps, listings and search, for any family.

Everything that differs between families (which paths are stories, where a story's date is in its
URL, feed/sitemap/listing/search templates, listing cards, paging) is the family's declaration in
crawler.portals; a source's config may override its discovery values. The crawl side hands the
spider plain values (crawler.domain.crawling): its source's plan, the search keywords, a
stored-story lookup. Spiders only discover and fetch; they never write to storage or send alerts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.domain import counters
from crawler.domain.crawling import NOT_STORED, PAGE_OF, SKIPPED, STORY, SourcePlan, StoredStoryLookup
from crawler.domain.story import CandidateStory
from crawler.domain.zones import WIB
from crawler.portals import registry
from crawler.portals.urls import canonical_url
from spiders.links import menu_links, site_of
from spiders.listings import (
    ListingDay,
    ListingEntry,
    declares_entities,
    feed_addresses,
    feed_entries,
    listing_page_entries,
    next_page_url,
    sitemap_entries,
)
from spiders.outcomes import describe_failure, page_text, truncation

log = logging.getLogger(__name__)

FALLBACK = "pantau_fallback"
"""Request meta key: the URL to fetch instead when this form of a story page is refused."""
FEED_FALLBACKS = "pantau_feed_fallbacks"
"""Request meta key: the feed's other candidate addresses, tried in turn while one is not found."""
_NOT_FOUND = (404, 410)
# A sitemap index may list indexes; real portals nest one level (an index of daily or monthly
# sitemaps). Deeper nesting is a loop or a trap, so it is not followed.
MAX_SITEMAP_DEPTH = 2
# Sitemaps followed from indexes per run: a news portal's index lists one sitemap per day or month,
# newest first, and the look-back window is days long; older sitemaps cost fetches and find nothing new.
MAX_SITEMAPS_FOLLOWED = 20
# Section listings read per site and run from its home page's menu (RMOL regional menus list ten).
MAX_SECTIONS_PER_SITE = 16


class PortalSpider(scrapy.Spider):
    """Discovers candidate stories of one source, of the family its plan names, and yields their raw pages."""

    def __init__(
        self,
        source: SourcePlan,
        stored_stories: StoredStoryLookup,
        keywords: Iterable[str] = (),
        now: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"{source.family}:{source.name}", **kwargs)
        self.source = source
        self.source_name = source.name
        self.family = registry.family(source.family)
        self.discovery = self.family.discovery.configured(source.discovery_overrides)
        self.keywords = tuple(keywords)
        self.allowed_domains = list(source.sites)
        self.stored_stories = stored_stories
        now = now or datetime.now(UTC)
        self.today = now.astimezone(WIB).date()
        self.window_starts = (now - source.lookback).astimezone(WIB).date()
        self.max_pages = source.max_pages_per_listing
        self._requested: set[str] = set()
        self._sitemaps_followed = 0
        self._listings: set[str] = set()  # canonical URLs of the listings read, configured or menu-linked

    async def start(self) -> AsyncIterator[scrapy.Request]:
        recipe = self.discovery
        for site in self.source.sites:
            for feed in recipe.feeds:
                first, *others = (template.format(site=site) for template in feed_addresses(feed))
                yield self._feed_request(first, others)
            for template in recipe.sitemaps:
                yield self._discovery_request(template.format(site=site), self.parse_sitemap, depth=0)
            for template in recipe.listings:
                if "{date}" in template:
                    yield self._listing_day_request(ListingDay(template, site, self.today))
                else:
                    url = template.format(site=site)
                    self._listings.add(canonical_url(url))
                    yield self._discovery_request(
                        url, self.parse_listing, home=urlsplit(url).path in ("", "/")
                    )
            if recipe.search and self.source.search_enabled:
                for keyword in self.keywords:
                    search = recipe.search.format(site=site, query=quote_plus(keyword))
                    yield self._discovery_request(search, self.parse_listing, via="search", query=keyword)

    # --- discovery ---------------------------------------------------------------------------

    def _discovery_request(self, url: str, callback: Callable[..., Any], **cb_kwargs: Any) -> scrapy.Request:
        """A feed, sitemap, listing or search page request; its failures go to `discovery_failed`."""
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed, cb_kwargs=cb_kwargs)

    def _feed_request(self, url: str, fallbacks: list[str]) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_feed, errback=self.feed_failed, meta={FEED_FALLBACKS: fallbacks}
        )

    def feed_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A feed address that is not found gives way to the feed's next candidate address."""
        fallbacks = failure.request.meta.get(FEED_FALLBACKS) or []  # type: ignore[attr-defined]
        if fallbacks and isinstance(failure.value, HttpError) and failure.value.response.status in _NOT_FOUND:
            self._count(counters.FEED_CANDIDATES_NOT_FOUND)
            yield self._feed_request(fallbacks[0], fallbacks[1:])
        else:
            self.discovery_failed(failure)

    def _declares_entities(self, response: TextResponse) -> bool:
        """A feed or sitemap declaring XML entities is refused whole (see `declares_entities`)."""
        if not declares_entities(response.body):
            return False
        self._count(counters.XML_ENTITIES_REFUSED)
        log.debug("%s: %s declares XML entities: refused", self.source_name, response.url)
        return True

    def _listing_day_request(self, day: ListingDay) -> scrapy.Request:
        return self._discovery_request(day.url, self.parse_listing, day=day)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """RSS 2.0 and Atom: each item's link, title and date."""
        if isinstance(response, TextResponse) and not self._declares_entities(response):
            yield from self.announce(feed_entries(response.selector))

    def parse_sitemap(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        """Google News sitemaps: each URL with its news title and publication date; a sitemap index:
        the sitemaps it lists, within MAX_SITEMAP_DEPTH and MAX_SITEMAPS_FOLLOWED."""
        if isinstance(response, TextResponse) and not self._declares_entities(response):
            children, entries = sitemap_entries(response.selector)
            yield from self._follow_sitemaps(children, depth)
            yield from self.announce(entries)

    def _follow_sitemaps(self, locations: list[str], depth: int) -> Iterator[scrapy.Request]:
        if locations and depth + 1 > MAX_SITEMAP_DEPTH:
            self._count(counters.SITEMAP_INDEX_TOO_DEEP)
            return
        for location in locations:
            if self._sitemaps_followed >= MAX_SITEMAPS_FOLLOWED:
                self._count(counters.SITEMAPS_OVER_LIMIT)
                continue
            self._sitemaps_followed += 1
            self._count(counters.SITEMAPS_FOLLOWED)
            yield self._discovery_request(location.strip(), self.parse_sitemap, depth=depth + 1)

    def parse_listing(
        self,
        response: Response,
        via: str = "listing",
        page: int = 1,
        query: str | None = None,
        day: ListingDay | None = None,
        home: bool = False,
    ) -> Iterator[scrapy.Request]:
        """The stories a listing or search page announces, then its next page while that can pay;
        on a site's home page, the sections its menu links to too.

        Paging stops at `max_pages_per_listing`, on a page whose stories are all stored already
        (found by a feed in this same run still counts as new), and on a page reaching past the
        look-back window. A dated listing whose day ran out of pages (or had none) goes on with
        the day before, while that day is in the window; the two stops above end the walk too.
        """
        if not isinstance(response, TextResponse):
            return
        if query is not None and not self.is_search_page(response, query):
            # A portal that ignores a search URL answers with its home page and 200 (portals.md §1.5).
            self._count(counters.SEARCH_NOT_SEARCH_PAGE)
            log.warning("%s: %s is not a search page for %r; ignored", self.source_name, response.url, query)
            return
        entries = self.listing_entries(response, searching=query is not None)
        self._count(counters.pages_read(via))
        if not entries:
            self._count(counters.pages_empty(via))
        if home:
            yield from self._follow_sections(response)
        stored = self.stored_stories.among(canonical_url(entry.url) for entry in entries)
        yield from self.announce(entries, stored)
        listed = [entry for entry in entries if entry.listed]  # a sidebar's stories steer no paging
        if self._paging_stops(listed, found_new=any(canonical_url(e.url) not in stored for e in listed)):
            return
        following = (
            next_page_url(self.discovery, response, page, self._may_be_listing)
            if listed and page < self.max_pages
            else None
        )
        if following:
            yield self._discovery_request(
                following, self.parse_listing, via=via, page=page + 1, query=query, day=day
            )
        elif day is not None and day.before().day >= self.window_starts:
            yield self._listing_day_request(day.before())

    def is_search_page(self, response: TextResponse, query: str) -> bool:
        """Whether a page is really the search for `query` (the family's check, crawler.portals.family)."""
        return self.discovery.is_search_page(response.url, response.selector, query)

    def listing_entries(self, response: TextResponse, searching: bool = False) -> list[ListingEntry]:
        """The stories a listing or search page announces (`listing_page_entries`). A card selector
        that finds nothing is counted, since on every page of a run it means the layout changed
        (crawler.crawl.health); the page's stories are still read by their links."""
        entries, cards_missing = listing_page_entries(
            response, self.family, self.discovery, self.source.sites
        )
        if cards_missing:
            self._count(counters.SEARCH_CARDS_MISSING if searching else counters.LISTING_CARDS_MISSING)
        return entries

    def _follow_sections(self, home: TextResponse) -> Iterator[scrapy.Request]:
        """The section listings a home page's menus link to on the source's sites, each read once
        per run, at most MAX_SECTIONS_PER_SITE of them (the rest is logged and counted)."""
        sections = [url for url in menu_links(home.selector, home.url)
                    if self.discovery.is_section(url) and site_of(url, self.source.sites)
                    and canonical_url(url) not in self._listings]  # fmt: skip
        if len(sections) > MAX_SECTIONS_PER_SITE:
            self._count(counters.SECTIONS_OVER_LIMIT, len(sections) - MAX_SECTIONS_PER_SITE)
            log.info("%s: %s links %d sections; the first %d are read",
                     self.source_name, home.url, len(sections), MAX_SECTIONS_PER_SITE)  # fmt: skip
        for url in sections[:MAX_SECTIONS_PER_SITE]:
            self._listings.add(canonical_url(url))
            self._count(counters.SECTIONS_FOLLOWED)
            yield self._discovery_request(url, self.parse_listing)

    def _may_be_listing(self, url: str) -> bool:
        """Whether a link a page marks as "next" may be the listing's next page: on a site of the
        source, and no story."""
        return site_of(url, self.source.sites) is not None and not self.is_story(url)

    def _paging_stops(self, entries: list[ListingEntry], found_new: bool) -> bool:
        """Whether reading on (further pages, earlier days) cannot pay: this page's stories are all
        stored, or it reaches past the look-back window.
        """
        if entries and not found_new:
            self._count(counters.PAGING_STOPPED_NOTHING_NEW)
            return True
        dates = [entry.published_at for entry in entries if entry.published_at is not None]
        if dates and min(published.astimezone(WIB).date() for published in dates) < self.window_starts:
            self._count(counters.PAGING_STOPPED_LOOKBACK)
            return True
        return False

    # --- stories -----------------------------------------------------------------------------

    def is_story(self, url: str) -> bool:
        """A story URL of one of the source's sites, on a host that carries text stories."""
        return self.family.is_story(url, self.source.sites)

    def announce(
        self, entries: Iterable[ListingEntry], stored: set[str] | None = None
    ) -> Iterator[scrapy.Request]:
        """Requests for the announced stories not stored yet: one query per page, not one per story."""
        entries = [replace(entry, url=self.family.unwrap(entry.url)) for entry in entries]
        if stored is None:
            stored = self.stored_stories.among(canonical_url(entry.url) for entry in entries)
        for entry in entries:
            key = canonical_url(entry.url)
            if key in stored:
                if key not in self._requested and self.is_story(entry.url):
                    self._requested.add(key)
                    self._count(counters.ALREADY_STORED)
                continue
            yield from self.story_request(entry.url, entry.title, entry.published_at, checked=True)

    def story_request(
        self, url: str, title: str, published: datetime | None, checked: bool = False
    ) -> Iterator[scrapy.Request]:
        """A request for a story page, once per story however many channels lead to it;
        `checked` when the caller knows the story is not stored, so the downloader need not ask.
        """
        url = self.family.unwrap(url)
        if not self.is_story(url):
            return
        key = canonical_url(url)
        if key in self._requested:
            return
        self._requested.add(key)
        meta: dict[str, Any] = {STORY: True, NOT_STORED: checked}
        fetched = url
        if self.family.all_pages_query:
            fetched = self.family.all_pages_url(url)
            meta[FALLBACK] = url  # a portal refusing the all-pages form still serves page 1
        yield scrapy.Request(
            fetched,
            callback=self.parse_story,
            errback=self.story_failed,
            meta=meta,
            cb_kwargs={"listing_title": title, "listing_published_at": published},
        )

    def parse_story(
        self,
        response: Response,
        listing_title: str,
        listing_published_at: datetime | None,
        pages: tuple[str, ...] = (),
    ) -> Iterator[CandidateStory | scrapy.Request]:
        """The story's page(s), raw: extraction is the pipeline's job; later pages are fetched in turn."""
        story = response.meta.get(PAGE_OF) or self.family.story_address(response.url)
        cut_off = truncation(response)
        if cut_off is not None:
            yield self._failed_story(story, cut_off)
            return
        if not isinstance(response, TextResponse):
            content_type = (response.headers.get("Content-Type") or b"no content type").decode("latin-1")
            yield self._failed_story(story, f"not an HTML page ({content_type})")
            return
        pages = (*pages, page_text(response))
        following = self._following_story_page(response, story, len(pages))
        if following:
            self._count(counters.STORY_PAGES_FOLLOWED)
            yield scrapy.Request(
                following,
                callback=self.parse_story,
                errback=self.story_failed,
                meta={STORY: True, PAGE_OF: story},
                cb_kwargs={
                    "listing_title": listing_title,
                    "listing_published_at": listing_published_at,
                    "pages": pages,
                },
            )
            return
        yield CandidateStory(
            url=story,
            source=self.source_name,
            pages=list(pages),
            listing_title=listing_title,
            listing_published_at=listing_published_at,
            # Known from the address alone: a stub whose page hides its paywall flag is still one.
            paywalled=self.family.is_paywalled(story),
        )

    def _following_story_page(self, response: TextResponse, story: str, fetched: int) -> str | None:
        """Page `fetched + 1` of a story whose pager links to it (the all-pages form has no pager)."""
        story_pager = self.family.story_pager
        if not story_pager:
            return None
        wanted = f"{story.rstrip('/')}/{fetched + 1}"
        if urlsplit(wanted).path not in response.text:
            return None  # no link can lead there: spare parsing the page, which extraction does
        links = {response.urljoin(href) for href in response.css(story_pager).getall()}
        return wanted if wanted in links else None

    def story_failed(self, failure: Failure) -> Iterator[CandidateStory | scrapy.Request]:
        """A story that could not be fetched still counts once, as failed, with its cause."""
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get(SKIPPED):
            return  # stored already, or fetched already in this run: not a story of this run
        fallback = request.meta.get(FALLBACK)
        refused = isinstance(failure.value, HttpError) and failure.value.response.status in (400, 404, 410)
        if fallback and refused:
            self._count(counters.ALL_PAGES_FORM_REFUSED)
            meta = {key: value for key, value in request.meta.items() if key != FALLBACK}
            yield request.replace(url=fallback, meta=meta, dont_filter=True)
            return
        story = request.meta.get(PAGE_OF) or self.family.story_address(request.url)
        yield self._failed_story(story, describe_failure(failure, self._max_bytes))

    def _failed_story(self, url: str, reason: str) -> CandidateStory:
        return CandidateStory(url=url, source=self.source_name, pages=[], failure=reason)

    def discovery_failed(self, failure: Failure) -> None:
        """A feed, sitemap, listing or search page that could not be read: the run's errors count it
        (from Scrapy's own counters, crawler.crawl.health), so it is logged at debug level only,
        without the traceback Scrapy prints for a request with no errback."""
        log.debug(
            "%s: %s: %s", self.source_name, failure.request.url,  # type: ignore[attr-defined]
            describe_failure(failure, self._max_bytes),
        )  # fmt: skip

    @property
    def _max_bytes(self) -> int:
        crawler = getattr(self, "crawler", None)
        return crawler.settings.getint("DOWNLOAD_MAXSIZE") if crawler is not None else 0

    def _count(self, key: str, count: int = 1) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key, count)
