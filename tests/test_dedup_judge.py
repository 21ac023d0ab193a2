"""The dedup judgement on its own, without a database: seeds first, exact before near, score, earliest."""

from __future__ import annotations

from crawler.dedup.features import PairFeatures
from crawler.dedup.judge import MODEL, Candidate, Finding, judge, nearest
from crawler.dedup.minhash import MinHasher, Signature
from crawler.domain.verdict import DocumentKind

HASHER = MinHasher()
STORY = " ".join(f"kalimat nomor {number} tentang roket dan peluru dari Korea Utara." for number in range(40))
SIGNATURE = HASHER.signature(STORY)
HALF = HASHER.signature(STORY[: len(STORY) // 2])
OTHER = HASHER.signature("Harga emas naik tipis pada perdagangan hari ini, kata analis di Jakarta.")


def candidate(
    kind: DocumentKind, document_id: int, indexed: int, signature: Signature = SIGNATURE
) -> Candidate:
    return Candidate(kind, document_id, indexed, signature)


def test_a_seed_beats_a_closer_article_and_the_earliest_of_equals_wins() -> None:
    found = nearest(
        SIGNATURE,
        [candidate("article", 1, 1), candidate("seed", 7, 3, HALF), candidate("seed", 5, 2, HALF)],
        HASHER,
        0.65,
    )
    assert found.duplicate == Finding("near", "seed", 5, HASHER.similarity(SIGNATURE, HALF))


def test_among_articles_the_higher_score_wins_and_nothing_under_the_threshold_counts() -> None:
    found = nearest(SIGNATURE, [candidate("article", 1, 1, OTHER), candidate("article", 2, 2)], HASHER, 0.65)
    assert found.duplicate == Finding("near", "article", 2, 1.0)
    assert nearest(SIGNATURE, [candidate("article", 1, 1, OTHER)], HASHER, 0.65) == (None, None)


def test_an_exact_seed_comes_first_then_a_near_seed_then_an_exact_article() -> None:
    near_seed = Finding("near", "seed", 3, 0.8)
    near_article = Finding("near", "article", 4, 0.9)
    assert judge(2, near_seed, 9) == Finding("exact", "seed", 2, 1.0)
    assert judge(None, near_seed, 9) == near_seed
    assert judge(None, near_article, 9) == Finding("exact", "article", 9, 1.0)
    assert judge(None, near_article, None) == near_article
    assert judge(None, None, None) is None


def test_an_earlier_text_wholly_inside_the_new_one_is_a_duplicate_unless_it_is_a_correction() -> None:
    """The model alone would weigh the names the longer text's lead adds; the containment rule does not."""
    values = dict.fromkeys([*MODEL.weights, "lead_new_facts_in_b", "sentence_a_in_b", "lead_new_names"], 0.0)
    values |= {"lead_new_names_in_b": 1.0, "names_agree": 1.0}
    inside = PairFeatures(values | {"shingle_a_in_b": 0.96, "correction_notice": 0.0})
    correction = PairFeatures(values | {"shingle_a_in_b": 0.96, "correction_notice": 1.0})
    partly = PairFeatures(values | {"shingle_a_in_b": 0.9, "correction_notice": 0.0})
    assert MODEL.probability(inside) < MODEL.threshold
    assert [MODEL.judge(features).decision for features in (inside, correction, partly)] == [
        "duplicate",
        "distinct",
        "distinct",
    ]
