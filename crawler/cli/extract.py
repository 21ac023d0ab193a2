"""`pantau extract FILE… --url URL`: the article extractor on saved HTML, no network, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crawler.cli.context import console
from crawler.domain.errors import ExtractionError
from crawler.extract import extract_article


def extract(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="The pages of one article, in order.")
    ],
    url: Annotated[str, typer.Option("--url", help="The URL the pages were served from.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Extract title, authors, time, body, lead, language and tags from saved pages."""
    pages = []
    for path in files:
        try:
            pages.append(path.read_bytes())
        except OSError as error:
            raise ExtractionError(f"cannot read {path}: {error.strerror}") from None
    fields = extract_article(pages, url).to_dict()
    if as_json:
        console.print_json(json.dumps(fields, ensure_ascii=False))
        return
    table = Table(show_header=False, box=None)
    for name, value in fields.items():
        shown = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        table.add_row(f"[bold]{name}[/]", shown)
    console.print(table)
