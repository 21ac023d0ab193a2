"""`--since`: dates, times and ages accepted; anything else refused naming the allowed forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import typer

from crawler.cli.options import SINCE_FORMS, parse_since
from crawler.domain.zones import WIB

NOW = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW - timedelta(hours=2)),
        ("30m", NOW - timedelta(minutes=30)),
        ("3d", NOW - timedelta(days=3)),
        ("1W", NOW - timedelta(weeks=1)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=WIB)),
        ("2026-12-01T08:00+07:00", datetime(2026, 12, 1, 8, 0, tzinfo=WIB)),
        ("1 Desember 2026", datetime(2026, 12, 1, tzinfo=WIB)),
    ],
)
def test_since_takes_dates_times_and_ages(text: str, expected: datetime) -> None:
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2", "2x", "2026-13-01", "2027-01-01", ""])
def test_since_refuses_anything_else_naming_the_allowed_forms(text: str) -> None:
    with pytest.raises(typer.BadParameter) as refused:
        parse_since(text, now=NOW)
    assert refused.value.message == f"{text!r} is not a past date or an age; give {SINCE_FORMS}"
