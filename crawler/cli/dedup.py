"""`pantau dedup …`: test a saved text or page against the seeds and the archive, or two files together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.dedup.judge import NEAR_DUPLICATE_THRESHOLD
from crawler.dedup.minhash import similarity
from crawler.domain.errors import ExtractionError
from crawler.domain.verdict import Verdict
from crawler.extract import extract_article
from crawler.store.neardup import NearDuplicateIndex

app = typer.Typer(help="Check texts for duplicates of stored stories.", no_args_is_help=True)

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_ExistingFile = typer.Argument(exists=True, dir_okay=False, help="A text file, or a saved HTML page.")
_UrlOption = typer.Option("--url", help="URL an HTML page was served from (picks the portal recipe).")
_JsonOption = typer.Option("--json", help="Print JSON.")


@app.command("check")
def check(
    ctx: typer.Context,
    path: Annotated[Path, _ExistingFile],
    url: Annotated[str | None, _UrlOption] = None,
    as_json: Annotated[bool, _JsonOption] = False,
) -> None:
    """Say whether a file is a new story, or an exact or near duplicate of a seed or stored article."""
    title, body = read_story(path, url)
    with app_context(ctx).database.session() as session:
        verdict = NearDuplicateIndex().check(session, title, body)
    if as_json:
        console.print_json(json.dumps(verdict.to_dict(), ensure_ascii=False))
    else:
        console.print(describe(verdict), highlight=False, markup=False, soft_wrap=True)


@app.command("compare")
def compare(
    first: Annotated[Path, _ExistingFile],
    second: Annotated[Path, _ExistingFile],
    url: Annotated[str | None, _UrlOption] = None,
    as_json: Annotated[bool, _JsonOption] = False,
) -> None:
    """Score two files with the measure the index uses, and say whether they are duplicates."""
    score = similarity(read_story(first, url)[1], read_story(second, url)[1])
    duplicate = score >= NEAR_DUPLICATE_THRESHOLD
    if as_json:
        console.print_json(json.dumps({"similarity": round(score, 4), "duplicate": duplicate}))
    else:
        console.print(
            f"similarity {score:.4f}: {'duplicate' if duplicate else 'not a duplicate'}", soft_wrap=True
        )


def read_story(path: Path, url: str | None) -> tuple[str, str]:
    """Title and body of a text file (title: its first line), or of a saved page through the extractor."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ExtractionError(f"cannot read {path}: {error.strerror}") from None
    if path.suffix.lower() in _HTML_SUFFIXES:
        article = extract_article([content], url or path.resolve().as_uri())
        if not article.body:
            raise ExtractionError(f"{path}: no article text found in the page")
        return article.title, article.body
    text = content.decode("utf-8", errors="replace")
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line, text


def describe(verdict: Verdict) -> str:
    """One line for people: the verdict, what it duplicates and how closely."""
    if verdict.duplicate_of is None:
        return "new story"
    reference = verdict.duplicate_of
    return (
        f"{verdict.kind} duplicate of {reference.kind} {reference.id} ({reference.label}), "
        f"similarity {verdict.similarity:.4f}"
    )
