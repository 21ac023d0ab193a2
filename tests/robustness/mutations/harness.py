"""Run the extractor on every mutant of a family and tally the verdicts per field and per operator."""

from __future__ import annotations

import html as html_escapes
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import trafilatura
from trafilatura.metadata import extract_metadata

from crawler.extract import extract_article, parse_html
from tests.robustness.mutations.cases import Case, load_cases
from tests.robustness.mutations.dates import moments_mentioned
from tests.robustness.mutations.judge import Verdict, body_f1, judge
from tests.robustness.mutations.mutants import MAX_OPERATORS, Mutant, mutants_for
from tests.robustness.mutations.operators import OPERATORS, Operator

DEFAULT_MUTANTS = 300
DEFAULT_SEED = 15
EXACT_BODY_F1 = 0.99
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class WrongValue:
    """A field the extractor got wrong on a mutant; `inherited` when the unmutated page gives the same."""

    case: str
    field: str
    expected: Any
    got: Any
    operators: tuple[str, ...]
    inherited: bool


@dataclass(repr=False)
class FamilyReport:
    """Everything the table shows for one family."""

    family: str
    pages: int
    mutants: int = 0
    errors: int = 0
    verdicts: Counter[tuple[str, Verdict]] = field(default_factory=Counter)
    originals: Counter[tuple[str, Verdict]] = field(default_factory=Counter)
    knowable: int = 0
    knowable_exact: int = 0
    body_exact: int = 0
    operator_mutants: Counter[str] = field(default_factory=Counter)
    operator_new_wrongs: Counter[str] = field(default_factory=Counter)
    wrongs: list[WrongValue] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<{self.family}: {self.mutants} mutants, {self.total('wrong')} wrong fields>"

    def total(self, verdict: Verdict) -> int:
        return sum(count for (_, kind), count in self.verdicts.items() if kind == verdict)

    @property
    def exact_share(self) -> float:
        """Exact fields among those the mutant still shows evidence for (removed evidence may be missing)."""
        return self.knowable_exact / self.knowable if self.knowable else 0.0


def extract(pages: tuple[bytes, ...], url: str) -> dict[str, Any] | None:
    """The extractor's answer as a dict, or None when it raised (an unreadable page or a crash)."""
    try:
        return extract_article(list(pages), url).to_dict()
    except Exception:
        return None


def is_knowable(case: Case, field_name: str, pages: tuple[bytes, ...]) -> bool:
    """Whether the mutated pages still show evidence of the field's truth (its names, its day and minute)."""
    truth = case.expected[field_name]
    if not truth or field_name not in ("authors", "editors", "published_at", "modified_at"):
        return True
    trace = _trace(pages, case.url)
    if field_name in ("authors", "editors"):
        return all(str(name).casefold() in trace.casefold() for name in truth)
    if len(truth) == 10:
        return (date.fromisoformat(truth), None) in moments_mentioned(trace, timedelta(hours=7))
    moment = datetime.fromisoformat(truth)
    offset = moment.utcoffset() or timedelta(0)
    return (moment.date(), (moment.hour, moment.minute)) in moments_mentioned(trace, offset)


def _trace(pages: tuple[bytes, ...], url: str) -> str:
    source = " ".join(page.decode("utf-8", "replace") for page in pages)
    return " ".join((url, source, html_escapes.unescape(_TAG.sub(" ", source))))


def plain_trafilatura(pages: tuple[bytes, ...], url: str) -> dict[str, Any] | None:
    """Plain trafilatura's answer in the extractor's form, to print beside it: its metadata gives a day,
    never a time, and authors as one ";"-separated string."""
    try:
        tree = parse_html(pages[0], url)
        metadata = extract_metadata(tree, default_url=url)
        body = "\n".join(trafilatura.extract(page, url=url) or "" for page in pages)
    except Exception:
        return None
    authors = [name.strip() for name in (metadata.author or "").split(";") if name.strip()]
    tags = list(metadata.categories or []) + list(metadata.tags or [])
    return {"title": metadata.title or "", "authors": authors, "published_at": metadata.date, "tags": tags,
            "body": body}  # fmt: skip


def run_family(
    family: str,
    count: int = DEFAULT_MUTANTS,
    seed: int = DEFAULT_SEED,
    pool: tuple[Operator, ...] = OPERATORS,
    most: int = MAX_OPERATORS,
    reader: Callable[[tuple[bytes, ...], str], dict[str, Any] | None] = extract,
) -> FamilyReport:
    """Extract every unmutated page and `count` mutants of `family`, and judge every stated field.

    `pool` and `most` narrow the draw (one operator at a time attributes each wrong value to it).
    """
    cases = load_cases(family)
    report = FamilyReport(family, len(cases))
    original_answers: dict[str, dict[str, Any] | None] = {}
    for case in cases:
        answer = original_answers[case.name] = reader(case.pages, case.url)
        for name in case.judged:
            report.originals[name, judge(name, case.expected[name], answer or {})] += 1
    for mutant in mutants_for(cases, count, seed, pool, most):
        _tally(report, mutant, reader(mutant.pages, mutant.case.url), original_answers[mutant.case.name])
    return report


def _tally(report: FamilyReport, mutant: Mutant, answer: dict[str, Any] | None, original: Any) -> None:
    case = mutant.case
    report.mutants += 1
    report.errors += answer is None
    report.operator_mutants.update(mutant.operators)
    report.body_exact += body_f1(case.body, (answer or {}).get("body", "")) >= EXACT_BODY_F1
    for name in case.judged:
        verdict = judge(name, case.expected[name], answer or {})
        report.verdicts[name, verdict] += 1
        if is_knowable(case, name, mutant.pages):
            report.knowable += 1
            report.knowable_exact += verdict == "exact"
        if verdict != "wrong":
            continue
        got = (answer or {}).get(name)
        inherited = original is not None and original.get(name) == got
        report.wrongs.append(
            WrongValue(case.name, name, case.expected[name], got, mutant.operators, inherited)
        )
        if not inherited:
            report.operator_new_wrongs.update(mutant.operators)


def operator_names() -> list[str]:
    return [operator.name for operator in OPERATORS]
