"""When a story was published (and last modified): candidates from every kind of evidence, checked.

A candidate is rejected when it lies in the future, or on a day other than the one the story's URL
carries. The published time prefers a candidate that gives the time of day; a line labelled as an
update is a modification, never the publication. The zone is the one the page shows; metadata in
UTC is shown in that zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from crawler.domain.dates import Moment, read_moment
from crawler.domain.zones import PORTAL_ZONES, WIB

_MODIFIED_LABEL = re.compile(
    r"\b(?:diperbarui|diperbaharui|diupdate|update[d]?|pembaruan|terakhir\s+di\w+|modified|diubah|revisi)\b",
    re.IGNORECASE,
)
_PUBLISHED_LABEL = re.compile(
    r"\b(?:diterbitkan|dipublikasikan|dipublikasi|tayang|terbit|published|posted|dibuat)\b", re.IGNORECASE
)
_PARTS = re.compile(r"\s*[·•|]\s*")
_MAX_DATE_LINE = 90  # a date line is short: a sentence that mentions a date is body text
_FUTURE_SLACK = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Candidate:
    moment: Moment
    source: str  # "recipe", "page", "json-ld", "meta", "url"


@dataclass(frozen=True, slots=True)
class Dating:
    """What the evidence gave: the published and modified times, each with its source."""

    published: Candidate | None = None
    modified: Candidate | None = None


def date_line(line: str, *, now: datetime | None) -> tuple[Moment, bool] | None:
    """The date a short visible line states, and whether the line labels it a modification.

    The line must be mostly the date: labels, separators and a name may surround it, not a sentence.
    """
    if len(line) > _MAX_DATE_LINE:
        return None
    # "Name , Jurnalis · Jum'at 19 Juni 2015 11:22 wib": the date may be one part of a byline line.
    for part in (line, *_PARTS.split(line)):
        moment = read_moment(part, now=now)
        if moment is None:
            continue
        rest = part[: moment.span[0]] + part[moment.span[1] :]
        rest = _MODIFIED_LABEL.sub(" ", _PUBLISHED_LABEL.sub(" ", rest))
        leftover = [word for word in re.findall(r"[^\W\d_]{3,}", rest) if not _is_date_word(word)]
        if len(leftover) <= 4:
            return moment, _MODIFIED_LABEL.search(line) is not None
    return None


def is_labelled(line: str) -> bool:
    """Whether a date line says what its date is: published or modified."""
    return bool(_PUBLISHED_LABEL.search(line) or _MODIFIED_LABEL.search(line))


_DATE_WORDS = frozenset({
    "senin", "selasa", "rabu", "kamis", "jum", "jumat", "jum'at", "sabtu", "minggu",
    "wib", "wita", "wit", "pukul", "lalu", "yang", "jam", "menit", "hari",
})  # fmt: skip


def _is_date_word(word: str) -> bool:
    return word.casefold() in _DATE_WORDS


def choose(
    candidates: Iterable[Candidate],
    modified_candidates: Iterable[Candidate],
    *,
    url_day: date | None,
    now: datetime | None,
    page_zone: tzinfo | None,
) -> Dating:
    """The published and modified times the checked candidates support (in evidence order)."""
    valid = [c for c in candidates if _plausible(c.moment, url_day, now)]
    published = _with_seconds(_best(valid), valid)
    zone = page_zone or _zone_of(valid)
    published = _in_zone(published, zone)
    modified = None
    if published is not None:
        later = [
            c for c in modified_candidates
            if _plausible(c.moment, None, now) and c.moment.has_time and c.moment.at >= published.moment.at
        ]  # fmt: skip
        # A "modified" time equal to the publication (to the minute) is no modification.
        later = [c for c in later if c.moment.at - published.moment.at >= timedelta(minutes=1)]
        modified = _in_zone(later[0] if later else None, zone)
    return Dating(published, modified)


def _best(candidates: list[Candidate]) -> Candidate | None:
    """The first candidate with a time of day whose day agrees with the first candidate's; else the first."""
    if not candidates:
        return None
    first = candidates[0]
    if first.moment.has_time:
        return first
    timed = [c for c in candidates if c.moment.has_time and _local_day(c.moment) == _local_day(first.moment)]
    return timed[0] if timed else first


def _with_seconds(chosen: Candidate | None, candidates: list[Candidate]) -> Candidate | None:
    """A page line gives the minute; metadata for the same minute may give the second as well."""
    if chosen is None or not chosen.moment.has_time:
        return chosen
    minute = chosen.moment.at.replace(second=0, microsecond=0)
    for other in candidates:
        same_minute = other.moment.has_time and other.moment.at.replace(second=0, microsecond=0) == minute
        if same_minute and other.moment.has_zone and other.moment.at.second:
            zone = chosen.moment.at.tzinfo
            return Candidate(replace(chosen.moment, at=other.moment.at.astimezone(zone)), chosen.source)
    return chosen


def _plausible(moment: Moment, url_day: date | None, now: datetime | None) -> bool:
    if now is not None and moment.at > now + _FUTURE_SLACK:
        return False
    return url_day is None or abs((_local_day(moment) - url_day).days) <= 1


def _local_day(moment: Moment) -> date:
    return moment.at.date() if moment.has_zone or not moment.has_time else moment.at.astimezone(WIB).date()


def _zone_of(candidates: list[Candidate]) -> tzinfo | None:
    """The zone the page itself names (WIB/WITA/WIT on a visible line)."""
    for candidate in candidates:
        if candidate.source in ("recipe", "page") and candidate.moment.has_zone:
            return candidate.moment.at.tzinfo
    return None


def _in_zone(candidate: Candidate | None, zone: tzinfo | None) -> Candidate | None:
    """The candidate shown in the zone the page names; else in its own Indonesian offset, else WIB."""
    if candidate is None:
        return None
    moment = candidate.moment
    if not moment.has_zone:
        at = moment.at.replace(tzinfo=zone or WIB)
    elif zone is not None:
        at = moment.at.astimezone(zone)
    else:
        indonesian = any(z.utcoffset(None) == moment.at.utcoffset() for z in PORTAL_ZONES.values())
        at = moment.at if indonesian else moment.at.astimezone(WIB)
    return Candidate(replace(moment, at=at), candidate.source)
