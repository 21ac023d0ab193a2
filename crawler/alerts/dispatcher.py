"""Delivering the outbox: claim due rows, send them, record the outcome; retry with capped backoff.

A row is claimed and committed before it is sent, so two dispatchers never send it at once
(crawler/store/delivery.py). A dispatcher that dies between sending and recording leaves the claim
to expire; the row is then sent again with the same idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.alerts.channels import AlertRejected, Channel, build_channel
from crawler.alerts.rendering import AlertRenderer, QueuedAlert
from crawler.config import AlertsConfig, Config, WebhookChannel
from crawler.domain.errors import AlertError
from crawler.domain.watch import WATCH_WEBHOOK
from crawler.store.db import Database
from crawler.store.delivery import (
    alerts_by_id,
    claim_alert,
    drop_alert,
    due_alerts,
    give_up,
    mark_sent,
    postpone_channel,
    retry_later,
    sending_alerts,
)
from crawler.store.models import utcnow
from crawler.store.outbox import refresh_outlets
from crawler.store.watches import watch_by_name

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)


@dataclass
class DeliveryReport:
    """What one pass did, counted in outbox rows (a digest is one message for several rows).

    `dropped` counts follow-ups deleted because their alert already named every outlet.
    """

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    postponed: int = 0
    dropped: int = 0
    messages: int = 0


@dataclass(frozen=True, slots=True)
class _Batch:
    """Rows that go out as one message: one alert, or every due alert of one digest."""

    channel: str
    row_ids: tuple[int, ...]


class Dispatcher:
    """Sends due outbox rows through the configured channels."""

    def __init__(
        self,
        database: Database,
        config: Config,
        channels: Mapping[str, Channel] | None = None,
        lease: timedelta = CLAIM_LEASE,
    ) -> None:
        self._database = database
        self._settings = config.alerts
        self._channel_settings = config.alerts.channels
        self._egress = config.network.policy
        self._channels = dict(channels or {})
        self._renderer = AlertRenderer.from_config(config)
        self._lease = lease

    def deliver_due(self, now: datetime | None = None) -> DeliveryReport:
        """One pass over every due row; a channel that fails is left alone for the rest of the pass."""
        now = now or utcnow()
        report = DeliveryReport()
        channels_down: dict[str, datetime] = {}
        for batch in self._due_batches(now):
            if batch.channel in channels_down:
                continue
            claimed, alerts = self._claim(batch, now, report)
            if not alerts:
                continue
            retry_channel_at = self._deliver(claimed, alerts, now, report)
            if retry_channel_at is not None:
                channels_down[claimed.channel] = retry_channel_at
        for channel, retry_at in channels_down.items():
            # A failing channel's other due rows wait for its next retry, without spending their attempts.
            report.postponed += postpone_channel(self._database, channel, retry_at, now)
        return report

    def _deliver(
        self, batch: _Batch, alerts: list[QueuedAlert], now: datetime, report: DeliveryReport
    ) -> datetime | None:
        """Render and send one claimed batch and record how it went; returns when to try its channel
        again if the channel itself is down. Whatever goes wrong, no row is left claimed."""
        try:
            message = self._renderer.render(alerts)
        except Exception as error:  # a broken template fails its own alerts, not the channel
            log.warning("alert %s cannot be rendered", batch.row_ids, exc_info=True)
            self._record_failure(batch, _reason("cannot render the message", error), now, report)
            return None
        try:
            self._channel(batch.channel).send(message)
        except AlertRejected as error:
            log.warning("alert channel %s: %s", batch.channel, error)
            self._record_failure(batch, str(error), now, report, permanent=True)
            return None
        except AlertError as error:
            log.warning("alert channel %s: %s", batch.channel, error)
            return self._record_failure(batch, str(error), now, report)
        except Exception as error:  # not a known way for the channel to fail: count it against this alert
            log.exception("alert channel %s failed unexpectedly", batch.channel)
            reason = _reason(f"alert channel {batch.channel} failed unexpectedly", error)
            self._record_failure(batch, reason, now, report)
            return None
        mark_sent(self._database, batch.row_ids, now)
        report.sent += len(alerts)
        report.messages += 1
        return None

    def _channel(self, name: str) -> Channel:
        if name not in self._channels:
            settings = self._channel_settings.get(name) or self._watch_webhook(name)
            if settings is None:
                raise AlertError(f"alert channel {name!r} is no longer configured")
            self._channels[name] = build_channel(settings, self._egress)
        return self._channels[name]

    def _watch_webhook(self, channel: str) -> WebhookChannel | None:
        """A watch's own webhook, as the database has it now (an editor may have changed it)."""
        if not channel.startswith(WATCH_WEBHOOK):
            return None
        record = watch_by_name(self._database, channel.removeprefix(WATCH_WEBHOOK))
        if record is None or record.watch.webhook is None:
            return None
        return WebhookChannel(type="webhook", url=record.watch.webhook)

    def _due_batches(self, now: datetime) -> list[_Batch]:
        """Due rows in creation order; the rows of one digest (watch, channel) form one batch."""
        batches: list[tuple[str, list[int]]] = []
        digests: dict[tuple[str, str], list[int]] = {}
        for due in due_alerts(self._database, now):
            if due.delivery == "immediate":
                batches.append((due.channel, [due.id]))
            elif (due.watch, due.channel) in digests:
                digests[due.watch, due.channel].append(due.id)
            else:
                digests[due.watch, due.channel] = [due.id]
                batches.append((due.channel, digests[due.watch, due.channel]))
        return [_Batch(channel, tuple(row_ids)) for channel, row_ids in batches]

    def _claim(
        self, batch: _Batch, now: datetime, report: DeliveryReport
    ) -> tuple[_Batch, list[QueuedAlert]]:
        """Mark the batch's rows as being sent, with their story's outlets as they are now, and commit.

        Rows another dispatcher took are left out; a follow-up its alert has made redundant is deleted,
        so a later outlet can still bring one about.
        """
        with self._database.session() as session:
            claimed = [row_id for row_id in batch.row_ids if claim_alert(session, row_id, now, self._lease)]
            alerts = []
            for row in alerts_by_id(session, claimed):
                if refresh_outlets(session, row):
                    alerts.append(QueuedAlert(row.dedup_key, row.kind, row.payload))
                else:
                    claimed.remove(row.id)
                    drop_alert(session, row)
                    report.dropped += 1
        return _Batch(batch.channel, tuple(claimed)), alerts

    def _record_failure(
        self, batch: _Batch, error: str, now: datetime, report: DeliveryReport, permanent: bool = False
    ) -> datetime:
        """Back off each row, or give it up (after `max_attempts`, or at once when `permanent`);
        returns when to try the channel again."""
        retry_at = now + backoff(self._settings, 1)
        with self._database.session() as session:
            for row in sending_alerts(session, batch.row_ids):
                if permanent or row.attempts >= self._settings.max_attempts:
                    give_up(row, error, now)
                    report.failed += 1
                else:
                    retry_at = now + backoff(self._settings, row.attempts)
                    retry_later(row, error, retry_at)
                    report.retrying += 1
        return retry_at


def deliver_due(database: Database, config: Config, now: datetime | None = None) -> DeliveryReport:
    """Send every due outbox row once through the configured channels."""
    return Dispatcher(database, config).deliver_due(now)


def backoff(settings: AlertsConfig, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from `backoff_seconds`, capped."""
    seconds = min(settings.backoff_seconds * 2 ** (attempts - 1), settings.max_backoff_seconds)
    return timedelta(seconds=seconds)


def _reason(context: str, error: Exception) -> str:
    """The error recorded on a row: an `AlertError` says it all, anything else gets its type and context."""
    if isinstance(error, AlertError):
        return str(error)
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return f"{context}: {detail}"
