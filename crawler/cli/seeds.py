"""`pantau seeds import DIR`: add text captures of known stories to the seed corpus and its index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.store.seeds import import_seeds

app = typer.Typer(help="Manage the seed corpus of already known stories.", no_args_is_help=True)


@app.command("import")
def import_folder(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder of *.txt seed files.")],
) -> None:
    """Import and index every *.txt file not imported yet (by file name); safe to run again."""
    result = import_seeds(app_context(ctx).database, folder)
    console.print(
        f"{folder}: {result.imported} imported ({result.duplicates} repeat a stored story), "
        f"{result.already_present} already present",
        highlight=False,
        soft_wrap=True,
    )
