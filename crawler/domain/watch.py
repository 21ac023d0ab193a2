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
