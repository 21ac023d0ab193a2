"""`pantau status`: last run, next run, health and the last 24 hours per source; exit 3 when unhealthy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from crawler.cli import app
from crawler.crawl.health import BLOCKED_RULE
from crawler.store.db import Database
from crawler.store.leases import SCHEDULER_LEASE, Leases
from crawler.store.models import AlertOutbox, CrawlRun, Match, Source, StoredArticle
from crawler.store.schedule import record_next_run
from tests.crawl_helpers import run_pantau

CONFIG = """\
seeds:
  path: {seeds}
sources:
  lampung:
    family: rmol_regional
    sites: [rmollampung.id]
    schedule: {{interval_minutes: 10, min_interval_minutes: 5, max_interval_minutes: 60}}
  bisnis:
    family: bisnis
    sites: [bisnis.com]
    schedule: {{cron: "*/10 * * * *"}}
  jatim:
    family: rmol_regional
    sites: [rmoljatim.id]
    enabled: false
"""
STARTED = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def write_config(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    config = tmp_path / "pantau.yaml"
    config.write_text(CONFIG.format(seeds=tmp_path / "seeds"), encoding="utf-8")
    return config


def fill(database: Database, lampung_health: str) -> None:
    """Two runs of lampung (the last one counts), articles and alerts inside and outside 24 hours."""
    now = datetime.now(UTC)
    with database.session() as session:
        lampung = Source(name="lampung", family="rmol_regional", health=lampung_health,
                         health_reason="HTTP 403 on 5 of 5 pages", poll_interval_seconds=1200)  # fmt: skip
        jatim = Source(name="jatim", family="rmol_regional", health="blocked")
        session.add_all([lampung, jatim])
        session.flush()
        session.add(CrawlRun(source_id=lampung.id, status="failed", started_at=STARTED - timedelta(hours=1)))
        last = CrawlRun(source_id=lampung.id, status="succeeded", trigger="schedule", started_at=STARTED,
                        finished_at=STARTED + timedelta(minutes=2), items_new=2, items_duplicate=1,
                        items_unmatched=4, items_failed=1, errors=["https://x/1: HTTP 404"])  # fmt: skip
        session.add(last)
        session.flush()
        for hours_ago in (1, 2, 30):
            seen = now - timedelta(hours=hours_ago)
            article = StoredArticle(canonical_url=f"https://rmollampung.id/{hours_ago}", url="u",
                                    source_id=lampung.id, first_seen=seen)  # fmt: skip
            session.add(article)
            session.flush()
            match = Match(article_id=article.id, watch="lampung")
            session.add(match)
            session.flush()
            session.add(AlertOutbox(dedup_key=f"k{hours_ago}", match_id=match.id, watch="lampung",
                                    channel="console", created_at=seen))  # fmt: skip


def pantau_status(config: Path, database: Database, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(config), "--db", database.url, "status", *options])
    return result.exit_code, result.output


def test_status_json_reports_every_configured_source(database: Database, tmp_path: Path) -> None:
    fill(database, lampung_health="healthy")
    exit_code, output = pantau_status(write_config(tmp_path), database, "--json")
    document = json.loads(output)
    assert exit_code == 0, output
    assert document["daemon"] is None
    assert document["sources"] == [
        {
            "name": "lampung", "enabled": True, "health": "healthy",
            "health_reason": "HTTP 403 on 5 of 5 pages",
            "schedule": "interval", "poll_interval_seconds": 1200.0,
            "last_run": {
                "id": 2, "status": "succeeded", "trigger": "schedule",
                "started_at": "2026-11-23T03:00:00+00:00", "finished_at": "2026-11-23T03:02:00+00:00",
                "new": 2, "duplicate": 1, "unmatched": 4, "failed": 1, "errors": 1,
            },
            "next_run": None, "articles_24h": 2, "alerts_24h": 2, "unhealthy": False,
        },
        {
            "name": "bisnis", "enabled": True, "health": "unknown", "health_reason": None,
            "schedule": "cron */10 * * * *", "poll_interval_seconds": None, "last_run": None,
            "next_run": None, "articles_24h": 0, "alerts_24h": 0, "unhealthy": False,
        },
        {
            "name": "jatim", "enabled": False, "health": "blocked", "health_reason": None,
            "schedule": "interval", "poll_interval_seconds": 600.0, "last_run": None,
            "next_run": None, "articles_24h": 0, "alerts_24h": 0, "unhealthy": False,
        },
    ]  # fmt: skip


def test_status_exits_3_and_says_why_when_an_enabled_source_is_unhealthy(
    database: Database, tmp_path: Path
) -> None:
    fill(database, lampung_health="blocked")
    result = run_pantau("status", config=write_config(tmp_path), database_url=database.url)
    output = result.stdout
    assert result.returncode == 3, result.stderr
    assert output.splitlines()[0] == "daemon: not running"
    assert output.splitlines()[-2:] == [BLOCKED_RULE, "lampung: blocked: HTTP 403 on 5 of 5 pages"]
    assert "#2 2026-11-23 10:00 WIB (schedule)" in output
    assert "succeeded: 2 new, 1 dup, 4 unmatched, 1 failed, 1 errors" in output


def test_status_names_the_running_daemon(database: Database, tmp_path: Path) -> None:
    leases = Leases(database, "crawler-host:4242:abcd")
    assert leases.acquire(SCHEDULER_LEASE, timedelta(minutes=1))
    exit_code, output = pantau_status(write_config(tmp_path), database, "--json")
    assert exit_code == 0
    assert json.loads(output)["daemon"]["holder"] == "crawler-host:4242:abcd"


def test_status_shows_each_enabled_sources_next_run_from_the_daemons_schedule(
    database: Database, tmp_path: Path
) -> None:
    fill(database, lampung_health="healthy")
    due = datetime(2099, 11, 23, 3, 20, tzinfo=UTC)  # never due while the test runs
    for source in ("lampung", "jatim"):  # jatim is disabled: its stale record says nothing
        record_next_run(database, source, "interval[0:10:00] jitter=None", due)

    config = write_config(tmp_path)
    exit_code, output = pantau_status(config, database, "--json")
    shown = run_pantau("status", config=config, database_url=database.url)

    assert (exit_code, shown.returncode) == (0, 0), output + shown.stderr
    next_runs = {source["name"]: source["next_run"] for source in json.loads(output)["sources"]}
    assert next_runs == {"lampung": "2099-11-23T03:20:00+00:00", "bisnis": None, "jatim": None}
    assert "2099-11-23 10:20 WIB" in shown.stdout
