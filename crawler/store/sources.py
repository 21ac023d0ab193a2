"""Source rows: a configured source's identity, the health its last run showed, and that health with
the last run and the run history as the web's sources pages show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.store.articles import articles_per_source_since, missing_fields_per_source_since
from crawler.store.db import Database
from crawler.store.models import CrawlRun, Source
from crawler.store.runs import last_runs


def source_id(session: Session, name: str, config: Config) -> int:
    """The id of the source's row, created on first use."""
    existing = session.scalar(select(Source.id).where(Source.name == name))
    if existing is not None:
        return existing
    family = config.sources[name].family if name in config.sources else "unknown"
    with session.begin_nested():
        row = Source(name=name, family=family)
        session.add(row)
    return row.id


def sources_by_name(session: Session) -> dict[str, Source]:
    """Every source row, by name."""
    return {row.name: row for row in session.scalars(select(Source))}


def record_health(session: Session, source_id: int, state: str, reason: str | None) -> None:
    """Keep a run's health verdict on the source row, in the caller's transaction."""
    source = session.get_one(Source, source_id)
    source.health = state
    source.health_reason = reason
    source.health_checked_at = datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source's health as its last run judged it, that run, and its stories of the last 7 days."""

    name: str
    family: str
    health: str
    health_reason: str | None
    health_checked_at: datetime | None
    last_run: RunView | None
    stories_7d: int
    missing_7d: dict[str, int]
    """Of those stories, how many lack each field ("authors", "published_at")."""


@dataclass(frozen=True, slots=True)
class RunView:
    id: int
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pages_fetched: int
    items_new: int
    items_duplicate: int
    items_unmatched: int
    items_failed: int
    items_matched: int
    errors: tuple[str, ...] = ()


def source_runs(
    database: Database, name: str, *, limit: int, before: int | None = None
) -> list[RunView] | None:
    """A source's runs, newest first, `limit` of them (those older than run id `before`, when given);
    None when no source of that name has ever run."""
    with database.session() as session:
        source = session.scalar(select(Source.id).where(Source.name == name))
        if source is None:
            return None
        query = select(CrawlRun).where(CrawlRun.source_id == source)
        if before is not None:
            query = query.where(CrawlRun.id < before)
        return [_run_view(run) for run in session.scalars(query.order_by(CrawlRun.id.desc()).limit(limit))]


def source_states(database: Database, now: datetime) -> dict[str, SourceState]:
    """Every source that has a row (it has run at least once), by name."""
    with database.session() as session:
        runs = last_runs(session)
        recent = articles_per_source_since(session, now - timedelta(days=7))
        missing = missing_fields_per_source_since(session, now - timedelta(days=7))
        return {
            row.name: SourceState(
                name=row.name,
                family=row.family,
                health=row.health,
                health_reason=row.health_reason,
                health_checked_at=row.health_checked_at,
                last_run=_run_view(runs[row.id]) if row.id in runs else None,
                stories_7d=recent.get(row.id, 0),
                missing_7d=missing.get(row.id, {}),
            )
            for row in session.scalars(select(Source).order_by(Source.name))
        }


def _run_view(run: CrawlRun) -> RunView:
    return RunView(
        run.id,
        run.trigger,
        run.status,
        run.started_at,
        run.finished_at,
        run.pages_fetched,
        run.items_new,
        run.items_duplicate,
        run.items_unmatched,
        run.items_failed,
        run.items_matched,
        tuple(str(error) for error in run.errors or ()),
    )
