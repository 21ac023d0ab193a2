"""`pantau dedup …`: test a saved text or page against the seeds and the archive, or two files together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from crawler.cli.context import app_context, console
from crawler.dedup.facts import latest_day
from crawler.dedup.features import CORRECTS_OTHER, LATER_DAY, NEW_DEVELOPMENT, RECAPS_EARLIER, RECAPS_LATER
from crawler.dedup.judge import (
    MODEL,
    NEAR_DUPLICATE_THRESHOLD,
    WHOLLY_CONTAINED,
    Judgement,
    judge_pair,
)
from crawler.dedup.minhash import MinHasher, similarity
from crawler.dedup.profile import StoryReading, profile_of, read_story
from crawler.dedup.text import document_text, normalise_text
from crawler.domain.errors import ExtractionError, PantauError
from crawler.domain.verdict import Verdict
from crawler.extract import extract_article
from crawler.store.articles import stored_story
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
    title, body = read_story_file(path, url)
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
    score = similarity(read_story_file(first, url)[1], read_story_file(second, url)[1])
    duplicate = score >= NEAR_DUPLICATE_THRESHOLD
    if as_json:
        console.print_json(json.dumps({"similarity": round(score, 4), "duplicate": duplicate}))
    else:
        console.print(
            f"similarity {score:.4f}: {'duplicate' if duplicate else 'not a duplicate'}", soft_wrap=True
        )


@app.command("explain")
def explain(
    ctx: typer.Context,
    first: Annotated[str, typer.Argument(help="The earlier story: a stored article id or URL, or a file.")],
    second: Annotated[str, typer.Argument(help="The later story: a stored article id or URL, or a file.")],
    url: Annotated[str | None, _UrlOption] = None,
) -> None:
    """Every feature the judge weighs for two stories, the facts each adds, and its decision."""
    texts = [_story_text(ctx, reference, url) for reference in (first, second)]
    hasher = MinHasher()
    readings = [read_story(text) for text in texts]
    sides = [
        (profile_of(reading), hasher.signature_of_normalised(normalise_text(text)))
        for reading, text in zip(readings, texts, strict=True)
    ]
    for line in explanation(judge_pair(hasher, sides[0], sides[1]), readings[0], readings[1]):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def explanation(judgement: Judgement, earlier: StoryReading, later: StoryReading) -> list[str]:
    """One line per feature (with its weight when the model weighs it), the facts each story's lead has
    that the other lacks, then the decision and why."""
    lines = [
        f"{name} {value:.3f}" + (f" (weight {MODEL.weights[name]:+.3f})" if name in MODEL.weights else "")
        for name, value in judgement.features.values.items()
    ]
    for label, reader, other in (("B", later, earlier), ("A", earlier, later)):
        for kind in ("numbers", "names", "dates"):
            new = sorted(getattr(reader.lead_facts, kind) - getattr(other.facts, kind))
            lines.append(f"lead of {label}: {kind} not in the other: {', '.join(new) if new else '-'}")
    days = [latest_day(reading.facts.dates) for reading in (earlier, later)]
    lines.append(
        "latest day named: "
        + ", ".join(f"{label} {_day(day)}" for label, day in zip("AB", days, strict=True))
    )
    lines.append(f"probability of one story {judgement.probability:.3f} (threshold {MODEL.threshold:.2f})")
    values = judgement.features.values
    if values[NEW_DEVELOPMENT]:
        lines.append("rule: B's lead has a figure or date A never carried, so B is never a duplicate of A")
    if values[LATER_DAY]:
        lines.append("rule: B names a day after every day A names, so B is never a duplicate of A")
    if values[RECAPS_EARLIER]:
        lines.append(
            "rule: B introduces a sentence of A as earlier coverage, so B follows A up, never duplicates it"
        )
    if values[RECAPS_LATER]:
        lines.append("rule: A introduces a sentence of B as earlier coverage, so A is never a duplicate of B")
    if values[CORRECTS_OTHER]:
        lines.append(
            "rule: one of the two is a correction notice and the other is not, so they are two stories"
        )
    if judgement.decision == "duplicate" and judgement.probability < MODEL.threshold:
        lines.append(
            f"rule: one text is all but wholly inside the other (shingle containment >= {WHOLLY_CONTAINED}), "
            "so they are one story"
        )
    lines.append(f"decision: {judgement.decision}")
    return lines


def _day(day: int) -> str:
    """A latest day as explain prints it (`11-20`), `-` for none."""
    return f"{day // 100:02d}-{day % 100:02d}" if day else "-"


def _story_text(ctx: typer.Context, reference: str, url: str | None) -> str:
    """The text of a stored article (by id or URL, with its body kept) or of a file."""
    path = Path(reference)
    if not reference.isdigit() and path.is_file():
        return document_text(*read_story_file(path, url))
    with app_context(ctx).database.session() as session:
        stored = stored_story(session, int(reference) if reference.isdigit() else reference)
    if stored is None:
        raise PantauError(f"{reference}: no stored article and no such file")
    title, body = stored
    if not body:
        raise PantauError(f"{reference}: the stored article kept no body to explain (archive: matched)")
    return document_text(title, body)


def read_story_file(path: Path, url: str | None) -> tuple[str, str]:
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
