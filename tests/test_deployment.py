"""Deployment files and documentation that must not drift from the code."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
import typer.main
import yaml

from crawler.cli import app
from crawler.config import EmailChannel, load_config
from tests.conftest import ROOT


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_postgres_with_a_volume_and_a_health_check() -> None:
    postgres = _compose()["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert postgres["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "pgdata" in _compose()["volumes"]


def test_compose_runs_the_daemon_from_the_dockerfile_on_postgres_with_the_config_mounted() -> None:
    pantau = _compose()["services"]["pantau"]
    assert pantau["build"] == "."
    assert pantau["command"] == ["daemon"]
    assert pantau["environment"]["PANTAU_DATABASE_URL"].startswith(
        "postgresql://pantau:pantau@postgres:5432/"
    )
    assert pantau["volumes"] == ["./config:/app/config:ro"]
    assert pantau["depends_on"]["postgres"] == {"condition": "service_healthy"}
    config_path = pantau["environment"]["PANTAU_CONFIG"].removeprefix("/app/")
    config = load_config(ROOT / config_path, environ={"PANTAU_DATABASE_URL": "postgresql://x@y/z"})
    mail = [channel for channel in config.alerts.channels.values() if isinstance(channel, EmailChannel)]
    assert [(channel.host, channel.port) for channel in mail] == [("mailpit", 1025)]
    assert "mailpit" in _compose()["services"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["pantau"]' in dockerfile


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="docker compose plugin not installed; the file is checked by parsing above",
)
def test_docker_compose_accepts_the_file() -> None:
    command = ["docker", "compose", "config", "--quiet"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    assert result.returncode == 0, result.stderr


def _command_paths(command: Any, prefix: str = "pantau") -> list[str]:
    subcommands = getattr(command, "commands", None)  # a group; typer vendors its own click
    if subcommands:
        return [path for name, sub in subcommands.items() for path in _command_paths(sub, f"{prefix} {name}")]
    return [prefix]


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _command_paths(typer.main.get_command(app))
    assert len(commands) > 10
    missing = [command for command in commands if not re.search(rf"`{re.escape(command)}\b", readme)]
    assert missing == []


def test_readme_gives_exactly_the_two_set_up_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+$", setup, flags=re.MULTILINE) == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
