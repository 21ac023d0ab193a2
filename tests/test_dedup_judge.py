"""The dedup judgement on its own, without a database: seeds first, exact before near, score, earliest."""

from __future__ import annotations

import pytest

from crawler.cli.dedup import explanation
from crawler.dedup.features import (
    CORRECTS_OTHER,
    LATER_DAY,
    NEW_DEVELOPMENT,
    RECAPS_EARLIER,
    RECAPS_LATER,
    PairFeatures,
)
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

RULES = (NEW_DEVELOPMENT, LATER_DAY, RECAPS_EARLIER, RECAPS_LATER, CORRECTS_OTHER)
"""The measured values the judge's rules read, which the model does not weigh."""


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
    values = dict.fromkeys([*MODEL.weights, *RULES, "sentence_a_in_b", "lead_new_names"], 0.0)
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


EARLIER = "\n\n".join(
    [
        "Pemerintah Kota Medan meresmikan jembatan baru di Kecamatan Medan Belawan pada Minggu (16/11/2025).",
        "Jembatan sepanjang 120 meter itu dibangun dengan anggaran Rp45 miliar dari APBD kota.",
        "Wali Kota Rico Waas mengatakan jembatan tersebut memangkas waktu tempuh warga ke pusat kota.",
        "Menurut dinas pekerjaan umum, jembatan mampu menahan beban kendaraan hingga 30 ton.",
        "Warga menyambut baik peresmian itu karena selama ini harus memutar sejauh tujuh kilometer.",
    ]
)


def test_a_later_story_naming_a_day_after_every_day_of_the_earlier_is_never_its_duplicate() -> None:
    """The new development sits past the lead, so only the later day tells it; a copy that writes the
    same day otherwise names no later day."""
    follow_up = (
        EARLIER + "\n\nPada Kamis (20/11/2025), jembatan itu ditutup sementara untuk perbaikan sambungan."
    )
    later = judged(EARLIER, follow_up)
    assert (later.features.values[LATER_DAY], later.features.values[NEW_DEVELOPMENT]) == (1.0, 0.0)
    assert later.decision == "follows"
    copy = judged(EARLIER, EARLIER.replace("Minggu (16/11/2025)", "Minggu, 16 November 2025"))
    assert (copy.features.values[LATER_DAY], copy.decision) == (0.0, "duplicate")
    undated = EARLIER.replace(" pada Minggu (16/11/2025)", "")
    assert judged(undated, follow_up).features.values[LATER_DAY] == 0.0


def test_a_correction_notice_is_never_one_story_with_what_it_corrects_but_two_copies_of_it_are() -> None:
    notice = "Ralat: anggaran jembatan yang benar Rp45 miliar, bukan Rp54 miliar.\n\n" + EARLIER
    against_story = judged(EARLIER, notice)
    assert (against_story.features.values[CORRECTS_OTHER], against_story.decision) == (1.0, "distinct")
    copies = judged(notice, notice.replace("Ralat:", "RALAT -"))
    assert (copies.features.values[CORRECTS_OTHER], copies.decision) == (0.0, "duplicate")


FLOOD = (
    "Banjir bandang menerjang Desa Sukamaju, Kecamatan Cibeber, Kabupaten Cianjur, pada Selasa dini hari "
    "setelah hujan deras mengguyur kawasan hulu sungai sejak sore.\n"
    "Kepala BPBD Cianjur Hendra Gunawan mengatakan air membawa lumpur dan batang kayu dari perbukitan "
    "di atas permukiman warga.\n"
    '"Warga sempat mendengar suara gemuruh sebelum air datang, sebagian lari ke masjid," kata Hendra.\n'
    "Tim gabungan masih mencari seorang warga yang dilaporkan terseret arus saat menyelamatkan ternak.\n"
    "Pemerintah kabupaten membuka dapur umum di balai desa untuk warga yang rumahnya terendam lumpur."
)
FLOOD_FOLLOW_UP = (
    "Tim SAR gabungan menemukan warga yang terseret banjir bandang di Desa Sukamaju dalam keadaan "
    "meninggal dunia, dan operasi pencarian resmi ditutup.\n"
    "Jenazah korban ditemukan tersangkut di bawah jembatan desa tetangga dan langsung diserahkan kepada "
    "keluarganya.\n"
    "{marker} banjir bandang menerjang Desa Sukamaju, Kecamatan Cibeber, Kabupaten Cianjur, pada Selasa "
    "dini hari setelah hujan deras mengguyur kawasan hulu sungai sejak sore.\n"
) + FLOOD.split("\n", 1)[1]


@pytest.mark.parametrize(
    "marker",
    [
        "Sebelumnya diberitakan,",
        "Seperti diberitakan sebelumnya,",
        "Diberitakan sebelumnya,",
        "Dalam berita sebelumnya,",
    ],
)
def test_a_story_that_recaps_an_earlier_one_under_a_new_lead_follows_it_up_figures_or_not(
    marker: str,
) -> None:
    """The whole earlier story is inside the later one, which the containment rule alone would call
    one story; the recap says the lead above it is news (a victim found: no figure, no date)."""
    follow_up = FLOOD_FOLLOW_UP.format(marker=marker)
    forward, backward = judged(FLOOD, follow_up), judged(follow_up, FLOOD)
    assert (forward.features.values[RECAPS_EARLIER], forward.decision) == (1.0, "follows")
    assert (backward.features.values[RECAPS_LATER], backward.decision) == (1.0, "distinct")
    readings = read_story(follow_up), read_story(FLOOD)
    assert (
        "rule: A introduces a sentence of B as earlier coverage, so A is never a duplicate of B"
        in explanation(backward, *readings)
    )


def test_a_copy_of_a_follow_up_is_still_its_duplicate_and_sebelumnya_before_news_recaps_nothing() -> None:
    follow_up = FLOOD_FOLLOW_UP.format(marker="Sebelumnya diberitakan,")
    copy = judged(follow_up, "Baca juga: Banjir di Cianjur\n" + follow_up)
    assert (copy.features.values[RECAPS_EARLIER], copy.decision) == (0.0, "duplicate")
    # `Sebelumnya, …` before a sentence the other story does not have is narrative, not a recap
    added = "Sebelumnya, warga sudah diminta mengungsi dari bantaran sungai sejak pekan lalu.\n"
    own = judged(FLOOD, FLOOD.replace("Tim gabungan", added + "Tim gabungan"))
    assert (own.features.values[RECAPS_EARLIER], own.decision) == (0.0, "duplicate")
