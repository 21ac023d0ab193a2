"""`pantau demo`: the bundled pages and config, and what a newcomer sees without network."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler.config import load_config
from crawler.crawl.replay import read_archive
from crawler.demo import DEMO_ARCHIVE, DEMO_CONFIG, demo_responses
from tests.conftest import DEFAULT_CONFIG, FIXTURES


def test_the_bundled_archive_is_exactly_the_replay_fixtures() -> None:
    bundled = read_archive(DEMO_ARCHIVE)
    fixtures = demo_responses(FIXTURES / "replay")
    assert sorted(bundled) == sorted(fixtures)
    for url, response in fixtures.items():
        assert (bundled[url].status, bundled[url].body) == (response.status, response.body), url
        assert set(response.headers) <= set(bundled[url].headers), url


def test_the_demo_seed_corpus_is_the_default_configurations() -> None:
    demo, default = load_config(DEMO_CONFIG), load_config(DEFAULT_CONFIG)
    bundled = {path.name: path.read_bytes() for path in demo.seeds_path.glob("*.txt")}
    assert bundled == {path.name: path.read_bytes() for path in default.seeds_path.glob("*.txt")}
    assert len(bundled) == 2


def test_the_demo_runs_the_default_sources_and_watches() -> None:
    demo, default = load_config(DEMO_CONFIG), load_config(DEFAULT_CONFIG)
    assert {name: source.family for name, source in demo.sources.items()} == {
        name: source.family for name, source in default.sources.items()
    }
    for name, source in demo.sources.items():
        assert set(source.sites) <= set(default.sources[name].sites)
    assert [watch.query for watch in default.watches] == [watch.query for watch in demo.watches][:1]


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The demo from a folder with no configuration in it, as after `pip install pantau`."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", "demo", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).parent.parent)},
        timeout=240,
        check=False,
    )


def test_the_demo_crawls_offline_and_shows_matches_and_alerts(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = run_demo("--db-file", str(database), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for title in (
        "Korea Utara Kirim Ribuan Insinyur Militer ke Rusia untuk Bangun Kembali Kursk",
        "Kim Jong Un Sebut Rusia Bakal Menang dalam Perang di Ukraina",
        "Garis Kemiskinan Lampung Naik, Beras Jadi Penyumbang Terbesar",
    ):
        assert title in result.stdout
    assert "alerts: 3 sent to the console" in result.stdout  # the two copies of seed stories raise none
    assert result.stdout.count(": not alerted") == 2
    with sqlite3.connect(database) as connection:
        runs = connection.execute(
            "SELECT s.name, r.status, r.items_matched FROM crawl_runs r JOIN sources s ON s.id = r.source_id"
            " ORDER BY r.id"
        ).fetchall()
        health = connection.execute("SELECT name, health FROM sources ORDER BY id").fetchall()
    assert runs == [("rmol", "succeeded", 2), ("rmol_regional", "succeeded", 2), ("bisnis", "succeeded", 1)]
    assert health == [("rmol", "healthy"), ("rmol_regional", "healthy"), ("bisnis", "healthy")]


def test_the_demo_never_writes_into_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "pantau.db"
    existing.write_bytes(b"precious")
    result = run_demo("--db-file", str(existing), cwd=tmp_path)
    assert result.returncode == 1
    assert (
        f"error: {existing} already exists: the demo fills a fresh database, name a new file" in result.stderr
    )
    assert existing.read_bytes() == b"precious"
