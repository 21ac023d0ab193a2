"""The dedup judgement: which stored document a text duplicates, or which earlier story it follows up.

Seeds come first (exact, then near), then articles: a story known from the seed corpus is never
alerted, even when an article that carried it is a closer match. Among near duplicates a seed beats
any article, then the higher score wins, then the document indexed first. The store gathers the
facts (exact-hash hits, band candidates with their profiles); this module only weighs them.

A pair is weighed by a logistic model over the features of crawler/dedup/features.py, trained on
the `tune` half of tests/fixtures/secondhand/neardup/pairs.jsonl by bench/train_neardup_judge.py;
its weights and how they were made are in judge_model.json beside this module. A pair that is not a
duplicate but shares the earlier story's background, actors and adds new facts in its lead is a
follow-up: linked to the earlier story, never merged into its cluster. A stored document indexed
before profiles existed has none: it is weighed by MinHash containment alone, as before.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from crawler.dedup.features import (
    LATER_DAY,
    NEW_DEVELOPMENT,
    RECAPS_EARLIER,
    RECAPS_LATER,
    PairFeatures,
    never_duplicate,
    pair_features,
)
from crawler.dedup.minhash import MinHasher, Signature
from crawler.dedup.profile import Profile
from crawler.domain.verdict import DocumentKind, VerdictKind

NEAR_DUPLICATE_THRESHOLD = 0.65
"""The containment score from which a candidate is a near duplicate when it has no profile
(and the score `pantau dedup compare` reports)."""

MODEL_PATH = Path(__file__).with_name("judge_model.json")
Decision = Literal["duplicate", "follows", "distinct"]

# A follow-up carries the earlier story's background (its sentences or shingles), speaks of the same
# actors, and brings a figure, name or date the earlier story's lead did not have, a later day, or
# introduces the earlier story's sentences as earlier coverage.
FOLLOW_UP_BACKGROUND = 0.35
FOLLOW_UP_NAMES_AGREE = 0.8
# One text all but wholly inside the other: the earlier inside the new (a partial capture, page 2 of a
# story, a seed excerpt) or the new inside the earlier (an aggregator's first paragraphs): the same
# story, as both labelled sets' policies say, unless it is a correction notice.
WHOLLY_CONTAINED = 0.95


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored signature that shares band buckets with the text; `indexed` orders by indexing time."""

    kind: DocumentKind
    document_id: int
    indexed: int
    signature: Signature
    profile: Profile | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """The document a text duplicates, before the store labels it and finds its story cluster."""

    verdict: VerdictKind
    kind: DocumentKind
    document_id: int
    similarity: float


class Nearest(NamedTuple):
    """The closest duplicate among the candidates, and else the earlier story it follows up."""

    duplicate: Finding | None
    follows: Finding | None


@dataclass(frozen=True, slots=True)
class Judgement:
    """The decision on one pair, the model's probability that it is one story, and every feature."""

    decision: Decision
    probability: float
    features: PairFeatures


@dataclass(frozen=True, slots=True)
class JudgeModel:
    """Logistic weights per feature, the bias and the probability from which a pair is a duplicate."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> JudgeModel:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(stored["weights"]), float(stored["bias"]), float(stored["threshold"]))

    def probability(self, features: PairFeatures) -> float:
        score = self.bias + sum(weight * features.values[name] for name, weight in self.weights.items())
        return 1 / (1 + math.exp(-score))

    def judge(self, features: PairFeatures) -> Judgement:
        """Duplicate from the threshold unless the later story brings a new development (a figure or
        date new in its lead, or a later day); otherwise a follow-up or a distinct story by the rule
        above."""
        probability = self.probability(features)
        if not never_duplicate(features) and (probability >= self.threshold or contains_other(features)):
            return Judgement("duplicate", probability, features)
        return Judgement("follows" if is_follow_up(features) else "distinct", probability, features)


def contains_other(features: PairFeatures) -> bool:
    """Whether either story's text is all but wholly inside the other's (and it corrects nothing)."""
    values = features.values
    return values["shingle_smaller_in_larger"] >= WHOLLY_CONTAINED and not values["correction_notice"]


def is_follow_up(features: PairFeatures) -> bool:
    """Whether a pair that is not one story reads as a new development on the earlier one (not when the
    stored story recaps the new one: then the new one came first)."""
    values = features.values
    background = values["sentence_a_in_b"]
    new = values[NEW_DEVELOPMENT] + values[LATER_DAY] + values[RECAPS_EARLIER] + values["lead_new_names"]
    return (
        background >= FOLLOW_UP_BACKGROUND
        and values["names_agree"] >= FOLLOW_UP_NAMES_AGREE
        and new > 0
        and not values["correction_notice"]
        and not values[RECAPS_LATER]
    )


MODEL = JudgeModel.load()
"""The committed model (judge_model.json), loaded once."""


def judge_pair(
    hasher: MinHasher, earlier: tuple[Profile, Signature], later: tuple[Profile, Signature]
) -> Judgement:
    """The decision on a stored (earlier) story and a new one, with every feature."""
    return MODEL.judge(pair_features(hasher, *earlier, *later))


def nearest(
    signature: Signature,
    candidates: Iterable[Candidate],
    hasher: MinHasher,
    threshold: float,
    profile: Profile | None = None,
) -> Nearest:
    """The best duplicate (any seed before any article, then by score, then the earliest indexed),
    and when there is none the closest earlier story the text follows up."""
    duplicates, follow_ups = [], []
    for candidate in candidates:
        if profile is None or candidate.profile is None:
            score = hasher.similarity(signature, candidate.signature)
            decision: Decision = "duplicate" if score >= threshold else "distinct"
        else:
            judgement = judge_pair(hasher, (candidate.profile, candidate.signature), (profile, signature))
            score, decision = judgement.probability, judgement.decision
        ranked = (candidate.kind == "seed", score, -candidate.indexed, candidate)
        if decision == "duplicate":
            duplicates.append(ranked)
        elif decision == "follows":
            follow_ups.append(ranked)
    return Nearest(_best("near", duplicates), None if duplicates else _best("near", follow_ups))


def _best(verdict: VerdictKind, ranked: list[tuple[bool, float, int, Candidate]]) -> Finding | None:
    if not ranked:
        return None
    _, score, _, match = max(ranked, key=lambda entry: entry[:3])
    return Finding(verdict, match.kind, match.document_id, score)


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
