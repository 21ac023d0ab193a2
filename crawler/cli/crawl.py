"""`pantau crawl SOURCE`: one crawl, in this process, with live progress and a closing summary."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from crawler.alerts import deliver_due
from crawler.cli.alerts import unsent
from crawler.cli.context import app_context, console
from crawler.cli.options import SINCE_FORMS, parse_since
from crawler.crawl.runner import CrawlOptions, CrawlProgress, CrawlService, RunSummary, run_in_reactor
from crawler.domain.errors import Interrupted


def crawl(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="A source name from the config, e.g. rmol.")],
    keywords: Annotated[
        list[str] | None, typer.Option("--keywords", "-k", help="Search the portal for these too.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Stop after N stories.")] = None,
    replay: Annotated[
        Path | None,
        typer.Option("--replay", exists=True, dir_okay=False, help="Serve every request from this WARC."),
    ] = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="Write what is fetched to this WARC.")
    ] = None,
    alerts: Annotated[
        bool, typer.Option("--alerts/--no-alerts", help="Deliver due alerts when the crawl ends.")
    ] = True,
    since: Annotated[
        datetime | None,
        typer.Option("--since", parser=parse_since, metavar="DATE|AGE", help=f"Look back to: {SINCE_FORMS}."),
    ] = None,
) -> None:
    """Crawl one source now and store what it finds."""
    context = app_context(ctx)
    config = context.config
    config.source(source)
    service = CrawlService(config, context.database)
    options = CrawlOptions(
        keywords=tuple(keywords or ()), limit=limit, replay=replay, record=record, since=since
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[pages]} pages · {task.fields[stories]} stories"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"crawling {source}", total=None, pages=0, stories=0)

        def show(update: CrawlProgress) -> None:
            progress.update(task, pages=update.pages, stories=update.stories)

        summary = run_in_reactor(
            lambda: service.crawl(source, options, on_progress=show), on_stop=service.stop
        )
    console.print(summary_table(summary))
    if summary.status == "aborted":
        raise Interrupted(
            f"stopped: run {summary.run_id} is recorded as aborted; what it stored is kept, "
            "and its alerts go out with the next delivery"
        )
    if alerts:
        delivery = deliver_due(context.database, config)
        console.print(f"alerts: {delivery.sent} sent, {unsent(delivery)}", highlight=False)
    if summary.status != "succeeded":
        raise typer.Exit(1)


def summary_table(summary: RunSummary) -> Table:
    """The closing table of a run: every story counted once, by its final outcome."""
    table = Table(title=f"run {summary.run_id} · {summary.source} · {summary.status}")
    for column in ("pages", "stories", "new", "duplicates", "unmatched", "failed", "matched", "errors"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            str(value)
            for value in (
                summary.pages,
                summary.stories,
                summary.new,
                summary.duplicate,
                summary.unmatched,
                summary.failed,
                summary.matched,
                len(summary.errors),
            )
        )
    )
    if summary.errors:
        table.caption = "errors: " + "; ".join(summary.errors)
    return table
