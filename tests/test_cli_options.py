"""The global options every command takes, given as flags or through the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crawler.store.db import open_database
from crawler.store.models import SeedDocument
from tests.conftest import DEFAULT_CONFIG, ROOT


def pantau(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`pantau ARGS…` with only the given PANTAU_* variables set."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANTAU_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True, text=True, cwd=ROOT, env={**env, **environment}, timeout=120, check=False,
    )  # fmt: skip


def test_the_config_file_comes_from_pantau_config_when_no_flag_names_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources: {}\nbogus: 1\n", encoding="utf-8")

    result = pantau("config", "check", environment={"PANTAU_CONFIG": str(broken)})

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {broken}: sources: Dictionary should have at least 1 item after validation, not 0",
        f"error: {broken}: bogus: unknown key",
    ]


def test_the_config_flag_wins_over_pantau_config(tmp_path: Path) -> None:
    result = pantau(
        "--config", str(DEFAULT_CONFIG), "config", "check",
        environment={"PANTAU_CONFIG": str(tmp_path / "missing.yaml")},
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{DEFAULT_CONFIG}: OK")


def test_the_database_comes_from_pantau_database_url_and_the_flag_wins(tmp_path: Path) -> None:
    from_environment, from_flag = tmp_path / "environment.db", tmp_path / "flag.db"
    environment = {
        "PANTAU_CONFIG": str(DEFAULT_CONFIG),
        "PANTAU_DATABASE_URL": f"sqlite:///{from_environment}",
    }

    listed = pantau("items", "list", environment=environment)
    flagged = pantau("--db", f"sqlite:///{from_flag}", "items", "list", environment=environment)

    assert (listed.returncode, flagged.returncode) == (0, 0), listed.stderr + flagged.stderr
    for path in (from_environment, from_flag):
        database = open_database(f"sqlite:///{path}", migrate=False)
        with database.session() as session:  # the shipped seed corpus is imported on first start
            assert session.query(SeedDocument).count() == 2
        database.dispose()
