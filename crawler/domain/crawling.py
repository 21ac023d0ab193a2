"""What the crawl side hands its spiders, and what their requests carry: spiders see these values,
never the configuration, the database or the middlewares that read the same request meta."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

STORY = "pantau_story"
"""Request meta key that marks a request for a story page (as opposed to a listing or feed)."""
PAGE_OF = "pantau_page_of"
"""Request meta key of a story's second and later pages: the story URL they belong to."""
NOT_STORED = "pantau_not_stored"
"""Request meta key: the spider checked, with the rest of its listing page, that the story is not stored."""
SKIPPED = "pantau_skipped"
"""Request meta key set when Pantau itself drops a story request (stored already, fetched already in
this run): such a story is no story of this run, unlike one a portal or robots.txt refused."""


class StoredStoryLookup(Protocol):
    """Which canonical URLs are stored already; a spider asks once per listing page."""

    def among(self, keys: Iterable[str]) -> set[str]: ...


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """One configured source as its spider needs it: plain values, resolved against the defaults."""

    name: str
    family: str
    sites: tuple[str, ...]
    lookback: timedelta
    max_pages_per_listing: int
    search_enabled: bool = True
    # Discovery values the source's config sets instead of its family's (feeds, listings, search, …).
    discovery_overrides: Mapping[str, str | tuple[str, ...]] | None = None
