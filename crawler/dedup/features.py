"""The signals the judge weighs for a pair of stories: overlap at several granularities and their facts.

Each feature is a number in [0, 1] (counts are capped) measured on the two profiles and MinHash
signatures, so a stored story without its body is judged exactly as a text on disk. `a` is the
stored (earlier) story, `b` the new one; where direction matters both ways are measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.dedup.minhash import MinHasher, Signature
from crawler.dedup.profile import Profile, lead_word_hashes

_COUNT_CAP = 4.0


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """Every signal of one pair, by name (the order is the model's)."""

    values: dict[str, float]

    def vector(self, names: tuple[str, ...]) -> list[float]:
        return [self.values[name] for name in names]


FEATURE_NAMES = (
    "shingle_jaccard",
    "shingle_smaller_in_larger",
    "shingle_larger_in_smaller",
    "sentence_smaller_in_larger",
    "sentence_larger_in_smaller",
    "paragraph_smaller_in_larger",
    "paragraph_larger_in_smaller",
    "lead_overlap",
    "length_ratio",
    "numbers_agree",
    "names_agree",
    "dates_agree",
    "numbers_jaccard",
    "names_jaccard",
    "new_numbers_both_ways",
    "new_names_both_ways",
    "lead_new_numbers",
    "lead_new_names",
    "lead_new_names_both_ways",
    "lead_new_names_in_b",
    "new_names_in_b",
    "lead_new_dates",
    "quotes_shared",
    "correction_notice",
)
"""The features the model weighs: none depends on which story came first, so neither does a duplicate.
The directional ones (`*_a_in_b`, `*_b_in_a`) are measured too, for the follow-up rule and `explain`."""
NEW_DEVELOPMENT = "lead_new_facts_in_b"
"""Figures or dates in the later story's lead that the earlier story never carried: a new development.
Not weighed by the model: the judge's rule makes such a pair never a duplicate."""
CORRECTS_OTHER = "one_corrects_the_other"
"""1 when one story reads as a correction notice and the other does not: a notice quotes the story it
corrects but is a story of its own (two copies of one notice can still be one story)."""
LATER_DAY = "later_day_in_b"
"""1 when the later story names a day after every day the earlier one names: it reports what came
after the earlier was written (a copy repeats its original's days, however it rewords them), so it is
a new development wherever in the text the day is. Not weighed by the model either."""
RECAPS_EARLIER = "b_recaps_a"
"""1 when the later story introduces a sentence of the earlier one as earlier coverage (`Sebelumnya
diberitakan, …`, profile.recaps): it reports something new above it, however its new lead is worded
(a victim found, a cause named, a permit revoked: no figure or date needed). Not weighed by the model:
never a duplicate, and a follow-up."""
RECAPS_LATER = "a_recaps_b"
"""The same the other way round (the follow-up was stored first): never a duplicate."""
# Words of a correction notice: it quotes the story it corrects but is a story of its own. A notice
# says `ralat`; `koreksi` and `memperbaiki` mark one only beside the error they fix, as a market
# story's `koreksi` (a fall in prices) or a repair is no notice.
_CORRECTION_WORDS = lead_word_hashes(["ralat", "meralat", "diralat", "kekeliruan"])
_CORRECTING_WORDS = lead_word_hashes(["koreksi", "mengoreksi", "dikoreksi", "memperbaiki"])
_ERROR_WORDS = lead_word_hashes(["kesalahan", "keliru", "kekeliruan"])


def pair_features(
    hasher: MinHasher, a: Profile, a_signature: Signature, b: Profile, b_signature: Signature
) -> PairFeatures:
    """The signals of stored story `a` against new story `b`."""
    jaccard, b_in_a, a_in_b = _shingle_overlap(hasher, a_signature, b_signature)
    values = {
        "shingle_jaccard": jaccard,
        "shingle_b_in_a": b_in_a,
        "shingle_a_in_b": a_in_b,
        "sentence_b_in_a": _contained(b.sentences, a.sentences),
        "sentence_a_in_b": _contained(a.sentences, b.sentences),
        "paragraph_b_in_a": _contained(b.paragraphs, a.paragraphs),
        "paragraph_a_in_b": _contained(a.paragraphs, b.paragraphs),
        "lead_overlap": _overlap(a.lead_words, b.lead_words),
        "length_ratio": min(a.word_count, b.word_count) / max(a.word_count, b.word_count, 1),
        "numbers_agree": _agreement(a.numbers, b.numbers),
        "names_agree": _agreement(a.names, b.names),
        "dates_agree": _agreement(a.dates, b.dates),
        "numbers_jaccard": _jaccard(a.numbers, b.numbers),
        "names_jaccard": _jaccard(a.names, b.names),
        # A truncated copy adds nothing its original lacks; a template or follow-up adds both ways.
        "new_numbers_both_ways": min(_new(b.numbers, a.numbers), _new(a.numbers, b.numbers)),
        "new_names_both_ways": min(_new(b.names, a.names), _new(a.names, b.names)),
        # A new development shows first in the lead: figures or names the other story never carried.
        "lead_new_numbers": _capped(max(len(b.lead_numbers - a.numbers), len(a.lead_numbers - b.numbers))),
        "lead_new_names": _capped(max(len(b.lead_names - a.names), len(a.lead_names - b.names))),
        # The later story bringing people or places the earlier never named: another angle or development.
        "lead_new_names_in_b": _capped(len(b.lead_names - a.names)),
        "new_names_in_b": _new(b.names, a.names),
        "lead_new_names_both_ways": _capped(min(len(b.lead_names - a.names), len(a.lead_names - b.names))),
        # A rewrite keeps the quotes verbatim; another angle quotes other people.
        "quotes_shared": _overlap(a.quotes, b.quotes) if a.quotes and b.quotes else 0.5,
        "lead_new_dates": _capped(max(len(b.lead_dates - a.dates), len(a.lead_dates - b.dates))),
        # A date counts only against an earlier text that carries dates: a capture without its dateline
        # (a seed, an aggregator's excerpt) says nothing about the day.
        NEW_DEVELOPMENT: _capped(
            len(b.lead_numbers - a.numbers) + (len(b.lead_dates - a.dates) if a.dates else 0)
        ),
        LATER_DAY: float(bool(a.latest_day) and b.latest_day > a.latest_day),
        RECAPS_EARLIER: float(bool(b.recaps & a.sentences)),
        RECAPS_LATER: float(bool(a.recaps & b.sentences)),
        "correction_notice": float(_is_correction(a.lead_words | b.lead_words)),
        CORRECTS_OTHER: float(_is_correction(a.lead_words) != _is_correction(b.lead_words)),
    }
    for unit in ("shingle", "sentence", "paragraph"):
        both_ways = (values[f"{unit}_b_in_a"], values[f"{unit}_a_in_b"])
        values[f"{unit}_smaller_in_larger"], values[f"{unit}_larger_in_smaller"] = (
            max(both_ways),
            min(both_ways),
        )
    return PairFeatures(values)


def never_duplicate(features: PairFeatures) -> bool:
    """The judge's rules before the model: a new development, a story that recaps the other as earlier
    coverage, or a correction notice and the story it corrects, are never one story."""
    values = features.values
    return brings_new_development(features) or bool(values[RECAPS_LATER] or values[CORRECTS_OTHER])


def brings_new_development(features: PairFeatures) -> bool:
    """Whether the later story reports something the earlier could not have: a figure or date new in
    its lead, a day after every day the earlier names, or the earlier story recapped under a new lead
    (the judge's rule: never a duplicate)."""
    values = features.values
    return bool(values[NEW_DEVELOPMENT] or values[LATER_DAY] or values[RECAPS_EARLIER])


def _is_correction(lead_words: frozenset[int]) -> bool:
    """Whether a lead reads as a correction notice (see _CORRECTION_WORDS)."""
    return bool(lead_words & _CORRECTION_WORDS) or bool(
        lead_words & _CORRECTING_WORDS and lead_words & _ERROR_WORDS
    )


def _shingle_overlap(hasher: MinHasher, a: Signature, b: Signature) -> tuple[float, float, float]:
    """Jaccard of the shingle sets and the containment of each in the other, from the signatures."""
    if not (a.shingle_count and b.shingle_count):
        return 0.0, 0.0, 0.0
    jaccard = hasher.jaccard(a, b)
    shared = jaccard * (a.shingle_count + b.shingle_count) / (1 + jaccard)
    return jaccard, min(1.0, shared / b.shingle_count), min(1.0, shared / a.shingle_count)


def _contained(part: frozenset[int], whole: frozenset[int]) -> float:
    return len(part & whole) / len(part) if part else 0.0


def _overlap(first: frozenset[int], second: frozenset[int]) -> float:
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def _agreement(first: frozenset[int], second: frozenset[int]) -> float:
    """Shared share of the smaller fact set; 1 when neither story has such facts (nothing disagrees)."""
    if not (first or second):
        return 1.0
    return _overlap(first, second)


def _jaccard(first: frozenset[int], second: frozenset[int]) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 1.0


def _new(added: frozenset[int], known: frozenset[int]) -> float:
    return len(added - known) / len(added) if added else 0.0


def _capped(count: int) -> float:
    return min(count, _COUNT_CAP) / _COUNT_CAP
