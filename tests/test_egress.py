"""URLs people give Pantau may not reach loopback, private, link-local (cloud metadata), shared or
reserved addresses, as written, after DNS resolution or after a redirect, unless `network.allow`
names the network; the webhook sender applies the same check each time it sends."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from crawler.alerts import Dispatcher
from crawler.alerts.dispatcher import DeliveryReport
from crawler.config import NetworkConfig
from crawler.domain.egress import EgressPolicy, RefusedAddress, guarded_client
from crawler.domain.watch import Watch
from crawler.store.db import Database
from crawler.store.models import AlertOutbox
from crawler.store.outbox import enqueue_alerts
from crawler.store.watches import create_watch, stored_watches, update_watch

if TYPE_CHECKING:
    from tests.conftest_alerts import ConfigFactory, HttpReceiver, StoryWriter

pytest_plugins = ["tests.conftest_alerts"]

WATCH = "korea-utara-rusia"  # the watch of tests.conftest_alerts's configurations
SUFFIX = "Pantau does not call it unless network.allow in the configuration names its network"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://172.16.5.4/hook", "172.16.5.4 is a private address"),
        ("https://192.168.1.10/hook", "192.168.1.10 is a private address"),
        ("http://[fd12::1]/hook", "fd12::1 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local (cloud metadata) address",
        ),
        ("http://[fe80::1]/hook", "fe80::1 is a link-local (cloud metadata) address"),
        ("http://100.100.100.200/latest/meta-data/", "100.100.100.200 is a reserved address"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1 is a loopback address"),
        ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://localhost:8000/hook", "localhost resolves to 127.0.0.1, which is a loopback address"),
    ],
)
def test_each_kind_of_inner_address_is_refused_as_written_and_after_resolution(
    url: str, problem: str
) -> None:
    with pytest.raises(RefusedAddress) as refused:
        EgressPolicy().check_url(url)
    assert str(refused.value).split(": ", 1)[1] == f"{problem}; {SUFFIX}"


def test_the_refusal_names_the_url_without_its_query_or_password() -> None:
    with pytest.raises(RefusedAddress) as refused:
        EgressPolicy().check_url("http://user:sandi@10.0.0.1:8080/hooks/T0KEN?secret=abc")
    assert str(refused.value) == f"http://10.0.0.1:8080/hooks/T0KEN: 10.0.0.1 is a private address; {SUFFIX}"


def test_other_schemes_and_unresolvable_hosts_are_refused() -> None:
    with pytest.raises(RefusedAddress, match=r"^'file:///etc/passwd' is not an http or https URL$"):
        EgressPolicy().check_url("file:///etc/passwd")
    with pytest.raises(RefusedAddress, match=r"^tidak-ada\.invalid cannot be resolved: "):
        EgressPolicy().check_url("http://tidak-ada.invalid/")


def test_a_public_address_passes_and_an_allowed_network_opens_only_itself() -> None:
    EgressPolicy().check_url("https://93.184.216.34/hook")
    policy = NetworkConfig.model_validate({"allow": ["127.0.0.0/8", "::1/128", "10.20.0.0/16"]}).policy
    policy.check_url("http://127.0.0.1:8000/hook")
    policy.check_url("http://localhost:8000/hook")
    policy.check_url("http://10.20.3.4/hook")
    with pytest.raises(RefusedAddress, match=r"10\.21\.0\.1 is a private address"):
        policy.check_url("http://10.21.0.1/hook")
    with pytest.raises(RefusedAddress, match=r"169\.254\.169\.254 is a link-local"):
        policy.check_url("http://169.254.169.254/")


class _Server:
    """A real HTTP server on one loopback address: redirects to `location` if set, else answers 200."""

    def __init__(self, host: str, location: str | None = None) -> None:
        self.paths: list[str] = []
        self.hosts: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                server.hosts.append(self.headers.get("Host", ""))
                self.send_response(302 if location else 200)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._http = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self._http.server_port}/"
        threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture
def inner() -> Iterator[_Server]:
    server = _Server("127.0.0.2")
    yield server
    server.close()


def test_a_redirect_to_a_refused_address_is_stopped_before_it_is_followed(inner: _Server) -> None:
    outer = _Server("127.0.0.1", location=inner.url + "secret")
    try:
        policy = EgressPolicy([ipaddress.ip_network("127.0.0.1/32")])
        with (
            guarded_client(policy, follow_redirects=True, timeout=5) as client,
            pytest.raises(RefusedAddress, match=r"127\.0\.0\.2 is a loopback address"),
        ):
            client.get(outer.url + "start")
        assert (outer.paths, inner.paths) == (["/start"], [])
        with guarded_client(
            EgressPolicy([ipaddress.ip_network("127.0.0.0/8")]), follow_redirects=True
        ) as client:
            assert client.get(outer.url + "again").status_code == 200
        assert inner.paths == ["/secret"]
    finally:
        outer.close()


def test_a_name_that_resolves_elsewhere_after_the_check_is_still_called_at_the_address_checked(
    inner: _Server,
) -> None:
    """DNS rebinding: the first answer is an allowed address, every later one a refused address. The
    client connects to the address it checked (one lookup a request), the name in its Host header; a
    name no real resolver knows shows that it never looks the name up again."""
    outer = _Server("127.0.0.1", location="/moved")
    answers: list[str] = []

    def rebinding(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        answers.append(host)
        return [ipaddress.ip_address("127.0.0.1" if len(answers) % 2 else "127.0.0.2")]

    port = outer.url.rsplit(":", 1)[1].strip("/")
    policy = EgressPolicy([ipaddress.ip_network("127.0.0.1/32")], resolver=rebinding)
    try:
        with guarded_client(policy, timeout=5) as client:
            assert client.get(f"http://hook.pantau.invalid:{port}/first").status_code == 302
            with pytest.raises(RefusedAddress, match=r"resolves to 127\.0\.0\.2, which is a loopback"):
                client.get(f"http://hook.pantau.invalid:{port}/second")
        assert outer.paths == ["/first"] and outer.hosts == [f"hook.pantau.invalid:{port}"]
        assert inner.paths == [] and answers == ["hook.pantau.invalid"] * 2
    finally:
        outer.close()


def test_the_webhook_sender_refuses_a_loopback_url_at_send_time_and_sends_nothing(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    allowed = make_config({"hook": {"type": "webhook", "url": http_receiver.url}})
    config = allowed.model_copy(update={"network": NetworkConfig()})
    now = datetime(2026, 3, 2, 3, 15, tzinfo=UTC)
    with sqlite_database.session() as session:
        article, match = stories.store(session, "https://rmol.id/read/1", cluster=stories.cluster(session))
        enqueue_alerts(session, config, article, match, now=now)
    assert Dispatcher(sqlite_database, config).deliver_due(now) == DeliveryReport(failed=1)
    with sqlite_database.session() as session:
        row = session.scalars(select(AlertOutbox)).one()
        assert (row.status, row.last_error) == (
            "failed",
            f"{http_receiver.url.rstrip('/')}: 127.0.0.1 is a loopback address; {SUFFIX}",
        )
    assert http_receiver.requests == []


def test_a_watchs_own_webhook_gets_its_alerts_and_is_checked_again_when_sent(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    allowed = make_config({"console": {"type": "console"}})
    own = Watch(name=WATCH, query='"Korea Utara" AND Rusia', channels=[], webhook=http_receiver.url)
    create_watch(sqlite_database, own, by="eko")
    config = allowed.with_watches(stored_watches(sqlite_database))
    now = datetime(2026, 3, 2, 3, 15, tzinfo=UTC)

    def alert(url: str) -> None:
        with sqlite_database.session() as session:
            article, match = stories.store(session, url, cluster=stories.cluster(session))
            assert [row.channel for row in enqueue_alerts(session, config, article, match, now=now)] == [
                f"webhook:{WATCH}"
            ]

    alert("https://rmol.id/read/1")
    assert Dispatcher(sqlite_database, config).deliver_due(now) == DeliveryReport(sent=1, messages=1)
    assert [request.path for request in http_receiver.requests] == ["/hooks/pantau"]
    # The admin closes loopback again: the watch's webhook is refused when the next alert is sent.
    alert("https://rmol.id/read/2")
    closed = config.model_copy(update={"network": NetworkConfig()})
    assert Dispatcher(sqlite_database, closed).deliver_due(now) == DeliveryReport(failed=1)
    assert len(http_receiver.requests) == 1


def test_alerts_waiting_for_a_watchs_own_webhook_follow_the_watch_when_it_is_renamed(
    sqlite_database: Database, make_config: ConfigFactory, stories: StoryWriter, http_receiver: HttpReceiver
) -> None:
    own = Watch(name=WATCH, query='"Korea Utara" AND Rusia', channels=[], webhook=http_receiver.url)
    record = create_watch(sqlite_database, own, by="eko")
    config = make_config({"console": {"type": "console"}}).with_watches(stored_watches(sqlite_database))
    now = datetime(2026, 3, 2, 3, 15, tzinfo=UTC)
    with sqlite_database.session() as session:
        article, match = stories.store(session, "https://rmol.id/read/1", cluster=stories.cluster(session))
        enqueue_alerts(session, config, article, match, now=now)
    update_watch(sqlite_database, record.id, own.model_copy(update={"name": "korut"}), by="eko")
    renamed = config.with_watches(stored_watches(sqlite_database))
    assert Dispatcher(sqlite_database, renamed).deliver_due(now) == DeliveryReport(sent=1, messages=1)
    assert len(http_receiver.requests) == 1
    with sqlite_database.session() as session:
        assert session.scalars(select(AlertOutbox.channel)).all() == ["webhook:korut"]
