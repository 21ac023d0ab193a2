"""Loading pantau.yaml: the default is valid; every kind of mistake is one clear line, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.domain.errors import ConfigError
from tests.conftest import DEFAULT_CONFIG, ROOT

MINIMAL = """\
sources:
  rmol:
    family: rmol
    sites: [rmol.id]
watches:
  - name: korut
    query: '"Korea Utara" AND Rusia'
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pantau.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_has_the_three_families_a_watch_and_the_shipped_seeds() -> None:
    config = load_config(DEFAULT_CONFIG, environ={})
    assert {name: source.family for name, source in config.sources.items()} == {
        "rmol": "rmol",
        "rmol_regional": "rmol_regional",
        "bisnis": "bisnis",
    }
    assert len(config.sources["rmol_regional"].sites) == 9
    assert [(watch.name, watch.query) for watch in config.watches] == [
        ("korea-utara-rusia", '"Korea Utara" AND Rusia')
    ]
    assert config.storage.url == "sqlite:///pantau.db"
    assert config.seeds_path == ROOT / "config" / "seeds"
    shipped = sorted(path.name for path in config.seeds_path.glob("*.txt"))
    assert shipped == ["000_d8c0db3640f267ed.txt", "004_64116d368e759003.txt"]
    assert list(config.alerts.channels) == ["console"]


def test_seed_files_are_byte_for_byte_the_shared_corpus() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for path in shared.glob("*.txt"):
        assert (ROOT / "config" / "seeds" / path.name).read_bytes() == path.read_bytes()


def test_environment_variables_are_interpolated_with_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "storage:\n  url: ${DB_URL}\n" + MINIMAL)
    assert load_config(path, environ={"DB_URL": "sqlite:///x.db"}).storage.url == "sqlite:///x.db"
    path = write(tmp_path, "storage:\n  url: ${DB_URL:-sqlite:///fallback.db}\n" + MINIMAL)
    assert load_config(path, environ={}).storage.url == "sqlite:///fallback.db"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "crawl:\n  concurrency: 3\n" + MINIMAL,
            "crawl.concurrency: unknown key",
        ),
        (
            "crawl:\n  concurrency_per_domain: many\n" + MINIMAL,
            "crawl.concurrency_per_domain: "
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            MINIMAL.replace("sites: [rmol.id]", "sites: [rmol.id]\n    schedule:\n      cron: '61 * * * *'"),
            "sources.rmol.schedule.cron: invalid cron expression '61 * * * *': "
            "Error validating expression '61': the last value (61) is higher than the maximum value (59)",
        ),
        (
            "storage:\n  url: ${PANTAU_TEST_UNSET_VARIABLE}\n" + MINIMAL,
            "storage.url: environment variable PANTAU_TEST_UNSET_VARIABLE is not set",
        ),
        (
            MINIMAL.replace("family: rmol", "family: kompas"),
            "sources.rmol.family: Input should be 'rmol', 'rmol_regional', 'bisnis' or 'generic'",
        ),
        (
            MINIMAL.replace("sites: [rmol.id]", "sites: ['https://rmol.id/']"),
            "sources.rmol.sites: 'https://rmol.id/' is not a host name (write it like 'rmollampung.id')",
        ),
        (
            MINIMAL + "    channels: [slack]\n",
            "watches.0.channels.0: watch 'korut' names unknown alert channel 'slack' (configured: console)",
        ),
        (
            MINIMAL + "    sources: [rmol, kompas]\n",
            "watches.0.sources.1: watch 'korut' names unknown source 'kompas' (configured: rmol)",
        ),
        (
            MINIMAL + "  - name: korut\n    query: Rusia\n",
            "watches.1.name: watch name 'korut' is used twice",
        ),
        (
            MINIMAL
            + "alerts:\n  channels:\n    mail:\n      type: email\n      host: localhost\n      port: 0\n"
            "      sender: a@b\n      recipients: [c@d]\n",
            "alerts.channels.mail.port: Input should be greater than 0",
        ),
        (
            "sources: [unclosed\n",
            "line 2, column 1: YAML syntax error: expected ',' or ']', but got '<stream end>'",
        ),
    ],
)
def test_invalid_config_is_one_line_naming_file_key_and_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    assert str(raised.value) == f"{path}: {message}"


def test_config_check_reports_a_broken_file_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  concurrency: 3\n" + MINIMAL)
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "config", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"error: {path}: crawl.concurrency: unknown key"
    assert "Traceback" not in result.stderr


def test_config_check_accepts_the_default_and_honours_the_config_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "--config", str(DEFAULT_CONFIG), "config", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{DEFAULT_CONFIG}: OK (3 sources, 1 watches, 1 alert channels)"


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found$"):
        load_config(missing)


def test_cli_lines_do_not_wrap_without_a_terminal_in_a_deep_folder(tmp_path: Path) -> None:
    """Piped, with COLUMNS unset, in a folder whose path is over 120 characters: one line each."""
    deep = tmp_path.joinpath(*["a-folder-with-a-rather-long-name"] * 5)
    deep.mkdir(parents=True)
    assert len(str(deep)) > 120
    config = deep / "pantau.yaml"
    config.write_text(MINIMAL, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if key not in {"COLUMNS", "LINES"}}
    check = subprocess.run(
        [sys.executable, "-m", "crawler", "--config", str(config), "config", "check"],
        capture_output=True, text=True, cwd=deep, env=environment, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert check.stdout == f"{config}: OK (1 sources, 1 watches, 1 alert channels)\n"
    missing = deep / "missing.yaml"
    error = subprocess.run(
        [sys.executable, "-m", "crawler", "--config", str(missing), "config", "check"],
        capture_output=True, text=True, cwd=deep, env=environment, check=False,
    )  # fmt: skip
    assert error.returncode == 2
    assert error.stderr == f"error: {missing}: file not found\n"
