"""Turning outbox rows into one message: Jinja2 subject, text and HTML, in Bahasa Indonesia or English.

A file of the same name in the configured `alerts.templates` folder replaces the shipped one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from crawler.config import Config
from crawler.domain.errors import AlertError
from crawler.domain.zones import JAKARTA, zone_name
from crawler.store.outbox import idempotency_key

SHIPPED_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    """One message ready for any channel: `payload` is the JSON document webhooks receive."""

    kind: str
    subject: str
    text: str
    html: str
    payload: dict[str, Any]

    @property
    def idempotency_key(self) -> str:
        key: str = self.payload["idempotency_key"]
        return key


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    """What rendering needs of an outbox row, read while the row was claimed."""

    dedup_key: str
    kind: str
    payload: dict[str, Any]


class AlertRenderer:
    """Renders a single alert, a follow-up, or a digest of several alerts of one watch."""

    def __init__(self, language: str, override_folder: Path | None = None) -> None:
        folders = [SHIPPED_TEMPLATES / language]
        if override_folder is not None:
            folders.insert(0, override_folder)
        self._environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._environment.filters["portal_time"] = _as_portal_time
        self._environment.filters["wib"] = _as_jakarta_time  # for templates written before portal_time

    @classmethod
    def from_config(cls, config: Config) -> AlertRenderer:
        folder = config.alerts.templates
        if folder is not None and not folder.is_absolute():
            folder = config.path.parent / folder
        return cls(config.alerts.language, folder)

    def render(self, alerts: Sequence[QueuedAlert]) -> RenderedAlert:
        """One message for these rows: a digest when their watch is delivered hourly or daily."""
        first = alerts[0]
        if first.payload["delivery"] == "immediate":
            return self._render(first.kind, {"alert": first.payload}, first.payload)
        payload = {
            "idempotency_key": idempotency_key(*(alert.dedup_key for alert in alerts)),
            "kind": "digest",
            "watch": first.payload["watch"],
            "delivery": first.payload["delivery"],
            "alerts": [alert.payload for alert in alerts],
        }
        return self._render("digest", {"digest": payload}, payload)

    def _render(self, kind: str, context: dict[str, Any], payload: dict[str, Any]) -> RenderedAlert:
        try:
            subject = self._environment.get_template(f"{kind}_subject.txt").render(context)
            text = self._environment.get_template(f"{kind}.txt").render(context)
            html = self._environment.get_template(f"{kind}.html").render(context)
        except jinja2.TemplateNotFound as missing:
            raise AlertError(f"alert template {missing.name} was not found") from None
        except jinja2.TemplateError as error:
            raise AlertError(f"alert template for {kind} cannot be rendered: {error}") from None
        return RenderedAlert(
            kind=kind, subject=" ".join(subject.split()), text=text, html=html, payload=payload
        )


def _as_portal_time(iso_time: str | None) -> str:
    """The time in the zone the portal gave it in (a Papua story in WIT), else in WIB."""
    if not iso_time or len(iso_time) == len("2025-07-24"):  # a page that gave only its day
        return iso_time or ""
    moment = datetime.fromisoformat(iso_time)
    zone = zone_name(moment)
    return moment.strftime(f"%Y-%m-%d %H:%M {zone}") if zone else _as_jakarta_time(iso_time)


def _as_jakarta_time(iso_time: str | None) -> str:
    if not iso_time or len(iso_time) == len("2025-07-24"):
        return iso_time or ""
    return datetime.fromisoformat(iso_time).astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
