"""`pantau status`: per source the last run, the next run, health and the last 24 hours.

Exit codes, for monitoring: 0 when every enabled source is healthy (or not yet judged),
3 when at least one is degraded, blocked or unhealthy; 1 and 2 keep their meaning
(a Pantau error, a configuration error).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from crawler.cli.context import app_context, console
from crawler.config import Config
from crawler.crawl.health import BLOCKED, BLOCKED_RULE
from crawler.daemon.polling import current_poll_interval
from crawler.domain.zones import JAKARTA
from crawler.store.articles import articles_per_source_since
from crawler.store.db import Database
from crawler.store.delivery import alerts_per_source_since
from crawler.store.leases import SCHEDULER_LEASE, LeaseState, live_lease
from crawler.store.models import CrawlRun
from crawler.store.runs import last_runs
from crawler.store.schedule import next_runs
from crawler.store.sources import sources_by_name

if TYPE_CHECKING:
    from crawler.queue.status import QueueState

UNHEALTHY_EXIT_CODE = 3
HEALTHY_STATES = ("healthy", "unknown")
WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class LastRun:
    id: int
    status: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    new: int
    duplicate: int
    unmatched: int
    failed: int
    errors: int


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    enabled: bool
    health: str
    health_reason: str | None
    schedule: str
    poll_interval_seconds: float | None
    last_run: LastRun | None
    next_run: datetime | None
    articles_24h: int
    alerts_24h: int

    @property
    def unhealthy(self) -> bool:
        return self.enabled and self.health not in HEALTHY_STATES


def source_statuses(database: Database, config: Config, now: datetime) -> list[SourceStatus]:
    """The state of every configured source, in configuration order."""
    since = now - WINDOW
    with database.session() as session:
        rows = sources_by_name(session)
        runs = last_runs(session)
        articles = articles_per_source_since(session, since)
        alerts = alerts_per_source_since(session, since)
    scheduled = next_runs(database)
    statuses = []
    for name, source in config.sources.items():
        row = rows.get(name)
        run = runs.get(row.id) if row else None
        schedule = source.schedule
        statuses.append(
            SourceStatus(
                name=name,
                enabled=source.enabled,
                health=row.health if row else "unknown",
                health_reason=row.health_reason if row else None,
                schedule=f"cron {schedule.cron}" if schedule.cron else "interval",
                poll_interval_seconds=None
                if schedule.cron
                else current_poll_interval(schedule, row.poll_interval_seconds if row else None),
                last_run=_last_run(run) if run else None,
                next_run=scheduled[name].at if source.enabled and name in scheduled else None,
                articles_24h=articles.get(row.id, 0) if row else 0,
                alerts_24h=alerts.get(row.id, 0) if row else 0,
            )
        )
    return statuses


def _last_run(run: CrawlRun) -> LastRun:
    return LastRun(
        id=run.id,
        status=run.status,
        trigger=run.trigger,
        started_at=run.started_at,
        finished_at=run.finished_at,
        new=run.items_new,
        duplicate=run.items_duplicate,
        unmatched=run.items_unmatched,
        failed=run.items_failed,
        errors=len(run.errors),
    )


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of a table.")] = False,
) -> None:
    """Per source: last run and result, next run, health, articles and alerts in the last 24 hours."""
    context = app_context(ctx)
    database = context.database
    statuses = source_statuses(database, context.config, datetime.now(UTC))
    daemon = live_lease(database, SCHEDULER_LEASE)
    queue = None
    if not database.is_sqlite:  # the queue library is imported only where a queue can be
        from crawler.queue.status import queue_state

        queue = asyncio.run(queue_state(database))
    if as_json:
        document = {"daemon": _daemon_json(daemon), "sources": [_source_json(entry) for entry in statuses]}
        if queue is not None:
            document["queue"] = _plain(asdict(queue))
        console.print_json(json.dumps(document))
    else:
        console.print(_daemon_line(daemon), highlight=False)
        if queue is not None:
            for line in _queue_lines(queue):
                console.print(line, highlight=False)
        console.print(_table(statuses))
        if any(entry.health == BLOCKED for entry in statuses):
            console.print(BLOCKED_RULE, highlight=False)  # what the verdict means, before the reasons
        for entry in statuses:
            if entry.unhealthy:
                console.print(f"{entry.name}: {entry.health}: {entry.health_reason or 'no reason given'}")
    if any(entry.unhealthy for entry in statuses):
        raise typer.Exit(UNHEALTHY_EXIT_CODE)


def _daemon_line(daemon: LeaseState | None) -> str:
    if daemon is None:
        return "daemon: not running"
    return f"daemon: running as {daemon.process} since {_when(daemon.acquired_at)}"


def _queue_lines(queue: QueueState) -> list[str]:
    """Scale-out mode: one line per queue, one per live scheduler or worker."""
    lines = [
        f"queue {entry.name}: {entry.waiting} waiting, {entry.running} running, {entry.failed} failed, "
        f"{entry.done} done"
        for entry in queue.queues
    ]
    lines += [
        f"{entry.role} {entry.process}: since {_when(entry.since)}, heartbeat lease until "
        f"{entry.alive_until.astimezone(JAKARTA):%H:%M:%S} WIB"
        for entry in queue.processes
    ]
    return lines or ["queue: empty, no scheduler or worker running"]


def _table(statuses: list[SourceStatus]) -> Table:
    table = Table()
    for name in ("source", "health", "last run", "result", "next run", "every", "articles 24h", "alerts 24h"):
        table.add_column(name, justify="right" if name.endswith("24h") else "left")
    for entry in statuses:
        run = entry.last_run
        table.add_row(
            entry.name if entry.enabled else f"{entry.name} (disabled)",
            entry.health,
            f"#{run.id} {_when(run.started_at)} ({run.trigger})" if run else "—",
            _result(run) if run else "—",
            _when(entry.next_run) if entry.next_run else "—",
            _every(entry),
            str(entry.articles_24h),
            str(entry.alerts_24h),
        )
    return table


def _result(run: LastRun) -> str:
    counts = f"{run.new} new, {run.duplicate} dup, {run.unmatched} unmatched, {run.failed} failed"
    return f"{run.status}: {counts}" + (f", {run.errors} errors" if run.errors else "")


def _every(entry: SourceStatus) -> str:
    if entry.poll_interval_seconds is None:
        return entry.schedule
    minutes = entry.poll_interval_seconds / 60
    return f"{minutes:g} min" if minutes >= 1 else f"{entry.poll_interval_seconds:g} s"


def _when(moment: datetime) -> str:
    return moment.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")


def _daemon_json(daemon: LeaseState | None) -> dict[str, Any] | None:
    if daemon is None:
        return None
    return {"holder": daemon.holder, "since": daemon.acquired_at.isoformat()}


def _source_json(entry: SourceStatus) -> dict[str, Any]:
    document = asdict(entry)
    document["unhealthy"] = entry.unhealthy
    return _plain(document)


def _plain(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its moments as ISO 8601 strings."""
    plain: dict[str, Any] = json.loads(json.dumps(document, default=lambda moment: moment.isoformat()))
    return plain
