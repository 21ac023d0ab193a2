"""`pantau alerts …`: inspect the outbox, put failed alerts back, try a channel, run the dispatcher."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from crawler.alerts import AlertRenderer, DeliveryReport, build_channel, deliver_due
from crawler.alerts.rendering import QueuedAlert
from crawler.cli.context import app_context, console
from crawler.domain.errors import AlertError
from crawler.domain.watch import Watch
from crawler.store.delivery import newest_alerts, requeue_failed
from crawler.store.models import Match, StoredArticle
from crawler.store.outbox import alert_payload

app = typer.Typer(help="Inspect and deliver the alert outbox.", no_args_is_help=True)


@app.command("list")
def list_alerts(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only alerts that gave up.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N alerts.")] = 50,
) -> None:
    """The newest outbox rows: status, attempts, when next tried or when sent, and the last error."""
    with app_context(ctx).database.session() as session:
        table = Table()
        for column in ("id", "status", "kind", "watch", "channel", "attempts", "when", "title", "last error"):
            table.add_column(column)
        for row in newest_alerts(session, limit, failed_only=failed):
            when = row.sent_at if row.status == "sent" else row.next_attempt_at
            table.add_row(
                str(row.id),
                row.status,
                row.kind,
                row.watch,
                row.channel,
                str(row.attempts),
                when.isoformat(timespec="seconds") if when else "",
                row.payload.get("article", {}).get("title", ""),
                row.last_error or "",
            )
    console.print(table)


@app.command("retry")
def retry(ctx: typer.Context, alert_id: Annotated[int, typer.Argument(help="The alert's id.")]) -> None:
    """Put a failed alert back in the queue, due now, with a fresh set of attempts and no error."""
    requeue_failed(app_context(ctx).database, alert_id)
    console.print(f"alert {alert_id} is pending again and will go out on the next delivery", highlight=False)


@app.command("test")
def test(ctx: typer.Context, channel: Annotated[str, typer.Argument(help="A configured channel.")]) -> None:
    """Send a sample alert through one channel now, outside the outbox."""
    config = app_context(ctx).config
    settings = config.alerts.channels.get(channel)
    if settings is None:
        known = ", ".join(sorted(config.alerts.channels))
        raise AlertError(f"unknown alert channel {channel!r}; configured channels: {known}")
    message = AlertRenderer.from_config(config).render([_sample_alert(channel)])
    build_channel(settings, config.network.policy).send(message)
    console.print(f"sent a sample alert to {channel}", highlight=False)


@app.command("deliver")
def deliver(ctx: typer.Context) -> None:
    """Run the dispatcher once: send every due alert, back off the ones that fail."""
    context = app_context(ctx)
    report = deliver_due(context.database, context.config)
    console.print(
        f"sent {report.sent} alerts in {report.messages} messages; {unsent(report)}, "
        f"{report.dropped} follow-ups dropped as their alert named every outlet",
        highlight=False,
    )


def unsent(report: DeliveryReport) -> str:
    """What a delivery pass did not send, in the words every command uses."""
    return (
        f"{report.retrying} to retry, {report.failed} failed, "
        f"{report.postponed} held back behind a failing channel"
    )


def _sample_alert(channel: str) -> QueuedAlert:
    """A realistic alert (the RMOL seed story), with a fresh key so receivers never drop it as a repeat."""
    key = f"pantau-test:{channel}:{uuid.uuid4().hex}"
    watch = Watch(name="pantau-test", query='"Korea Utara" AND Rusia', channels=[channel])
    article = StoredArticle(
        id=0,
        url="https://dunia.rmol.id/read/2022/09/06/546353/intelijen-as-rusia-beli-roket-dan-peluru-dari-korea-utara-untuk-perang-di-ukraina",
        title="Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di Ukraina",
        published_at=datetime(2022, 9, 6, 4, 24, tzinfo=UTC),
        lead="",
    )
    match = Match(
        id=0,
        watch=watch.name,
        terms=["Korea Utara", "Rusia"],
        hits=[],
        snippet="…Rusia sedang membeli jutaan roket dan peluru artileri dari Korea Utara…",
    )
    return QueuedAlert(key, "alert", alert_payload(key, "alert", watch, article, match, []))
