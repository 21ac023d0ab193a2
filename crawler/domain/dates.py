"""Portal dates, the one parser: day names, Indonesian and English months, WIB/WITA/WIT, ISO 8601,
RFC 822 (RSS `pubDate`), relative times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from crawler.domain.zones import PORTAL_ZONES, WIB

_MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# Time and zone are optional and may follow the date after commas, pipes, dashes or a bullet.
_TIME = (
    r"(?:[\s,|•\-–—]+(?:(?:pukul|jam|at)\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?"
    r"(?:\s*(?P<offset>[+-]\d{2}:?\d{2}|GMT|UTC|UT)\b)?)?"  # RFC 822 feeds: "10:20:00 +0700", "03:20 GMT"
    r"(?:\s*(?P<zone>WITA|WIT|WIB)\b)?"
)
_DAY_FIRST = re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH}\s+(?P<year>\d{{4}}){_TIME}", re.IGNORECASE)
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}){_TIME}", re.IGNORECASE)
_YEAR_FIRST_NUMERIC = re.compile(
    r"\b(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})" + _TIME, re.IGNORECASE
)
_DAY_FIRST_NUMERIC = re.compile(
    r"\b(?P<day>\d{1,2})[/-](?P<month>\d{1,2})[/-](?P<year>\d{4})" + _TIME, re.IGNORECASE
)
_ISO = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d:])"
)
_RELATIVE = re.compile(
    r"\b(?P<amount>\d+)\s+(?P<unit>detik|menit|jam|hari|minggu|pekan|bulan|tahun)\s+(?:yang\s+)?lalu\b",
    re.IGNORECASE,
)
_YESTERDAY = re.compile(r"\bkemarin\b", re.IGNORECASE)
# Months and years have no fixed length; a relative "2 bulan yang lalu" is only ever approximate.
_UNITS = {
    "detik": timedelta(seconds=1),
    "menit": timedelta(minutes=1),
    "jam": timedelta(hours=1),
    "hari": timedelta(days=1),
    "minggu": timedelta(weeks=1),
    "pekan": timedelta(weeks=1),
    "bulan": timedelta(days=30),
    "tahun": timedelta(days=365),
}


@dataclass(frozen=True, slots=True)
class Moment:
    """A date read from text, with what the text really said: a time of day, a zone, or neither.

    `span` is the (start, end) of the date in the squashed text; `relative` marks "2 jam yang lalu".
    """

    at: datetime
    has_time: bool
    has_zone: bool
    span: tuple[int, int] = (0, 0)
    relative: bool = False


def parse_indonesian_datetime(
    text: str, *, now: datetime | None = None, default_zone: tzinfo = WIB
) -> datetime | None:
    """The first date (and time) written in `text`, timezone-aware, or None when there is none.

    A WIB/WITA/WIT suffix, an ISO offset or an RFC 822 one (`+0700`, `GMT`) is kept as the
    result's offset; without one the time is read in `default_zone`. A date without a time is
    midnight local. Relative forms ("2 jam yang lalu", "kemarin") count back from `now` (default:
    the current time).
    """
    moment = read_moment(text, now=now or datetime.now(default_zone), default_zone=default_zone)
    return moment.at if moment else None


def read_moment(text: str, *, now: datetime | None = None, default_zone: tzinfo = WIB) -> Moment | None:
    """The first date in `text` and what it gave; relative forms only when `now` is known."""
    text = " ".join(text.split())
    if not text:
        return None
    iso = _ISO.search(text)
    if iso:
        return _from_iso(iso, default_zone)
    for pattern, month_is_name in (
        (_DAY_FIRST, True),
        (_MONTH_FIRST, True),
        (_YEAR_FIRST_NUMERIC, False),
        (_DAY_FIRST_NUMERIC, False),
    ):
        match = pattern.search(text)
        if match:
            return _from_parts(match, month_is_name, default_zone)
    return None if now is None else _relative(text, now, default_zone)


def _from_iso(match: re.Match[str], default_zone: tzinfo) -> Moment | None:
    text = match.group()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    has_time = len(text) > 10
    return Moment(
        at=moment if moment.tzinfo else moment.replace(tzinfo=default_zone),
        has_time=has_time,
        has_zone=moment.tzinfo is not None,
        span=match.span(),
    )


def _from_parts(match: re.Match[str], month_is_name: bool, default_zone: tzinfo) -> Moment | None:
    month = _MONTHS[match["month"].lower()] if month_is_name else int(match["month"])
    hour = int(match["hour"] or 0)
    ampm = (match["ampm"] or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    zone = _zone(match["zone"], match["offset"], default_zone)
    try:
        at = datetime(
            int(match["year"]),
            month,
            int(match["day"]),
            hour,
            int(match["minute"] or 0),
            int(match["second"] or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None
    has_zone = bool(match["zone"] or match["offset"])
    return Moment(at, has_time=match["hour"] is not None, has_zone=has_zone, span=match.span())


def _zone(name: str | None, offset: str | None, default_zone: tzinfo) -> tzinfo:
    if name:
        return PORTAL_ZONES[name.upper()]
    if offset is None:
        return default_zone
    if offset.upper() in ("GMT", "UTC", "UT"):
        return UTC
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(timedelta(minutes=minutes if offset[0] == "+" else -minutes))


def _relative(text: str, now: datetime, default_zone: tzinfo) -> Moment | None:
    if now.tzinfo is None:
        now = now.replace(tzinfo=default_zone)
    now = now.astimezone(default_zone)
    relative = _RELATIVE.search(text)
    if relative:
        unit = relative["unit"].lower()
        at = now - int(relative["amount"]) * _UNITS[unit]
        # "2 jam yang lalu" is a time of day; "3 hari yang lalu" names only the day.
        return Moment(at, has_time=unit in {"detik", "menit", "jam"}, has_zone=False, span=relative.span(),
                      relative=True)  # fmt: skip
    yesterday = _YESTERDAY.search(text)
    if yesterday:
        return Moment(
            now - timedelta(days=1), has_time=False, has_zone=False, span=yesterday.span(), relative=True
        )
    return None
