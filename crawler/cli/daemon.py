"""`pantau daemon`: the scheduler, in the foreground, until Ctrl-C or SIGTERM; SIGHUP reloads."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.crawl.runner import run_in_reactor
from crawler.daemon.scheduler import Daemon
from crawler.store.watches import note_ignored_config_watches


def daemon(
    ctx: typer.Context,
    standby: Annotated[
        bool,
        typer.Option(
            "--standby", help="Wait while another daemon runs on this database; take over when it stops."
        ),
    ] = False,
) -> None:
    """Crawl every enabled source on its schedule and deliver alerts; stop with Ctrl-C."""
    context = app_context(ctx)
    config, database = context.config, context.database
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.WARNING))
    metrics = None
    if config.daemon.metrics_port is not None:
        from crawler.daemon.metrics import DaemonMetrics

        metrics = DaemonMetrics(config.daemon.metrics_port)
    note_ignored_config_watches(config, database)
    console.print(
        f"pantau daemon: {len(config.sources)} sources, {len(context.watched_config.watches)} watches, "
        f"database {database.safe_url}; Ctrl-C stops, SIGHUP reloads the configuration",
        highlight=False,
    )
    run_in_reactor(Daemon(config, database, standby=standby, metrics=metrics).run)
