"""Source rows: a configured source's identity and the health its last run showed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.store.models import Source


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
