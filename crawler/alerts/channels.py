"""Alert channels behind one small protocol: `send(message)` delivers or raises `AlertError`.

Channels know messages and nothing of crawling or the outbox; the dispatcher owns retries. An
`AlertRejected` says the receiver refused this one message for good, so it is not retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Protocol

import apprise
import httpx
from rich.console import Console

from crawler.alerts.rendering import RenderedAlert
from crawler.config import AppriseChannel, ChannelConfig, ConsoleChannel, EmailChannel, WebhookChannel
from crawler.domain.egress import EgressPolicy, RefusedAddress, guarded_client
from crawler.domain.errors import AlertError

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Pantau-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = "Pantau/0.1 alerts"
RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})  # Request Timeout, Too Many Requests: try again later


class AlertRejected(AlertError):
    """The receiver refused this message (a webhook's 4xx answer): sending it again cannot help."""


class Channel(Protocol):
    def send(self, message: RenderedAlert) -> None:
        """Deliver the message, or raise `AlertError` saying why not."""


class ConsoleSender:
    """The default channel: the message printed to the terminal and written to the log."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console or Console()

    def send(self, message: RenderedAlert) -> None:
        log.info("alert %s: %s", message.idempotency_key, message.subject)
        # soft_wrap: a long URL stays on one line, so terminals keep it clickable and copyable
        self._console.print(
            f"{message.subject}\n\n{message.text}", markup=False, highlight=False, soft_wrap=True
        )


class EmailSender:
    """SMTP with STARTTLS, implicit TLS or (on a trusted network) plain; one text and one HTML part."""

    def __init__(self, settings: EmailChannel) -> None:
        self._settings = settings

    def send(self, message: RenderedAlert) -> None:
        settings = self._settings
        email = self.compose(message)
        try:
            smtp = self._connect()
            with smtp:
                if settings.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise AlertError(
                f"email via {settings.host}:{settings.port} failed: {_describe(error)}"
            ) from None

    def compose(self, message: RenderedAlert) -> EmailMessage:
        """The MIME message; its Message-ID comes from the idempotency key, so a resend is recognisable."""
        settings = self._settings
        domain = parseaddr(settings.sender)[1].rpartition("@")[2] or "pantau.localhost"
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = settings.sender
        email["To"] = ", ".join(settings.recipients)
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = f"<{message.idempotency_key}@{domain}>"
        email["X-Pantau-Idempotency-Key"] = message.idempotency_key
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        return email

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        if settings.security == "tls":
            return smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout_seconds,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)


class WebhookSender:
    """A JSON POST of the alert payload, signed with HMAC-SHA256 over the exact body bytes."""

    def __init__(self, settings: WebhookChannel, policy: EgressPolicy) -> None:
        self._settings = settings
        self._policy = policy

    def send(self, message: RenderedAlert) -> None:
        settings = self._settings
        body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            IDEMPOTENCY_HEADER: message.idempotency_key,
        }
        if settings.secret:
            headers[SIGNATURE_HEADER] = sign(settings.secret, body)
        try:
            # Checked as it is sent: the address a name resolves to can change after the config loads.
            # A redirect is not followed: it is an answer the webhook's owner must fix.
            with guarded_client(self._policy, timeout=settings.timeout_seconds) as client:
                response = client.post(settings.url, content=body, headers=headers)
        except RefusedAddress as refused:
            raise AlertRejected(str(refused)) from None
        except httpx.TimeoutException:
            raise AlertError(
                f"webhook {settings.url} timed out after {settings.timeout_seconds:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise AlertError(f"webhook {settings.url} failed: {_describe(error)}") from None
        if response.is_client_error and response.status_code not in RETRYABLE_CLIENT_ERRORS:
            raise AlertRejected(
                f"webhook {settings.url} refused the alert: "
                f"HTTP {response.status_code} {response.reason_phrase}"
            )
        if not response.is_success:
            raise AlertError(
                f"webhook {settings.url} answered HTTP {response.status_code} {response.reason_phrase}"
            )


def sign(secret: str, body: bytes) -> str:
    """The `X-Pantau-Signature` value receivers recompute to trust a body: `sha256=<hex>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class AppriseSender:
    """Every other service (Telegram, Slack, Discord, Teams, ...) through Apprise URLs."""

    def __init__(self, settings: AppriseChannel) -> None:
        self._notifier = apprise.Apprise()
        for index, url in enumerate(settings.urls):
            if not self._notifier.add(url):
                # the URL itself may carry a token: name it by position only
                raise AlertError(f"apprise URL number {index + 1} is not a URL Apprise understands")

    def send(self, message: RenderedAlert) -> None:
        result = self._notifier.notify(
            body=message.text, title=message.subject, body_format=apprise.NotifyFormat.TEXT
        )
        if not result:
            reasons = [
                entry.message for item in result.results for entry in item.logs() if entry.level != "DEBUG"
            ]
            raise AlertError(f"apprise delivery failed: {'; '.join(reasons) or 'no reason given'}")


def build_channel(settings: ChannelConfig, policy: EgressPolicy) -> Channel:
    """The sender for one configured channel; a webhook calls only addresses `policy` allows."""
    if isinstance(settings, ConsoleChannel):
        return ConsoleSender()
    if isinstance(settings, EmailChannel):
        return EmailSender(settings)
    if isinstance(settings, WebhookChannel):
        return WebhookSender(settings, policy)
    return AppriseSender(settings)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
