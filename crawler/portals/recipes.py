"""Field recipes: how a family's article pages read is data (selectors, boilerplate), not code.

Each family module declares its recipe; crawler.portals.generic has the one for sites of no known
family. Body selectors name the story's container: everything a reader sees in it is body text unless a
drop selector or a line pattern removes it, so each clean-up rule is there for boilerplate that
really sits inside the container (tests/test_cleanup_rules.py proves each one matters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import cache, cached_property

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
    site_authors: tuple[str, ...] = ()  # meta author values that name the site, not a person
    older_layouts: tuple[PageLayout, ...] = ()  # dated variants, newest first

    def __post_init__(self) -> None:
        # Compile everything now so a bad recipe (from code or config) fails when it is made.
        for selector in self.selectors:
            try:
                CSSSelector(selector, translator="html")
            except SelectorError as error:
                raise ConfigError(f"recipe {self.family!r}: bad CSS selector {selector!r}: {error}") from None
        for pattern in (*self.drop_line_patterns, self.dateline_pattern):
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
    def selectors(self) -> tuple[str, ...]:
        """Every CSS selector of the recipe (its older layouts' are checked through `in_layout`)."""
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
