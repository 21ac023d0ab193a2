"""`pantau watch …`: try a query on a text, and run a watch over what is already stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crawler.cli.context import app_context, console
from crawler.domain.errors import PantauError
from crawler.matching import Hit, parse_query
from crawler.matching.text import tokens
from crawler.matching.watches import compile_watches
from crawler.store.articles import article_by_id
from crawler.store.backfill import backfill as run_backfill

app = typer.Typer(help="Try watch queries and run watches over stored stories.", no_args_is_help=True)


@app.command("test")
def test(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The query, e.g. '\"Korea Utara\" AND Rusia'.")],
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A text file (its first line is the title) or an HTML page to match."),
    ] = None,
    item: Annotated[int | None, typer.Option("--item", help="The id of a stored story to match.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Say whether and why a text matches a query; exit code 0 when it matches, 1 when not."""
    if (file is None) == (item is None):
        raise PantauError("give exactly one of --file F or --item ID")
    context = app_context(ctx)
    parsed = parse_query(query, context.config.aliases)
    fields = _file_fields(file) if file is not None else _item_fields(ctx, item or 0)
    hits = parsed.evaluate(fields)
    if as_json:
        verdict = {"matched": hits is not None, "hits": [_explained(hit, fields) for hit in hits or ()]}
        typer.echo(json.dumps(verdict, ensure_ascii=False))
    else:
        _print_hits(hits, fields)
    if hits is None:
        raise typer.Exit(1)


@app.command("backfill")
def backfill(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The watch's name.")],
) -> None:
    """Run a watch over the stored stories and the seed corpus; matches are historical, never alerted."""
    context = app_context(ctx)
    watches = {watch.name: watch for watch in compile_watches(context.watched_config)}
    if name not in watches:
        known = ", ".join(watches) or "none"
        raise PantauError(f"unknown watch {name!r}; configured watches: {known}")
    report = run_backfill(context.database, watches[name])
    seeds = f": {', '.join(report.seeds_matched)}" if report.seeds_matched else ""
    console.print(
        f"watch {report.watch!r}: {report.articles_scanned} stored stories scanned, "
        f"{report.articles_matched} matched; {report.seeds_scanned} seeds scanned, "
        f"{len(report.seeds_matched)} matched{seeds}; historical matches: {report.recorded} recorded, "
        f"{report.updated} updated, {report.removed} removed (never alerted)",
        highlight=False,
        soft_wrap=True,
    )


def _file_fields(path: Path) -> dict[str, str]:
    """A text file's first line is its title and the rest its body, so `title:` queries apply;
    an HTML page goes through the extractor."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise PantauError(f"cannot read {path}: {error.strerror}") from None
    if not text.lstrip().startswith("<"):
        title, _, body = text.lstrip().partition("\n")
        return {"title": title.strip(), "body": body}
    from crawler.extract import extract_article

    article = extract_article([text], path.resolve().as_uri())
    return {"title": article.title, "lead": article.lead, "body": article.body}


def _item_fields(ctx: typer.Context, item_id: int) -> dict[str, str]:
    with app_context(ctx).database.session() as session:
        row = article_by_id(session, item_id)
        if row is None:
            raise PantauError(f"no stored story has id {item_id}")
        return {"title": row.title, "lead": row.lead, "body": row.body or ""}


def _written(hit: Hit, fields: dict[str, str]) -> tuple[str, list[str]]:
    """The story's words a hit covers, as written, and their roots: which form matched the term."""
    written = fields[hit.field][hit.start : hit.end]
    return written, [token.stem for token in tokens(written)]


def _explained(hit: Hit, fields: dict[str, str]) -> dict[str, object]:
    written, roots = _written(hit, fields)
    return {**hit.to_dict(), "written": written, "roots": roots}


def _print_hits(hits: tuple[Hit, ...] | None, fields: dict[str, str]) -> None:
    if hits is None:
        console.print("[bold]no match[/]")
        return
    console.print(f"[bold green]matched[/]: {len(hits)} hits")
    table = Table()
    for column in ("term", "field", "offsets", "written", "roots", "snippet"):
        table.add_column(column)
    for hit in hits:
        written, roots = _written(hit, fields)
        table.add_row(hit.term, hit.field, f"{hit.start}-{hit.end}", written, " ".join(roots), hit.snippet)
    console.print(table)
