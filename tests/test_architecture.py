"""The package layout holds: modules stay small or say why they are not."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

MAX_LINES = 400
REASON = "Why this is long:"


def test_a_module_over_400_lines_says_in_its_docstring_why() -> None:
    modules = [
        path
        for path in (*ROOT.glob("crawler/**/*.py"), *ROOT.glob("spiders/**/*.py"))
        if "migrations" not in path.parts
    ]
    assert len(modules) > 50
    unexplained = [
        str(path.relative_to(ROOT))
        for path in modules
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
        and REASON not in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    ]
    assert unexplained == []
