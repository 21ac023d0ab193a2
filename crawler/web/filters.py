"""The inbox's filters as people write them (a watch, a source, WIB dates, words to search, a story's
cluster, the reader's marks), read into an `InboxFilter`; the pages, the API and the exports read
them the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from crawler.domain.zones import WIB
from crawler.store.inbox import InboxFilter
from crawler.store.marks import READ_STATES

FILTER_NAMES = ("watch", "source", "since", "until", "q", "cluster", "read", "starred", "hidden")


_HOW = {
    "date": "unknown date {value!r}: write YYYY-MM-DD",
    "cluster": "unknown cluster {value!r}: write a story cluster's number",
    "read": "unknown read state {value!r}: write read or unread",
}


class FilterError(ValueError):
    """A filter value that cannot be read; the message says which and how to write it, and `kind`
    which filter it was (the pages say it in the reader's language: `bad_date`, `bad_cluster`, …)."""

    def __init__(self, value: str, kind: str = "date") -> None:
        super().__init__(_HOW[kind].format(value=value))
        self.value = value
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ChosenFilters:
    """The filters as written in the query string (what the form shows again and links carry)."""

    watch: str = ""
    source: str = ""
    since: str = ""
    until: str = ""
    q: str = ""
    cluster: str = ""
    read: str = ""
    starred: str = ""
    hidden: str = ""

    def query(self) -> dict[str, str]:
        """The filters that are set, for a URL."""
        return {name: getattr(self, name) for name in FILTER_NAMES if getattr(self, name)}


def inbox_filter(
    watch: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    *,
    search: str | None = None,
    cluster: str | None = None,
    reader: int | None = None,
    read: str | None = None,
    starred: str | None = None,
    hidden: str | None = None,
) -> InboxFilter:
    """Stories of the watch and source, from the start of `since` to the end of `until` (WIB days),
    holding every word of `search`, of one cluster, with the reader's marks."""
    since_day, until_day = _day(since), _day(until)
    if read and read not in READ_STATES:
        raise FilterError(read, "read")
    return InboxFilter(
        watch=watch or None,
        source=source or None,
        since=datetime.combine(since_day, time(), WIB) if since_day else None,
        until=datetime.combine(until_day + timedelta(days=1), time(), WIB) if until_day else None,
        search=(search or "").strip() or None,
        cluster=_cluster(cluster),
        reader=reader,
        read=read or None,
        starred=_flag(starred),
        hidden=_flag(hidden),
    )


def chosen_filter(chosen: ChosenFilters, reader: int | None) -> InboxFilter:
    """The filters of a query string, for this reader's marks."""
    return inbox_filter(
        chosen.watch,
        chosen.source,
        chosen.since,
        chosen.until,
        search=chosen.q,
        cluster=chosen.cluster,
        reader=reader,
        read=chosen.read,
        starred=chosen.starred,
        hidden=chosen.hidden,
    )


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FilterError(value) from None


def _cluster(value: str | None) -> int | None:
    if not value:
        return None
    if not value.strip().isdigit() or not 0 < int(value) < 2**31:
        raise FilterError(value, "cluster")
    return int(value)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
