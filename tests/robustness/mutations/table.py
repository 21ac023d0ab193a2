"""The harness's table: a summary line per family, then per field, per operator and the commonest wrongs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tests.robustness.mutations.cases import JUDGED_FIELDS
from tests.robustness.mutations.harness import FamilyReport, operator_names

EXACT_GATE = 0.90


def render(reports: Sequence[FamilyReport], top: int = 12) -> str:
    """The summary for all `reports`, then each family's detail."""
    lines = [
        "Mutation harness (tests/robustness/mutations): fields exact / missing / wrong on redesigned markup",
        f"{'family':<14}{'pages':>6}{'mutants':>8}{'errors':>7}{'fields':>8}{'exact':>7}{'missing':>8}"
        f"{'wrong':>7}{'exact%':>8}{'body≥.99':>10}",
    ]
    for report in reports:
        fields = sum(report.verdicts.values())
        lines.append(
            f"{report.family:<14}{report.pages:>6}{report.mutants:>8}{report.errors:>7}{fields:>8}"
            f"{report.total('exact'):>7}{report.total('missing'):>8}{report.total('wrong'):>7}"
            f"{100 * report.exact_share:>7.1f}%{report.body_exact:>6}/{report.mutants:<3}"
        )
    lines.append(
        f"gates: wrong = 0; exact% ≥ {100 * EXACT_GATE:.0f} (exact% counts fields the mutant still shows "
        "evidence for); body is reported, not judged"
    )
    for report in reports:
        lines += ["", *render_family(report, top)]
    return "\n".join(lines)


def render_family(report: FamilyReport, top: int = 12) -> list[str]:
    """Per field, per operator and the commonest wrong values of one family."""
    lines = [
        f"== {report.family}: {report.mutants} mutants of {report.pages} pages, "
        f"{report.errors} extraction errors ==",
        f"{'field':<14}{'exact':>7}{'missing':>8}{'wrong':>7}   unmutated pages exact/missing/wrong",
    ]
    for name in JUDGED_FIELDS:
        row = [report.verdicts[name, verdict] for verdict in ("exact", "missing", "wrong")]
        base = "/".join(str(report.originals[name, verdict]) for verdict in ("exact", "missing", "wrong"))
        if sum(row):
            lines.append(f"{name:<14}{row[0]:>7}{row[1]:>8}{row[2]:>7}   {base}")
    lines.append(
        "new wrong fields per operator (not already wrong on the unmutated page) / mutants using it:"
    )
    cells = [
        f"{name} {report.operator_new_wrongs[name]}/{report.operator_mutants[name]}"
        for name in operator_names()
    ]
    lines += ["  " + "   ".join(cells[index : index + 4]) for index in range(0, len(cells), 4)]
    lines.append(
        f"commonest wrong values (of {len(report.wrongs)}; 'inherited' = same value on the unmutated page):"
    )
    groups: Counter[tuple[str, str, str, str, bool]] = Counter(
        (wrong.field, repr(wrong.got), repr(wrong.expected), wrong.case, wrong.inherited)
        for wrong in report.wrongs
    )
    for (name, got, expected, case, inherited), count in groups.most_common(top):
        operators: Counter[str] = Counter(
            operator
            for wrong in report.wrongs
            if (wrong.field, repr(wrong.got), wrong.case) == (name, got, case)
            for operator in wrong.operators
        )
        by = ", ".join(f"{operator} {n}" for operator, n in operators.most_common(3))
        origin = "inherited" if inherited else "new"
        lines.append(f"  {count:>3}x {name}: got {got}, expected {expected} [{case}; {origin}; {by}]")
    return lines
