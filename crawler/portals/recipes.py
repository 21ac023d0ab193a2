"""Portal recipes: what differs between portal families is data (selectors, boilerplate), not code.

rmol.id (national) selectors are reconstructed from archived page text (portals.md §1.4): no real
HTML of that site is public, so they must be checked on the first live fetch. The rmol_regional
and bisnis selectors are the ones several independent scrapers agree on (§1.5, §2.6).

Body selectors name the story's container: everything a reader sees in it is body text unless a
drop selector or a line pattern removes it, so each clean-up rule is there for boilerplate that
really sits inside the container (tests/test_cleanup_rules.py proves each one matters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import cache, cached_property
from types import MappingProxyType
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from crawler.domain.errors import ConfigError

_PATTERN_FLAGS = re.IGNORECASE | re.MULTILINE


@dataclass(frozen=True)
class PageLayout:
    """A dated variant: the selectors of a layout the portal served before a redesign.

    Archived copies still show it. A page is read in it when the family's own body selectors find
    nothing there and these do; the family's clean-up rules apply on top of `drop_selectors`.
    """

    served_until: int  # the last year the portal served this layout
    title_selectors: tuple[str, ...] = ()
    lead_selectors: tuple[str, ...] = ()
    body_selectors: tuple[str, ...] = ()
    date_selectors: tuple[str, ...] = ()
    author_selectors: tuple[str, ...] = ()
    tag_selectors: tuple[str, ...] = ()
    drop_selectors: tuple[str, ...] = ()  # boilerplate of this layout only


@dataclass(frozen=True)
class PortalRecipe:
    """How to read one portal family's article pages; every selector list is tried in order."""

    family: str
    hosts: tuple[str, ...]  # host suffixes: "bisnis.com" covers every *.bisnis.com channel
    title_selectors: tuple[str, ...] = ()
    lead_selectors: tuple[str, ...] = ()
    body_selectors: tuple[str, ...] = ()  # select the body's container (or its paragraphs)
    date_selectors: tuple[str, ...] = ()
    author_selectors: tuple[str, ...] = ()
    tag_selectors: tuple[str, ...] = ()
    drop_selectors: tuple[str, ...] = ()  # boilerplate blocks ignored everywhere
    drop_line_patterns: tuple[str, ...] = ()  # regexes removed from body lines; emptied lines go
    dateline_pattern: str | None = None  # matched at the body's start, with named groups
    dateline_format: str = ""  # the tidy form of a matched dateline, e.g. "{brand}, {city} — "; "" drops it
    paywall_selectors: tuple[str, ...] = ()  # any match marks the article paywalled
    title_suffix_pattern: str | None = None  # the site name that og:title and <title> append
    site_authors: tuple[str, ...] = ()  # meta author values that name the site, not a person
    older_layouts: tuple[PageLayout, ...] = ()  # dated variants, newest first

    def __post_init__(self) -> None:
        # Compile everything now so a bad recipe (from code or config) fails when it is made.
        for selector in self._all_selectors:
            try:
                CSSSelector(selector, translator="html")
            except SelectorError as error:
                raise ConfigError(f"recipe {self.family!r}: bad CSS selector {selector!r}: {error}") from None
        for pattern in (*self.drop_line_patterns, self.dateline_pattern, self.title_suffix_pattern):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as error:
                    raise ConfigError(f"recipe {self.family!r}: bad pattern {pattern!r}: {error}") from None
        for layout in self.older_layouts:
            self.in_layout(layout)  # checks the layout's selectors the same way

    def in_layout(self, layout: PageLayout) -> PortalRecipe:
        """This recipe reading a page in `layout`: its selectors, and the family's clean-up plus its own."""
        return _in_layout(self, layout)

    def with_extra_boilerplate(self, lines: Sequence[str]) -> PortalRecipe:
        """This recipe plus config `boilerplate:` lines: a body line starting with one is dropped."""
        extra = tuple(rf"^\s*{re.escape(line.strip())}.*$" for line in lines if line.strip())
        return replace(self, drop_line_patterns=self.drop_line_patterns + extra)

    def matches_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == suffix or host.endswith("." + suffix) for suffix in self.hosts)

    @property
    def _all_selectors(self) -> tuple[str, ...]:
        return tuple(
            selector
            for field in fields(self)
            if field.name.endswith("_selectors")
            for selector in getattr(self, field.name)
        )

    @cached_property
    def drop_xpaths(self) -> tuple[str, ...]:
        """The drop selectors as XPath, the form trafilatura's `prune_xpath` takes."""
        return tuple(CSSSelector(selector, translator="html").path for selector in self.drop_selectors)

    @cached_property
    def line_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, _PATTERN_FLAGS) for pattern in self.drop_line_patterns)

    @cached_property
    def dateline(self) -> re.Pattern[str] | None:
        return re.compile(self.dateline_pattern) if self.dateline_pattern else None

    @cached_property
    def title_suffix(self) -> re.Pattern[str] | None:
        return re.compile(self.title_suffix_pattern, re.IGNORECASE) if self.title_suffix_pattern else None


@cache
def _in_layout(recipe: PortalRecipe, layout: PageLayout) -> PortalRecipe:
    # Built once per (recipe, layout): archived pages of one family share it.
    return replace(
        recipe,
        family=f"{recipe.family} (layout served until {layout.served_until})",
        title_selectors=layout.title_selectors,
        lead_selectors=layout.lead_selectors,
        body_selectors=layout.body_selectors,
        date_selectors=layout.date_selectors,
        author_selectors=layout.author_selectors,
        tag_selectors=layout.tag_selectors,
        drop_selectors=recipe.drop_selectors + layout.drop_selectors,
        older_layouts=(),
    )


# Photo captions end with the credit: "/Net", "/RMOL", and on regional sites "/RMOLJatim".
_CAPTION_CREDIT = r"^.{0,300}/\s*(?:Net|RMOL\w*|Ist|Reuters|Antara|AFP)\s*$"

GENERIC = PortalRecipe(family="generic", hosts=())

RECIPES: Mapping[str, PortalRecipe] = MappingProxyType(
    {
        "rmol": PortalRecipe(
            family="rmol",
            hosts=("rmol.id", "rmol.co"),
            title_selectors=("h1.detail-title", "h1.amp-title"),
            body_selectors=("div.detail-content", "div.amp-content"),
            date_selectors=("div.detail-date", "div.amp-meta"),
            author_selectors=("div.detail-reporter", "div.amp-meta span.amp-reporter"),
            tag_selectors=("div.detail-tags a", "div.amp-tags a"),
            drop_selectors=(
                "figure",
                "div.detail-ads",
                "span.detail-reporter-raw",
                "div.berita-terkait",
                "div.populer",
                "div.artikel-lainnya",
            ),
            drop_line_patterns=(
                r"\brmol news logo(?: article)?\b",
                r"^\s*Temukan berita-berita hangat terpercaya dari Kantor Berita Politik RMOL.*$",
                r"^\s*Untuk mengikuti silakan klik tanda bintang\.?\s*$",
                r"^\s*EDITOR\s*:.*$",
                r"^\s*BERITA TERKAIT\s*:?.*$",
                r"^\s*LAPORAN\s*:.*$",
                r"^\s*(?:ARTIKEL LAINNYA|Populer)\s*$",
                _CAPTION_CREDIT,
            ),
            title_suffix_pattern=r"\s+[|–—-]\s+(?:Kantor Berita Politik )?RMOL(?:\.ID)?\s*$",
            site_authors=("rmol.id", "RMOL", "rmolnetwork", "Redaksi"),
        ),
        "rmol_regional": PortalRecipe(
            family="rmol_regional",
            hosts=(
                "rmolaceh.id",
                "rmolbanten.com",
                "rmolbengkulu.id",
                "rmoljabar.id",
                "rmoljatim.id",
                "rmoljawatengah.id",
                "rmollampung.id",
                "rmolpapua.id",
                "rmolsumsel.id",
                "rmolsumut.id",
            ),
            title_selectors=("div.post-content h1.title",),
            body_selectors=("div.read-content",),
            date_selectors=(".text-body-tertiary.d-inline-block.me-3",),
            author_selectors=('div.post-author a[href*="/profile/"]',),
            tag_selectors=('div.post-tags a[href*="/tag/"]',),
            drop_selectors=("div.baca-juga", "div.thumb", "figure"),
            drop_line_patterns=(
                r"^\s*Artikel ini telah tayang di .*$",
                r"^\s*Baca juga\s*:.*$",
                r"^\s*\(?sumber\s*:\s*(?:www\.)?rmol\.id\)?\s*$",  # a copy of a national story
                _CAPTION_CREDIT,
            ),
            # "RMOLBanten. Pemerintah ..." names the site, not a place: it goes.
            dateline_pattern=r"^RMOL[A-Z][A-Za-z]+(?:\.(?:com|id))?\s*(?:[.,:]\s*[-–—]?|[-–—])\s*",
            title_suffix_pattern=r"\s+[|–—-]\s+RMOL[A-Z]+(?:\.(?:ID|COM))?\s*$",
            site_authors=("rmolnetwork", "Redaksi"),
        ),
        "bisnis": PortalRecipe(
            family="bisnis",
            hosts=("bisnis.com",),
            title_selectors=("h1.detailsTitleCaption",),
            lead_selectors=("div.detailsLead",),
            body_selectors=("article.detailsContent",),
            # premium.bisnis.com dates in .authorTime; koran.bisnis.com prints "Name<br>DD/MM/YYYY HH:MM WIB".
            date_selectors=("div.detailsAttributeDates", "div.authorTime", "div.author"),
            author_selectors=("div.authorName strong", "div.author"),
            tag_selectors=("ul.detailsTagList a.detailsTagLink",),
            drop_selectors=(
                "div.baca-juga-box",
                ".baca-juga-inline",
                ".bisnisaiHeader",
                ".bisnisaiBody",
                ".bisnisaiFooter",
                ".detailsAuthor",
                "figure",
                "figcaption.detailsImgCaption",  # also outside any figure, under a .detailsCover image
                "div.detailsPaywall",
            ),
            drop_line_patterns=(
                r"^\s*Cek Berita dan Artikel yang lain di Google News.*$",
                r"^\s*Simak juga\b.*$",
                r"^\s*Disclaimer\b.*$",
                r"^\s*Baca juga\s*:?.*$",
                r"^\s*Nyaman tanpa iklan\.? Langganan BisnisPro\s*$",
                r"^\s*Langganan Bisnis.*$",
                r"googletag\.cmd\.push\(function\(\)\s*\{[^}]*\}\);?",
                r"^\s*Konten Premium\s*$",
                r"^.*Silakan login untuk menikmati.*$",
                r"^\s*#?\s*(?:Artikel Terkait|Berita Lainnya|Berita Terbaru|Hot Topic|Rekomendasi Kami)\s*$",
            ),
            dateline_pattern=r"^(?P<brand>Bisnis(?:\.com)?)\s*,\s*(?P<city>[A-Z][A-Z .]*?[A-Z])\s*[-–—]+\s*",
            dateline_format="{brand}, {city} — ",
            paywall_selectors=("div.detailsPaywall",),
            title_suffix_pattern=r"\s+[|–—-]\s+(?:[\w .]+\s+[|–—-]\s+)?Bisnis\.com\s*$",
            site_authors=("Bisnis.com", "Bisnis Indonesia"),
            older_layouts=(
                PageLayout(
                    served_until=2021,  # portals.md §2.6: "pre-2022, may appear in archived copies"
                    title_selectors=("div.description h1",),
                    body_selectors=('div[itemprop="articleBody"]',),
                    date_selectors=(".wrapper-date",),
                    drop_selectors=('div[itemprop="articleBody"] > p:last-of-type',),  # always boilerplate
                ),
            ),
        ),
    }
)


def recipe_for_url(url: str) -> PortalRecipe | None:
    """The family recipe whose hosts cover `url`'s host, or None for a site of no known family."""
    host = urlsplit(url.strip()).hostname or ""
    return next((recipe for recipe in RECIPES.values() if recipe.matches_host(host)), None)


def _check_registry() -> None:
    """Fail at import on a recipe keyed under another family's name or a host claimed twice."""
    owners: dict[str, str] = {}
    for key, recipe in RECIPES.items():
        if key != recipe.family:
            raise ConfigError(f"recipe registered as {key!r} declares family {recipe.family!r}")
        for host in recipe.hosts:
            if host in owners:
                raise ConfigError(f"host {host!r} is claimed by both {owners[host]!r} and {key!r}")
            owners[host] = key


_check_registry()
