"""What feeds, sitemaps, listings and search pages announce: stories with a title and maybe a date."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler.domain.dates import parse_indonesian_datetime
from crawler.portals.family import Discovery, PortalFamily
from crawler.portals.query import with_query
from crawler.portals.urls import canonical_url
from spiders.links import content_links, guessed_next_page, resolve_link

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """A story as a feed, sitemap, listing or search page announces it; `listed` is False for a
    story linked beside a page's listing proper (a sidebar, a block outside the cards), which
    announces it but says nothing about where paging should stop."""

    url: str
    title: str
    published_at: datetime | None
    listed: bool = True


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
        # Atom: the story is the `alternate` link (or the one without a rel); `replies` is its comments.
        link = (
            item.xpath("link/text()").get()
            or item.xpath("link[not(@rel) or @rel='alternate']/@href").get()
            or ""
        )
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


def listing_page_entries(
    response: TextResponse, family: PortalFamily, discovery: Discovery, sites: tuple[str, ...]
) -> tuple[list[ListingEntry], bool]:
    """The stories a listing or search page announces, in page order, and whether its card
    selector (when the family has one) found nothing.

    The stories are the links in its cards and every other story link (by the family's URL
    pattern) in its main content: a block in a markup the cards miss, a sidebar; those are not
    `listed`. Without cards, every story link in its main content is.
    """
    cards = response.css(discovery.listing_card) if discovery.listing_card else []
    card_of = {anchor.root: card for card in cards for anchor in card.css("a[href]")}
    in_content = {anchor.root for anchor in content_links(response.selector)}
    entries: dict[str, ListingEntry] = {}
    for anchor in response.xpath("//a[@href]"):
        card = card_of.get(anchor.root)
        url = family.unwrap(resolve_link(response.url, anchor.attrib["href"]))
        if (card is None and anchor.root not in in_content) or not family.is_story(url, sites):
            continue
        title = " ".join(" ".join(anchor.css("::text").getall()).split())
        published = family.published_in_url(url) or _card_date(card, discovery.listing_card_date)
        found = ListingEntry(url, title, published, listed=card is not None or not cards)
        known = entries.setdefault(canonical_url(url), found)
        if known is not found:  # a story linked twice: its longest title, its card's date
            entries[canonical_url(url)] = replace(
                known,
                title=max(known.title, title, key=len),
                published_at=known.published_at or found.published_at,
                listed=known.listed or found.listed,
            )
    return list(entries.values()), bool(discovery.listing_card) and not cards


def _card_date(card: Selector | None, date_selector: str | None) -> datetime | None:
    if card is None or not date_selector:
        return None
    return parse_indonesian_datetime(" ".join(card.css(f"{date_selector} ::text").getall()))


def feed_addresses(feed: str | tuple[str, ...]) -> tuple[str, ...]:
    """A feed's candidate addresses, tried in turn (one, for a feed known at one address)."""
    return (feed,) if isinstance(feed, str) else feed


def next_page_url(
    discovery: Discovery, response: TextResponse, page: int, acceptable: Callable[[str], bool]
) -> str | None:
    """The next listing page: page+1 while under a stated page count, else the pager's link to
    page+1 (pagers without a next link), else the pager's next link, else (the declared pager
    missing) the link the page itself marks or labels as next; `acceptable` judges that guess."""
    if discovery.total_pages:
        total = response.css(discovery.total_pages).get()
        if total and total.strip().isdigit():
            return with_query(response.url, page=str(page + 1)) if page < int(total) else None
    if discovery.pager:
        links = [resolve_link(response.url, href) for href in response.css(discovery.pager).getall()]
        wanted = [str(page + 1)]
        found = next((url for url in links if parse_qs(urlsplit(url).query).get("page") == wanted), None)
        if found or links:
            return found
    following = response.css(discovery.next_page).get()
    if following:
        return resolve_link(response.url, following)
    return guessed_next_page(response.selector, response.url, acceptable)
