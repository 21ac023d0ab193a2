"""The `Article` value: what extraction produces and every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """One story as extracted from its page(s); timestamps are timezone-aware."""

    url: str
    canonical_url: str
    title: str
    body: str
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    lead: str = ""
    language: str = "id"
    tags: tuple[str, ...] = ()
    paywalled: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by `pantau extract --json` and used in exports."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "authors": list(self.authors),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "body": self.body,
            "lead": self.lead,
            "language": self.language,
            "tags": list(self.tags),
        }

    @property
    def missing_fields(self) -> tuple[str, ...]:
        """Fields a healthy portal page always yields; used for source health."""
        missing = []
        if not self.title:
            missing.append("title")
        if not self.body and not self.paywalled:
            missing.append("body")
        if self.published_at is None:
            missing.append("published_at")
        return tuple(missing)
