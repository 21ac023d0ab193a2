"""What feeds, sitemaps, listings and search pages announce: stories with a title and maybe a date."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from crawler.domain.dates import parse_indonesian_datetime


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
