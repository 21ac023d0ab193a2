"""The web's commands: `pantau users` and `pantau tokens` (one-line errors, tokens shown once and
revocable), and `pantau serve` (what `make run` starts): the daemon and the web in one process that
stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from crawler.store.db import open_database
from crawler.store.leases import SCHEDULER_LEASE, live_lease
from crawler.store.users import list_users, set_active, token_user
from tests.conftest import DEFAULT_CONFIG, ROOT
from tests.web_helpers import PASSWORD, add_person, free_port, signed_in

QUIET_CONFIG = """\
storage:
  url: sqlite:///unused.db
sources:
  rmol:
    family: rmol
    sites: [rmol.id]
    enabled: false
alerts:
  channels:
    console:
      type: console
"""


def _pantau(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crawler", "--config", str(DEFAULT_CONFIG), "--db", database_url, *args]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )


def test_users_add_refuses_a_short_password_and_a_taken_name_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    added = _pantau(url, "users", "add", "ani", "--admin", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert (added.returncode, added.stdout.strip()) == (0, "user ani added (admin)")
    again = _pantau(url, "users", "add", "ani", "--role", "editor", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert (again.returncode, again.stderr.strip()) == (1, "error: a user named 'ani' already exists")
    short = _pantau(url, "users", "add", "eko", "--password-stdin", stdin="pendek\n")
    assert (short.returncode, short.stderr.strip()) == (1, "error: a password needs at least 10 characters")
    listed = _pantau(url, "users", "list")
    assert "ani" in listed.stdout and "admin" in listed.stdout and "eko" not in listed.stdout
    database = open_database(url)
    add_person(database, "vina", "viewer")
    set_active(database, next(user.id for user in list_users(database) if user.name == "vina"), False)
    rows = {line.split()[1]: line.split()[-2] for line in _pantau(url, "users", "list").stdout.splitlines()
            if line.split()[1:2] in (["ani"], ["vina"])}  # fmt: skip
    assert rows == {"ani": "yes", "vina": "no"}


def test_a_token_is_printed_once_works_and_stops_working_when_revoked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    database = open_database(url)
    add_person(database, "eko", "editor")
    created = _pantau(url, "tokens", "create", "--user", "eko", "--name", "bot", "--scope", "write")
    assert created.returncode == 0, created.stderr
    header, token = created.stdout.strip().splitlines()
    assert header == "token 1 (write) for eko; it is shown only now:"
    found = token_user(database, token)
    assert found is not None and (found[0].name, found[1]) == ("eko", "write")
    assert _pantau(url, "tokens", "revoke", "1").stdout.strip() == "token 1 revoked"
    assert token_user(database, token) is None
    assert _pantau(url, "tokens", "revoke", "7").stderr.strip() == (
        "error: no API token with id 7 (see `pantau tokens list`)"
    )
    nobody = _pantau(url, "tokens", "create", "--user", "nobody")
    assert nobody.stderr.strip() == "error: no user named 'nobody' (create one with `pantau users add`)"
    database.dispose()


def test_serve_runs_the_daemon_and_the_web_and_stops_on_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "pantau.yaml"
    config.write_text(QUIET_CONFIG, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    database = open_database(url)
    add_person(database, "ani", "admin")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "crawler",
        "--config",
        str(config),
        "--db",
        url,
        "serve",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while live_lease(database, SCHEDULER_LEASE) is None or not _answers(port):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "pantau serve did not start the daemon and the web in 60 s"
            time.sleep(0.2)
        page = signed_in(f"http://127.0.0.1:{port}", "ani").get("/sources").text
        assert "Daemon berjalan" in page
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert f"pantau web: http://127.0.0.1:{port}/" in out
    assert live_lease(database, SCHEDULER_LEASE) is None
    database.dispose()


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_a_taken_port_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _pantau(f"sqlite:///{tmp_path / 'p.db'}", "web", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_compose_runs_the_web_beside_the_daemon_on_the_same_database() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    web, daemon = services["web"], services["pantau"]
    assert web["command"] == ["web", "--host", "0.0.0.0", "--port", "8000"]
    assert web["environment"] == daemon["environment"]
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert web["depends_on"]["postgres"] == {"condition": "service_healthy"}
