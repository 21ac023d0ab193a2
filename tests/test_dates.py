"""Indonesian portal date strings, as the portals print them, read into aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.extract import WIB, WIT, WITA, parse_indonesian_datetime

NOW = datetime(2025, 11, 19, 14, 15, tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Selasa, 06 September 2022, 11:24 WIB", "2022-09-06T11:24:00+07:00"),
        ("• Selasa, 06 September 2022, 11:24 WIB", "2022-09-06T11:24:00+07:00"),
        ("RABU, 19 NOVEMBER 2025 | 14:15 WIB | LAPORAN: FAISAL ARISTAMA", "2025-11-19T14:15:00+07:00"),
        ("Kamis, 24 Juli 2025", "2025-07-24T00:00:00+07:00"),
        ("Jum'at, 25 Juli 2025 | 18:27", "2025-07-25T18:27:00+07:00"),
        ("Jumat, 25 Juli 2025 | 18:27", "2025-07-25T18:27:00+07:00"),
        ("Minggu, 11 Januari 2026 | 04:59", "2026-01-11T04:59:00+07:00"),
        ("Sabtu, 2 Agu 2025 10.05 WITA", "2025-08-02T10:05:00+08:00"),
        ("2 Agt 2025", "2025-08-02T00:00:00+07:00"),
        ("Kamis, 18 Juni 2015 jam 06:25 WIB", "2015-06-18T06:25:00+07:00"),
        ("on 18 Jun 2015 at 06:25 WIB", "2015-06-18T06:25:00+07:00"),  # an English edition's date line
        ("2 Ags 2025", "2025-08-02T00:00:00+07:00"),
        ("1 Jan 2025", "2025-01-01T00:00:00+07:00"),
        ("1 Feb 2025", "2025-02-01T00:00:00+07:00"),
        ("1 Mar 2025", "2025-03-01T00:00:00+07:00"),
        ("1 Apr 2025", "2025-04-01T00:00:00+07:00"),
        ("1 Mei 2025", "2025-05-01T00:00:00+07:00"),
        ("1 Jun 2025", "2025-06-01T00:00:00+07:00"),
        ("1 Jul 2025", "2025-07-01T00:00:00+07:00"),
        ("1 Sep 2025", "2025-09-01T00:00:00+07:00"),
        ("1 Okt 2025", "2025-10-01T00:00:00+07:00"),
        ("1 Nov 2025", "2025-11-01T00:00:00+07:00"),
        ("1 Des 2025", "2025-12-01T00:00:00+07:00"),
        ("Senin, 10 November 2025 | 10:05 WIT", "2025-11-10T10:05:00+09:00"),
        ("25 July 2025 04:28 PM", "2025-07-25T16:28:00+07:00"),
        ("September 6, 2022 11:24", "2022-09-06T11:24:00+07:00"),
        ("16 October 2024", "2024-10-16T00:00:00+07:00"),
        ("2026/03/25 15:11:47", "2026-03-25T15:11:47+07:00"),
        ("2026-06-04T19:46:11+07:00", "2026-06-04T19:46:11+07:00"),
        ("2026-06-04T12:46:11Z", "2026-06-04T12:46:11+00:00"),
        ("2026-06-04 19:46", "2026-06-04T19:46:00+07:00"),
        ("15/11/2025 12:57 WIB", "2025-11-15T12:57:00+07:00"),
        ("Budi Santoso\n15/11/2025 12:57 WIB", "2025-11-15T12:57:00+07:00"),
        ("2 jam yang lalu", "2025-11-19T12:15:00+07:00"),
        ("7 menit yang lalu", "2025-11-19T14:08:00+07:00"),
        ("1 hari yang lalu", "2025-11-18T14:15:00+07:00"),
        ("3 hari lalu", "2025-11-16T14:15:00+07:00"),
        ("kemarin", "2025-11-18T14:15:00+07:00"),
    ],
)
def test_portal_date_text_is_read_with_its_offset(text: str, expected: str) -> None:
    moment = parse_indonesian_datetime(text, now=NOW)

    assert moment is not None
    assert moment.isoformat() == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "Berita Terbaru", "31 Februari 2024", "2026-13-45", "Halaman 1 2"]
)
def test_text_without_a_valid_date_gives_none(text: str) -> None:
    assert parse_indonesian_datetime(text, now=NOW) is None


def test_time_without_a_zone_is_read_in_the_default_zone() -> None:
    moment = parse_indonesian_datetime("Senin, 10 November 2025 | 10:05", default_zone=WIT)

    assert moment == datetime(2025, 11, 10, 10, 5, tzinfo=WIT)
    assert moment is not None and moment.utcoffset() == timedelta(hours=9)


def test_zone_suffix_beats_the_default_zone() -> None:
    moment = parse_indonesian_datetime("10 November 2025 10:05 WITA", default_zone=WIT)

    assert moment is not None and moment.utcoffset() == timedelta(hours=8)
    assert moment == datetime(2025, 11, 10, 10, 5, tzinfo=WITA)


def test_iso_offset_is_kept_as_written() -> None:
    moment = parse_indonesian_datetime("2025-11-10T10:05:00+09:00")

    assert moment is not None and moment.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 13 Sep 2023 10:20:00 +0700", "2023-09-13T10:20:00+07:00"),
        ("Wed, 13 Sep 2023 03:20:00 GMT", "2023-09-13T03:20:00+00:00"),
        ("Sat, 26 Jul 2025 01:15:00 +0000", "2025-07-26T01:15:00+00:00"),
        ("Sat, 26 Jul 2025 08:15:00 +08:00", "2025-07-26T08:15:00+08:00"),
        ("Fri, 25 Jul 2025 22:00:00 -0300", "2025-07-25T22:00:00-03:00"),
        ("Sat, 26 Jul 2025 08:15:00", "2025-07-26T08:15:00+07:00"),
    ],
)
def test_rss_pub_dates_keep_their_rfc_822_offset(text: str, expected: str) -> None:
    moment = parse_indonesian_datetime(text)

    assert moment is not None
    assert moment.isoformat() == expected


def test_relative_time_counts_back_from_a_naive_now_read_as_the_default_zone() -> None:
    moment = parse_indonesian_datetime("2 jam yang lalu", now=datetime(2025, 11, 19, 3, 0))

    assert moment == datetime(2025, 11, 19, 1, 0, tzinfo=WIB)


def test_relative_time_from_a_utc_now_is_given_in_the_default_zone() -> None:
    moment = parse_indonesian_datetime("7 menit yang lalu", now=datetime(2025, 11, 19, 7, 15, tzinfo=UTC))

    assert moment is not None and moment.isoformat() == "2025-11-19T14:08:00+07:00"
