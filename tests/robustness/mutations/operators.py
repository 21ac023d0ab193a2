"""The registry of redesign operators: name, group, function. A mutant takes at most one per group."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from lxml import html

from tests.robustness.mutations import markup, metadata
from tests.robustness.mutations.cases import Case


@dataclass(frozen=True)
class Operator:
    """One markup change a redesign makes; `apply` edits the page in place and says whether it changed."""

    name: str
    group: str
    apply: Callable[[html.HtmlElement, Case, random.Random], bool]


def _operator(group: str, apply: Callable[[html.HtmlElement, Case, random.Random], bool]) -> Operator:
    return Operator(apply.__name__, group, apply)


OPERATORS: tuple[Operator, ...] = (
    _operator("rename", markup.rename_all_classes),
    _operator("rename", markup.rename_some_classes),
    _operator("wrap", markup.wrap_blocks),
    _operator("byline", markup.byline_above_headline),
    _operator("byline", markup.byline_below_headline),
    _operator("byline", markup.byline_in_sidebar),
    _operator("breadcrumb", markup.breadcrumb_near_headline),
    _operator("menu", markup.menu_near_headline),
    _operator("date", markup.swap_date_format),
    _operator("meta", metadata.drop_all_meta),
    _operator("meta", metadata.drop_author_date_meta),
    _operator("meta_author", metadata.organisation_meta_author),
    _operator("jsonld", metadata.drop_jsonld),
    _operator("jsonld", metadata.retype_jsonld),
    _operator("jsonld", metadata.organisation_jsonld_author),
)
BY_NAME = {operator.name: operator for operator in OPERATORS}
