"""Exports of a filtered inbox as CSV or JSON Lines, streamed a page at a time: the inbox page and the
API (`/api/v1/stories/export`) give the same rows. One story per row, its copies folded as in the inbox."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from crawler.store.clusters import outlet_of
from crawler.store.db import Database
from crawler.store.inbox import MAX_PAGE, Cursor, InboxFilter, InboxStory, inbox_page

EXPORTS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
CSV_COLUMNS = (
    "id", "time", "title", "url", "source", "watches", "outlets", "first_outlet", "snippet", "cluster",
    "read", "starred",
)  # fmt: skip
# A spreadsheet runs a cell that starts with one of these as a formula: such cells get a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def story_record(story: InboxStory) -> dict[str, Any]:
    """A story as the API and the JSON Lines export write it."""
    return {
        "id": story.article_id,
        "title": story.title,
        "url": story.url,
        "source": story.source,
        "time": story.moment.isoformat(),
        "watches": list(story.watches),
        "snippet": story.snippet,
        "outlets": story.outlets,
        "cluster": story.cluster,
        "read": story.read,
        "starred": story.starred,
        "copies": [
            {
                "article_id": copy.article_id,
                "outlet": copy.outlet,
                "url": copy.url,
                "source": copy.source,
                "time": copy.moment.isoformat(),
                "lag_seconds": int(copy.lag.total_seconds()),
            }
            for copy in story.copies
        ],
    }


def csv_lines(stories: Iterator[InboxStory]) -> Iterator[str]:
    """The header, then one CSV line per story."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield _drained(buffer)
    for story in stories:
        first = story.copies[0].outlet if story.copies else outlet_of(story.url)
        row = (
            story.article_id, story.moment.isoformat(), story.title, story.url, story.source,
            "; ".join(story.watches), story.outlets, first, story.snippet,
            "" if story.cluster is None else story.cluster, int(story.read), int(story.starred),
        )  # fmt: skip
        writer.writerow([_inert(cell) for cell in row])
        yield _drained(buffer)


def jsonl_lines(stories: Iterator[InboxStory]) -> Iterator[str]:
    for story in stories:
        yield json.dumps(story_record(story), ensure_ascii=False) + "\n"


def every_story(database: Database, filters: InboxFilter) -> Iterator[InboxStory]:
    """Every story of the filtered inbox, newest first, a page at a time (for exports)."""
    after: Cursor | None = None
    while True:
        page, after = inbox_page(database, filters, after=after, limit=MAX_PAGE)
        yield from page
        if after is None:
            return


def export_response(database: Database, filters: InboxFilter, kind: str) -> StreamingResponse:
    """The filtered stories streamed in `kind` (a key of EXPORTS) as a download."""
    stories = every_story(database, filters)
    lines = csv_lines(stories) if kind == "csv" else jsonl_lines(stories)
    return StreamingResponse(
        lines,
        media_type=EXPORTS[kind],
        headers={"Content-Disposition": f'attachment; filename="pantau-stories.{kind}"'},
    )


def _inert(cell: object) -> object:
    """A text cell that a spreadsheet would read as a formula, made plain text."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
