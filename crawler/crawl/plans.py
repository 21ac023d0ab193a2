"""What a spider is handed: its source as a plan of plain values, the search keywords, a stored-story
lookup. The configuration, the watches and the database stay on this side (spiders see only
crawler.domain and crawler.portals)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.config import Config
from crawler.domain.crawling import SourcePlan, StoredStoryLookup
from crawler.matching import WatchSet


def source_plan(config: Config, name: str, since: datetime | None = None) -> SourcePlan:
    """The named source's values, with the crawl-wide defaults filled in; `since` (`crawl --since`)
    replaces the look-back window for this run."""
    source = config.source(name)
    lookback = timedelta(days=source.lookback_days or config.crawl.lookback_days)
    return SourcePlan(
        name=name,
        family=source.family,
        sites=tuple(source.sites),
        lookback=datetime.now(UTC) - since if since is not None else lookback,
        max_pages_per_listing=config.crawl.max_pages_per_listing,
        search_enabled=source.search_enabled,
        discovery_overrides=source.discovery_overrides(),
    )


def search_keywords(config: Config, name: str, given: Iterable[str] = ()) -> tuple[str, ...]:
    """What the source's search pages are asked for: the `given` keywords, then the terms of the
    watches that apply to the source, each once (portal searches ignore case: "DPRD Jatim" once)."""
    from_watches = WatchSet.from_config(config).search_keywords(name)
    keywords: dict[str, str] = {}
    for keyword in (*given, *from_watches):
        keywords.setdefault(" ".join(keyword.casefold().split()), keyword)
    return tuple(keywords.values())


def spider_arguments(
    config: Config,
    name: str,
    stored_stories: StoredStoryLookup,
    keywords: Iterable[str] = (),
    since: datetime | None = None,
) -> dict[str, Any]:
    """The keyword arguments of the source's spider (`PortalSpider`)."""
    return {
        "source": source_plan(config, name, since),
        "stored_stories": stored_stories,
        "keywords": search_keywords(config, name, keywords),
    }
