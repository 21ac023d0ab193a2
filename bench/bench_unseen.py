"""Extraction on pages Pantau was never fitted to: the hard case, beside plain trafilatura.

Two corpora nobody tuned a selector on:
- `tests/fixtures/secondhand/articles/`: pages written second-hand from ../shared/portals.md and the
  real pages in ../shared/pages (by a session that had not read the extractor), with the values a
  careful reader would give;
- `../shared/pages/real-articles/`: 16 real pages of 12 other Indonesian portals, scored only on
  the fields their source repositories assert (day-precision dates compared by day, UTC by instant).

Each field is `exact`, `missing` (nothing given where the page shows something) or `wrong` (a value
that is not the page's). Wrong is the failure that matters: "right or missing, never wrong".

    .venv/bin/python bench/bench_unseen.py [--show]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import trafilatura
from trafilatura.metadata import extract_metadata

from crawler.extract import extract_article, parse_html

ROOT = Path(__file__).resolve().parent.parent
SECONDHAND = ROOT / "tests" / "fixtures" / "secondhand" / "articles"
REAL = ROOT.parent / "shared" / "pages" / "real-articles"
LABELS = ROOT / "tests" / "fixtures" / "secondhand" / "real-articles" / "labels.json"
FIELDS = ("title", "authors", "published_at")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Reading:
    """What an extractor said of one page."""

    title: str
    authors: tuple[str, ...]
    published_at: datetime | date | None
    body: str


@dataclass(frozen=True, slots=True)
class Case:
    corpus: str
    name: str
    url: str
    pages: tuple[bytes, ...]
    expected: dict[str, object]  # only the asserted fields; a field absent here is not scored


def pantau(case: Case) -> Reading:
    article = extract_article(list(case.pages), case.url)
    published = article.published_at
    day_only = published is not None and article.published_date_only
    return Reading(article.title, article.authors, published.date() if day_only else published, article.body)


def plain_trafilatura(case: Case) -> Reading:
    tree = parse_html(case.pages[0], case.url)
    metadata = extract_metadata(tree, default_url=case.url)
    authors = tuple(name.strip() for name in re.split(r";|,", metadata.author or "") if name.strip())
    day = date.fromisoformat(metadata.date) if metadata.date else None
    body = "\n".join(trafilatura.extract(page, url=case.url) or "" for page in case.pages)
    return Reading(metadata.title or "", authors, day, body)


def cases() -> Iterator[Case]:
    for path in sorted(SECONDHAND.glob("*/*.expected.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        pages = tuple((path.parent / name).read_bytes() for name in truth["pages"])
        expected = {field: truth[field] for field in (*FIELDS, "body")}
        yield Case(f"second-hand {path.parent.name}", path.parent.name + "/" + path.name[:-14], truth["url"],
                   pages, expected)  # fmt: skip
    # The real pages, judged on what an independent labeller read on each page (labels.json), with the
    # body where the source repository asserts one.
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    for name, label in sorted(labels.items()):
        source = REAL / "expected" / f"{name}.json"
        body = json.loads(source.read_text(encoding="utf-8")).get("body") if source.exists() else None
        expected = {field: label[field] for field in FIELDS} | ({"body": body} if body else {})
        pages = ((REAL.parent / label["page"]).read_bytes(),)
        yield Case("real, other portals (labelled)", name, label["url"], pages, expected)


def judge(field: str, got: object, wanted: object) -> str:
    """exact, missing or wrong."""
    if field == "title":
        return _verdict(_squash(str(got)), _squash(str(wanted or "")))
    if field == "authors":
        return _verdict(_names(got), _names(wanted))
    return _date_verdict(got, wanted)


def _names(names: object) -> tuple[str, ...]:
    return tuple(_squash(str(name)).casefold() for name in names) if isinstance(names, list | tuple) else ()


def _verdict(got: object, wanted: object) -> str:
    if got == wanted:
        return "exact"
    return "missing" if not got else "wrong"


def _date_verdict(got: object, wanted: object) -> str:
    if got is None:
        return "exact" if wanted is None else "missing"
    if wanted is None:
        return "wrong"
    text = str(wanted)
    if len(text) == 10:  # a day: the page's own day
        day = got.date() if isinstance(got, datetime) else got
        return "exact" if day == date.fromisoformat(text) else "wrong"
    moment = datetime.fromisoformat(text)
    if not isinstance(got, datetime):  # a day where the page gives the minute: right as far as it goes
        return "missing" if got == moment.date() else "wrong"
    same_instant = got.replace(second=0, microsecond=0) == moment.replace(second=0, microsecond=0)
    # A UTC truth (metrotvnews) asserts the instant only; a WIB/WITA/WIT truth asserts the zone as well.
    zone_asserted = moment.utcoffset() != timedelta(0)
    return (
        "exact" if same_instant and (got.utcoffset() == moment.utcoffset() or not zone_asserted) else "wrong"
    )


def token_f1(predicted: str, expected: str) -> float:
    got, wanted = Counter(_TOKEN.findall(predicted.lower())), Counter(_TOKEN.findall(expected.lower()))
    overlap = sum((got & wanted).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(got.values()), overlap / sum(wanted.values())
    return 2 * precision * recall / (precision + recall)


def _squash(text: str) -> str:
    return " ".join(text.split())


def score(
    extractor: Callable[[Case], Reading], all_cases: list[Case], *, show: bool = False
) -> dict[str, dict[str, Counter[str]]]:
    table: dict[str, dict[str, Counter[str]]] = {}
    for case in all_cases:
        reading = extractor(case)
        corpus = table.setdefault(case.corpus, {field: Counter() for field in (*FIELDS, "body")})
        for field in FIELDS:
            if field in case.expected:
                verdict = judge(field, getattr(reading, field), case.expected[field])
                corpus[field][verdict] += 1
                if show and verdict != "exact":
                    got, wanted = getattr(reading, field), case.expected[field]
                    print(f"  {verdict:7} {case.name} {field}: {got!r} (page: {wanted!r})")
        if "body" in case.expected:
            corpus["body"]["f1_sum"] += round(token_f1(reading.body, str(case.expected["body"])) * 10_000)
            corpus["body"]["pages"] += 1
    return table


def main() -> int:
    all_cases = list(cases())
    show = "--show" in sys.argv[1:]  # list every value that is not exact
    results = {
        "pantau": score(pantau, all_cases, show=show),
        "trafilatura": score(plain_trafilatura, all_cases),
    }
    print("| corpus | extractor | title exact/missing/wrong | authors e/m/w | published_at e/m/w | body F1 |")
    print("|---|---|---|---|---|---|")
    wrong = 0
    for corpus in results["pantau"]:
        for name, table in results.items():
            counts = table[corpus]
            cells = [
                f"{counts[f]['exact']}/{counts[f]['missing']}/{counts[f]['wrong']}" if sum(counts[f].values())
                else "–"
                for f in FIELDS
            ]  # fmt: skip
            body = counts["body"]
            f1 = f"{body['f1_sum'] / 10_000 / body['pages']:.4f}" if body["pages"] else "–"
            print(f"| {corpus} | {name} | {' | '.join(cells)} | {f1} |")
            if name == "pantau":
                wrong += sum(counts[f]["wrong"] for f in FIELDS)
    print(f"\nPantau's wrong values: {wrong} (the goal is 0: right or missing, never wrong)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
