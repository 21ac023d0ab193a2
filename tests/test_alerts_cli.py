"""`pantau alerts list|retry|test|deliver` through the real CLI, configuration file and database."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from crawler.alerts import Dispatcher
from crawler.alerts.channels import sign
from crawler.cli import app, main
from crawler.config import load_config
from crawler.store.db import Database
from crawler.store.models import AlertOutbox
from crawler.store.outbox import enqueue_alerts

if TYPE_CHECKING:
    from tests.conftest_alerts import HttpReceiver, StoryWriter

pytest_plugins = ["tests.conftest_alerts"]

NOW = datetime(2026, 3, 2, 3, 15, tzinfo=UTC)
WATCH = "korea-utara-rusia"


@pytest.fixture
def config_file(tmp_path: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A pantau.yaml whose watch alerts a loopback webhook; wide output so table cells are not cut."""
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("PANTAU_WEBHOOK_SECRET", "rahasia")
    path = tmp_path / "pantau.yaml"
    settings: dict[str, Any] = {
        "sources": {"rmol": {"family": "rmol", "sites": ["rmol.id"]}},
        "watches": [{"name": "korea-utara-rusia", "query": '"Korea Utara" AND Rusia', "channels": ["hook"]}],
        "network": {"allow": ["127.0.0.0/8"]},  # the webhook receiver listens on loopback
        "alerts": {
            "language": "en",
            "max_attempts": 1,
            "channels": {
                "hook": {"type": "webhook", "url": http_receiver.url, "secret": "${PANTAU_WEBHOOK_SECRET}"},
                "console": {"type": "console"},
            },
        },
    }
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def _pantau(config_file: Path, database: Database, *arguments: str) -> Any:
    return CliRunner().invoke(app, ["--config", str(config_file), "--db", database.url, *arguments])


def _one_sent_and_one_failed(
    database: Database, config_file: Path, stories: StoryWriter, receiver: HttpReceiver
) -> list[int]:
    config = load_config(config_file)
    with database.session() as session:
        ids = []
        for url in ("https://rmol.id/read/1", "https://rmoljatim.id/b"):
            article, match = stories.store(session, url, title=f"Judul {url[-1]}")
            ids += [row.id for row in enqueue_alerts(session, config, article, match, now=NOW)]
    receiver.statuses = [200, 500]
    Dispatcher(database, config).deliver_due(NOW)
    return ids


def test_list_shows_every_alert_and_failed_only_with_the_flag(
    database: Database, config_file: Path, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    sent_id, failed_id = _one_sent_and_one_failed(database, config_file, stories, http_receiver)

    everything = _pantau(config_file, database, "alerts", "list")
    failed = _pantau(config_file, database, "alerts", "list", "--failed")

    assert everything.exit_code == 0, everything.output
    header = ["id", "status", "kind", "watch", "channel", "attempts", "when", "title", "last error"]
    error = f"webhook {http_receiver.url} answered HTTP 500 Internal Server Error"
    failed_row = [
        str(failed_id),
        "failed",
        "alert",
        WATCH,
        "hook",
        "1",
        "2026-03-02T03:15:00+00:00",
        "Judul b",
    ]
    sent_row = [str(sent_id), "sent", "alert", WATCH, "hook", "1", "2026-03-02T03:15:00+00:00", "Judul 1"]
    assert _table_cells(everything.output) == [header, [*failed_row, error], [*sent_row, ""]]
    assert _table_cells(failed.output) == [header, [*failed_row, error]]


def _table_cells(output: str) -> list[list[str]]:
    """The cells of a rich table, row by row, header first."""
    lines = [line.replace("┃", "│") for line in output.splitlines() if line[:1] in ("│", "┃")]
    return [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines]


def test_retry_puts_a_failed_alert_back_and_deliver_sends_it(
    database: Database, config_file: Path, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    _, failed_id = _one_sent_and_one_failed(database, config_file, stories, http_receiver)

    retried = _pantau(config_file, database, "alerts", "retry", str(failed_id))
    assert retried.exit_code == 0, retried.output
    assert retried.output == f"alert {failed_id} is pending again and will go out on the next delivery\n"
    with database.session() as session:
        row = session.get(AlertOutbox, failed_id)
        assert row is not None
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)

    delivered = _pantau(config_file, database, "alerts", "deliver")
    assert delivered.output == (
        "sent 1 alerts in 1 messages; 0 to retry, 0 failed, 0 held back behind a failing channel, "
        "0 follow-ups dropped as their alert named every outlet\n"
    )
    assert [request.json()["article"]["title"] for request in http_receiver.requests] == [
        "Judul 1",
        "Judul b",
        "Judul b",
    ]


def _pantau_main(
    config_file: Path, database: Database, capsys: pytest.CaptureFixture[str], *arguments: str
) -> tuple[int, str]:
    """Run the real `pantau` entry point in-process: its exit code and what it wrote to stderr."""
    capsys.readouterr()
    argv = ["pantau", "--config", str(config_file), "--db", database.url, *arguments]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exited:
            main()
    return int(exited.value.code or 0), capsys.readouterr().err


def test_retry_refuses_an_alert_that_is_not_failed_and_an_unknown_id_in_one_line(
    database: Database,
    config_file: Path,
    stories: StoryWriter,
    http_receiver: HttpReceiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent_id, failed_id = _one_sent_and_one_failed(database, config_file, stories, http_receiver)
    with database.session() as session:
        article, match = stories.store(session, "https://rmolsumut.id/c")
        (pending,) = enqueue_alerts(session, load_config(config_file), article, match, now=NOW)
        pending_id = pending.id

    assert _pantau_main(config_file, database, capsys, "alerts", "retry", str(sent_id)) == (
        1,
        f"error: alert {sent_id} is sent, not failed; only failed alerts can be retried\n",
    )
    assert _pantau_main(config_file, database, capsys, "alerts", "retry", str(pending_id)) == (
        1,
        f"error: alert {pending_id} is pending, not failed; only failed alerts can be retried\n",
    )
    assert _pantau_main(config_file, database, capsys, "alerts", "retry", "999") == (
        1,
        "error: no alert has id 999\n",
    )
    with database.session() as session:
        statuses = session.execute(select(AlertOutbox.id, AlertOutbox.status).order_by(AlertOutbox.id))
        assert [tuple(row) for row in statuses] == [
            (sent_id, "sent"),
            (failed_id, "failed"),
            (pending_id, "pending"),
        ]


def test_test_command_sends_a_signed_sample_through_the_named_channel(
    database: Database, config_file: Path, http_receiver: HttpReceiver
) -> None:
    result = _pantau(config_file, database, "alerts", "test", "hook")

    assert result.exit_code == 0, result.output
    assert result.output == "sent a sample alert to hook\n"
    (request,) = http_receiver.requests
    sample = request.json()
    assert (sample["watch"], sample["article"]["outlet"]) == ("pantau-test", "dunia.rmol.id")
    signed_with_the_environment_secret = sign("rahasia", request.body)
    assert request.headers["X-Pantau-Signature"] == signed_with_the_environment_secret
    with database.session() as session:
        assert session.scalars(select(AlertOutbox)).all() == []


def test_test_command_prints_the_sample_on_the_console_channel(database: Database, config_file: Path) -> None:
    result = _pantau(config_file, database, "alerts", "test", "console")
    assert result.exit_code == 0, result.output
    title = "Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di Ukraina"
    assert result.output.startswith(f"[Pantau] pantau-test: {title}\n")
    assert result.output.endswith("sent a sample alert to console\n")


def test_test_command_names_the_configured_channels_for_an_unknown_one(
    database: Database, config_file: Path
) -> None:
    result = _pantau(config_file, database, "alerts", "test", "telegram")
    assert str(result.exception) == "unknown alert channel 'telegram'; configured channels: console, hook"


def test_test_command_reports_a_channel_that_is_down(
    database: Database, config_file: Path, http_receiver: HttpReceiver
) -> None:
    http_receiver.statuses = [503]
    result = _pantau(config_file, database, "alerts", "test", "hook")
    assert str(result.exception) == f"webhook {http_receiver.url} answered HTTP 503 Service Unavailable"
