"""The declaration of a portal family: everything Pantau knows about one CMS, in one frozen value.

A family module (crawler/portals/<family>.py) builds one `PortalFamily`; crawler.portals.registry
collects them. Declarations check themselves when they are made, so a bad selector, pattern or
template fails at import with the family's name in the message, not on the first page it meets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from cssselect import SelectorError
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from crawler.domain.errors import ConfigError
from crawler.domain.zones import WIB
from crawler.portals.query import with_query
from crawler.portals.recipes import PortalRecipe

StoryKeyRule = Callable[[str, str], str | None]
"""(host without www/m/amp prefixes, path without trailing slash or /amp) → the story's key URL, or
None when the URL is no story this family keys (canonical URLs then keep the generic form)."""

_CSS = HTMLTranslator()
# Values every URL template may name: the site's host, a listing's ISO date, a search query.
_TEMPLATE_VALUES = {"site": "example.id", "date": "2025-01-01", "query": "q"}


@dataclass(frozen=True)
class Discovery:
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
    # Regex of the paths, on the source's sites, of the section listings a page's own menus link
    # to (`^/category/[a-z0-9-]+$`): each is read like a configured listing, within a per-run cap.
    sections: str | None = None

    def configured(self, overrides: Mapping[str, str | tuple[str, ...]] | None) -> Discovery:
        """This discovery with every value a source's config sets instead."""
        values: dict[str, Any] = dict(overrides or {})  # names checked by `replace`, values by use
        return replace(self, **values) if values else self

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The values a source's config may override."""
        return tuple(field.name for field in fields(cls))

    def is_search_page(self, url: str, page: Selector, query: str) -> bool:
        """Whether a page is really the search for `query`: it is at the search template's path and
        its search box (the input named like the template's query parameter) holds the query.

        A portal that ignores a search URL answers with another page and 200 (portals.md §1.5); its
        title may still contain the words searched for, so the title proves nothing.
        """
        template = urlsplit(self.search or "")
        if urlsplit(url).path.rstrip("/") != template.path.rstrip("/"):
            return False
        wanted = query.casefold().split()
        return any(
            value.casefold().split() == wanted
            for name, values in parse_qs(template.query).items()
            if "{query}" in values
            for value in page.css(f'input[name="{name}"]::attr(value)').getall()
        )

    def is_section(self, url: str) -> bool:
        """Whether a menu link leads to one of the family's section listings: its path is one,
        and it has no query (a pager's `?page=3` is no section's first page)."""
        parts = urlsplit(url)
        return bool(self.sections and not parts.query and re.search(self.sections, parts.path))

    @property
    def channels(self) -> int:
        """How many ways of announcing stories this discovery reads."""
        return len(self.feeds) + len(self.sitemaps) + len(self.listings) + (self.search is not None)

    @property
    def selectors(self) -> tuple[str, ...]:
        candidates = (self.listing_card, self.listing_card_date, self.next_page, self.total_pages, self.pager)
        return tuple(selector for selector in candidates if selector)

    @property
    def templates(self) -> tuple[str, ...]:
        feeds = tuple(
            address for feed in self.feeds for address in ((feed,) if isinstance(feed, str) else feed)
        )
        return (*feeds, *self.sitemaps, *self.listings, *((self.search,) if self.search else ()))


@dataclass(frozen=True)
class Furniture:
    """Page furniture of a family's captured texts, for dedup's text normalisation (regex sources).

    Captures by other scrapers (the seed corpus) keep lines the field recipe never sees, so these
    are looser than the recipe's drop lines: `lines` match a whole stripped line (case-insensitive),
    `inline` is removed wherever it stands, `datelines` open a body and are applied in order.
    """

    lines: tuple[str, ...] = ()
    inline: tuple[str, ...] = ()
    datelines: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortalFamily:
    """Everything about one portal family: hosts, story URLs and keys, discovery, fields, furniture."""

    name: str
    hosts: tuple[str, ...]  # host suffixes: "bisnis.com" covers every *.bisnis.com channel
    story_path: re.Pattern[str]  # matched against a URL's path: which links are stories
    story_key: StoryKeyRule  # the one key of a story however its URL is written (canonical URLs)
    discovery: Discovery
    recipe: PortalRecipe  # how its article pages read (crawler.portals.recipes)
    url_date: re.Pattern[str] | None = None  # groups y, m, d: a story's date in its URL (read as WIB)
    skipped_hosts: tuple[str, ...] = ()  # host prefixes that carry no text stories
    paywalled_hosts: tuple[str, ...] = ()  # host prefixes whose stories are all paywalled
    link_redirectors: tuple[str, ...] = ()  # paths of `…?url=<story>` redirect links
    story_pager: str | None = None  # CSS of a story's page links (page N = URL + /N)
    all_pages_query: tuple[str, str] | None = None  # query that serves every page at once
    furniture: Furniture = Furniture()

    def __post_init__(self) -> None:
        # The recipe compiled its own selectors and patterns when it was made.
        for selector in (*self.discovery.selectors, *((self.story_pager,) if self.story_pager else ())):
            try:
                _CSS.css_to_xpath(selector)
            except SelectorError as error:
                raise ConfigError(f"family {self.name!r}: bad CSS selector {selector!r}: {error}") from None
        for template in self.discovery.templates:
            try:
                template.format(**_TEMPLATE_VALUES)
            except (KeyError, IndexError, ValueError) as error:
                raise ConfigError(f"family {self.name!r}: bad URL template {template!r}: {error}") from None
        if self.discovery.sections:
            try:
                re.compile(self.discovery.sections)
            except re.error as error:
                raise ConfigError(
                    f"family {self.name!r}: bad section path pattern {self.discovery.sections!r}: {error}"
                ) from None
        if self.discovery.search and "{query}" not in self.discovery.search:
            raise ConfigError(f"family {self.name!r}: the search template names no {{query}}")
        furniture = self.furniture
        for pattern in (*furniture.lines, *furniture.inline, *furniture.datelines):
            try:
                re.compile(pattern)
            except re.error as error:
                raise ConfigError(
                    f"family {self.name!r}: bad furniture pattern {pattern!r}: {error}"
                ) from None

    def is_story(self, url: str, sites: tuple[str, ...]) -> bool:
        """A story URL of one of `sites`, on a host that carries text stories."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return (
            parts.scheme in ("http", "https")
            and any(host == site or host.endswith("." + site) for site in sites)
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
        """The story behind one of the family's redirect links (`…/link?url=<story>`)."""
        parts = urlsplit(url)
        if parts.path in self.link_redirectors:
            wrapped = parse_qs(parts.query).get("url")
            if wrapped and wrapped[0].startswith(("http://", "https://")):
                return wrapped[0]
        return url

    def all_pages_url(self, url: str) -> str:
        """The form of a story's URL that serves all its pages at once (the URL itself if none)."""
        if self.all_pages_query is None:
            return url
        name, value = self.all_pages_query
        return with_query(url, **{name: value})

    def story_address(self, fetched_url: str) -> str:
        """The story's own URL, without the all-pages query it may have been fetched with."""
        if self.all_pages_query is None:
            return fetched_url
        parts = urlsplit(fetched_url)
        kept = [(k, v) for k, values in parse_qs(parts.query, keep_blank_values=True).items()
                for v in values if (k, v) != self.all_pages_query]  # fmt: skip
        return urlunsplit(parts._replace(query=urlencode(kept)))

    def is_paywalled(self, url: str) -> bool:
        """Known from the address alone: a stub whose page hides its paywall flag is still one."""
        return (urlsplit(url).hostname or "").startswith(self.paywalled_hosts)

    def matches_host(self, host: str) -> bool:
        """Whether `host` is one of the family's hosts or a subdomain of one."""
        return self.recipe.matches_host(host)

    @property
    def selectors(self) -> tuple[str, ...]:
        """Every CSS selector the family declares (discovery, story pager, field recipe)."""
        pager = (self.story_pager,) if self.story_pager else ()
        return (*self.discovery.selectors, *pager, *self.recipe.selectors)


@dataclass(frozen=True)
class FurniturePatterns:
    """Every family's furniture, compiled the way dedup's text normalisation applies it."""

    lines: re.Pattern[str]  # `.match` a stripped line: it is furniture as a whole
    inline: re.Pattern[str]  # `.sub` it out of a line
    datelines: tuple[re.Pattern[str], ...]  # `.sub(…, count=1)` each, in order, at a line's start

    @classmethod
    def of(cls, furnitures: tuple[Furniture, ...]) -> FurniturePatterns:
        lines = [pattern for furniture in furnitures for pattern in furniture.lines]
        inline = [pattern for furniture in furnitures for pattern in furniture.inline]
        return cls(
            lines=re.compile(rf"^(?:{'|'.join(lines)})$", re.IGNORECASE),
            inline=re.compile("|".join(inline) or "(?!)", re.IGNORECASE),  # (?!) never matches
            datelines=tuple(
                re.compile(pattern) for furniture in furnitures for pattern in furniture.datelines
            ),
        )
