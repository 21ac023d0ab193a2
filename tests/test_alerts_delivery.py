"""Delivery through the outbox against real servers on loopback: SMTP, an HTTP receiver, Apprise."""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from rich.console import Console
from sqlalchemy import select

from crawler.alerts import Dispatcher, RenderedAlert
from crawler.alerts.channels import ConsoleSender, WebhookSender
from crawler.alerts.dispatcher import CLAIM_LEASE, DeliveryReport, backoff
from crawler.config import AlertsConfig, Config, WebhookChannel, load_config
from crawler.domain.egress import EgressPolicy
from crawler.store.db import Database
from crawler.store.models import AlertOutbox, StoryCluster
from crawler.store.outbox import enqueue_alerts

if TYPE_CHECKING:
    from tests.conftest_alerts import Certificate, ConfigFactory, HttpReceiver, SmtpServer, StoryWriter

SMTP_LOGIN = ("pantau", "rahasia")  # what the loopback SMTP server accepts (tests.conftest_alerts)

pytest_plugins = ["tests.conftest_alerts"]

NOW = datetime(2026, 3, 2, 3, 15, tzinfo=UTC)  # 10:15 WIB
TITLE = "Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara"
URL = "https://rmol.id/dunia/read/2022/09/06/546353/roket"
SECRET = "rahasia-webhook"
APPRISE_500 = "Failed to send JSON POST notification: Internal server error., error=500."


def _enqueue(database: Database, config: Config, stories: StoryWriter, *urls: str) -> list[int]:
    """Store one story per URL (each its own cluster) and enqueue its alerts; returns the outbox ids."""
    ids = []
    with database.session() as session:
        for url in urls:
            article, match = stories.store(session, url, cluster=stories.cluster(session))
            ids += [row.id for row in enqueue_alerts(session, config, article, match, now=NOW)]
    return ids


def _rows(database: Database) -> list[tuple[str, int, str | None]]:
    with database.session() as session:
        rows = session.scalars(select(AlertOutbox).order_by(AlertOutbox.id))
        return [(row.status, row.attempts, row.last_error) for row in rows]


def _webhook(receiver: HttpReceiver, **overrides: Any) -> dict[str, Any]:
    return {"type": "webhook", "url": receiver.url, "secret": SECRET, **overrides}


def test_email_over_starttls_with_login_carries_subject_both_parts_and_a_stable_message_id(
    sqlite_database: Database,
    make_config: ConfigFactory,
    stories: StoryWriter,
    smtp_server: SmtpServer,
    trusted_certificate: Certificate,
) -> None:
    smtp_server.security, smtp_server.certificate = "starttls", trusted_certificate
    smtp_server.start()
    config = make_config({"mail": smtp_server.channel()})
    _enqueue(sqlite_database, config, stories, URL)

    report = Dispatcher(sqlite_database, config).deliver_due(NOW)

    assert report == DeliveryReport(sent=1, messages=1)
    (email,) = smtp_server.messages
    with sqlite_database.session() as session:
        key = session.scalars(select(AlertOutbox)).one().payload["idempotency_key"]
    assert email["Subject"] == f"[Pantau] korea-utara-rusia: {TITLE}"
    assert email["From"] == "Pantau <pantau@redaksi.example>"
    assert email["To"] == "desk@redaksi.example, editor@redaksi.example"
    assert email["Message-ID"] == f"<{key}@redaksi.example>"
    assert email["X-Pantau-Idempotency-Key"] == key
    assert smtp_server.handler.recipients == [["desk@redaksi.example", "editor@redaksi.example"]]
    text, html = (part.get_content() for part in email.iter_parts())
    assert [part.get_content_type() for part in email.iter_parts()] == ["text/plain", "text/html"]
    assert text == (
        'Berita baru untuk pantauan "korea-utara-rusia"\n\n'
        f"{TITLE}\nrmol.id · 2022-09-06 11:24 WIB\n\n{URL}\n\n"
        "Kata kunci: Korea Utara, Rusia\n"
        '"Rusia sedang membeli jutaan roket dan peluru artileri dari Korea Utara."\n'
    )
    assert f'<h2><a href="{URL}">{TITLE}</a></h2>' in html


def _config_file(path: Path, channel: dict[str, Any]) -> Config:
    """A pantau.yaml holding this channel, loaded the way `pantau` loads it (so `${ENV}` is resolved)."""
    settings = {
        "sources": {"rmol": {"family": "rmol", "sites": ["rmol.id"]}},
        "watches": [{"name": "korea-utara-rusia", "query": '"Korea Utara" AND Rusia', "channels": ["mail"]}],
        "alerts": {"channels": {"mail": channel}},
    }
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return load_config(path)


def test_email_over_implicit_tls_logs_in_with_the_password_from_the_environment(
    sqlite_database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stories: StoryWriter,
    smtp_server: SmtpServer,
    trusted_certificate: Certificate,
) -> None:
    smtp_server.security, smtp_server.certificate = "tls", trusted_certificate
    smtp_server.start()
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_LOGIN[1])
    config = _config_file(tmp_path / "pantau.yaml", smtp_server.channel(password="${SMTP_PASSWORD}"))
    _enqueue(sqlite_database, config, stories, URL)

    assert Dispatcher(sqlite_database, config).deliver_due(NOW) == DeliveryReport(sent=1, messages=1)
    assert [email["Subject"] for email in smtp_server.messages] == [f"[Pantau] korea-utara-rusia: {TITLE}"]
    assert smtp_server.handler.logins == [SMTP_LOGIN[0]]


def test_a_wrong_password_from_the_environment_is_refused_by_the_server_and_retried(
    sqlite_database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stories: StoryWriter,
    smtp_server: SmtpServer,
    trusted_certificate: Certificate,
) -> None:
    smtp_server.security, smtp_server.certificate = "tls", trusted_certificate
    smtp_server.start()
    monkeypatch.setenv("SMTP_PASSWORD", "salah")
    config = _config_file(tmp_path / "pantau.yaml", smtp_server.channel(password="${SMTP_PASSWORD}"))
    _enqueue(sqlite_database, config, stories, URL)

    assert Dispatcher(sqlite_database, config).deliver_due(NOW) == DeliveryReport(retrying=1)
    refused = f"email via 127.0.0.1:{smtp_server.port} failed: SMTPAuthenticationError: "
    refused += "(535, b'5.7.8 Authentication credentials invalid')"
    assert _rows(sqlite_database) == [("pending", 1, refused)]
    assert smtp_server.messages == []


def test_webhook_posts_the_whole_payload_signed_over_the_exact_body(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config({"hook": _webhook(http_receiver)}, follow_ups=False)
    jatim_url = "https://www.rmoljatim.id/intelijen-as-rusia-beli-roket"
    with database.session() as session:
        cluster = stories.cluster(session)
        for url in (URL, jatim_url):
            article, match = stories.store(session, url, cluster=cluster)
            enqueue_alerts(session, config, article, match, now=NOW)
            if url == URL:
                ids = (article.id, match.id, cluster.id)

    assert Dispatcher(database, config).deliver_due(NOW) == DeliveryReport(sent=1, messages=1)

    (request,) = http_receiver.requests
    key = hashlib.sha256(f"korea-utara-rusia:cluster-{ids[2]}:hook".encode()).hexdigest()[:32]
    assert request.json() == {
        "idempotency_key": key,
        "kind": "alert",
        "watch": "korea-utara-rusia",
        "delivery": "immediate",
        "article": {
            "id": ids[0],
            "url": URL,
            "title": TITLE,
            "source": "rmol",
            "outlet": "rmol.id",
            "published_at": "2022-09-06T04:24:00+00:00",
            "lead": "Rusia membeli roket dari Korea Utara.",
        },
        "match": {
            "id": ids[1],
            "terms": ["Korea Utara", "Rusia"],
            "snippet": "Rusia sedang membeli jutaan roket dan peluru artileri dari Korea Utara.",
            "hits": [
                {"term": "Rusia", "field": "body", "start": 0, "end": 5, "snippet": "Rusia sedang membeli"}
            ],
        },
        "cluster": {"id": ids[2], "other_outlets": [{"outlet": "rmoljatim.id", "url": jatim_url}]},
        "follows": None,
    }
    expected_signature = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.path == "/hooks/pantau"
    assert request.headers["X-Pantau-Signature"] == expected_signature
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["Idempotency-Key"] == key


def test_webhook_without_a_secret_sends_no_signature(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config({"hook": _webhook(http_receiver, secret=None)})
    _enqueue(sqlite_database, config, stories, URL)

    Dispatcher(sqlite_database, config).deliver_due(NOW)

    assert "X-Pantau-Signature" not in http_receiver.requests[0].headers


def test_apprise_url_delivers_subject_and_text(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config(
        {"chat": {"type": "apprise", "urls": [f"json://127.0.0.1:{http_receiver.port}/chat"]}}
    )
    _enqueue(sqlite_database, config, stories, URL)

    assert Dispatcher(sqlite_database, config).deliver_due(NOW) == DeliveryReport(sent=1, messages=1)

    (request,) = http_receiver.requests
    body = request.json()
    assert request.path == "/chat"
    assert (body["title"], body["type"]) == (f"[Pantau] korea-utara-rusia: {TITLE}", "info")
    assert body["message"].startswith(f'Berita baru untuk pantauan "korea-utara-rusia"\n\n{TITLE}\n')


def test_apprise_failure_is_recorded_with_apprise_reason(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    http_receiver.statuses = [500]
    config = make_config({"chat": {"type": "apprise", "urls": [f"json://127.0.0.1:{http_receiver.port}/"]}})
    _enqueue(sqlite_database, config, stories, URL)

    assert Dispatcher(sqlite_database, config).deliver_due(NOW) == DeliveryReport(retrying=1)
    ((status, attempts, error),) = _rows(sqlite_database)
    assert (status, attempts) == ("pending", 1)
    assert error == "apprise delivery failed: " + APPRISE_500


def test_console_channel_prints_subject_and_text() -> None:
    output = io.StringIO()
    message = RenderedAlert(
        kind="alert", subject="[Pantau] x: judul", text="isi\n", html="", payload={"idempotency_key": "k1"}
    )
    ConsoleSender(Console(file=output, width=200)).send(message)
    assert output.getvalue() == "[Pantau] x: judul\n\nisi\n\n"


def test_console_channel_keeps_a_long_url_on_one_line_at_width_80() -> None:
    output = io.StringIO()
    url = "https://dunia.rmol.id/read/2022/09/06/546353/intelijen-as-rusia-beli-roket-dan-peluru-dari-korea-utara"
    message = RenderedAlert(
        kind="alert", subject="[Pantau] x: judul", text=f"{url}\n", html="", payload={"idempotency_key": "k1"}
    )
    ConsoleSender(Console(file=output, width=80)).send(message)
    assert output.getvalue().splitlines() == ["[Pantau] x: judul", "", url, ""]


JATIM_URL = "https://www.rmoljatim.id/intelijen-as-rusia-beli-roket"
LAMPUNG_URL = "https://rmollampung.id/intelijen-as-rusia-beli-roket"


def _add_copy(database: Database, config: Config, stories: StoryWriter, cluster_id: int, url: str) -> None:
    """Another outlet's copy of the story, stored and matched in its own transaction, as a crawl does."""
    with database.session() as session:
        cluster = session.get_one(StoryCluster, cluster_id)
        article, match = stories.store(session, url, cluster=cluster)
        enqueue_alerts(session, config, article, match, now=NOW)


def test_outlets_that_join_after_the_alert_are_named_together_in_its_one_follow_up(
    database: Database,
    make_config: ConfigFactory,
    stories: StoryWriter,
    http_receiver: HttpReceiver,
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start()
    config = make_config({"hook": _webhook(http_receiver), "mail": smtp_server.channel()}, language="en")
    with database.session() as session:
        cluster_id = stories.cluster(session).id
    _add_copy(database, config, stories, cluster_id, URL)
    dispatcher = Dispatcher(database, config)
    assert dispatcher.deliver_due(NOW) == DeliveryReport(sent=2, messages=2)

    _add_copy(database, config, stories, cluster_id, JATIM_URL)
    _add_copy(database, config, stories, cluster_id, LAMPUNG_URL)
    assert dispatcher.deliver_due(NOW) == DeliveryReport(sent=2, messages=2)
    assert dispatcher.deliver_due(NOW + timedelta(days=1)) == DeliveryReport()

    alert, follow_up = (request.json() for request in http_receiver.requests)
    assert (alert["kind"], alert["cluster"]["other_outlets"]) == ("alert", [])
    assert (follow_up["kind"], follow_up["article"]["url"]) == ("follow_up", JATIM_URL)
    assert follow_up["cluster"]["new_outlets"] == [
        {"outlet": "rmoljatim.id", "url": JATIM_URL},
        {"outlet": "rmollampung.id", "url": LAMPUNG_URL},
    ]
    assert follow_up["cluster"]["other_outlets"] == [
        {"outlet": "rmol.id", "url": URL},
        {"outlet": "rmollampung.id", "url": LAMPUNG_URL},
    ]
    assert [email["Subject"] for email in smtp_server.messages] == [
        f"[Pantau] korea-utara-rusia: {TITLE}",
        f"[Pantau] korea-utara-rusia: also carried by 2 more outlets: {TITLE}",
    ]


def test_a_follow_up_whose_outlets_its_alert_already_names_is_dropped_and_a_later_outlet_brings_one(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config({"hook": _webhook(http_receiver)})
    with database.session() as session:
        cluster_id = stories.cluster(session).id
    _add_copy(database, config, stories, cluster_id, URL)
    _add_copy(database, config, stories, cluster_id, JATIM_URL)
    dispatcher = Dispatcher(database, config)

    assert dispatcher.deliver_due(NOW) == DeliveryReport(sent=1, dropped=1, messages=1)
    assert _rows(database) == [("sent", 1, None)]
    _add_copy(database, config, stories, cluster_id, LAMPUNG_URL)
    assert dispatcher.deliver_due(NOW) == DeliveryReport(sent=1, messages=1)

    alert, follow_up = (request.json() for request in http_receiver.requests)
    assert alert["cluster"]["other_outlets"] == [{"outlet": "rmoljatim.id", "url": JATIM_URL}]
    assert follow_up["cluster"]["new_outlets"] == [{"outlet": "rmollampung.id", "url": LAMPUNG_URL}]


def test_smtp_down_keeps_every_alert_until_it_is_back(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, smtp_server: SmtpServer
) -> None:
    config = make_config({"mail": smtp_server.channel()}, backoff_seconds=30)
    _enqueue(database, config, stories, URL, "https://rmol.id/read/2")
    dispatcher = Dispatcher(database, config)

    assert dispatcher.deliver_due(NOW) == DeliveryReport(retrying=1, postponed=1)
    refused = f"email via 127.0.0.1:{smtp_server.port} failed: ConnectionRefusedError: [Errno 111] "
    refused += "Connection refused"
    assert _rows(database) == [("pending", 1, refused), ("pending", 0, None)]
    assert dispatcher.deliver_due(NOW + timedelta(seconds=29)) == DeliveryReport()

    smtp_server.start()
    assert dispatcher.deliver_due(NOW + timedelta(seconds=30)) == DeliveryReport(sent=2, messages=2)
    assert [status for status, _, _ in _rows(database)] == ["sent", "sent"]
    assert len(smtp_server.messages) == 2


def test_webhook_500_is_retried_after_backoff_and_then_delivered_once(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    http_receiver.statuses = [500]
    config = make_config({"hook": _webhook(http_receiver)}, backoff_seconds=30)
    _enqueue(database, config, stories, URL)
    dispatcher = Dispatcher(database, config)

    assert dispatcher.deliver_due(NOW) == DeliveryReport(retrying=1)
    assert _rows(database) == [
        ("pending", 1, f"webhook {http_receiver.url} answered HTTP 500 Internal Server Error")
    ]
    assert dispatcher.deliver_due(NOW + timedelta(seconds=29)) == DeliveryReport()
    assert dispatcher.deliver_due(NOW + timedelta(seconds=30)) == DeliveryReport(sent=1, messages=1)
    assert dispatcher.deliver_due(NOW + timedelta(hours=1)) == DeliveryReport()

    first, second = http_receiver.requests
    assert first.body == second.body
    assert [status for status, _, _ in _rows(database)] == ["sent"]


def test_webhook_timeout_is_a_retryable_failure(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    http_receiver.hanging = True
    config = make_config({"hook": _webhook(http_receiver, timeout_seconds=0.2)})
    _enqueue(sqlite_database, config, stories, URL)

    assert Dispatcher(sqlite_database, config).deliver_due(NOW) == DeliveryReport(retrying=1)
    assert _rows(sqlite_database) == [("pending", 1, f"webhook {http_receiver.url} timed out after 0.2 s")]


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_a_webhook_refusal_fails_that_alert_at_once_and_the_channel_goes_on(
    database: Database,
    make_config: ConfigFactory,
    stories: StoryWriter,
    http_receiver: HttpReceiver,
    status: int,
) -> None:
    http_receiver.statuses = [status]
    config = make_config({"hook": _webhook(http_receiver)})
    _enqueue(database, config, stories, URL, "https://rmol.id/read/2")

    assert Dispatcher(database, config).deliver_due(NOW) == DeliveryReport(sent=1, failed=1, messages=1)

    reason = HTTPStatus(status).phrase
    assert _rows(database) == [
        ("failed", 1, f"webhook {http_receiver.url} refused the alert: HTTP {status} {reason}"),
        ("sent", 1, None),
    ]
    assert len(http_receiver.requests) == 2


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503])
def test_a_webhook_timeout_throttle_or_server_error_is_retried_and_holds_the_channel_back(
    database: Database,
    make_config: ConfigFactory,
    stories: StoryWriter,
    http_receiver: HttpReceiver,
    status: int,
) -> None:
    http_receiver.statuses = [status]
    config = make_config({"hook": _webhook(http_receiver)}, backoff_seconds=30)
    _enqueue(database, config, stories, URL, "https://rmol.id/read/2")
    dispatcher = Dispatcher(database, config)

    assert dispatcher.deliver_due(NOW) == DeliveryReport(retrying=1, postponed=1)
    reason = HTTPStatus(status).phrase
    assert _rows(database) == [
        ("pending", 1, f"webhook {http_receiver.url} answered HTTP {status} {reason}"),
        ("pending", 0, None),
    ]
    assert dispatcher.deliver_due(NOW + timedelta(seconds=30)) == DeliveryReport(sent=2, messages=2)


def test_a_template_that_raises_fails_its_alert_with_backoff_and_never_leaves_it_claimed(
    database: Database,
    make_config: ConfigFactory,
    stories: StoryWriter,
    http_receiver: HttpReceiver,
    tmp_path: Path,
) -> None:
    templates = tmp_path / "broken-templates"
    templates.mkdir()
    (templates / "alert.txt").write_text("{{ alert.article.id // 0 }}\n", encoding="utf-8")
    config = make_config(
        {"hook": _webhook(http_receiver)}, templates=str(templates), max_attempts=2, backoff_seconds=30
    )
    _enqueue(database, config, stories, URL, "https://rmol.id/read/2")
    dispatcher = Dispatcher(database, config)

    broken = "cannot render the message: ZeroDivisionError: integer division or modulo by zero"
    assert dispatcher.deliver_due(NOW) == DeliveryReport(retrying=2)
    assert _rows(database) == [("pending", 1, broken), ("pending", 1, broken)]
    assert dispatcher.deliver_due(NOW + timedelta(seconds=29)) == DeliveryReport()
    assert dispatcher.deliver_due(NOW + timedelta(seconds=30)) == DeliveryReport(failed=2)
    assert _rows(database) == [("failed", 2, broken), ("failed", 2, broken)]
    assert http_receiver.requests == []


def test_an_unexpected_error_from_a_channel_is_recorded_on_the_alert(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter
) -> None:
    config = make_config({"hook": {"type": "webhook", "url": "http://[::1/hooks/pantau"}})
    _enqueue(sqlite_database, config, stories, URL)

    assert Dispatcher(sqlite_database, config).deliver_due(NOW) == DeliveryReport(retrying=1)
    assert _rows(sqlite_database) == [
        ("pending", 1, "alert channel hook failed unexpectedly: InvalidURL: Invalid port: ':1'")
    ]


def test_an_alert_that_keeps_failing_is_marked_failed_with_its_last_error(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    http_receiver.statuses = [500, 503]
    config = make_config({"hook": _webhook(http_receiver)}, max_attempts=2, backoff_seconds=30)
    _enqueue(database, config, stories, URL)
    dispatcher = Dispatcher(database, config)

    assert dispatcher.deliver_due(NOW) == DeliveryReport(retrying=1)
    assert dispatcher.deliver_due(NOW + timedelta(seconds=30)) == DeliveryReport(failed=1)
    assert dispatcher.deliver_due(NOW + timedelta(days=1)) == DeliveryReport()
    assert _rows(database) == [
        ("failed", 2, f"webhook {http_receiver.url} answered HTTP 503 Service Unavailable")
    ]
    assert len(http_receiver.requests) == 2


class _ProcessDied(BaseException):
    """Stands for the process being killed: nothing after it runs, not even `except Exception`."""


class _DiesAfterSending:
    """A real webhook sender in a process that dies right after the receiver got the message."""

    def __init__(self, settings: WebhookChannel, policy: EgressPolicy) -> None:
        self._sender = WebhookSender(settings, policy)

    def send(self, message: RenderedAlert) -> None:
        self._sender.send(message)
        raise _ProcessDied


def test_a_crash_between_sending_and_recording_resends_after_the_lease_with_the_same_key(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config({"hook": _webhook(http_receiver)})
    _enqueue(database, config, stories, URL)
    settings = config.alerts.channels["hook"]
    assert isinstance(settings, WebhookChannel)

    with pytest.raises(_ProcessDied):
        Dispatcher(
            database, config, channels={"hook": _DiesAfterSending(settings, config.network.policy)}
        ).deliver_due(NOW)
    assert _rows(database) == [("sending", 1, None)]

    restarted = Dispatcher(database, config)
    assert restarted.deliver_due(NOW + CLAIM_LEASE - timedelta(seconds=1)) == DeliveryReport()
    assert restarted.deliver_due(NOW + CLAIM_LEASE) == DeliveryReport(sent=1, messages=1)
    assert _rows(database) == [("sent", 2, None)]

    first, repeat = http_receiver.requests
    assert repeat.headers["Idempotency-Key"] == first.headers["Idempotency-Key"]
    assert (
        repeat.json()["idempotency_key"]
        == first.json()["idempotency_key"]
        == first.headers["Idempotency-Key"]
    )
    assert len({request.headers["Idempotency-Key"] for request in http_receiver.requests}) == 1


def test_hourly_digest_groups_due_alerts_of_a_watch_into_one_message(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config({"hook": _webhook(http_receiver)}, watch={"delivery": "hourly"})
    ids = _enqueue(database, config, stories, URL, "https://rmoljatim.id/b", "https://rmollampung.id/c")
    dispatcher = Dispatcher(database, config)

    assert dispatcher.deliver_due(NOW + timedelta(minutes=44)) == DeliveryReport()  # 10:59 WIB
    assert dispatcher.deliver_due(NOW + timedelta(minutes=45)) == DeliveryReport(sent=3, messages=1)  # 11:00

    (request,) = http_receiver.requests
    digest = request.json()
    assert (digest["kind"], digest["watch"], digest["delivery"]) == ("digest", "korea-utara-rusia", "hourly")
    assert [alert["article"]["url"] for alert in digest["alerts"]] == [
        URL,
        "https://rmoljatim.id/b",
        "https://rmollampung.id/c",
    ]
    assert request.headers["Idempotency-Key"] == digest["idempotency_key"]
    assert len(ids) == 3


def test_a_digest_resent_after_a_crash_keeps_its_idempotency_key(
    database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    config = make_config({"hook": _webhook(http_receiver)}, watch={"delivery": "daily", "daily_at": "07:00"})
    _enqueue(database, config, stories, URL, "https://rmoljatim.id/b")
    settings = config.alerts.channels["hook"]
    assert isinstance(settings, WebhookChannel)
    slot = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 07:00 WIB the next morning

    with pytest.raises(_ProcessDied):
        Dispatcher(
            database, config, channels={"hook": _DiesAfterSending(settings, config.network.policy)}
        ).deliver_due(slot)
    assert Dispatcher(database, config).deliver_due(slot + CLAIM_LEASE) == DeliveryReport(sent=2, messages=1)

    first, repeat = http_receiver.requests
    assert first.body == repeat.body


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 100), (12, 100)])
def test_backoff_doubles_from_the_base_up_to_the_cap(attempts: int, seconds: int) -> None:
    settings = AlertsConfig(backoff_seconds=30, max_backoff_seconds=100)
    assert backoff(settings, attempts) == timedelta(seconds=seconds)
