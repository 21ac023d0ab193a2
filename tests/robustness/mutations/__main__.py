"""`python -m tests.robustness.mutations`: print the mutation table without pytest."""

from __future__ import annotations

import argparse
import sys

from tests.robustness.mutations.cases import families
from tests.robustness.mutations.harness import (
    DEFAULT_MUTANTS,
    DEFAULT_SEED,
    extract,
    plain_trafilatura,
    run_family,
)
from tests.robustness.mutations.mutants import MAX_OPERATORS
from tests.robustness.mutations.operators import BY_NAME
from tests.robustness.mutations.table import render


def main(argv: list[str] | None = None) -> int:
    known = families()
    parser = argparse.ArgumentParser(prog="python -m tests.robustness.mutations", description=__doc__)
    parser.add_argument("--family", choices=known, action="append", help="only this family (repeatable)")
    parser.add_argument("--mutants", type=int, default=DEFAULT_MUTANTS, help="mutants per family")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the draws")
    parser.add_argument("--top", type=int, default=12, help="commonest wrong values shown per family")
    parser.add_argument(
        "--operator",
        choices=sorted(BY_NAME),
        action="append",
        help="draw only from this operator (repeatable)",
    )
    parser.add_argument("--single", action="store_true", help="one operator per mutant (clean attribution)")
    parser.add_argument(
        "--trafilatura", action="store_true", help="judge plain trafilatura instead, for comparison"
    )
    options = parser.parse_args(argv)
    if options.mutants < 1:
        parser.error("--mutants must be at least 1")
    pool = tuple(BY_NAME[name] for name in options.operator) if options.operator else tuple(BY_NAME.values())
    most = 1 if options.single else MAX_OPERATORS
    reader = plain_trafilatura if options.trafilatura else extract
    reports = [
        run_family(family, options.mutants, options.seed, pool, most, reader)
        for family in options.family or known
    ]
    print(render(reports, options.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
