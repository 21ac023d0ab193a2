"""Downloader middlewares of the crawl side: skip stories already stored, re-read listings with
conditional GET, retry politely."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.config import Config
from crawler.domain import causes, counters
from crawler.domain.crawling import NOT_STORED, PAGE_OF, SKIPPED, STORY
from crawler.portals.urls import canonical_url
from crawler.store.articles import stored_canonical_urls
from crawler.store.db import Database
from crawler.store.validators import Validators, known_validators, save_validators

log = logging.getLogger(__name__)

CLAIM = "pantau_claim"
"""Request meta key: the canonical URL a story request claimed for this run (kept through retries)."""


class StoredStories:
    """Answers which canonical URLs are stored already, one query per listing page: the spiders'
    `StoredStoryLookup` (crawler.domain.crawling), which the runner hands them."""

    def __init__(self, database: Database | None) -> None:
        self.database = database

    def among(self, keys: Iterable[str]) -> set[str]:
        wanted = list(keys)
        if self.database is None or not wanted:
            return set()
        with self.database.session() as session:
            return stored_canonical_urls(session, wanted)


class SiteSlotMiddleware:
    """Puts every host of one configured site in the site's download slot, so the per-domain
    concurrency and delay hold for the portal as a whole: a portal's channel, search and RSS hosts
    are often one server farm, which answers a burst spread over them with 403s."""

    def __init__(self, sites: Iterable[str]) -> None:
        self.sites = sorted(set(sites), key=len, reverse=True)  # the most specific site wins

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config: Config = crawler.settings["PANTAU_CONFIG"]
        return cls(site for source in config.sources.values() for site in source.sites)

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        site = next((site for site in self.sites if host == site or host.endswith(f".{site}")), None)
        if site is not None:
            request.meta.setdefault("download_slot", site)


class SeenStoryFilter:
    """Drops story requests whose canonical URL is already stored, or already fetched in this run.

    The spider asks for each story once, but Scrapy's duplicate filter lets a retried request through
    (`dont_filter`), and a redirect keeps that flag: without this check a story reached both directly
    and through a moved address would be fetched twice. A request claims its story's key in its meta,
    so its own retries pass while another request for the same story does not.
    """

    def __init__(self, database: Database, crawler: Crawler) -> None:
        self.database = database
        self.crawler = crawler
        self._claimed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings["PANTAU_DATABASE"], crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(STORY) or request.meta.get(PAGE_OF):
            return
        key = canonical_url(request.url)
        if request.meta.get(CLAIM) == key:
            return  # a retry of a request that passed already
        if key in self._claimed:
            self._ignore(request, counters.ALREADY_FETCHED, f"already fetched in this run: {key}")
        self._claimed.add(key)
        redirected = CLAIM in request.meta
        request.meta[CLAIM] = key
        if request.meta.get(NOT_STORED) and not redirected:
            return  # the spider checked this address with the rest of its listing page
        with self.database.session() as session:
            stored = stored_canonical_urls(session, [key])
        if stored:
            self._ignore(request, counters.ALREADY_STORED, f"already stored: {key}")

    def _ignore(self, request: Request, stat: str, reason: str) -> None:
        request.meta[SKIPPED] = True  # the spider's errback lets it go without a trace
        if self.crawler.stats:
            self.crawler.stats.inc_value(stat)
        raise IgnoreRequest(reason)


class AnswerCounter:
    """Counts the final answers to story and to discovery requests, and the 403s among them, so
    health can tell a portal that blocks us from one that refuses a story or two. Placed nearest
    the engine (the lowest order number): redirects and retries are settled by then."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.crawler.stats is not None and not request.url.endswith("/robots.txt"):
            kind = "stories" if request.meta.get(STORY) else "pages"
            self.crawler.stats.inc_value(counters.answered(kind))
            if response.status == 403:
                self.crawler.stats.inc_value(counters.forbidden(kind))
        return response


class RedirectLoopGuard:
    """Refuses a redirect back to an address of the same chain. Scrapy's redirect middleware would
    follow it, and its duplicate filter then drops the repeated request without a word: the story
    would vanish from the run. Placed before the redirect middleware (a higher order number)."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        if location:
            target = urljoin(request.url, location.decode("latin-1"))
            if target == request.url or target in request.meta.get("redirect_urls", ()):
                raise IgnoreRequest(causes.REDIRECT_LOOP)
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry on 429 and 5xx, waiting exponentially longer (or as Retry-After says) first."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base_delay = settings.getfloat("PANTAU_RETRY_BASE_DELAY", 1.0)
        self.max_delay = settings.getfloat("PANTAU_RETRY_MAX_DELAY", 60.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        outcome = super().process_response(request, response)
        if isinstance(outcome, Request):
            await asyncio.sleep(self._delay(request, response))
        return outcome

    def _delay(self, request: Request, response: Response) -> float:
        retry_after = response.headers.get(b"Retry-After")
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.max_delay)
        attempt = int(request.meta.get("retry_times", 0))
        return min(self.base_delay * 2**attempt, self.max_delay)


class ConditionalGetMiddleware:
    """Listing, search and feed pages carry the ETag and Last-Modified they last came with.

    A 304 answer means the page is unchanged: it yields nothing new and is dropped. Validators
    are saved only when the run finishes cleanly, so a crashed run never hides a page's stories
    from the next one.
    """

    def __init__(self, database: Database, crawler: Crawler) -> None:
        self.database = database
        self.crawler = crawler
        self._seen: dict[str, Validators] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings["PANTAU_DATABASE"], crawler)
        crawler.signals.connect(middleware.save, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if request.meta.get(STORY) or request.url.endswith("/robots.txt"):
            return
        known = known_validators(self.database, request.url)
        if known is None:
            return
        etag, last_modified = known
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1"))
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified.encode("latin-1"))

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(STORY) or request.url.endswith("/robots.txt"):
            return response
        if response.status == 304:
            if self.crawler.stats:
                self.crawler.stats.inc_value(counters.NOT_MODIFIED)
            raise IgnoreRequest(f"not modified since the last run: {request.url}")
        etag = _header(response, b"ETag")
        last_modified = _header(response, b"Last-Modified")
        if response.status == 200 and (etag or last_modified):
            self._seen[request.url] = (etag, last_modified)
        return response

    def save(self, reason: str) -> None:
        if reason != "finished" or not self._seen:
            return
        save_validators(self.database, self._seen)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
