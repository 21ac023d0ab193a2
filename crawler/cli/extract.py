"""`pantau extract FILE… --url URL`: the article extractor on saved HTML, no network, no database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crawler.cli.context import console
from crawler.cli.options import SINCE_FORMS, parse_since
from crawler.domain.errors import ExtractionError
from crawler.extract import extract_article


def extract(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="The pages of one article, in order.")
    ],
    url: Annotated[str, typer.Option("--url", help="The URL the pages were served from.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    fetched_at: Annotated[
        datetime | None,
        typer.Option(
            "--fetched-at",
            parser=parse_since,
            metavar="DATE|AGE",
            help=f"When the pages were saved, for relative times ('2 jam yang lalu'): {SINCE_FORMS}.",
        ),
    ] = None,
) -> None:
    """Extract title, authors, editors, times, section, body, lead and tags from saved pages, each with
    the evidence that gave it."""
    pages = []
    for path in files:
        try:
            pages.append(path.read_bytes())
        except OSError as error:
            raise ExtractionError(f"cannot read {path}: {error.strerror}") from None
    fields = extract_article(pages, url, fetched_at=fetched_at).to_dict()
    if as_json:
        console.print_json(json.dumps(fields, ensure_ascii=False))
        return
    # Each field beside the evidence that gave it; a field nothing supported reads "not found".
    sources = fields.pop("field_sources")
    table = Table(show_header=False, box=None)
    for name, value in fields.items():
        shown = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        source = sources.get(name, "")
        if not shown and name in _REPORTED_MISSING:
            shown, source = "[dim]not found[/]", ""
        table.add_row(f"[bold]{name}[/]", shown, f"[dim]{source}[/]" if source else "")
    console.print(table)


# The fields a reader expects on a news page: their absence is reported, not left blank.
_REPORTED_MISSING = frozenset({"title", "authors", "editors", "published_at", "modified_at", "section"})
