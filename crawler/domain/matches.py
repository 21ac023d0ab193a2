"""What matching finds: the hits of a query in an article's fields, and a watch's match made of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a query term in a field, with offsets into the field's original text."""

    term: str  # the term as written in the query, or the canonical form of its alias set
    field: str
    start: int
    end: int
    snippet: str

    def to_dict(self) -> dict[str, object]:
        return {
            "term": self.term,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class WatchMatch:
    """A watch matched an article: the hits that prove it; `historical` ones are never alerted."""

    watch: str
    hits: tuple[Hit, ...]
    historical: bool = False

    @property
    def terms(self) -> tuple[str, ...]:
        """Distinct terms hit, in first-hit order."""
        return tuple(dict.fromkeys(hit.term for hit in self.hits))

    @property
    def snippet(self) -> str:
        return self.hits[0].snippet if self.hits else ""
