"""Bad command lines and files: one line on stderr, exit 1 or 2, no traceback, nothing recorded.

Each case runs the real `pantau` in a child process and records (fault, expected, got) for the
table printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from crawler.crawl.replay import archive_from_manifest
from tests.conftest import DEFAULT_CONFIG, FIXTURES, ROOT
from tests.portal_server import PortalServer, Route

Row = tuple[str, str, str]


def pantau(*args: str, user: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`pantau ARGS…` piped, without COLUMNS or PANTAU_* variables; as `user` through setpriv if given."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PANTAU_") and k not in {"COLUMNS", "LINES"}
    }
    command = [sys.executable, "-m", "crawler", *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False)


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr.strip()


def check(
    table: list[Row], fault: str, result: subprocess.CompletedProcess[str], code: int, line: str
) -> None:
    got = f"exit {result.returncode}: {result.stderr.strip()}"
    table.append((fault, f"exit {code}: {line}", got))
    assert result.returncode == code, result.stderr
    assert one_line(result) == line


def test_a_config_key_written_twice_names_the_key_and_both_lines(
    tmp_path: Path, fault_table: list[Row]
) -> None:
    config = tmp_path / "pantau.yaml"
    config.write_text(
        "crawl:\n  lookback_days: 1\nsources:\n  rmol:\n    family: rmol\n    sites: [rmol.id]\n"
        "crawl:\n  lookback_days: 3\n",
        encoding="utf-8",
    )
    result = pantau("--config", str(config), "config", "check")
    check(fault_table, "config key written twice", result, 2,
          f"error: {config}: key 'crawl' is written twice, on lines 1 and 7")  # fmt: skip


def test_a_nested_key_written_twice_is_refused_too(tmp_path: Path, fault_table: list[Row]) -> None:
    config = tmp_path / "pantau.yaml"
    config.write_text(
        "sources:\n  rmol:\n    family: rmol\n    sites: [rmol.id]\n    family: bisnis\n", encoding="utf-8"
    )
    result = pantau("config", "check", str(config))
    check(fault_table, "nested config key written twice", result, 2,
          f"error: {config}: key 'family' is written twice, on lines 3 and 5")  # fmt: skip


NOBODY = "65534"


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user may enter (pytest's own are root's alone), for runs as an unprivileged user;
    skipped unless root can switch to one (root reads any file, so the fault needs another user)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run pantau as an unprivileged user")
    folder = Path(tempfile.mkdtemp(prefix="pantau-faults-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_an_unreadable_config_file_is_one_line_like_a_missing_one(
    open_folder: Path, fault_table: list[Row]
) -> None:
    config = open_folder / "pantau.yaml"
    shutil.copy(DEFAULT_CONFIG, config)
    config.chmod(0o000)
    for args in (("--config", str(config), "config", "check"), ("config", "check", str(config))):
        result = pantau(*args, user=NOBODY, cwd=open_folder)
        check(fault_table, "unreadable config file", result, 2,
              f"error: {config}: cannot read: Permission denied")  # fmt: skip


def test_a_database_path_under_a_file_is_one_line(tmp_path: Path, fault_table: list[Row]) -> None:
    blocker = tmp_path / "hostname"
    blocker.write_text("not a folder\n", encoding="utf-8")
    url = f"sqlite:///{blocker}/x.db"
    result = pantau("--config", str(DEFAULT_CONFIG), "--db", url, "items", "list")
    check(fault_table, "database folder is a file", result, 1,
          f"error: cannot open database {url}: cannot create its folder {blocker}: File exists")  # fmt: skip
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"


def test_a_database_folder_that_cannot_be_created_is_one_line(
    open_folder: Path, fault_table: list[Row]
) -> None:
    folder = open_folder / "data"  # its parent is root's: the unprivileged user cannot create it
    url = f"sqlite:///{folder}/pantau.db"
    result = pantau(
        "--config", str(DEFAULT_CONFIG), "--db", url, "items", "list", user=NOBODY, cwd=open_folder
    )
    expected = f"error: cannot open database {url}: cannot create its folder {folder}: Permission denied"
    check(fault_table, "database folder not creatable", result, 1, expected)
    assert not folder.exists()


def test_a_file_that_is_not_a_database_is_one_line_and_stays_as_it_was(
    tmp_path: Path, fault_table: list[Row]
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    url = f"sqlite:///{notes}"
    result = pantau("--config", str(DEFAULT_CONFIG), "--db", url, "items", "list")
    check(fault_table, "not a database file", result, 1,
          f"error: cannot open database {url}: file is not a database")  # fmt: skip
    assert notes.read_text(encoding="utf-8") == "these are my notes, not a database\n" * 100
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(notes).execute("SELECT name FROM sqlite_master").fetchall()


def test_a_replay_file_that_is_not_a_warc_records_no_run_and_leaves_health_alone(
    tmp_path: Path, fault_table: list[Row]
) -> None:
    database = tmp_path / "pantau.db"
    url = f"sqlite:///{database}"
    assert pantau("--config", str(DEFAULT_CONFIG), "--db", url, "status").returncode in (0, 3)
    bogus = tmp_path / "notes.warc"
    bogus.write_text("not an archive\n", encoding="utf-8")
    result = pantau("--config", str(DEFAULT_CONFIG), "--db", url, "crawl", "rmol", "--replay", str(bogus))
    expected = f"error: {bogus} is not a readable WARC archive: it starts with neither WARC/ nor gzip"
    check(fault_table, "--replay FILE that is not a WARC", result, 1, expected)
    with sqlite3.connect(database) as connection:
        runs = connection.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
        health = connection.execute("SELECT health FROM sources WHERE name = 'rmol'").fetchall()
    assert runs == 0
    assert health in ([], [("unknown",)])


def test_crawl_reports_alerts_held_back_behind_a_failing_channel_in_the_words_of_deliver(
    tmp_path: Path, fault_table: list[Row]
) -> None:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["seeds"]["path"] = str(DEFAULT_CONFIG.parent / config["seeds"]["path"])
    config["alerts"]["channels"] = {
        "down": {"type": "webhook", "url": "http://127.0.0.1:9/", "timeout_seconds": 2}
    }
    config["network"] = {"allow": ["127.0.0.0/8"]}  # the dead webhook is on loopback
    watch = config["watches"][0]
    config["watches"] = [
        {**watch, "channels": ["down"]},
        {**watch, "name": "korut-again", "channels": ["down"]},
    ]
    path = tmp_path / "pantau.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    archive = tmp_path / "rmol.warc.gz"
    archive_from_manifest(FIXTURES / "replay" / "rmol" / "manifest.json", archive)
    url = f"sqlite:///{tmp_path / 'pantau.db'}"

    result = pantau("--config", str(path), "--db", url, "crawl", "rmol", "--replay", str(archive))

    line = next((line for line in result.stdout.splitlines() if line.startswith("alerts:")), "")
    expected = "alerts: 0 sent, 1 to retry, 0 failed, 1 held back behind a failing channel"
    fault_table.append(("crawl with a channel that is down", expected, line))
    assert result.returncode == 0, result.stderr
    assert line == expected


def test_a_crawl_waiting_on_a_locked_database_says_so_once_and_loses_nothing(
    tmp_path: Path, fault_table: list[Row]
) -> None:
    database = tmp_path / "pantau.db"
    url = f"sqlite:///{database}"
    assert pantau("--config", str(DEFAULT_CONFIG), "--db", url, "status").returncode in (0, 3)
    archive = tmp_path / "rmol.warc.gz"
    archive_from_manifest(FIXTURES / "replay" / "rmol" / "manifest.json", archive)
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    release = threading.Timer(10.0, holder.execute, args=("COMMIT",))
    release.start()
    try:
        result = pantau(
            "--config", str(DEFAULT_CONFIG), "--db", url, "crawl", "rmol", "--replay", str(archive)
        )
    finally:
        release.join()
        holder.close()
    notices = [line for line in result.stderr.splitlines() if "waiting for the database lock" in line]
    with sqlite3.connect(database) as connection:
        counted = connection.execute(
            "SELECT sum(items_new + items_duplicate + items_unmatched + items_failed) FROM crawl_runs"
        ).fetchone()[0]
        stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    got = f"exit {result.returncode}, {len(notices)} notice, {counted} stories counted, {stored} stored"
    fault_table.append(("crawl on a locked database", "exit 0, 1 notice, 7 stories counted, 7 stored", got))
    assert (result.returncode, len(notices), counted, stored) == (0, 1, 7, 7), result.stderr
    assert notices[0].endswith(f"waiting for the database lock on {url} (another process is writing) …")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("items", "list", "--limit", "many"),
         "error: invalid value for '--limit': Input should be a valid integer, unable to parse string as an "
         "integer (see 'pantau items list --help')"),
        (("items", "list", "--limit", "0"),
         "error: invalid value for '--limit': Input should be greater than or equal to 1 "
         "(see 'pantau items list --help')"),
        (("items", "export", "--format", "xml"),
         "error: invalid value for '--format': 'xml' is not one of 'jsonl', 'csv'. "
         "(see 'pantau items export --help')"),
        (("items", "show", "first"),
         "error: invalid value for 'item_id': Input should be a valid integer, unable to parse string as an "
         "integer (see 'pantau items show --help')"),
        (("crawl",), "error: missing argument 'source'. (see 'pantau crawl --help')"),
        (("items", "list", "--newest"), "error: no such option: --newest (see 'pantau items list --help')"),
        (("crawl", "rmol", "--since", "lusa"),
         "error: invalid value for '--since': 'lusa' is not a past date or an age; give a date "
         "(2026-12-01, midnight WIB), a time (2026-12-01T08:00+07:00) or an age (30m, 2h, 3d, 1w) "
         "(see 'pantau crawl --help')"),
    ],
)  # fmt: skip
def test_a_bad_option_value_is_one_line_naming_the_option_and_its_form(
    args: tuple[str, ...], line: str, tmp_path: Path, fault_table: list[Row]
) -> None:
    database = tmp_path / "pantau.db"
    result = pantau("--config", str(DEFAULT_CONFIG), "--db", f"sqlite:///{database}", *args)
    check(fault_table, f"pantau {' '.join(args)}", result, 2, line)
    assert not database.exists()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of its own, so a test can fill it without filling the machine's disk."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=False)
    if mounted.returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("free_kb", [120, 60, 20])  # mid-crawl; mid-crawl and closing the run; opening
def test_a_crawl_on_a_full_disk_stops_with_one_line_and_loses_nothing_stored(
    small_disk: Path, tmp_path: Path, free_kb: int, fault_table: list[Row]
) -> None:
    url = f"sqlite:///{small_disk / 'pantau.db'}"
    archives = {}
    for family in ("rmol", "bisnis"):
        archives[family] = tmp_path / f"{family}.warc.gz"
        archive_from_manifest(FIXTURES / "replay" / family / "manifest.json", archives[family])
    first = pantau(
        "--config", str(DEFAULT_CONFIG), "--db", url, "crawl", "rmol", "--replay", str(archives["rmol"])
    )
    assert first.returncode == 0, first.stderr
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - free_kb * 1024))

    result = pantau(
        "--config", str(DEFAULT_CONFIG), "--db", url, "crawl", "bisnis", "--replay", str(archives["bisnis"])
    )

    expected = f"error: cannot write to {url}: the disk is full; what was stored before is kept"
    check(fault_table, f"crawl on a full disk ({free_kb} KB left)", result, 1, expected)
    filler.unlink()
    with sqlite3.connect(small_disk / "pantau.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rmol = connection.execute(
            "SELECT count(*) FROM articles WHERE canonical_url LIKE 'https://rmol.id/%'"
        )
        assert rmol.fetchone()[0] == 7


BOMB_CONFIG = """\
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
  retry_times: 0
archive: all
sources:
  lampung:
    family: rmol_regional
    sites: [rmollampung.id]
    listings: ["http://www.{{site}}/category/daerah"]
    search_enabled: false
"""
# Runs a command and prints the largest resident size (KiB) of it and every process it waited for.
PEAK_MEMORY = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip body of about 1/1000 of `inflated_bytes`: zeros compress that well."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    chunk = bytes(1 << 20)
    parts = [compressor.compress(b"<p>")]
    parts += [compressor.compress(chunk) for _ in range(inflated_bytes // len(chunk))]
    return b"".join([*parts, compressor.flush()])


def test_a_gzip_bomb_is_a_failed_story_and_memory_stays_bounded(
    tmp_path: Path, fault_table: list[Row]
) -> None:
    site, story = "http://www.rmollampung.id", "http://www.rmollampung.id/berita-bom-gzip-besar"
    bomb = gzip_bomb(1 << 30)  # 1 GiB inflated
    assert len(bomb) < 1_200_000
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config = tmp_path / "pantau.yaml"
    config.write_text(BOMB_CONFIG.format(seeds=seeds), encoding="utf-8")
    database = tmp_path / "pantau.db"
    with PortalServer() as portal:
        portal.route(f"{site}/robots.txt", Route(b"User-agent: *\n", content_type="text/plain"))
        portal.route(
            f"{site}/category/daerah", Route(f'<html><body><a href="{story}">Bom</a></body></html>'.encode())
        )
        portal.route(story, Route(bomb, headers={"Content-Encoding": "gzip"}))
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and k != "COLUMNS"}
        env["http_proxy"] = portal.proxy_url
        command = [
            "-m",
            "crawler",
            "--config",
            str(config),
            "--db",
            f"sqlite:///{database}",
            "crawl",
            "lampung",
        ]
        result = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY, sys.executable, *command],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=240, check=False,
        )  # fmt: skip
    peak_mib = int(result.stderr.splitlines()[-1]) // 1024
    with sqlite3.connect(database) as connection:
        errors = json.loads(connection.execute("SELECT errors FROM crawl_runs").fetchone()[0])
    cause = f"{story}: too large: larger than the 10 MB download limit once decompressed"
    bounded = "under" if peak_mib < 400 else f"{peak_mib} MiB, over"
    got = f"{'; '.join(errors)}; {bounded} 400 MiB"
    fault_table.append(("gzip bomb, 1 GiB inflated", f"{cause}; under 400 MiB", got))
    assert result.returncode == 0, result.stderr
    assert errors == [cause]
    assert peak_mib < 400  # the download limit stops the inflation: memory never follows the bomb
