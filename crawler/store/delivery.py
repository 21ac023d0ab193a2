"""The outbox's delivery state: due rows, claims, sent and failed attempts, postponements, retries.

A row is claimed (status `sending`, with a lease in `next_attempt_at`) and committed before it is
sent, so two dispatchers never send it at once; a claim whose lease expired is due again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from crawler.domain.errors import AlertError
from crawler.store.db import Database
from crawler.store.models import AlertOutbox, Match, StoredArticle, utcnow


class NoSuchAlert(AlertError):
    """An alert id the outbox does not hold."""


@dataclass(frozen=True, slots=True)
class DueAlert:
    """What batching needs of a due row: digests group the rows of one watch and channel."""

    id: int
    watch: str
    channel: str
    delivery: str


def due_alerts(database: Database, now: datetime) -> list[DueAlert]:
    """Due rows in creation order."""
    with database.session() as session:
        rows = session.execute(
            select(AlertOutbox.id, AlertOutbox.watch, AlertOutbox.channel, AlertOutbox.payload)
            .where(_is_due(now))
            .order_by(AlertOutbox.id)
        )
        return [
            DueAlert(row_id, watch, channel, payload.get("delivery", "immediate"))
            for row_id, watch, channel, payload in rows
        ]


def claim_alert(session: Session, row_id: int, now: datetime, lease: timedelta) -> bool:
    """Mark a due row as being sent until `now + lease`, counting the attempt; False if it is not due
    (another dispatcher took it)."""
    result = session.execute(
        update(AlertOutbox)
        .where(AlertOutbox.id == row_id, _is_due(now))
        .values(status="sending", attempts=AlertOutbox.attempts + 1, next_attempt_at=now + lease)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def alerts_by_id(session: Session, row_ids: Sequence[int]) -> list[AlertOutbox]:
    """These rows in id order."""
    query = select(AlertOutbox).where(AlertOutbox.id.in_(row_ids)).order_by(AlertOutbox.id)
    return list(session.scalars(query))


def drop_alert(session: Session, row: AlertOutbox) -> None:
    """Delete a row that no longer has anything to say (a follow-up its alert made redundant)."""
    session.delete(row)


def mark_sent(database: Database, row_ids: Sequence[int], now: datetime) -> None:
    """The claimed rows went out."""
    with database.session() as session:
        session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id.in_(row_ids), AlertOutbox.status == "sending")
            .values(status="sent", sent_at=now)
        )


def sending_alerts(session: Session, row_ids: Sequence[int]) -> list[AlertOutbox]:
    """Those of these rows still claimed, for recording how their attempt went."""
    query = select(AlertOutbox).where(AlertOutbox.id.in_(row_ids), AlertOutbox.status == "sending")
    return list(session.scalars(query))


def give_up(row: AlertOutbox, error: str, now: datetime) -> None:
    """The row will not be tried again."""
    row.last_error, row.status, row.next_attempt_at = error, "failed", now


def retry_later(row: AlertOutbox, error: str, at: datetime) -> None:
    """The row is due again at `at`."""
    row.last_error, row.status, row.next_attempt_at = error, "pending", at


def postpone_channel(database: Database, channel: str, retry_at: datetime, now: datetime) -> int:
    """Hold a channel's due rows until `retry_at` without spending their attempts; the number held."""
    with database.session() as session:
        result = session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.channel == channel, AlertOutbox.status == "pending")
            .where(AlertOutbox.next_attempt_at <= now)
            .values(next_attempt_at=retry_at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def newest_alerts(session: Session, limit: int, *, failed_only: bool = False) -> list[AlertOutbox]:
    """The latest outbox rows first."""
    query = select(AlertOutbox).order_by(AlertOutbox.id.desc()).limit(limit)
    if failed_only:
        query = query.where(AlertOutbox.status == "failed")
    return list(session.scalars(query))


def requeue_failed(database: Database, alert_id: int) -> None:
    """Put a failed row back in the queue, due now, with a fresh set of attempts and no error.

    One conditional UPDATE: of two requests at once only one finds the row failed, and a row a
    dispatcher is sending (`sending`) is never touched, so a resend cannot make it go out twice.
    """
    with database.session() as session:
        result = session.execute(
            update(AlertOutbox)
            .where(AlertOutbox.id == alert_id, AlertOutbox.status == "failed")
            .values(status="pending", attempts=0, last_error=None, next_attempt_at=utcnow())
        )
        if result.rowcount:  # type: ignore[attr-defined]
            return
        row = session.get(AlertOutbox, alert_id)
        if row is None:
            raise NoSuchAlert(f"no alert has id {alert_id}")
        raise AlertError(f"alert {alert_id} is {row.status}, not failed; only failed alerts can be retried")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An outbox row as the alerts page and API show it."""

    id: int
    watch: str
    channel: str
    kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    article_id: int | None
    title: str


OUTBOX_STATES = ("pending", "sending", "sent", "failed")


def outbox_rows(
    database: Database, *, status: str | None = None, before: int | None = None, limit: int = 50
) -> list[OutboxRow]:
    """The newest outbox rows first (older than id `before`), of one status or all."""
    query = select(AlertOutbox).order_by(AlertOutbox.id.desc()).limit(limit)
    if status:
        query = query.where(AlertOutbox.status == status)
    if before is not None:
        query = query.where(AlertOutbox.id < before)
    with database.session() as session:
        return [
            OutboxRow(
                row.id,
                row.watch,
                row.channel,
                row.kind,
                row.status,
                row.attempts,
                row.last_error,
                row.created_at,
                row.next_attempt_at,
                row.sent_at,
                row.payload.get("article", {}).get("id"),
                row.payload.get("article", {}).get("title", ""),
            )
            for row in session.scalars(query)
        ]


def outbox_counts(database: Database) -> dict[str, int]:
    """How many outbox rows are in each state."""
    with database.session() as session:
        query = select(AlertOutbox.status, func.count()).group_by(AlertOutbox.status)
        return {status: count for status, count in session.execute(query)}


def alerts_per_source_since(session: Session, since: datetime) -> dict[int | None, int]:
    """Source id -> outbox rows created since `since` for its stories."""
    query = (
        select(StoredArticle.source_id, func.count(AlertOutbox.id))
        .join(Match, AlertOutbox.match_id == Match.id)
        .join(StoredArticle, Match.article_id == StoredArticle.id)
        .where(AlertOutbox.created_at >= since)
        .group_by(StoredArticle.source_id)
    )
    return {source_id: count for source_id, count in session.execute(query)}


def _is_due(now: datetime) -> ColumnElement[bool]:
    """Pending rows whose time has come, and claims whose lease expired (their dispatcher died)."""
    return and_(
        or_(AlertOutbox.status == "pending", AlertOutbox.status == "sending"),
        AlertOutbox.next_attempt_at <= now,
    )
