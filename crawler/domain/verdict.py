"""What dedup says of a text: a new story, or an exact or near duplicate of a stored article or seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DocumentKind = Literal["article", "seed"]
VerdictKind = Literal["new", "exact", "near"]


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A stored document a verdict points at: an article (labelled by URL) or a seed (by file name)."""

    kind: DocumentKind
    id: int
    label: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.id, "label": self.label}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a text is a new story, an exact or a near duplicate, and of what.

    `similarity` is the judge's probability that the two are one story (MinHash containment for a
    stored document indexed without a profile). `seed_story` says the story is known from the seed
    corpus, also when the document duplicated is an article that itself copies a seed: such a story
    is never alerted.
    """

    kind: VerdictKind
    duplicate_of: DocumentRef | None
    similarity: float
    cluster_id: int | None = None
    seed_story: bool = False
    # A new story that reports a new development on this earlier one (linked, never merged).
    follows: DocumentRef | None = None

    def to_dict(self) -> dict[str, object]:
        """The JSON form printed by `pantau dedup check --json`."""
        return {
            "verdict": self.kind,
            "duplicate_of": self.duplicate_of.to_dict() if self.duplicate_of else None,
            "similarity": round(self.similarity, 4),
            "follows": self.follows.to_dict() if self.follows else None,
        }
