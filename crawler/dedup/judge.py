"""The dedup judgement: which stored document, if any, a text duplicates.

Seeds come first (exact, then near), then articles: a story known from the seed corpus is never
alerted, even when an article that carried it is a closer match. Among near duplicates a seed beats
any article, then the higher score wins, then the document indexed first. The store gathers the
facts (exact-hash hits, band candidates); this module only weighs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crawler.dedup.minhash import MinHasher, Signature
from crawler.domain.verdict import DocumentKind, VerdictKind

NEAR_DUPLICATE_THRESHOLD = 0.65
"""The containment score from which a candidate is a near duplicate."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored signature that shares band buckets with the text; `indexed` orders by indexing time."""

    kind: DocumentKind
    document_id: int
    indexed: int
    signature: Signature


@dataclass(frozen=True, slots=True)
class Finding:
    """The document a text duplicates, before the store labels it and finds its story cluster."""

    verdict: VerdictKind
    kind: DocumentKind
    document_id: int
    similarity: float


def nearest(
    signature: Signature, candidates: Iterable[Candidate], hasher: MinHasher, threshold: float
) -> Finding | None:
    """The best candidate at or above the threshold: any seed before any article, then by score,
    then the earliest indexed."""
    matches = []
    for candidate in candidates:
        score = hasher.similarity(signature, candidate.signature)
        if score >= threshold:
            matches.append((candidate.kind == "seed", score, -candidate.indexed, candidate))
    if not matches:
        return None
    _, score, _, match = max(matches, key=lambda ranked: ranked[:3])
    return Finding("near", match.kind, match.document_id, score)


def judge(exact_seed: int | None, near: Finding | None, exact_article: int | None) -> Finding | None:
    """What a text duplicates given the seed and article with its content hash and its nearest match;
    None for a new story."""
    if exact_seed is not None:
        return Finding("exact", "seed", exact_seed, 1.0)
    if near is not None and near.kind == "seed":
        return near
    if exact_article is not None:
        return Finding("exact", "article", exact_article, 1.0)
    return near
