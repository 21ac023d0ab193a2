"""Mutants: a case's pages after one to three redesign operators, reproducible from a seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import html

from tests.robustness.mutations.cases import Case
from tests.robustness.mutations.operators import OPERATORS, Operator

MAX_OPERATORS = 3
MAX_DRAWS_PER_MUTANT = 5
_PARSER = html.HTMLParser(encoding="utf-8")


@dataclass(frozen=True)
class Mutant:
    """A case's pages after `operators` were applied, in that order."""

    case: Case
    seed: str
    operators: tuple[str, ...]
    pages: tuple[bytes, ...]


def parse(page: bytes) -> html.HtmlElement:
    """A page as the crawler would parse it (the fixtures are UTF-8)."""
    return html.document_fromstring(page, parser=_PARSER)


def serialize(root: html.HtmlElement) -> bytes:
    """The page as a server would send it after the redesign: UTF-8 bytes with the original doctype."""
    doctype = root.getroottree().docinfo.doctype
    page: bytes = html.tostring(root, encoding="utf-8", doctype=doctype or None)
    return page


def apply_operator(operator: Operator, roots: list[html.HtmlElement], case: Case, seed: int) -> bool:
    """Apply `operator` to every page of a story with the same random choices; True if any page changed."""
    changed = [operator.apply(root, case, random.Random(seed)) for root in roots]
    return any(changed)


def make_mutant(
    case: Case, seed: str, pool: tuple[Operator, ...] = OPERATORS, most: int = MAX_OPERATORS
) -> Mutant | None:
    """One to three operators of different groups, applied in a seeded order; None if none applies."""
    rng = random.Random(seed)
    wanted = rng.randint(1, most)
    roots = [parse(page) for page in case.pages]
    applied: list[Operator] = []
    for operator in rng.sample(pool, len(pool)):
        if len(applied) == wanted:
            break
        operator_seed = rng.getrandbits(64)
        if any(operator.group == done.group for done in applied):
            continue
        if apply_operator(operator, roots, case, operator_seed):
            applied.append(operator)
    if not applied:
        return None
    return Mutant(case, seed, tuple(op.name for op in applied), tuple(serialize(root) for root in roots))


def mutants_for(
    cases: list[Case],
    count: int,
    seed: int,
    pool: tuple[Operator, ...] = OPERATORS,
    most: int = MAX_OPERATORS,
) -> Iterator[Mutant]:
    """Up to `count` mutants over `cases` in turn (a draw that changes nothing is skipped, within bounds)."""
    made = attempt = 0
    while cases and made < count and attempt < count * MAX_DRAWS_PER_MUTANT:
        case = cases[attempt % len(cases)]
        mutant = make_mutant(case, f"{seed}:{case.family}:{case.name}:{attempt}", pool, most)
        attempt += 1
        if mutant is not None:
            made += 1
            yield mutant
