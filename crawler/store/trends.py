"""Counts over time for the trends page and the sources' sparklines: matched stories per WIB day per
watch (a story counted once however many outlets carried it), and each outlet's share of the copies.

Days are WIB days, counted by the database (grouped, never read row by row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Row, cast, func, literal_column, select

from crawler.domain.zones import WIB
from crawler.store.db import Database
from crawler.store.models import Match, Source, StoredArticle

PERIODS = (7, 30, 90)


@dataclass(frozen=True, slots=True)
class Trends:
    """`days` WIB days ending today; per watch one count per day; per outlet its copies per day."""

    days: tuple[date, ...]
    per_watch: dict[str, list[int]]
    per_outlet: dict[str, list[int]]

    def outlet_shares(self) -> list[tuple[str, int, float]]:
        """Each outlet's copies over the period and its share of all copies, largest first."""
        totals = {outlet: sum(counts) for outlet, counts in self.per_outlet.items()}
        whole = sum(totals.values()) or 1
        return sorted(
            ((outlet, total, total / whole) for outlet, total in totals.items()),
            key=lambda item: (-item[1], item[0]),
        )


def _wib_day(database: Database) -> ColumnElement[date]:
    moment = func.coalesce(StoredArticle.published_at, StoredArticle.first_seen)
    if database.is_sqlite:
        return func.date(moment, "+7 hours")
    return cast(moment.op("AT TIME ZONE")(literal_column("'Asia/Jakarta'")), Date)


def trends(database: Database, days: int, last_day: date) -> Trends:
    """Matched stories per watch and copies per outlet, per WIB day, over `days` days up to `last_day`."""
    today = last_day
    span = tuple(today - timedelta(days=back) for back in range(days - 1, -1, -1))
    since = datetime.combine(span[0], datetime.min.time(), WIB)
    until = datetime.combine(today + timedelta(days=1), datetime.min.time(), WIB)
    day = _wib_day(database)
    moment = func.coalesce(StoredArticle.published_at, StoredArticle.first_seen)
    story = func.coalesce(StoredArticle.cluster_id, -StoredArticle.id)
    with database.session() as session:
        watch_rows = session.execute(
            select(Match.watch, day, func.count(story.distinct()))
            .join(StoredArticle, Match.article_id == StoredArticle.id)
            .where(moment >= since, moment < until)
            .group_by(Match.watch, day)
        ).all()
        outlet_rows = session.execute(
            select(Source.name, day, func.count())
            .select_from(StoredArticle)
            .join(Source, StoredArticle.source_id == Source.id)
            .where(moment >= since, moment < until, StoredArticle.matches.any())
            .group_by(Source.name, day)
        ).all()
    return Trends(span, _series(watch_rows, span), _series(outlet_rows, span))


def newest_matched_day(database: Database) -> date | None:
    """The WIB day of the newest matched story (where a quiet archive's trends end), or None."""
    moment = func.coalesce(StoredArticle.published_at, StoredArticle.first_seen)
    with database.session() as session:
        newest = session.scalar(select(func.max(moment)).where(StoredArticle.matches.any()))
    return newest.astimezone(WIB).date() if isinstance(newest, datetime) else _parsed(newest)


def _parsed(value: object) -> date | None:
    """SQLite gives max() of a time column back as text."""
    if value is None:
        return None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC).astimezone(WIB).date()


def stories_per_day(database: Database, days: int, now: datetime) -> dict[str, list[int]]:
    """Per source, its stored stories per WIB day over the last `days` days (the sparklines)."""
    today = now.astimezone(WIB).date()
    span = tuple(today - timedelta(days=back) for back in range(days - 1, -1, -1))
    since = datetime.combine(span[0], datetime.min.time(), WIB)
    day = _wib_day(database)
    moment = func.coalesce(StoredArticle.published_at, StoredArticle.first_seen)
    with database.session() as session:
        rows = session.execute(
            select(Source.name, day, func.count())
            .select_from(StoredArticle)
            .join(Source, StoredArticle.source_id == Source.id)
            .where(moment >= since)
            .group_by(Source.name, day)
        ).all()
    return _series(rows, span)


def _series(rows: Iterable[Row[str, Any, int]], span: tuple[date, ...]) -> dict[str, list[int]]:
    """(name, day, count) rows as one count per day of `span` per name."""
    index = {day: position for position, day in enumerate(span)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(span))
    for name, day, count in rows:
        position = index.get(day if isinstance(day, date) else date.fromisoformat(str(day)))
        if position is not None:
            series[name][position] += count
    return dict(sorted(series.items()))
