"""Every portal clean-up rule is needed: without it, some fixture article of its family comes out wrong.

The audit's mutation check as a test. For each drop selector, line pattern, paywall selector
and dateline of every recipe (and each drop selector of its dated layouts), the family's
fixtures are extracted with that one rule removed; at least one must then differ from its expected
JSON, and extract to it exactly with the rule. A rule no fixture needs is dead or untested: it fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import PortalRecipe, extract_article
from crawler.portals import registry

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
_LISTED_RULES = ("drop_selectors", "drop_line_patterns", "paywall_selectors")
_SINGLE_RULES = ("dateline_pattern",)


@dataclass(frozen=True)
class CleanupRule:
    """One rule of a family's recipe; `layout` is the index of the dated layout it belongs to."""

    family: str
    field: str
    value: str
    layout: int | None = None

    def removed_from(self, recipe: PortalRecipe) -> PortalRecipe:
        """`recipe` without this rule and otherwise unchanged."""
        if self.layout is not None:
            layouts = list(recipe.older_layouts)
            layout = layouts[self.layout]
            layouts[self.layout] = replace(layout, drop_selectors=_without(layout.drop_selectors, self.value))
            return replace(recipe, older_layouts=tuple(layouts))
        if self.field in _LISTED_RULES:
            return replace(recipe, **{self.field: _without(getattr(recipe, self.field), self.value)})
        return replace(recipe, **{self.field: None})

    def __str__(self) -> str:
        where = self.family if self.layout is None else f"{self.family}.older_layouts[{self.layout}]"
        return f"{where}.{self.field}={self.value}"


def _without(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(item for item in values if item != value)


def _rules() -> list[CleanupRule]:
    rules = []
    for family, recipe in ((family.name, family.recipe) for family in registry.families()):
        for field in _LISTED_RULES:
            rules += [CleanupRule(family, field, value) for value in getattr(recipe, field)]
        for field in _SINGLE_RULES:
            if (value := getattr(recipe, field)) is not None:
                rules.append(CleanupRule(family, field, value))
        for index, layout in enumerate(recipe.older_layouts):
            rules += [CleanupRule(family, "drop_selectors", value, index) for value in layout.drop_selectors]
    return rules


@cache
def _fixtures(family: str) -> tuple[tuple[str, str, tuple[bytes, ...], str], ...]:
    """(name, url, pages, expected outcome as JSON) of each fixture article of the family."""
    fixtures = []
    for path in sorted((ARTICLES / family).glob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        names = expected.get("pages") or [path.name.replace(".expected.json", ".html")]
        pages = tuple((path.parent / name).read_bytes() for name in names)
        wanted = {"paywalled": False, "warnings": [], **expected}
        wanted.pop("pages", None)
        name = path.name.removesuffix(".expected.json")
        fixtures.append(
            (name, expected["url"], pages, json.dumps(wanted, sort_keys=True, ensure_ascii=False))
        )
    return tuple(fixtures)


def _outcome(pages: tuple[bytes, ...], url: str, recipe: PortalRecipe) -> str:
    """Everything an expected file pins down, in the same JSON form."""
    article = extract_article(list(pages), url, recipe)
    fields = {key: value for key, value in article.to_dict().items() if key != "field_sources"}  # a diagnosis
    outcome: dict[str, Any] = {
        **fields,
        "paywalled": article.paywalled,
        "warnings": list(article.warnings),
    }
    return json.dumps(outcome, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("rule", _rules(), ids=str)
def test_each_cleanup_rule_is_what_keeps_some_fixture_right(rule: CleanupRule) -> None:
    recipe = registry.family(rule.family).recipe
    without_rule = rule.removed_from(recipe)

    broken = [
        name
        for name, url, pages, expected in _fixtures(rule.family)
        if _outcome(pages, url, without_rule) != expected
    ]

    assert broken, f"no {rule.family} fixture changes without {rule}: the rule is dead or untested"
    right = {
        name
        for name, url, pages, expected in _fixtures(rule.family)
        if _outcome(pages, url, recipe) == expected
    }
    assert set(broken) <= right
