"""The names of Pantau's own crawl counters (Scrapy stats keys): spiders and stages write them,
health reads them, and a typo in one place can no longer make a counter nobody reads."""

from __future__ import annotations

STORIES_READ = "pantau/stories_read"
STORIES_EXTRACTED = "pantau/stories_extracted"
STORY_PAGES_FOLLOWED = "pantau/story_pages_followed"
ALREADY_STORED = "pantau/already_stored"
ALREADY_FETCHED = "pantau/already_fetched"
NOT_MODIFIED = "pantau/not_modified"
ALL_PAGES_FORM_REFUSED = "pantau/all_pages_form_refused"
FEED_CANDIDATES_NOT_FOUND = "pantau/feed_candidates_not_found"
SITEMAPS_FOLLOWED = "pantau/sitemaps_followed"
SITEMAPS_OVER_LIMIT = "pantau/sitemaps_over_limit"
SITEMAP_INDEX_TOO_DEEP = "pantau/sitemap_index_too_deep"
SECTIONS_FOLLOWED = "pantau/sections_followed"
SECTIONS_OVER_LIMIT = "pantau/sections_over_limit"
LISTING_CARDS_MISSING = "pantau/listing_cards_missing"
SEARCH_CARDS_MISSING = "pantau/search_cards_missing"
SEARCH_NOT_SEARCH_PAGE = "pantau/search_not_search_page"
PAGING_STOPPED_NOTHING_NEW = "pantau/paging_stopped/nothing_new"
PAGING_STOPPED_LOOKBACK = "pantau/paging_stopped/lookback"
XML_ENTITIES_REFUSED = "pantau/xml_entities_refused"
STORAGE_FULL = "pantau/storage_full"  # not a count: why storing stopped, for the runner to report


def answered(kind: str) -> str:
    """Final answers (after redirects and retries) to story requests (`stories`) or to feed, sitemap,
    listing and search requests (`pages`); robots.txt is neither."""
    return f"pantau/answered/{kind}"


def forbidden(kind: str) -> str:
    """Those of `answered(kind)` that were 403 Forbidden."""
    return f"pantau/forbidden/{kind}"


def pages_read(via: str) -> str:
    """Listing pages of one discovery channel read (`listing`, `search`)."""
    return f"pantau/{via}_pages"


def pages_empty(via: str) -> str:
    """Listing pages of one discovery channel that announced no story."""
    return f"pantau/{via}_pages_empty"


def missing(field: str) -> str:
    """Stories that yielded no value for `field` (title, body, published_at)."""
    return f"pantau/missing/{field}"


def selector_missed(field: str) -> str:
    """Stories on which the recipe's selectors for `field` found nothing (a fallback may have)."""
    return f"pantau/selector_missed/{field}"


LISTING_PAGES = pages_read("listing")
LISTING_PAGES_EMPTY = pages_empty("listing")
SEARCH_PAGES = pages_read("search")
