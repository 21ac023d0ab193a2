"""The `Article` value: what extraction produces and every later stage reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """One story as extracted from its page(s); timestamps are timezone-aware.

    A field no evidence supports is empty, never guessed. `published_date_only` marks a page that
    shows the day but no time (`published_at` is then that day's midnight, never shown as "00:00").
    `field_sources` names, per field, the evidence that gave it ("recipe", "byline", "json-ld", …).
    """

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
    editors: tuple[str, ...] = ()
    source_org: str = ""  # an organisation byline ("Antara", "Kantor Berita Politik RMOL"), never an author
    published_date_only: bool = False
    modified_at: datetime | None = None
    section: str = ""
    field_sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by `pantau extract --json` and used in exports."""
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "authors": list(self.authors),
            "editors": list(self.editors),
            "source_org": self.source_org or None,
            "published_at": moment_text(self.published_at, date_only=self.published_date_only),
            "modified_at": moment_text(self.modified_at),
            "section": self.section or None,
            "body": self.body,
            "lead": self.lead,
            "language": self.language,
            "tags": list(self.tags),
            "field_sources": dict(self.field_sources),
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


def moment_text(moment: datetime | None, *, date_only: bool = False, timespec: str = "auto") -> str | None:
    """ISO text of a time in its own zone; the bare day when the page gave no time of day (never "00:00")."""
    if moment is None:
        return None
    return moment.date().isoformat() if date_only else moment.isoformat(timespec=timespec)
