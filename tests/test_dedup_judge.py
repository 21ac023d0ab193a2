"""The dedup judgement on its own, without a database: seeds first, exact before near, score, earliest."""

from __future__ import annotations

from crawler.dedup.features import PairFeatures
from crawler.dedup.judge import MODEL, Candidate, Finding, Judgement, judge, judge_pair, nearest
from crawler.dedup.minhash import MinHasher, Signature
from crawler.dedup.profile import profile_of, read_story
from crawler.dedup.text import normalise_text
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


def test_a_text_wholly_inside_the_other_is_a_duplicate_either_way_unless_it_is_a_correction() -> None:
    """The model alone would weigh the names the longer text's lead adds, or how short an aggregator's
    excerpt is; the containment rule does not, whichever of the two came first."""
    values = dict.fromkeys([*MODEL.weights, "lead_new_facts_in_b", "sentence_a_in_b", "lead_new_names"], 0.0)
    values |= {"lead_new_names_in_b": 1.0, "names_agree": 1.0}
    for contained in ("shingle_a_in_b", "shingle_b_in_a"):
        inside = PairFeatures(values | {contained: 0.96, "shingle_smaller_in_larger": 0.96})
        correction = PairFeatures(inside.values | {"correction_notice": 1.0})
        partly = PairFeatures(values | {contained: 0.9, "shingle_smaller_in_larger": 0.9})
        assert MODEL.probability(inside) < MODEL.threshold
        assert [MODEL.judge(features).decision for features in (inside, correction, partly)] == [
            "duplicate",
            "distinct",
            "distinct",
        ]


def test_a_truncated_copy_of_a_market_story_saying_koreksi_is_a_duplicate() -> None:
    """`koreksi` in a market lead is a fall in prices, not a correction notice: an aggregator's first
    paragraphs of such a story are still its copy. A lead that names the error it fixes is a notice."""
    paragraphs = [
        f"Indeks Harga Saham Gabungan mengalami koreksi {number} persen pada sesi pertama hari ini di "
        f"Bursa Efek Indonesia, dipimpin saham sektor {sector} yang dilepas investor asing."
        for number, sector in zip(range(2, 14), ["bank", "energi", "properti", "tambang"] * 3, strict=True)
    ]
    story = "\n\n".join(paragraphs)
    excerpt = "\n\n".join(paragraphs[:2])
    copy = judged(story, excerpt)
    assert (copy.decision, copy.features.values["correction_notice"]) == ("duplicate", 0.0)
    notices = ["Koreksi atas kesalahan penulisan angka: ", "Ralat: "]
    assert [judged(story, notice + excerpt).features.values["correction_notice"] for notice in notices] == [
        1.0,
        1.0,
    ]


def judged(earlier: str, later: str) -> Judgement:
    """The judge's decision on two texts, read as the index reads them."""
    sides = [
        (profile_of(read_story(text)), HASHER.signature_of_normalised(normalise_text(text)))
        for text in (earlier, later)
    ]
    return judge_pair(HASHER, sides[0], sides[1])
