"""Portal dates, the one parser: day names, Indonesian and English months, WIB/WITA/WIT, ISO 8601,
RFC 822 (RSS `pubDate`), relative times."""

from __future__ import annotations

import re
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
    r"(?:[\s,|•\-–—]+(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
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


def parse_indonesian_datetime(
    text: str, *, now: datetime | None = None, default_zone: tzinfo = WIB
) -> datetime | None:
    """The first date (and time) written in `text`, timezone-aware, or None when there is none.

    A WIB/WITA/WIT suffix, an ISO offset or an RFC 822 one (`+0700`, `GMT`) is kept as the
    result's offset; without one the time is read in `default_zone`. A date without a time is
    midnight local. Relative forms ("2 jam yang lalu", "kemarin") count back from `now` (default:
    the current time).
    """
    text = " ".join(text.split())
    if not text:
        return None
    iso = _ISO.search(text)
    if iso:
        return _from_iso(iso.group(), default_zone)
    for pattern, month_is_name in (
        (_DAY_FIRST, True),
        (_MONTH_FIRST, True),
        (_YEAR_FIRST_NUMERIC, False),
        (_DAY_FIRST_NUMERIC, False),
    ):
        match = pattern.search(text)
        if match:
            return _from_parts(match, month_is_name, default_zone)
    return _relative(text, now, default_zone)


def _from_iso(text: str, default_zone: tzinfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=default_zone)


def _from_parts(match: re.Match[str], month_is_name: bool, default_zone: tzinfo) -> datetime | None:
    month = _MONTHS[match["month"].lower()] if month_is_name else int(match["month"])
    hour = int(match["hour"] or 0)
    ampm = (match["ampm"] or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    zone = _zone(match["zone"], match["offset"], default_zone)
    try:
        return datetime(
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


def _relative(text: str, now: datetime | None, default_zone: tzinfo) -> datetime | None:
    if now is None:
        now = datetime.now(default_zone)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=default_zone)
    now = now.astimezone(default_zone)
    relative = _RELATIVE.search(text)
    if relative:
        return now - int(relative["amount"]) * _UNITS[relative["unit"].lower()]
    if _YESTERDAY.search(text):
        return now - timedelta(days=1)
    return None
