"""What feeds, sitemaps, listings and search pages announce: stories with a title and maybe a date."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.domain.dates import parse_indonesian_datetime
from crawler.portals.family import Discovery
from crawler.portals.query import with_query

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


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


def announced_date(text: str | None) -> datetime | None:
    """A feed's `pubDate` (RFC 822), a sitemap's ISO date: read by the one date parser."""
    return parse_indonesian_datetime(text) if text else None


def declares_entities(body: bytes) -> bool:
    """A feed or sitemap never needs a DTD of its own: one declaring entities is an expansion bomb
    ("billion laughs") or reads local files (XXE)."""
    return _ENTITY_DECLARATION.search(body) is not None


def feed_entries(selector: Selector) -> list[ListingEntry]:
    """RSS 2.0 and Atom items: each one's link, title and date."""
    selector.remove_namespaces()
    entries = []
    for item in selector.xpath("//item | //entry"):
        link = item.xpath("link/text()").get() or item.xpath("link/@href").get() or ""
        title = item.xpath("title/text()").get() or ""
        published = item.xpath("pubDate/text() | published/text() | updated/text()").get()
        entries.append(ListingEntry(link.strip(), title.strip(), announced_date(published)))
    return entries


def sitemap_entries(selector: Selector) -> tuple[list[str], list[ListingEntry]]:
    """A sitemap index's child sitemaps, and a (news) sitemap's URLs with their titles and dates."""
    selector.remove_namespaces()
    children = selector.xpath("//sitemapindex/sitemap/loc/text()").getall()
    entries = []
    for url in selector.xpath("//url"):
        link = url.xpath("loc/text()").get() or ""
        title = url.xpath("news/title/text()").get() or ""
        published = url.xpath("news/publication_date/text() | lastmod/text()").get()
        entries.append(ListingEntry(link.strip(), title.strip(), announced_date(published)))
    return children, entries


def feed_addresses(feed: str | tuple[str, ...]) -> tuple[str, ...]:
    """A feed's candidate addresses, tried in turn (one, for a feed known at one address)."""
    return (feed,) if isinstance(feed, str) else feed


def next_page_url(discovery: Discovery, response: TextResponse, page: int) -> str | None:
    """The next listing page: page+1 while under a stated page count, else the pager's link to
    page+1 (pagers without a next link), else the pager's next link."""
    if discovery.total_pages:
        total = response.css(discovery.total_pages).get()
        if total and total.strip().isdigit():
            return with_query(response.url, page=str(page + 1)) if page < int(total) else None
    if discovery.pager:
        links = (response.urljoin(href) for href in response.css(discovery.pager).getall())
        wanted = [str(page + 1)]
        return next((url for url in links if parse_qs(urlsplit(url).query).get("page") == wanted), None)
    following = response.css(discovery.next_page).get()
    return response.urljoin(following) if following else None
