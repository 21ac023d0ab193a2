"""Writing alerts into the outbox: one row per (watch, story, channel), in the caller's transaction.

The unique `dedup_key` is what makes a second alert for the same story impossible, even when two
crawler processes store copies of one story at the same moment. The payload is built here, where the
story is stored; the alerts package renders and delivers it (crawler/store/delivery.py).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.domain.article import moment_text
from crawler.domain.errors import AlertError
from crawler.domain.watch import Watch
from crawler.domain.zones import JAKARTA
from crawler.store.bulk import insert_skipping_present, table_of
from crawler.store.clusters import followed_story, outlet_of, story_outlets
from crawler.store.models import AlertOutbox, utcnow

FOLLOW_UP_SUFFIX = ":follow-up"


class AlertedArticle(Protocol):
    """What an alert reads of its stored story (a `StoredArticle`, or a `StoredStory` just written)."""

    @property
    def id(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def lead(self) -> str: ...
    @property
    def source_name(self) -> str | None: ...
    @property
    def published_local(self) -> datetime | None: ...
    @property
    def published_date_only(self) -> bool: ...
    @property
    def cluster_id(self) -> int | None: ...


class AlertedMatch(Protocol):
    """What an alert reads of its match (a `Match` row or a `StoredMatch` just written)."""

    @property
    def id(self) -> int: ...
    @property
    def watch(self) -> str: ...
    @property
    def terms(self) -> list[Any]: ...
    @property
    def hits(self) -> list[Any]: ...
    @property
    def snippet(self) -> str: ...


def enqueue_alerts(
    session: Session,
    config: Config,
    article: AlertedArticle,
    match: AlertedMatch,
    now: datetime | None = None,
) -> list[AlertOutbox]:
    """Add the outbox rows a new match calls for: an alert per channel, or at most one follow-up per story."""
    now = now or utcnow()
    watch = _watch(config, match.watch)
    if watch.muted:
        return []  # the match stays in the inbox; a muted watch sends nothing, now or when unmuted
    session.flush()  # ORM rows a caller added: their ids go into the keys and the payload
    story = story_key(article)
    other_outlets = _other_outlets(story_outlets(session, article.cluster_id), outlet_of(article.url))
    earlier = followed_story(session, article.id)
    follows = None if earlier is None else earlier.to_dict()
    due_at = next_delivery_time(watch, now)
    created: list[AlertOutbox] = []
    for channel in watch.alert_channels:
        alert_key = f"{watch.name}:{story}:{channel}"
        first_alert = _alert_with_key(session, alert_key)
        if first_alert is None:
            key, kind = alert_key, "alert"
        elif config.alerts.follow_ups and outlet_of(article.url) not in _outlets_alerted(first_alert):
            key, kind = alert_key + FOLLOW_UP_SUFFIX, "follow_up"
        else:
            continue
        values = {
            "dedup_key": key,
            "match_id": match.id,
            "watch": watch.name,
            "channel": channel,
            "kind": kind,
            "status": "pending",
            "payload": alert_payload(key, kind, watch, article, match, other_outlets, follows),
            "attempts": 0,
            "next_attempt_at": due_at,
            "created_at": now,
        }
        alert_id = _insert_unless_present(session, values)
        if alert_id is not None:
            created.append(AlertOutbox(id=alert_id, **values))
    return created


def story_key(article: AlertedArticle) -> str:
    """The story an article belongs to: its dedup cluster, or the article itself when it has none."""
    return f"cluster-{article.cluster_id}" if article.cluster_id is not None else f"article-{article.id}"


def idempotency_key(*dedup_keys: str) -> str:
    """A stable key receivers use to drop a repeat: the same rows always give the same key."""
    return hashlib.sha256("\n".join(sorted(dedup_keys)).encode()).hexdigest()[:32]


def next_delivery_time(watch: Watch, now: datetime) -> datetime:
    """When an alert of this watch is due: now, the next full hour, or the next daily time (Asia/Jakarta)."""
    local = now.astimezone(JAKARTA)
    if watch.delivery == "immediate":
        return now
    if watch.delivery == "hourly":
        slot = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    else:
        slot = datetime.combine(local.date(), watch.daily_at, tzinfo=JAKARTA)
        if slot <= local:
            slot += timedelta(days=1)
    return slot.astimezone(UTC)


def _watch(config: Config, name: str) -> Watch:
    for watch in config.watches:
        if watch.name == name:
            return watch
    raise AlertError(f"watch {name!r} is not configured, so its match cannot be alerted")


def refresh_outlets(session: Session, row: AlertOutbox) -> bool:
    """Rewrite the row's outlets from its story cluster as it is now, just before it is sent.

    Outlets keep joining a story after its alert was queued; read at delivery time, the alert names
    every outlet known by then and a follow-up (`cluster.new_outlets`) every outlet its alert did not
    name. Returns False for a follow-up with no such outlet: its alert already said it all.
    """
    payload = row.payload
    cluster_id = payload["cluster"]["id"]
    if cluster_id is None:
        return True
    outlets = story_outlets(session, cluster_id)
    cluster: dict[str, Any] = {
        "id": cluster_id,
        "other_outlets": _other_outlets(outlets, payload["article"]["outlet"]),
    }
    if row.kind == "follow_up":
        alert_key = row.dedup_key.removesuffix(FOLLOW_UP_SUFFIX)
        first_alert = _alert_with_key(session, alert_key)
        named = _outlets_alerted(first_alert) if first_alert is not None else set()
        cluster["new_outlets"] = [
            {"outlet": outlet, "url": url} for outlet, url in outlets.items() if outlet not in named
        ]
        if not cluster["new_outlets"]:
            return False
    row.payload = {**payload, "cluster": cluster}  # a new dict, so the JSON column sees the change
    return True


def _alert_with_key(session: Session, dedup_key: str) -> AlertOutbox | None:
    return session.scalar(select(AlertOutbox).where(AlertOutbox.dedup_key == dedup_key))


def _other_outlets(outlets: dict[str, str], own: str) -> list[dict[str, str]]:
    return [{"outlet": outlet, "url": url} for outlet, url in outlets.items() if outlet != own]


def _outlets_alerted(first_alert: AlertOutbox) -> set[str]:
    payload = first_alert.payload
    return {payload["article"]["outlet"]} | {item["outlet"] for item in payload["cluster"]["other_outlets"]}


def alert_payload(
    key: str,
    kind: str,
    watch: Watch,
    article: AlertedArticle,
    match: AlertedMatch,
    other_outlets: list[dict[str, str]],
    follows: dict[str, object] | None = None,
) -> dict[str, Any]:
    """Everything a channel needs; only the cluster's outlets are read again at delivery time."""
    return {
        "idempotency_key": idempotency_key(key),
        "kind": kind,
        "watch": watch.name,
        "delivery": watch.delivery,
        "article": {
            "id": article.id,
            "url": article.url,
            "title": article.title,
            "source": article.source_name,
            "outlet": outlet_of(article.url),
            "published_at": moment_text(article.published_local, date_only=article.published_date_only),
            "lead": article.lead,
        },
        "match": {
            "id": match.id,
            "terms": list(match.terms),
            "snippet": match.snippet,
            "hits": list(match.hits),
        },
        "cluster": {"id": article.cluster_id, "other_outlets": other_outlets},
        # The earlier story this one reports a new development on (a `follows` link), if any.
        "follows": follows,
    }


def _insert_unless_present(session: Session, values: dict[str, Any]) -> int | None:
    """The new row's id; None when another process inserted a row with its key first (not an error)."""
    table = table_of(AlertOutbox)
    statement = insert_skipping_present(session, table, ["dedup_key"]).returning(table.c.id)
    return session.execute(statement, values).scalar_one_or_none()
