"""Option values the commands share, parsed once: a bad one is a usage error naming the allowed form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer

from crawler.domain.dates import parse_indonesian_datetime

_AGE = re.compile(r"^\s*(?P<amount>\d+)\s*(?P<unit>[mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
SINCE_FORMS = "a date (2026-12-01, midnight WIB), a time (2026-12-01T08:00+07:00) or an age (30m, 2h, 3d, 1w)"


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The moment `--since` names, timezone-aware: an age counts back from `now`, a date is read
    by the one date parser (a date alone is midnight WIB)."""
    now = now or datetime.now(UTC)
    age = _AGE.match(text)
    moment = now - int(age["amount"]) * _UNITS[age["unit"].lower()] if age else None
    if moment is None and not text.strip().isdigit():
        moment = parse_indonesian_datetime(text, now=now)
    if moment is None or moment > now:
        raise typer.BadParameter(f"{text!r} is not a past date or an age; give {SINCE_FORMS}")
    return moment
