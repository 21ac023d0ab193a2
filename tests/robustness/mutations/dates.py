"""Indonesian date lines: recognise them in text and write one instant in another portal's form.

The forms are the ones portals.md and issue 15 quote (`Selasa, 06 September 2022, 11:24 WIB`,
`Selasa, 06/09/2022 11:24 WIB`, `06 Sep 2022 11:24`, `Selasa, 6 September 2022 | 11:24 WIB`, …).
A form without a zone is used only for WIB pages, where portals leave the zone implied; on a WITA or
WIT page dropping the zone would change the instant a reader infers.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}

_MONTH_NUMBER = {name.casefold(): index + 1 for index, name in enumerate(MONTHS)}
_MONTH_NUMBER |= {name.casefold(): index + 1 for index, name in enumerate(SHORT_MONTHS)}
_MONTH_NUMBER |= {
    "may": 5, "aug": 8, "agt": 8, "ags": 8, "oct": 10, "dec": 12, "sept": 9,
    "january": 1, "february": 2, "march": 3, "june": 6, "july": 7, "august": 8, "october": 10,
    "december": 12,
}  # fmt: skip

_DATE_LINE = re.compile(
    r"(?:(?:senin|selasa|rabu|kamis|jum['’]?at|sabtu|minggu|ahad)\s*,?\s*)?"
    r"(?:(?P<wd>\d{1,2})\s+(?P<wmon>[a-z]{3,9})\.?\s*,?\s+(?P<wy>\d{4})"
    r"|(?P<nd>\d{1,2})[/.-](?P<nm>\d{1,2})[/.-](?P<ny>\d{4}))"
    r"(?:(?:\s*[,|•·–—-]\s*|\s+)(?:pukul\s+)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::\d{2})?"
    r"(?:\s*(?P<zone>WITA|WIB|WIT)\b)?)?",
    re.IGNORECASE,
)
_ISO_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})[-/](?P<m>\d{2})[-/](?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::\d{2}(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_COMPACT_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})/")


@dataclass(frozen=True)
class DateMention:
    """A date line found in a text: where it is, the day it names and its time of day, if any."""

    start: int
    end: int
    day: date
    hour_minute: tuple[int, int] | None
    zone: str | None


def find_date_lines(text: str) -> list[DateMention]:
    """Every visible-style date line in `text` (day name, day, month, year, time and zone optional)."""
    mentions = []
    for match in _DATE_LINE.finditer(text):
        day = _day_of(match)
        if day is None:
            continue
        hour_minute = None
        if match["h"] is not None and int(match["h"]) < 24 and int(match["mi"]) < 60:
            hour_minute = (int(match["h"]), int(match["mi"]))
        end = match.end() if hour_minute else match.end("wy") if match["wy"] else match.end("ny")
        zone = match["zone"].upper() if hour_minute and match["zone"] else None
        mentions.append(DateMention(match.start(), end, day, hour_minute, zone))
    return mentions


def _day_of(match: re.Match[str]) -> date | None:
    if match["wd"] is not None:
        month = _MONTH_NUMBER.get(match["wmon"].casefold())
        day, year = int(match["wd"]), int(match["wy"])
    else:
        month, day, year = int(match["nm"]), int(match["nd"]), int(match["ny"])
    if month is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def moments_mentioned(text: str, offset: timedelta) -> set[tuple[date, tuple[int, int] | None]]:
    """Every (day, time of day or None) `text` states in any form: date lines, ISO stamps, URL dates.

    ISO stamps with a zone are read at `offset`, so `2022-12-14T01:15:00Z` counts as 09:15 on a WITA page.
    """
    moments: set[tuple[date, tuple[int, int] | None]] = set()
    for mention in find_date_lines(text):
        moments |= {(mention.day, None), (mention.day, mention.hour_minute)}
    for match in _ISO_TIMESTAMP.finditer(text):
        try:
            stamp = datetime(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        moments.add((stamp.date(), None))
        if match["h"] is not None:
            stamp = stamp.replace(hour=int(match["h"]), minute=int(match["mi"]))
            if match["tz"] is not None:
                zone = UTC if match["tz"] == "Z" else _zone(match["tz"])
                stamp = stamp.replace(tzinfo=zone).astimezone(timezone(offset))
            moments |= {(stamp.date(), None), (stamp.date(), (stamp.hour, stamp.minute))}
    for match in _COMPACT_URL_DATE.finditer(text):
        try:
            moments.add((date(int(match["y"]), int(match["m"]), int(match["d"])), None))
        except ValueError:
            continue
    return moments


def _zone(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


Form = Callable[..., str]


def _day_name(moment: datetime) -> str:
    return DAYS[moment.weekday()]


def _apostrophe_day_name(moment: datetime) -> str:
    return "Jum'at" if moment.weekday() == 4 else DAYS[moment.weekday()]


DATETIME_FORMS: dict[str, Form] = {
    "day_dd_month_comma": lambda m, z: (
        f"{_day_name(m)}, {m.day:02d} {MONTHS[m.month - 1]} {m.year}, {m:%H:%M} {z}"
    ),
    "day_numeric": lambda m, z: f"{_day_name(m)}, {m:%d/%m/%Y %H:%M} {z}",
    "d_month_pipe": lambda m, z: f"{_day_name(m)}, {m.day} {MONTHS[m.month - 1]} {m.year} | {m:%H:%M} {z}",
    "upper_pipe": lambda m, z: (
        f"{_day_name(m)}, {m.day:02d} {MONTHS[m.month - 1]} {m.year} | {m:%H:%M} {z}".upper()
    ),
    "numeric_comma": lambda m, z: f"{m:%d/%m/%Y}, {m:%H:%M} {z}",
    "short_month_comma": lambda m, z: f"{m.day} {SHORT_MONTHS[m.month - 1]} {m.year}, {m:%H:%M} {z}",
    "apostrophe_lower_zone": lambda m, z: (
        f"{_apostrophe_day_name(m)} {m.day:02d} {MONTHS[m.month - 1]} {m.year} {m:%H:%M} {z.lower()}"
    ),
}
# Zone-less forms (`06 Sep 2022 11:24`, Bisnis's `| 18:27`, `- 09:38`): WIB is implied on Indonesian portals.
WIB_ONLY_FORMS: dict[str, Form] = {
    "short_month_bare": lambda m, z: f"{m.day:02d} {SHORT_MONTHS[m.month - 1]} {m.year} {m:%H:%M}",
    "day_month_pipe_bare": lambda m, z: f"{_day_name(m)}, {m.day} {MONTHS[m.month - 1]} {m.year} | {m:%H:%M}",
    "day_month_dash_bare": lambda m, z: f"{_day_name(m)}, {m.day} {MONTHS[m.month - 1]} {m.year} - {m:%H:%M}",
}
DAY_FORMS: dict[str, Callable[[date], str]] = {
    "day_dd_month": lambda d: f"{DAYS[d.weekday()]}, {d.day:02d} {MONTHS[d.month - 1]} {d.year}",
    "numeric": lambda d: f"{d:%d/%m/%Y}",
    "short_month": lambda d: f"{d.day} {SHORT_MONTHS[d.month - 1]} {d.year}",
    "day_d_month": lambda d: f"{DAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}",
}


def zone_label(moment: datetime) -> str | None:
    """WIB, WITA or WIT for an aware time in one of Indonesia's zones, else None."""
    offset = moment.utcoffset()
    if offset is None or offset % timedelta(hours=1):
        return None
    return ZONES.get(offset // timedelta(hours=1))


def moment_forms(moment: datetime, rng: random.Random) -> list[Callable[[datetime], str]]:
    """The date-and-time forms for a page whose stated time is `moment` (aware, page zone), shuffled."""
    zone = zone_label(moment)
    if zone is None:
        raise ValueError(f"no Indonesian zone label for offset {moment.utcoffset()}")
    forms = DATETIME_FORMS | (WIB_ONLY_FORMS if zone == "WIB" else {})
    return [partial(forms[name], z=zone) for name in rng.sample(sorted(forms), len(forms))]


def day_forms(rng: random.Random) -> list[Callable[[date], str]]:
    """The day-only forms, shuffled."""
    return [DAY_FORMS[name] for name in rng.sample(sorted(DAY_FORMS), len(DAY_FORMS))]
