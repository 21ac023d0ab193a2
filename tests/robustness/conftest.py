"""The fault table: every fault test records what it expected and what it got, printed at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

FAULTS: list[tuple[str, str, str]] = []


@pytest.fixture
def fault_table() -> Iterator[list[tuple[str, str, str]]]:
    """Append (fault, expected, got) rows; `pytest -rA tests/robustness` prints them as a table."""
    yield FAULTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FAULTS:
        return
    terminalreporter.section("faults: expected and got")
    width = max(len(fault) for fault, _, _ in FAULTS)
    for fault, expected, got in FAULTS:
        verdict = "ok" if expected == got else "DIFFERS"
        terminalreporter.write_line(f"{fault:<{width}}  {verdict:<7}  expected: {expected}")
        if expected != got:
            terminalreporter.write_line(f"{'':<{width}}           got:      {got}")
