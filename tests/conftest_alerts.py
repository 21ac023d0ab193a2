"""Loopback servers and stored stories for the alert tests: a real SMTP server, a real HTTP receiver.

Test modules load these fixtures with `pytest_plugins = ["tests.conftest_alerts"]` and import names
from here only under TYPE_CHECKING (a plugin imported first cannot have its asserts rewritten).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session as DatabaseSession

from crawler.config import Config
from crawler.store.models import Match, Source, StoredArticle, StoryCluster

WATCH = "korea-utara-rusia"
SMTP_LOGIN = ("pantau", "rahasia")
REGIONAL_SITES = ["rmoljatim.id", "rmollampung.id"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class ConfigFactory(Protocol):
    def __call__(
        self, channels: dict[str, Any], watch: dict[str, Any] | None = None, **alerts: Any
    ) -> Config: ...


LOOPBACK = ["127.0.0.0/8", "::1/128"]


@pytest.fixture
def make_config(tmp_path: Path) -> ConfigFactory:
    """Configurations with the rmol sources and one watch alerting every given channel, and these settings."""

    def make(channels: dict[str, Any], watch: dict[str, Any] | None = None, **alerts: Any) -> Config:
        return Config.model_validate(
            {
                "sources": {
                    "rmol": {"family": "rmol", "sites": ["rmol.id"]},
                    "rmol_regional": {"family": "rmol_regional", "sites": REGIONAL_SITES},
                },
                "watches": [
                    {
                        "name": WATCH,
                        "query": '"Korea Utara" AND Rusia',
                        "channels": list(channels),
                        **(watch or {}),
                    }
                ],
                "alerts": {"channels": channels, **alerts},
                "network": {"allow": LOOPBACK},  # the receivers of these tests listen on loopback
                "path": tmp_path / "pantau.yaml",
            }
        )

    return make


class StoryWriter:
    """Writes what the pipeline writes before alerting: a stored article, its cluster and its match."""

    def store(
        self,
        session: DatabaseSession,
        url: str,
        title: str = "Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara",
        cluster: StoryCluster | None = None,
    ) -> tuple[StoredArticle, Match]:
        source = session.scalar(select(Source).where(Source.name == "rmol"))
        if source is None:
            source = Source(name="rmol", family="rmol")
            session.add(source)
        article = StoredArticle(
            canonical_url=url,
            url=url,
            source=source,
            title=title,
            published_at=dt.datetime(2022, 9, 6, 4, 24, tzinfo=dt.UTC),
            lead="Rusia membeli roket dari Korea Utara.",
            body="Rusia sedang membeli jutaan roket dan peluru artileri dari Korea Utara.",
            cluster_id=cluster.id if cluster else None,
        )
        session.add(article)
        session.flush()
        match = Match(
            article_id=article.id,
            watch=WATCH,
            terms=["Korea Utara", "Rusia"],
            hits=[
                {"term": "Rusia", "field": "body", "start": 0, "end": 5, "snippet": "Rusia sedang membeli"}
            ],
            snippet="Rusia sedang membeli jutaan roket dan peluru artileri dari Korea Utara.",
        )
        session.add(match)
        session.flush()
        return article, match

    def cluster(self, session: DatabaseSession) -> StoryCluster:
        cluster = StoryCluster()
        session.add(cluster)
        session.flush()
        return cluster


@pytest.fixture
def stories() -> StoryWriter:
    return StoryWriter()


# --- TLS: a self-signed certificate for 127.0.0.1 that the client trusts through SSL_CERT_FILE ---


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture
def trusted_certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    return Certificate(cert_file, key_file)


# --- SMTP: aiosmtpd on loopback, plain, STARTTLS (with required login) or implicit TLS ---


class _MailHandler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.logins: list[str | None] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = (envelope.original_content or b"").replace(b"\r\n", b"\n")  # SMTP's line ends
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.logins.append(login)
        return "250 Message accepted for delivery"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    valid = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == SMTP_LOGIN
    # handled=False: aiosmtpd then answers a wrong password with 535 instead of leaving the client waiting
    return AuthResult(success=valid, handled=False, auth_data=data if valid else None)


class _Controller(Controller):
    """aiosmtpd counts only STARTTLS as TLS, so it warns about AUTH without TLS on an implicit-TLS port."""

    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return super().factory()


@dataclass
class SmtpServer:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts."""

    port: int = field(default_factory=free_port)
    security: str = "none"
    certificate: Certificate | None = None
    handler: _MailHandler = field(default_factory=_MailHandler)
    _controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def start(self) -> None:
        options: dict[str, Any] = {}
        if self.security == "starttls":
            assert self.certificate is not None
            options = {
                "tls_context": self.certificate.server_context(),
                "require_starttls": True,
                "authenticator": _authenticate,
                "auth_require_tls": True,
            }
        elif self.security == "tls":
            assert self.certificate is not None
            # the whole connection is TLS, so login needs no STARTTLS first; mail needs a login
            options = {
                "ssl_context": self.certificate.server_context(),
                "authenticator": _authenticate,
                "auth_require_tls": False,
                "auth_required": True,
            }
        self._controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def channel(self, **overrides: Any) -> dict[str, Any]:
        """The `alerts.channels` entry that delivers to this server."""
        settings: dict[str, Any] = {
            "type": "email",
            "host": "127.0.0.1",
            "port": self.port,
            "security": self.security,
            "sender": "Pantau <pantau@redaksi.example>",
            "recipients": ["desk@redaksi.example", "editor@redaksi.example"],
            "timeout_seconds": 5,
        }
        if self.security != "none":
            settings.update(username=SMTP_LOGIN[0], password=SMTP_LOGIN[1])
        return {**settings, **overrides}


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server, not started: tests start it (or leave it down) themselves."""
    server = SmtpServer()
    yield server
    server.stop()


# --- HTTP: a receiver that records every request and can answer errors or hang ---


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpReceiver:
    """A real HTTP server on 127.0.0.1: answers queued statuses (then 200), or hangs until released."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.statuses: list[int] = []
        self.hanging = False
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(ReceivedRequest(self.path, dict(self.headers.items()), body))
                if receiver.hanging:
                    receiver._released.wait(timeout=30)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads `requests` instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/pantau"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    yield receiver
    receiver.close()
