"""`pantau config …`: check a configuration without running anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.config import load_config

app = typer.Typer(help="Inspect and validate the configuration.", no_args_is_help=True)


@app.command("check")
def check(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(readable=False, help="File to check; defaults to --config.")
    ] = None,
) -> None:
    """Validate a configuration file: every key, type, cron expression, ${ENV} value and query."""
    target = path or app_context(ctx).config_path
    config = load_config(target)
    console.print(
        f"{target}: OK ({len(config.sources)} sources, {len(config.watches)} watches, "
        f"{len(config.alerts.channels)} alert channels)",
        highlight=False,
    )
