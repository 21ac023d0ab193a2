"""`pantau watches …`: the database's watches listed, imported from and exported to YAML.

The file format is the configuration's `watches:` section, so a configuration file imports as is and
an export imports back to the same watches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crawler.cli.context import app_context, console
from crawler.config import dump_watches, load_watches_file
from crawler.store.watches import import_watches, list_watches, stored_watches

app = typer.Typer(help="List, import and export the watches kept in the database.", no_args_is_help=True)


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Every watch: name, query, sources, channels, delivery, muted, last change."""
    table = Table()
    for column in ("id", "name", "query", "sources", "channels", "delivery", "muted", "changed"):
        table.add_column(column)
    for record in list_watches(app_context(ctx).database):
        watch = record.watch
        table.add_row(
            str(record.id),
            watch.name,
            watch.query,
            ", ".join(watch.sources),
            ", ".join(watch.channels),
            watch.delivery,
            "yes" if watch.muted else "",
            f"{record.updated_at:%Y-%m-%d %H:%M} UTC by {record.updated_by}",
        )
    console.print(table)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(readable=False, help="A YAML file with a top-level 'watches:' list.")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Also delete the stored watches the file does not name.")
    ] = False,
) -> None:
    """Add or update the file's watches by name (all or none: every problem is named first)."""
    context = app_context(ctx)
    watches = load_watches_file(file, context.config)
    report = import_watches(context.database, watches, by="pantau watches import", replace=replace)
    console.print(
        f"{file}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed",
        highlight=False,
    )


@app.command("export")
def export_command(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the stored watches as YAML that `pantau watches import` reads back."""
    text = dump_watches(stored_watches(app_context(ctx).database))
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
