"""Field verdicts: `exact`, `missing` or `wrong`, judged against the fixture's truth.

Rules (right or reported missing, never wrong):
* title: the same text after whitespace squashing (case counts); "" is missing.
* authors, editors: names compared as a set, case-sensitive after whitespace squashing. The same set is
  exact, an empty answer missing, a strict subset missing (nothing false was said), any other name wrong.
  An expected `[]` is exact only for `[]`.
* tags: as names, but case-insensitive (a tag shown as `#KPK` is the tag `kpk`).
* source_org, section: case-insensitive text; None or "" is missing; an expected None is exact only
  for None or "".
* published_at, modified_at: to the minute, with the offset. An expected `YYYY-MM-DD` is exact only for
  that date-only answer; a date-only answer for an expected minute is missing when the day agrees and
  wrong otherwise; a timestamp whose offset differs from the page's zone is wrong even for the same
  instant (the page's zone is part of the truth).
* A key the extractor does not return yet is missing, so the harness gets stricter as fields appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal

from tests.robustness.mutations.landmarks import squash

Verdict = Literal["exact", "missing", "wrong"]
ABSENT = object()
_TOKEN = re.compile(r"\w+")


def judge(field: str, expected: Any, answer: Mapping[str, Any]) -> Verdict:
    """The verdict on `answer[field]` (an `Article.to_dict()`) when the truth is `expected`."""
    got = answer.get(field, ABSENT)
    if got is ABSENT:
        return "missing"
    if field == "title":
        return _judge_text(expected, got, fold=False)
    if field in ("authors", "editors"):
        return _judge_names(expected, got, fold=False)
    if field == "tags":
        return _judge_names(expected, got, fold=True)
    if field in ("source_org", "section"):
        return _judge_text(expected, got, fold=True)
    if field in ("published_at", "modified_at"):
        return _judge_instant(expected, got)
    raise ValueError(f"no rule to judge the field {field!r}")


def _judge_text(expected: str | None, got: Any, *, fold: bool) -> Verdict:
    def norm(value: Any) -> str:
        text = squash(str(value or ""))
        return text.casefold() if fold else text

    if not norm(got):
        return "exact" if not norm(expected) else "missing"
    return "exact" if norm(got) == norm(expected) else "wrong"


def _judge_names(expected: Iterable[str], got: Any, *, fold: bool) -> Verdict:
    def norm(names: Iterable[str]) -> set[str]:
        squashed = (squash(str(name)) for name in names)
        return {name.casefold() if fold else name for name in squashed if name}

    truth, answer = norm(expected), norm(got or ())
    if answer == truth:
        return "exact"
    if answer <= truth:
        return "missing"
    return "wrong"


def _judge_instant(expected: str | None, got: Any) -> Verdict:
    if not got:
        return "exact" if not expected else "missing"
    if not expected:
        return "wrong"
    answer = _parse_instant(str(got))
    if answer is None:
        return "wrong"
    if len(expected) == 10:
        return (
            "exact"
            if not isinstance(answer, datetime) and answer == date.fromisoformat(expected)
            else "wrong"
        )
    truth = datetime.fromisoformat(expected)
    if not isinstance(answer, datetime):
        return "missing" if answer == truth.date() else "wrong"
    same_minute = answer.replace(second=0, microsecond=0, tzinfo=None) == truth.replace(
        second=0, microsecond=0, tzinfo=None
    )
    return "exact" if same_minute and answer.utcoffset() == truth.utcoffset() else "wrong"


def _parse_instant(text: str) -> date | datetime | None:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None


def body_f1(expected: str, got: str) -> float:
    """Token F1 of the extracted body against the expected one (lower-cased word tokens, with counts)."""
    truth, answer = _tokens(expected), _tokens(got)
    if not truth or not answer:
        return float(truth == answer)
    overlap = sum(min(count, answer.get(token, 0)) for token, count in truth.items())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / sum(answer.values()), overlap / sum(truth.values())
    return 2 * precision * recall / (precision + recall)


def _tokens(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in _TOKEN.findall(text.lower()):
        counts[token] = counts.get(token, 0) + 1
    return counts
