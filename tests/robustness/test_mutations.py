"""Issue 15, item 2: on redesigned markup every field is exact or reported missing, never wrong.

Every article fixture with expected values is mutated the way a portal redesign changes a page
(tests/robustness/mutations), at least 300 mutants per family, and the extractor's answer is judged
field by field. `pytest -s` prints the table; `python -m tests.robustness.mutations` prints it alone.
"""

from __future__ import annotations

import pytest

from tests.robustness.mutations.cases import families
from tests.robustness.mutations.harness import DEFAULT_MUTANTS, FamilyReport, run_family
from tests.robustness.mutations.operators import OPERATORS
from tests.robustness.mutations.table import EXACT_GATE, render

REQUIRED_FAMILIES = ("rmol", "rmol_regional", "bisnis", "generic")
FAMILIES = sorted(set(REQUIRED_FAMILIES) | set(families()))


@pytest.fixture(scope="module")
def reports() -> dict[str, FamilyReport]:
    """One harness run per family, shared by the module's tests; the table is printed once."""
    results = {family: run_family(family) for family in FAMILIES}
    print("\n" + render(list(results.values())))
    return results


def _wrong_values(report: FamilyReport, top: int = 8) -> str:
    seen: dict[tuple[str, str, str], int] = {}
    for wrong in report.wrongs:
        key = (wrong.case, wrong.field, repr(wrong.got))
        seen[key] = seen.get(key, 0) + 1
    ranked = sorted(seen.items(), key=lambda item: -item[1])[:top]
    return "; ".join(f"{count}x {case} {name}={got}" for (case, name, got), count in ranked)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_is_judged_on_its_full_count_of_mutants(
    reports: dict[str, FamilyReport], family: str
) -> None:
    assert (reports[family].pages > 0, reports[family].mutants) == (True, DEFAULT_MUTANTS)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_operator_changes_pages_of_every_family(reports: dict[str, FamilyReport], family: str) -> None:
    unused = [operator.name for operator in OPERATORS if reports[family].operator_mutants[operator.name] == 0]
    assert unused == []


@pytest.mark.parametrize("family", FAMILIES)
def test_no_redesigned_page_makes_the_extractor_fail(reports: dict[str, FamilyReport], family: str) -> None:
    assert reports[family].errors == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_no_field_is_wrong_on_redesigned_markup(reports: dict[str, FamilyReport], family: str) -> None:
    wrong = reports[family].total("wrong")
    assert wrong == 0, f"{wrong} wrong fields: {_wrong_values(reports[family])}"


@pytest.mark.parametrize("family", FAMILIES)
def test_nine_in_ten_evidenced_fields_are_exact_on_redesigned_markup(
    reports: dict[str, FamilyReport], family: str
) -> None:
    report = reports[family]
    share = report.exact_share
    assert share >= EXACT_GATE, f"exact on {report.knowable_exact} of {report.knowable} evidenced fields"
