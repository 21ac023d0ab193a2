"""Source health: what a finished run says about whether its portal still reads as it should.

A portal that changes its layout rarely fails loudly: its pages still answer 200, they just stop
yielding a title, a body or a date, or its listings stop yielding stories. Each run is judged
from its own counters, and the verdict (with the reason) is kept on the source for `pantau status`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.domain import causes, counters

HEALTHY, DEGRADED, BLOCKED, UNHEALTHY, UNKNOWN = "healthy", "degraded", "blocked", "unhealthy", "unknown"
_FIELD_NAMES = {"title": "title", "body": "body", "published_at": "date"}


@dataclass(frozen=True, slots=True)
class Health:
    state: str
    reason: str | None = None


def assess_run(stats: Mapping[str, Any], status: str, crashed: str | None = None) -> Health:
    """The health a run shows: blocked on 403s, unhealthy when nothing usable came back,
    degraded when listings or pages read only partly, else healthy; an aborted run says nothing.
    """
    if status == "aborted":
        return Health(UNKNOWN, "the last run was aborted before it finished")
    if blocked := _blocked(stats):
        return Health(BLOCKED, blocked)
    if crashed:
        return Health(UNHEALTHY, f"the run crashed: {crashed}")
    if portal_unreachable(stats):
        causes = ", ".join(run_errors(stats)) or "no answer"
        return Health(UNHEALTHY, f"no feed, sitemap, listing or search page could be read ({causes})")
    listing_pages = _count(stats, counters.LISTING_PAGES)
    if listing_pages and _count(stats, counters.LISTING_PAGES_EMPTY) == listing_pages:
        return Health(UNHEALTHY, f"its listings yielded no stories ({listing_pages} pages read)")
    read = _count(stats, counters.STORIES_READ)
    broken = [
        name for key, name in _FIELD_NAMES.items() if read and _count(stats, counters.missing(key)) == read
    ]
    if broken:
        return Health(UNHEALTHY, f"none of its {read} stories yielded a {' or '.join(broken)}")
    problems = [
        f"{missing} of {read} stories yielded no {name}"
        for key, name in _FIELD_NAMES.items()
        if (missing := _count(stats, counters.missing(key))) * 2 >= read > 0 and missing
    ]
    extracted = _count(stats, counters.STORIES_EXTRACTED)
    for field, stories in (("title", read), ("date", read), ("body", extracted)):
        missed = _count(stats, counters.selector_missed(field))
        if missed and missed * 2 >= stories:
            problems.append(
                f"the recipe's {field} selectors found nothing on {missed} of {stories} stories "
                "(fallbacks read them: has the layout changed?)"
            )
    if cards := _count(stats, counters.LISTING_CARDS_MISSING):
        problems.append(f"the listing card selector found nothing on {cards} pages")
    # One search may rightly find nothing; every search of a run finding no card means the layout changed.
    search_pages = _count(stats, counters.SEARCH_PAGES)
    if search_pages and _count(stats, counters.SEARCH_CARDS_MISSING) == search_pages:
        problems.append(f"the listing card selector found nothing on any of its {search_pages} search pages")
    if searches := _count(stats, counters.SEARCH_NOT_SEARCH_PAGE):
        problems.append(f"{searches} search requests were answered with a page that is not a search page")
    if problems:
        return Health(DEGRADED, "; ".join(problems))
    return Health(HEALTHY)


BLOCKED_SHARE = 0.5
"""A portal is blocked when it answers 403 Forbidden to this share (or more) of a run's feed,
sitemap, listing and search pages, or of its story pages ..."""
BLOCKED_MIN_STORIES = 3
"""... and in the story case to at least this many: one refused story is a failed story."""
BLOCKED_RULE = (
    f"blocked: 403 Forbidden on {BLOCKED_SHARE:.0%} or more of a run's feed, sitemap, listing and search "
    f"pages, or on {BLOCKED_SHARE:.0%} or more (and at least {BLOCKED_MIN_STORIES}) of its story pages"
)


def _blocked(stats: Mapping[str, Any]) -> str | None:
    """Why the run says the portal blocks us, or None."""
    for kind, what, least in (("pages", "feed, sitemap, listing and search pages", 1),
                              ("stories", "story pages", BLOCKED_MIN_STORIES)):  # fmt: skip
        refused, answered = _count(stats, counters.forbidden(kind)), _count(stats, counters.answered(kind))
        if refused >= least and refused >= BLOCKED_SHARE * answered:
            return f"the portal answered 403 Forbidden to {refused} of {answered} {what}"
    return None


def portal_unreachable(stats: Mapping[str, Any]) -> bool:
    """No page but robots.txt answered with a success, a redirect or "not modified": the portal is
    down, refuses us or is not where the configuration says."""
    prefix = "downloader/response_status_count/"
    return not any(
        int(value) > _count(stats, f"robotstxt/response_status_count/{key.removeprefix(prefix)}")
        for key, value in stats.items()
        if key.startswith(prefix) and key.removeprefix(prefix)[:1] in "123"
    )


def run_errors(stats: Mapping[str, Any]) -> list[str]:
    """One line per kind of error the crawl met, from Scrapy's own counters, in the words of
    crawler.domain.causes (exceptions that mean the same, such as a lost connection, count together)."""
    counted: dict[str, int] = {}
    for key, value in sorted(stats.items()):
        kind = key.rsplit("/", 1)[-1]
        if key.startswith("downloader/exception_type_count/") and not kind.endswith("IgnoreRequest"):
            cause = causes.of_exception(kind)
        elif key.startswith("downloader/response_status_count/") and kind[0] in "45":
            # A missing robots.txt means "everything allowed", not an error.
            value -= stats.get(f"robotstxt/response_status_count/{kind}", 0)
            cause = causes.http_status(int(kind))
        elif key.startswith("spider_exceptions/"):
            cause = f"spider error {kind}"
        elif key == "retry/max_reached":
            cause = "gave up after retries"
        elif key == counters.XML_ENTITIES_REFUSED:
            cause = causes.XML_ENTITIES
        else:
            continue
        if value:
            counted[cause] = counted.get(cause, 0) + int(value)
    return [f"{count} × {cause}" for cause, count in counted.items()]


def _count(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)
