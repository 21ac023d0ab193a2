"""`pantau items …`: list, show and export the stored stories."""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from crawler.cli.context import app_context, console
from crawler.cli.options import SINCE_FORMS, parse_since
from crawler.domain.article import moment_text
from crawler.domain.errors import PantauError
from crawler.store.articles import all_articles, article_by_id, duplicated_document, newest_articles
from crawler.store.clusters import cluster_seed_names, follow_ups, followed_story, outlet_of, story_outlets
from crawler.store.db import Session
from crawler.store.models import StoredArticle
from crawler.store.search import rebuild

app = typer.Typer(help="List, show and export stored stories.", no_args_is_help=True)

EXPORT_FIELDS = (
    "id", "url", "canonical_url", "title", "authors", "editors", "source_org", "published_at", "modified_at",
    "section", "body", "lead", "language", "tags", "field_sources", "source", "first_seen", "duplicate_of",
    "matches",
)  # fmt: skip
# `items show` lists the matches apart, with their provenance, and adds the dedup verdict and cluster.
SHOWN_FIELDS = (*(field for field in EXPORT_FIELDS if field != "matches"), "verdict", "cluster", "follows")


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


@app.command("list")
def list_items(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N stories.")] = 50,
    matched: Annotated[bool, typer.Option("--matched", help="Only stories that matched a watch.")] = False,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since", parser=parse_since, metavar="DATE|AGE", help=f"First seen since: {SINCE_FORMS}."
        ),
    ] = None,
) -> None:
    """The newest stored stories."""
    with app_context(ctx).database.session() as session:
        rows = newest_articles(session, limit, matched_only=matched, since=since)
        table = Table()
        for column in ("id", "source", "published", "title", "verdict", "watches"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                str(row.id),
                row.source.name if row.source else "",
                moment_text(row.published_local, date_only=row.published_date_only, timespec="minutes") or "",
                row.title,
                _list_verdict(session, row),
                ", ".join(match.watch for match in row.matches),
            )
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, item_id: Annotated[int, typer.Argument(help="The story's id.")]) -> None:
    """Every field of one story, with the provenance of each watch it matched."""
    with app_context(ctx).database.session() as session:
        row = article_by_id(session, item_id)
        if row is None:
            raise PantauError(f"no stored story has id {item_id}")
        record = export_record(session, row)
        record.update(
            verdict=_verdict_text(row),
            cluster=_cluster_text(session, row),
            follows=_follows_text(session, row),
        )
        matches = [(match.watch, match.historical, match.hits) for match in row.matches]
    table = Table(show_header=False, box=None)
    for name in SHOWN_FIELDS:
        value = record[name]
        table.add_row(
            f"[bold]{name}[/]", escape(", ".join(value) if isinstance(value, list) else str(value or ""))
        )
    console.print(table)
    for watch, historical, hits in matches:
        console.print(f"[bold]match[/] {watch}{' (historical)' if historical else ''}", highlight=False)
        for hit in hits:
            console.print(
                f"  {hit['term']!r} in {hit['field']} [{hit['start']}:{hit['end']}]: {hit['snippet']}",
                highlight=False,
                markup=False,
            )


@app.command("export")
def export(
    ctx: typer.Context,
    format: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv.")] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
) -> None:
    """Every stored story with its source, first sighting, duplicate and matches."""
    stream: IO[str] = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with app_context(ctx).database.session() as session:
            records = (export_record(session, row) for row in all_articles(session))
            if format is ExportFormat.jsonl:
                for record in records:
                    stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS)
                writer.writeheader()
                for record in records:
                    writer.writerow({key: _csv_cell(value) for key, value in record.items()})
    finally:
        if output:
            stream.close()


@app.command("reindex")
def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index of every stored story. Run it after upgrading Pantau: the index keeps
    each word's root, and a new word analyser may give another (`menyetujui`: `tuju`, now `setuju`)."""
    with app_context(ctx).database.writing() as session:
        count = rebuild(session.connection())
    console.print(f"stories re-indexed: {count}")


def export_record(session: Session, row: StoredArticle) -> dict[str, Any]:
    """One story as exported: the extract fields plus source, first_seen, duplicate_of and matches."""
    return {
        "id": row.id,
        "url": row.url,
        "canonical_url": row.canonical_url,
        "title": row.title,
        "authors": list(row.authors),
        "editors": list(row.editors),
        "source_org": row.source_org or None,
        "published_at": moment_text(row.published_local, date_only=row.published_date_only),
        "modified_at": moment_text(row.modified_local),
        "section": row.section or None,
        "body": row.body,
        "lead": row.lead,
        "language": row.language,
        "tags": list(row.tags),
        "field_sources": dict(row.field_sources),
        "source": row.source.name if row.source else None,
        "first_seen": row.first_seen.isoformat(),
        "duplicate_of": _duplicate_of(session, row),
        "matches": [match.watch for match in row.matches],
    }


def _duplicate_of(session: Session, row: StoredArticle) -> str | None:
    """The duplicated article's URL, or `seed:` and the seed's file name."""
    document = duplicated_document(session, row)
    if document is None:
        return None
    return document.label if document.kind == "article" else f"seed:{document.label}"


def _verdict_text(row: StoredArticle) -> str:
    """The dedup verdict and its score; an unchecked story says why it has neither."""
    if row.verdict == "unchecked":
        return "unchecked (no text was read: no watch could match the page, or it had no body)"
    if row.similarity is None:
        return row.verdict
    return f"{row.verdict}, similarity {row.similarity:.4f}"


def _list_verdict(session: Session, row: StoredArticle) -> str:
    """The verdict, and for a follow-up the id of the story it reports a new development on."""
    earlier = followed_story(session, row.id)
    if earlier is None:
        return row.verdict
    return f"{row.verdict}, follows {earlier.kind} {earlier.id}"


def _follows_text(session: Session, row: StoredArticle) -> str:
    """The earlier story this one reports a new development on, and the later ones that follow it up."""
    parts = []
    earlier = followed_story(session, row.id)
    if earlier is not None:
        parts.append(f"new development on {earlier.kind} {earlier.id} ({earlier.label})")
    later = follow_ups(session, row.id)
    if later:
        parts.append(f"followed up by article {', '.join(str(article_id) for article_id in later)}")
    return "; ".join(parts) or "none"


def _cluster_text(session: Session, row: StoredArticle) -> str:
    """The story cluster and every other outlet (first copy each) and seed text that carried it."""
    if row.cluster_id is None:
        return "none"
    own = outlet_of(row.url)
    outlets = {outlet: url for outlet, url in story_outlets(session, row.cluster_id).items() if outlet != own}
    seeds = cluster_seed_names(session, row.cluster_id)
    others = [f"{outlet} ({url})" for outlet, url in outlets.items()] + [f"seed {name}" for name in seeds]
    return (
        f"{row.cluster_id}: also carried by {', '.join(others)}"
        if others
        else f"{row.cluster_id}: no other outlet"
    )


def _csv_cell(value: Any) -> Any:
    if isinstance(value, dict):  # field sources: "title=recipe; authors=byline"
        return "; ".join(f"{key}={source}" for key, source in value.items())
    return "; ".join(value) if isinstance(value, list) else value
