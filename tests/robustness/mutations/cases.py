"""The article fixtures with expected values, read as cases for the mutation harness.

Two corpora qualify: tests/fixtures/secondhand/articles (every field) and tests/fixtures/articles
(title, authors, published_at, tags). A field an expected file does not state is not judged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CORPORA = (FIXTURES / "secondhand" / "articles", FIXTURES / "articles")
JUDGED_FIELDS = (
    "title",
    "authors",
    "editors",
    "source_org",
    "published_at",
    "modified_at",
    "tags",
    "section",
)


@dataclass(frozen=True)
class Case:
    """One article fixture: its pages as served, its URL and the truth about it."""

    family: str
    name: str
    url: str
    pages: tuple[bytes, ...]
    expected: dict[str, Any]

    @property
    def body(self) -> str:
        return str(self.expected.get("body") or "")

    @property
    def title(self) -> str:
        return str(self.expected.get("title") or "")

    @property
    def people(self) -> tuple[str, ...]:
        """Names a byline shows: the authors, else the editors."""
        return tuple(self.expected.get("authors") or self.expected.get("editors") or ())

    @property
    def published_at(self) -> str | None:
        value = self.expected.get("published_at")
        return str(value) if value else None

    @property
    def judged(self) -> tuple[str, ...]:
        return tuple(field for field in JUDGED_FIELDS if field in self.expected)


def load_cases(family: str | None = None) -> list[Case]:
    """Every case, ordered by family then corpus then name; only `family`'s when given."""
    cases = []
    for corpus in CORPORA:
        for expected_path in sorted(corpus.glob("*/*.expected.json")):
            case_family = expected_path.parent.name
            if family is not None and case_family != family:
                continue
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            name = expected_path.name.removesuffix(".expected.json")
            files = expected.get("pages") or [f"{name}.html"]
            pages = tuple((expected_path.parent / file).read_bytes() for file in files)
            cases.append(Case(case_family, name, expected["url"], pages, expected))
    return sorted(cases, key=lambda case: case.family)


def families() -> list[str]:
    """The families that have at least one case."""
    return sorted({case.family for case in load_cases()})
