"""Extraction quality on the fixture corpus: Pantau's extractor beside plain trafilatura.

For every `tests/fixtures/articles/<family>/<name>.expected.json`: body token F1 against the
expected body, title and authors exact, published_at exact to the minute with the right offset;
and the body token F1 of plain `trafilatura.extract` on the same page(s). Exits 1 when any
fixture falls below the floor, so it can gate CI like trafilatura's own benchmark.

    .venv/bin/python bench/bench_extraction_quality.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import trafilatura

from crawler.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
# A real page of a site with no recipe, with ground truth written by another project (fundus):
# the one check here whose expected values Pantau's authors did not produce.
INDEPENDENT_PAGE = ROOT.parent / "shared" / "pages" / "mediaindonesia_article_2026-01-20.html"
INDEPENDENT_URL = (
    "https://mediaindonesia.com/ekonomi/851796/"
    "dari-petani-hingga-pendidik-bangsa-begini-pesan-kuat-di-wisuda-igi-school-of-economics-jakarta-2025"
)
BODY_F1_FLOOR = 0.99
_TOKEN = re.compile(r"\w+")


def token_f1(predicted: str, expected: str) -> float:
    """Harmonic mean of token precision and recall (bag of lower-cased word tokens)."""
    predicted_tokens = Counter(_TOKEN.findall(predicted.lower()))
    expected_tokens = Counter(_TOKEN.findall(expected.lower()))
    overlap = sum((predicted_tokens & expected_tokens).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(predicted_tokens.values())
    recall = overlap / sum(expected_tokens.values())
    return 2 * precision * recall / (precision + recall)


def same_minute(published_at: datetime | None, expected: str | None) -> bool:
    if published_at is None or expected is None:
        return published_at is None and expected is None
    wanted = datetime.fromisoformat(expected)
    return published_at.utcoffset() == wanted.utcoffset() and published_at.replace(
        second=0, microsecond=0
    ) == wanted.replace(second=0, microsecond=0)


def main() -> int:
    rows = []
    for expected_path in sorted(ARTICLES.glob("*/*.expected.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        names = expected.get("pages") or [expected_path.name.replace(".expected.json", ".html")]
        pages = [(expected_path.parent / name).read_bytes() for name in names]
        article = extract_article(pages, expected["url"])
        plain = "\n".join(trafilatura.extract(page, url=expected["url"]) or "" for page in pages)
        rows.append(
            (
                f"{expected_path.parent.name}/{expected_path.name.removesuffix('.expected.json')}",
                token_f1(article.body, expected["body"]),
                article.title == expected["title"],
                list(article.authors) == expected["authors"],
                same_minute(article.published_at, expected["published_at"]),
                token_f1(plain, expected["body"]),
            )
        )

    print(f"| {'fixture':<40} | body F1 | title | authors | date | trafilatura F1 |")
    print(f"|{'-' * 42}|---------|-------|---------|------|----------------|")
    for name, f1, title, authors, date, plain_f1 in rows:
        marks = " | ".join(
            f"{'yes' if ok else 'NO':^{width}}" for ok, width in ((title, 5), (authors, 7), (date, 4))
        )
        print(f"| {name:<40} | {f1:7.4f} | {marks} | {plain_f1:14.4f} |")
    count = len(rows)
    print(
        f"| {'mean (' + str(count) + ' fixtures)':<40} | {sum(r[1] for r in rows) / count:7.4f} | "
        f"{sum(r[2] for r in rows):>2}/{count:<2} | {sum(r[3] for r in rows):>3}/{count:<3} | "
        f"{sum(r[4] for r in rows):>2}/{count:<1} | {sum(r[5] for r in rows) / count:14.4f} |"
    )
    _print_independent_check()
    failing = [row[0] for row in rows if row[1] < BODY_F1_FLOOR or not all(row[2:5])]
    if failing:
        print(f"below the floor (body F1 {BODY_F1_FLOOR}, exact title/authors/date): {', '.join(failing)}")
        return 1
    return 0


def _print_independent_check() -> None:
    truth_path = INDEPENDENT_PAGE.with_name(INDEPENDENT_PAGE.name.replace(".html", ".expected.json"))
    if not truth_path.exists():
        return
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["V1"]
    gold = "\n\n".join(p for section in truth["body"]["sections"] for p in section["paragraphs"])
    page = INDEPENDENT_PAGE.read_bytes()
    article = extract_article([page], INDEPENDENT_URL)
    plain = trafilatura.extract(page, url=INDEPENDENT_URL) or ""
    published = truth["publishing_date"].replace(" ", "T")
    print(
        f"\nindependent ground truth (fundus, {INDEPENDENT_PAGE.name}, generic recipe): "
        f"body F1 {token_f1(article.body, gold):.4f} (trafilatura {token_f1(plain, gold):.4f}), "
        f"title {'yes' if article.title == truth['title'] else 'NO'}, "
        f"authors {'yes' if list(article.authors) == truth['authors'] else 'NO'} {list(article.authors)}, "
        f"date {'yes' if same_minute(article.published_at, published) else 'NO'}"
    )


if __name__ == "__main__":
    sys.exit(main())
