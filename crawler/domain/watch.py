"""A watch: what a user monitors, as the database keeps it and the YAML import/export format writes it."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Watch(BaseModel):
    """What a user monitors: a query over the given sources, alerted through the given channels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    sources: list[str] = ["*"]
    channels: list[str] = ["console"]
    delivery: Literal["immediate", "hourly", "daily"] = "immediate"
    daily_at: time = time(7, 0)
    muted: bool = False  # a muted watch still matches (the inbox shows its stories) but sends no alert
    webhook: str | None = None  # this watch's own webhook URL, alerted besides `channels`

    @property
    def alert_channels(self) -> list[str]:
        """The channels an alert of this watch goes to: the configured ones named, and its own webhook."""
        return [*self.channels, *([watch_webhook_channel(self.name)] if self.webhook else [])]


WATCH_WEBHOOK = "webhook:"


def watch_webhook_channel(name: str) -> str:
    """The outbox channel of a watch's own webhook: `webhook:<watch>`, one per watch."""
    return WATCH_WEBHOOK + name
