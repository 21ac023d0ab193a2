"""The shared base of every portal spider: discovery through feeds, sitemaps, listings and search.

A family is this class plus data: which paths are stories, where a story's date is in its URL,
and a `DiscoveryRecipe` (feed, sitemap, listing and search URL templates, listing-card selectors,
paging rules) that a source's config may override. Spiders only discover and fetch; they never
write to storage or send alerts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config import Config, SourceConfig
from crawler.crawl.middlewares import NOT_STORED, PAGE_OF, STORY, StoredStories
from crawler.domain.story import CandidateStory
from crawler.extract import WIB, decode_html, parse_indonesian_datetime
from crawler.matching import WatchSet
from crawler.portals.urls import canonical_url

log = logging.getLogger(__name__)

FALLBACK = "pantau_fallback"
"""Request meta key: the URL to fetch instead when this form of a story page is refused."""
FEED_FALLBACKS = "pantau_feed_fallbacks"
"""Request meta key: the feed's other candidate addresses, tried in turn while one is not found."""
_NOT_FOUND = (404, 410)


@dataclass(frozen=True)
class DiscoveryRecipe:
    """Where a family's stories are announced, and how its listing pages read; `{site}` is a host.

    A feed given as a tuple is one feed at candidate addresses, tried in order while they answer
    404 (rmol.id's feed path is unverified, portals.md §1.3). A listing template with `{date}`
    (ISO date) is read day by day, from today back through the look-back window.
    """

    feeds: tuple[str | tuple[str, ...], ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    search: str | None = None  # `{query}` as the value of the search parameter; paged like a listing
    listing_card: str | None = None  # CSS of one story card; without it every story link counts
    listing_card_date: str | None = None  # CSS, inside a card, of the text holding its date
    next_page: str = "a[rel=next]::attr(href)"  # CSS of the next listing page's URL
    total_pages: str | None = None  # CSS of the page count, when the pager states one
    pager: str | None = None  # CSS of the pager's links, for pagers without a next link

    def configured(self, source: SourceConfig) -> DiscoveryRecipe:
        """This recipe with every value the source's config sets instead."""
        overrides: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(source, field.name, None)
            if value is not None:
                overrides[field.name] = tuple(value) if isinstance(value, list) else value
        return replace(self, **overrides)


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """A story as a feed, sitemap, listing or search page announces it."""

    url: str
    title: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class ListingDay:
    """One day of a listing whose template takes `{date}`, such as the Bisnis index."""

    template: str
    site: str
    day: date

    @property
    def url(self) -> str:
        return self.template.format(site=self.site, date=self.day.isoformat())

    def before(self) -> ListingDay:
        """The day before, whose stories the index lists on pages of their own."""
        return replace(self, day=self.day - timedelta(days=1))


class PortalSpider(scrapy.Spider):
    """Discovers candidate stories of one source and yields their raw pages."""

    family: ClassVar[str]
    story_path: ClassVar[re.Pattern[str]]  # matched against a URL's path
    url_date: ClassVar[re.Pattern[str] | None] = None  # groups y, m, d: a story's date in its URL
    skipped_hosts: ClassVar[tuple[str, ...]] = ()  # host prefixes that carry no text stories
    paywalled_hosts: ClassVar[tuple[str, ...]] = ()  # host prefixes whose stories are all paywalled
    link_redirectors: ClassVar[tuple[str, ...]] = ()  # paths of `…?url=<story>` redirect links
    story_pager: ClassVar[str | None] = None  # CSS of a story's page links (page N = URL + /N)
    all_pages_query: ClassVar[tuple[str, str] | None] = None  # query that serves every page at once
    discovery: ClassVar[DiscoveryRecipe] = DiscoveryRecipe()

    def __init__(
        self,
        source_name: str,
        source: SourceConfig,
        config: Config,
        keywords: Iterable[str] = (),
        stored_stories: StoredStories | None = None,
        now: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"{self.family}:{source_name}", **kwargs)
        self.source_name = source_name
        self.source = source
        self.config = config
        self.recipe = self.discovery.configured(source)
        watch_keywords = WatchSet.from_config(config).search_keywords(source_name)
        self.keywords = tuple(dict.fromkeys((*keywords, *watch_keywords)))
        self.allowed_domains = list(source.sites)
        self.stored_stories = stored_stories or StoredStories(None)
        now = now or datetime.now(UTC)
        lookback = timedelta(days=source.lookback_days or config.crawl.lookback_days)
        self.today = now.astimezone(WIB).date()
        self.window_starts = (now - lookback).astimezone(WIB).date()
        self.max_pages = config.crawl.max_pages_per_listing
        self._requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        kwargs.setdefault("stored_stories", StoredStories(crawler.settings.get("PANTAU_DATABASE")))
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        recipe = self.recipe
        for site in self.source.sites:
            for feed in recipe.feeds:
                first, *others = (template.format(site=site) for template in _candidates(feed))
                yield self._feed_request(first, others)
            for template in recipe.sitemaps:
                yield scrapy.Request(template.format(site=site), callback=self.parse_sitemap)
            for template in recipe.listings:
                if "{date}" in template:
                    yield self._listing_day_request(ListingDay(template, site, self.today))
                else:
                    yield scrapy.Request(template.format(site=site), callback=self.parse_listing)
            if recipe.search and self.source.search_enabled:
                for keyword in self.keywords:
                    yield scrapy.Request(
                        recipe.search.format(site=site, query=quote_plus(keyword)),
                        callback=self.parse_listing,
                        cb_kwargs={"via": "search", "query": keyword},
                    )

    # --- discovery ---------------------------------------------------------------------------

    def _feed_request(self, url: str, fallbacks: list[str]) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_feed, errback=self.feed_failed, meta={FEED_FALLBACKS: fallbacks}
        )

    def feed_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A feed address that is not found gives way to the feed's next candidate address."""
        fallbacks = failure.request.meta.get(FEED_FALLBACKS) or []  # type: ignore[attr-defined]
        if fallbacks and isinstance(failure.value, HttpError) and failure.value.response.status in _NOT_FOUND:
            self._count("pantau/feed_candidates_not_found")
            yield self._feed_request(fallbacks[0], fallbacks[1:])

    def _listing_day_request(self, day: ListingDay) -> scrapy.Request:
        return scrapy.Request(day.url, callback=self.parse_listing, cb_kwargs={"day": day})

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """RSS 2.0 and Atom: each item's link, title and date."""
        if not isinstance(response, TextResponse):
            return
        selector = response.selector
        selector.remove_namespaces()
        entries = []
        for item in selector.xpath("//item | //entry"):
            link = item.xpath("link/text()").get() or item.xpath("link/@href").get() or ""
            title = item.xpath("title/text()").get() or ""
            published = item.xpath("pubDate/text() | published/text() | updated/text()").get()
            entries.append(ListingEntry(link.strip(), title.strip(), _feed_date(published)))
        yield from self.announce(entries, "feed")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Google News sitemaps: each URL with its news title and publication date."""
        if not isinstance(response, TextResponse):
            return
        selector = response.selector
        selector.remove_namespaces()
        entries = []
        for url in selector.xpath("//url"):
            link = url.xpath("loc/text()").get() or ""
            title = url.xpath("news/title/text()").get() or ""
            published = url.xpath("news/publication_date/text() | lastmod/text()").get()
            entries.append(ListingEntry(link.strip(), title.strip(), _iso_date(published)))
        yield from self.announce(entries, "sitemap")

    def parse_listing(
        self,
        response: Response,
        via: str = "listing",
        page: int = 1,
        query: str | None = None,
        day: ListingDay | None = None,
    ) -> Iterator[scrapy.Request]:
        """The stories a listing or search page announces, then its next page while that can pay.

        Paging stops at `max_pages_per_listing`, on a page whose stories are all stored already
        (found by a feed in this same run still counts as new), and on a page reaching past the
        look-back window. A dated listing whose day ran out of pages (or had none) goes on with
        the day before, while that day is in the window; the two stops above end the walk too.
        """
        if not isinstance(response, TextResponse):
            return
        if query is not None and not self.is_search_page(response, query):
            # A portal that ignores a search URL answers with its home page and 200 (portals.md §1.5).
            self._count("pantau/search_not_search_page")
            log.warning("%s: %s is not a search page for %r; ignored", self.source_name, response.url, query)
            return
        entries = self.listing_entries(response, searching=query is not None)
        self._count(f"pantau/{via}_pages")
        if not entries:
            self._count(f"pantau/{via}_pages_empty")
        announced = {canonical_url(entry.url) for entry in entries}
        stored = self.stored_stories.among(announced)
        yield from self.announce(entries, via, stored)
        if self._paging_stops(entries, found_new=bool(announced - stored)):
            return
        following = self.next_page_url(response, page) if entries and page < self.max_pages else None
        if following:
            yield scrapy.Request(
                following,
                callback=self.parse_listing,
                cb_kwargs={"via": via, "page": page + 1, "query": query, "day": day},
            )
        elif day is not None and day.before().day >= self.window_starts:
            yield self._listing_day_request(day.before())

    def is_search_page(self, response: TextResponse, query: str) -> bool:
        """Whether a page is really the search for `query`: it is at the search template's path and
        its search box (the input named like the template's query parameter) holds the query.

        A portal that ignores a search URL answers with another page and 200 (portals.md §1.5); its
        title may still contain the words searched for, so the title proves nothing.
        """
        template = urlsplit(self.recipe.search or "")
        if urlsplit(response.url).path.rstrip("/") != template.path.rstrip("/"):
            return False
        wanted = query.casefold().split()
        return any(
            value.casefold().split() == wanted
            for name, values in parse_qs(template.query).items()
            if "{query}" in values
            for value in response.css(f'input[name="{name}"]::attr(value)').getall()
        )

    def listing_entries(self, response: TextResponse, searching: bool = False) -> list[ListingEntry]:
        """The stories of a listing page: its cards when the family knows them, else every story link.

        A search page without cards yields nothing, and a listing page without cards is read link
        by link (navigation and footers included); both are counted, since on every page of a run
        they mean the layout changed (crawler.crawl.health).
        """
        recipe = self.recipe
        entries: dict[str, ListingEntry] = {}
        cards = response.css(recipe.listing_card) if recipe.listing_card else []
        if recipe.listing_card and not cards:
            if searching:
                # No results, or results in a markup the card selector misses: health tells them apart.
                self._count("pantau/search_cards_missing")
                return []
            self._count("pantau/listing_cards_missing")
        for area in cards or [response.selector]:
            for anchor in area.css("a[href]"):
                url = self.unwrap(response.urljoin(anchor.attrib["href"]))
                if not self.is_story(url):
                    continue
                title = " ".join(" ".join(anchor.css("::text").getall()).split())
                key = canonical_url(url)
                known = entries.get(key)
                if known is None:
                    published = self.published_in_url(url) or self._card_date(area, bool(cards))
                    entries[key] = ListingEntry(url, title, published)
                elif len(title) > len(known.title):
                    entries[key] = replace(known, title=title)
        return list(entries.values())

    def _card_date(self, card: Selector, is_card: bool) -> datetime | None:
        if not (is_card and self.recipe.listing_card_date):
            return None
        text = " ".join(card.css(f"{self.recipe.listing_card_date} ::text").getall())
        return parse_indonesian_datetime(text)

    def _paging_stops(self, entries: list[ListingEntry], found_new: bool) -> bool:
        """Whether reading on (further pages, earlier days) cannot pay: this page's stories are all
        stored, or it reaches past the look-back window.
        """
        if entries and not found_new:
            self._count("pantau/paging_stopped/nothing_new")
            return True
        dates = [entry.published_at for entry in entries if entry.published_at is not None]
        if dates and min(published.astimezone(WIB).date() for published in dates) < self.window_starts:
            self._count("pantau/paging_stopped/lookback")
            return True
        return False

    def next_page_url(self, response: TextResponse, page: int) -> str | None:
        """The next listing page: page+1 while under a stated page count, else the pager's link to
        page+1 (pagers without a next link), else the pager's next link.
        """
        recipe = self.recipe
        if recipe.total_pages:
            total = response.css(recipe.total_pages).get()
            if total and total.strip().isdigit():
                return _with_query(response.url, page=str(page + 1)) if page < int(total) else None
        if recipe.pager:
            links = (response.urljoin(href) for href in response.css(recipe.pager).getall())
            wanted = [str(page + 1)]
            return next((url for url in links if parse_qs(urlsplit(url).query).get("page") == wanted), None)
        following = response.css(recipe.next_page).get()
        return response.urljoin(following) if following else None

    # --- stories -----------------------------------------------------------------------------

    def is_story(self, url: str) -> bool:
        """A story URL of one of the source's sites, on a host that carries text stories."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return (
            parts.scheme in ("http", "https")
            and any(host == site or host.endswith("." + site) for site in self.source.sites)
            and not host.startswith(self.skipped_hosts)
            and bool(self.story_path.match(parts.path))
        )

    def published_in_url(self, url: str) -> datetime | None:
        """The story's date from its URL (midnight WIB), for families that put it there."""
        match = self.url_date.search(urlsplit(url).path) if self.url_date else None
        if match is None:
            return None
        try:
            return datetime(int(match["y"]), int(match["m"]), int(match["d"]), tzinfo=WIB)
        except ValueError:
            return None

    def unwrap(self, url: str) -> str:
        """The story behind a redirect link (`search.bisnis.com/link?url=<story>`)."""
        parts = urlsplit(url)
        if parts.path in self.link_redirectors:
            wrapped = parse_qs(parts.query).get("url")
            if wrapped and wrapped[0].startswith(("http://", "https://")):
                return wrapped[0]
        return url

    def announce(
        self, entries: Iterable[ListingEntry], via: str, stored: set[str] | None = None
    ) -> Iterator[scrapy.Request]:
        """Requests for the announced stories not stored yet: one query per page, not one per story."""
        entries = [replace(entry, url=self.unwrap(entry.url)) for entry in entries]
        if stored is None:
            stored = self.stored_stories.among(canonical_url(entry.url) for entry in entries)
        for entry in entries:
            key = canonical_url(entry.url)
            if key in stored:
                if key not in self._requested and self.is_story(entry.url):
                    self._requested.add(key)
                    self._count("pantau/already_stored")
                continue
            yield from self.story_request(entry.url, entry.title, entry.published_at, via, checked=True)

    def story_request(
        self, url: str, title: str, published: datetime | None, via: str, checked: bool = False
    ) -> Iterator[scrapy.Request]:
        """A request for a story page, once per story however many channels lead to it;
        `checked` when the caller knows the story is not stored, so the downloader need not ask.
        """
        url = self.unwrap(url)
        if not self.is_story(url):
            return
        key = canonical_url(url)
        if key in self._requested:
            return
        self._requested.add(key)
        meta: dict[str, Any] = {STORY: True, NOT_STORED: checked}
        fetched = url
        if self.all_pages_query:
            fetched = _with_query(url, **dict([self.all_pages_query]))
            meta[FALLBACK] = url  # a portal refusing the all-pages form still serves page 1
        yield scrapy.Request(
            fetched,
            callback=self.parse_story,
            errback=self.story_failed,
            meta=meta,
            cb_kwargs={"listing_title": title, "listing_published_at": published, "via": via},
        )

    def parse_story(
        self,
        response: Response,
        listing_title: str,
        listing_published_at: datetime | None,
        via: str,
        pages: tuple[str, ...] = (),
    ) -> Iterator[CandidateStory | scrapy.Request]:
        """The story's page(s), raw: extraction is the pipeline's job; later pages are fetched in turn."""
        story = response.meta.get(PAGE_OF) or self.story_address(response.url)
        if not isinstance(response, TextResponse):
            content_type = (response.headers.get("Content-Type") or b"no content type").decode("latin-1")
            yield self._failed_story(story, via, f"not an HTML page ({content_type})")
            return
        pages = (*pages, page_text(response))
        following = self._following_story_page(response, story, len(pages))
        if following:
            self._count("pantau/story_pages_followed")
            yield scrapy.Request(
                following,
                callback=self.parse_story,
                errback=self.story_failed,
                meta={STORY: True, PAGE_OF: story},
                cb_kwargs={
                    "listing_title": listing_title,
                    "listing_published_at": listing_published_at,
                    "via": via,
                    "pages": pages,
                },
            )
            return
        yield CandidateStory(
            url=story,
            source=self.source_name,
            pages=list(pages),
            discovered_via=via,
            listing_title=listing_title,
            listing_published_at=listing_published_at,
            # Known from the address alone: a stub whose page hides its paywall flag is still one.
            paywalled=(urlsplit(story).hostname or "").startswith(self.paywalled_hosts),
        )

    def story_address(self, fetched_url: str) -> str:
        """The story's own URL, without the all-pages query it may have been fetched with."""
        if self.all_pages_query is None:
            return fetched_url
        name, value = self.all_pages_query
        parts = urlsplit(fetched_url)
        kept = [(k, v) for k, values in parse_qs(parts.query, keep_blank_values=True).items()
                for v in values if (k, v) != (name, value)]  # fmt: skip
        return urlunsplit(parts._replace(query=urlencode(kept)))

    def _following_story_page(self, response: TextResponse, story: str, fetched: int) -> str | None:
        """Page `fetched + 1` of a story whose pager links to it (the all-pages form has no pager)."""
        if not self.story_pager:
            return None
        wanted = f"{story.rstrip('/')}/{fetched + 1}"
        if urlsplit(wanted).path not in response.text:
            return None  # no link can lead there: spare parsing the page, which extraction does
        links = {response.urljoin(href) for href in response.css(self.story_pager).getall()}
        return wanted if wanted in links else None

    def story_failed(self, failure: Failure) -> Iterator[CandidateStory | scrapy.Request]:
        """A story that could not be fetched still counts once, as failed, with its cause."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return  # already stored, or forbidden by robots.txt: not a story of this run
        fallback = request.meta.get(FALLBACK)
        refused = isinstance(failure.value, HttpError) and failure.value.response.status in (400, 404, 410)
        if fallback and refused:
            self._count("pantau/all_pages_form_refused")
            meta = {key: value for key, value in request.meta.items() if key != FALLBACK}
            yield request.replace(url=fallback, meta=meta, dont_filter=True)
            return
        story = request.meta.get(PAGE_OF) or self.story_address(request.url)
        yield self._failed_story(story, request.cb_kwargs.get("via", ""), describe_failure(failure))

    def _failed_story(self, url: str, via: str, reason: str) -> CandidateStory:
        return CandidateStory(url=url, source=self.source_name, pages=[], discovered_via=via, failure=reason)

    def _count(self, key: str) -> None:
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key)


def page_text(response: TextResponse) -> str:
    """The page's text, decoded like every other page Pantau reads (valid UTF-8 beats a stale charset)."""
    return decode_html(response.body, declared=response.encoding)


def describe_failure(failure: Failure) -> str:
    """A fetch failure in a few words a user understands."""
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(DownloadTimeoutError):
        return "timed out"
    if failure.check(CannotResolveHostError):
        return "host name does not resolve"
    if failure.check(DownloadConnectionRefusedError):
        return "connection refused"
    if failure.check(DownloadCancelledError, ResponseDataLossError):
        return f"download cancelled: {failure.getErrorMessage()}"
    return f"{failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()}"


def _candidates(feed: str | tuple[str, ...]) -> tuple[str, ...]:
    return (feed,) if isinstance(feed, str) else feed


def _with_query(url: str, **values: str) -> str:
    parts = urlsplit(url)
    query = {key: items[-1] for key, items in parse_qs(parts.query, keep_blank_values=True).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **values})))


def _feed_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return _iso_date(text)


def _iso_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
