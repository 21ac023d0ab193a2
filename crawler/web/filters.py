"""The inbox's filters as people write them (a watch, a source, WIB dates), read into an `InboxFilter`;
the pages and the API read them the same way."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from crawler.domain.zones import WIB
from crawler.store.inbox import InboxFilter


class FilterError(ValueError):
    """A filter value that cannot be read; the message says which and how to write it."""

    def __init__(self, value: str) -> None:
        super().__init__(f"unknown date {value!r}: write YYYY-MM-DD")
        self.value = value


def inbox_filter(
    watch: str | None = None, source: str | None = None, since: str | None = None, until: str | None = None
) -> InboxFilter:
    """Stories of the watch and source, from the start of `since` to the end of `until` (WIB days)."""
    since_day, until_day = _day(since), _day(until)
    return InboxFilter(
        watch=watch or None,
        source=source or None,
        since=datetime.combine(since_day, time(), WIB) if since_day else None,
        until=datetime.combine(until_day + timedelta(days=1), time(), WIB) if until_day else None,
    )


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(value) from None
