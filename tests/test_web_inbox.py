"""The inbox's query layer (store/inbox.py) on SQLite and PostgreSQL: one row per story with its
copies folded under it, the filters, WIB day boundaries, cursor paging; and the page helpers that
show it: Indonesian dates, lags and highlighted terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.config import Config
from crawler.store.db import Database
from crawler.store.inbox import Cursor, CursorError, inbox_page
from crawler.store.story import story_view
from crawler.web.filters import FilterError, inbox_filter
from crawler.web.highlight import marked
from crawler.web.i18n import MESSAGES, Words
from tests.web_helpers import put_story, story_cluster

FIRST = datetime(2025, 11, 21, 2, 30, tzinfo=UTC)  # 09:30 WIB


@pytest.fixture
def stories(database: Database, default_config: Config) -> dict[str, int]:
    """A story carried by rmol then, 45 minutes later, by bisnis; and an older story of another watch."""
    cluster = story_cluster(database)
    ids = {
        "rmol": put_story(database, default_config, source="rmol", url="https://rmol.id/read/1/korea",
                          title="Korea Utara kirim insinyur", body="Korea Utara.", published_at=FIRST,
                          cluster=cluster),
        "bisnis": put_story(database, default_config, source="bisnis", url="https://bisnis.com/read/2/korea",
                            title="Korea Utara kirim insinyur ke Rusia", body="Korea Utara.",
                            published_at=FIRST + timedelta(minutes=45), cluster=cluster),
        # 00:30 WIB on 21 November is still 20 November in UTC.
        "poverty": put_story(database, default_config, source="rmol_regional", url="https://rmollampung.id/3",
                             title="Kemiskinan Lampung", body="Garis kemiskinan naik.", watch="kemiskinan",
                             term="Kemiskinan", published_at=datetime(2025, 11, 20, 17, 30, tzinfo=UTC)),
    }  # fmt: skip
    return ids


def test_copies_of_a_story_fold_under_its_first_outlet_with_their_lag(
    database: Database, stories: dict[str, int]
) -> None:
    page, cursor = inbox_page(database, inbox_filter())
    assert [story.article_id for story in page] == [stories["rmol"], stories["poverty"]]
    assert cursor is None
    lead = page[0]
    assert lead.outlets == 2
    assert [(copy.outlet, copy.lag) for copy in lead.copies] == [
        ("rmol.id", timedelta(0)),
        ("bisnis.com", timedelta(minutes=45)),
    ]
    assert page[1].outlets == 1


def test_filtering_by_source_lets_that_outlets_copy_lead(database: Database, stories: dict[str, int]) -> None:
    page, _ = inbox_page(database, inbox_filter(source="bisnis"))
    assert [story.article_id for story in page] == [stories["bisnis"]]


def test_filtering_by_watch_shows_only_its_stories_and_its_snippet(
    database: Database, stories: dict[str, int]
) -> None:
    page, _ = inbox_page(database, inbox_filter(watch="kemiskinan"))
    assert [(story.article_id, story.watches) for story in page] == [(stories["poverty"], ("kemiskinan",))]


def test_a_date_range_is_whole_wib_days(database: Database, stories: dict[str, int]) -> None:
    on_the_21st, _ = inbox_page(database, inbox_filter(since="2025-11-21", until="2025-11-21"))
    assert [story.article_id for story in on_the_21st] == [stories["rmol"], stories["poverty"]]
    on_the_20th, _ = inbox_page(database, inbox_filter(until="2025-11-20"))
    assert on_the_20th == []


def test_cursor_paging_walks_every_story_once(database: Database, stories: dict[str, int]) -> None:
    first, cursor = inbox_page(database, inbox_filter(), limit=1)
    assert cursor is not None
    second, end = inbox_page(database, inbox_filter(), after=Cursor.from_token(cursor.token()), limit=1)
    assert [story.article_id for story in first + second] == [stories["rmol"], stories["poverty"]]
    assert end is None


def test_a_cursor_this_layer_did_not_write_is_a_clear_error() -> None:
    with pytest.raises(CursorError, match="is not a cursor of this list; start again without one"):
        Cursor.from_token("bm90LWEtY3Vyc29y")


def test_a_bad_date_names_the_value_and_the_form() -> None:
    with pytest.raises(FilterError, match=r"unknown date '21/11/2025': write YYYY-MM-DD"):
        inbox_filter(since="21/11/2025")


def test_the_story_view_has_its_matches_evidence_and_every_outlet(
    database: Database, stories: dict[str, int]
) -> None:
    view = story_view(database, stories["bisnis"])
    assert view is not None
    assert view.field_sources == {"title": "recipe", "published_at": "json-ld"}
    assert [(match.watch, match.terms) for match in view.matches] == [("korea", ("Korea",))]
    assert [copy.outlet for copy in view.copies] == ["rmol.id", "bisnis.com"]
    assert story_view(database, 999_999) is None


def test_times_are_shown_in_wib_with_indonesian_months() -> None:
    moment = datetime(2025, 8, 17, 3, 5, tzinfo=UTC)
    assert Words("id").when(moment) == "17 Agu 2025 10:05 WIB"
    assert Words("en").when(moment) == "17 Aug 2025 10:05 WIB"
    assert Words("id").lag(timedelta(days=1, hours=2, minutes=5)) == "+1 h 2 j 5 m"
    assert Words("en").lag(timedelta(minutes=45)) == "+45 min"


def test_hits_cut_a_field_into_plain_and_marked_pieces_joining_overlaps() -> None:
    hits = [
        {"field": "body", "start": 0, "end": 5},
        {"field": "body", "start": 3, "end": 11},
        {"field": "title", "start": 0, "end": 2},
        {"field": "body", "start": 40, "end": 50},  # past the end: dropped
    ]
    assert marked("Korea Utara dan Rusia", hits, "body") == [("Korea Utara", True), (" dan Rusia", False)]


def test_every_message_is_said_in_both_languages() -> None:
    assert set(MESSAGES["id"]) == set(MESSAGES["en"])


def test_a_story_with_more_copies_than_a_batch_still_shows_once_led_by_its_first(
    database: Database, default_config: Config
) -> None:
    cluster = story_cluster(database)
    copies = [
        put_story(database, default_config, source="rmol", url=f"https://outlet{n}.example/korea",
                  title="Korea", body="Korea.", published_at=FIRST + timedelta(minutes=n), cluster=cluster)
        for n in range(12)
    ]  # fmt: skip
    older = put_story(database, default_config, source="rmol", url="https://rmol.id/old", title="Korea",
                      body="Korea.", published_at=FIRST - timedelta(days=1))  # fmt: skip
    first, cursor = inbox_page(database, inbox_filter(), limit=1)  # a batch is 8 rows: 11 copies precede it
    assert [(story.article_id, story.outlets) for story in first] == [(copies[0], 12)]
    assert cursor is not None
    second, _ = inbox_page(database, inbox_filter(), after=cursor, limit=1)
    assert [story.article_id for story in second] == [older]
