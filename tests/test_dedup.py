"""Content-level dedup: normalisation, exact hashes, and the near-duplicate index on both databases."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from crawler.dedup.minhash import similarity
from crawler.dedup.profile import FACT_KEYS, Profile, fact_keys, profile_of, read_story
from crawler.dedup.text import content_hash, normalise_text
from crawler.domain.verdict import DocumentRef, Verdict
from crawler.store.db import Database, open_database
from crawler.store.models import (
    NearDuplicateBand,
    NearDuplicateSignature,
    SeedDocument,
    StoredArticle,
    StoryCluster,
)
from crawler.store.neardup import CANDIDATE_CAP, HUGE_BUCKET, NearDuplicateIndex
from tests.conftest import FIXTURES, ROOT

RMOL_SEED = ROOT / "config" / "seeds" / "000_d8c0db3640f267ed.txt"
RMOL_CLEAN = (FIXTURES / "dedup" / "rmol_seed_clean.txt").read_text(encoding="utf-8")
BISNIS_CLEAN = (FIXTURES / "dedup" / "bisnis_seed_clean.txt").read_text(encoding="utf-8")
REWRITE = (FIXTURES / "dedup" / "same_event_medcom.txt").read_text(encoding="utf-8")
TITLE = "Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di Ukraina"


def store_article(session: Session, url: str, body: str) -> StoredArticle:
    article = StoredArticle(canonical_url=url, url=url, title=TITLE, body=body)
    session.add(article)
    session.flush()
    return article


def store_seed(session: Session, path: Path) -> SeedDocument:
    text = path.read_text(encoding="utf-8")
    seed = SeedDocument(name=path.name, title=TITLE, body=text, content_hash=content_hash(text))
    session.add(seed)
    session.flush()
    return seed


@pytest.mark.parametrize(
    "dateline",
    [
        "Bisnis.com, JAKARTA — ",
        "Bisnis.com,JAKARTA - ",
        "Bisnis.com, JAKARTA--",
        "Bisnis, JAKARTA — ",
        "Bisnis.com, SURABAYA - ",
        "JAKARTA, KOMPAS.com - ",
        "Jakarta (ANTARA) - ",
        "Bandung Barat (ANTARA) - ",
        "Tanjung Balai Karimun (ANTARA) - ",
        "RMOL. ",
        "RMOLJatim. ",
    ],
)
def test_datelines_are_dropped(dateline: str) -> None:
    assert normalise_text(f"{dateline}Harga emas naik tipis, kata dia.") == "harga emas naik tipis kata dia"


def test_attribution_lines_and_trailing_sources_are_dropped() -> None:
    text = (
        "Gubernur meresmikan jalan baru.\n"
        'Artikel ini telah tayang di Rmoljatim.id dengan judul "Gubernur Resmikan Jalan"\n'
        "Warga menyambut gembira. sumber: rmol.id"
    )
    assert normalise_text(text) == "gubernur meresmikan jalan baru warga menyambut gembira"


def test_seed_furniture_is_dropped_leaving_headline_and_body() -> None:
    normalised = normalise_text(RMOL_SEED.read_text(encoding="utf-8"))
    headline = normalise_text(TITLE)
    assert normalised == f"{headline} {headline} {normalise_text(RMOL_CLEAN)}"


def test_case_punctuation_and_whitespace_do_not_change_the_content_hash() -> None:
    assert content_hash("Rusia  beli ROKET,\n\n dari Korea-Utara!") == content_hash(
        "rusia beli roket dari korea utara"
    )
    assert content_hash("rusia beli roket") != content_hash("rusia beli rudal")


def test_similarity_is_containment_so_a_truncated_copy_scores_high_and_a_rewrite_low() -> None:
    first_paragraphs = "\n\n".join(RMOL_CLEAN.split("\n\n")[:4])
    assert similarity(first_paragraphs, RMOL_CLEAN) >= 0.9
    assert similarity(REWRITE, RMOL_CLEAN) < 0.2
    assert similarity(RMOL_CLEAN, RMOL_CLEAN) == 1.0
    assert similarity("", RMOL_CLEAN) == 0.0


def test_verdict_json_names_the_duplicated_document() -> None:
    verdict = Verdict("near", DocumentRef("seed", 3, "000.txt"), 0.912345, cluster_id=7)
    assert verdict.to_dict() == {
        "verdict": "near",
        "duplicate_of": {"kind": "seed", "id": 3, "label": "000.txt"},
        "similarity": 0.9123,
        "follows": None,
    }
    follow_up = Verdict("new", None, 0.31, follows=DocumentRef("article", 4, "https://x.id/4"))
    assert follow_up.to_dict() == {
        "verdict": "new",
        "duplicate_of": None,
        "similarity": 0.31,
        "follows": {"kind": "article", "id": 4, "label": "https://x.id/4"},
    }


def test_a_new_story_starts_a_cluster_and_is_indexed_with_one_row_per_band(database: Database) -> None:
    index = NearDuplicateIndex()
    with database.session() as session:
        article = store_article(session, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
        verdict = index.add(session, "article", article.id, TITLE, RMOL_CLEAN)
    with database.session() as session:
        stored = session.get(StoredArticle, article.id)
        assert stored is not None
        assert (verdict.kind, verdict.duplicate_of, verdict.similarity) == ("new", None, 0.0)
        assert stored.cluster_id == verdict.cluster_id
        assert stored.content_hash == content_hash(RMOL_CLEAN)
        assert session.scalar(select(func.count()).select_from(StoryCluster)) == 1
        signature = session.scalars(select(NearDuplicateSignature)).one()
        assert (signature.document_kind, signature.document_id, signature.scheme) == (
            "article",
            article.id,
            index.scheme,
        )
        assert len(signature.signature) == 2 * index.permutations
        bands = session.execute(
            select(NearDuplicateBand.band, func.count()).group_by(NearDuplicateBand.band)
        ).all()
        profile = profile_of(read_story(RMOL_CLEAN))
        # One row per LSH band, then the story's quotes, lead sentences and lead-fact pairs as keys.
        keys = [
            (index.bands, len(profile.quotes)),
            (index.bands + 1, len(profile.lead_sentences)),
            (index.bands + 2, len(fact_keys(profile))),
        ]
        assert sorted(bands) == [(band, 1) for band in range(index.bands)] + [key for key in keys if key[1]]
        assert profile.lead_sentences and len(fact_keys(profile)) == FACT_KEYS
        assert signature.profile is not None and Profile.from_bytes(signature.profile) == profile


def test_copies_join_the_first_story_cluster_with_their_verdicts(database: Database) -> None:
    index = NearDuplicateIndex()
    regional = f'RMOLJATIM. {RMOL_CLEAN}\n\nArtikel ini telah tayang di Rmoljatim.id dengan judul "{TITLE}"'
    aggregator = "\n\n".join(RMOL_CLEAN.split("\n\n")[:5]) + "\n\nsumber: rmol.id"
    with database.session() as session:
        original = store_article(session, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
        first = index.add(session, "article", original.id, TITLE, RMOL_CLEAN)
        copy = store_article(session, "https://rmoljatim.id/rusia-beli-roket", regional)
        exact = index.add(session, "article", copy.id, "Rusia Beli Roket dari Korut", regional)
        partial = store_article(session, "https://aggregator.example/rusia", aggregator)
        near = index.add(session, "article", partial.id, TITLE, aggregator)
        rewrite = store_article(session, "https://medcom.example/rusia", REWRITE)
        other = index.add(session, "article", rewrite.id, "Kehabisan Stok", REWRITE)
    reference = DocumentRef("article", original.id, "https://rmol.id/read/2022/09/06/546353")
    assert exact == Verdict("exact", reference, 1.0, first.cluster_id)
    assert (near.kind, near.duplicate_of, near.cluster_id) == ("near", reference, first.cluster_id)
    assert near.similarity >= 0.9
    assert (other.kind, other.duplicate_of) == ("new", None)
    assert other.cluster_id != first.cluster_id


def test_a_copy_of_a_seed_is_a_duplicate_of_the_seed_even_when_an_article_is_closer(
    database: Database,
) -> None:
    index = NearDuplicateIndex()
    with database.session() as session:
        seed = store_seed(session, RMOL_SEED)
        seeded = index.add(session, "seed", seed.id, TITLE, seed.body)
        article = store_article(session, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
        index.add(session, "article", article.id, TITLE, RMOL_CLEAN)
        verdict = index.check(session, TITLE, RMOL_CLEAN)
    assert (verdict.kind, verdict.duplicate_of) == ("near", DocumentRef("seed", seed.id, RMOL_SEED.name))
    assert verdict.cluster_id == seeded.cluster_id
    assert verdict.similarity >= 0.95


def test_a_copy_of_an_article_in_a_seed_story_cluster_is_a_seed_story(database: Database) -> None:
    index = NearDuplicateIndex()
    longer = f"{RMOL_CLEAN}\n\n{BISNIS_CLEAN}"  # carries the seed story and more
    with database.session() as session:
        seed = store_seed(session, RMOL_SEED)
        index.add(session, "seed", seed.id, TITLE, seed.body)
        article = store_article(session, "https://rmol.id/read/2022/09/06/546353", longer)
        copy_of_seed = index.add(session, "article", article.id, TITLE, longer)
        # the added part alone is nothing like the seed, but it is contained in that article
        near = index.check(session, "", BISNIS_CLEAN)
        part = store_article(session, "https://bisnis.com/read/20230913/1694663", BISNIS_CLEAN)
        index.add(session, "article", part.id, "", BISNIS_CLEAN)
        exact = index.check(session, "", f"Bisnis.com, JAKARTA — {BISNIS_CLEAN}")
    assert (copy_of_seed.duplicate_of, copy_of_seed.seed_story) == (
        DocumentRef("seed", seed.id, RMOL_SEED.name), True,
    )  # fmt: skip
    reference = DocumentRef("article", article.id, "https://rmol.id/read/2022/09/06/546353")
    assert (near.kind, near.duplicate_of, near.seed_story) == ("near", reference, True)
    assert (exact.kind, exact.duplicate_of, exact.seed_story) == (
        "exact", DocumentRef("article", part.id, "https://bisnis.com/read/20230913/1694663"), True,
    )  # fmt: skip
    assert near.cluster_id == exact.cluster_id == copy_of_seed.cluster_id


def test_a_copy_of_an_article_whose_cluster_has_no_seed_is_no_seed_story(database: Database) -> None:
    index = NearDuplicateIndex()
    with database.session() as session:
        article = store_article(session, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
        index.add(session, "article", article.id, TITLE, RMOL_CLEAN)
        verdict = index.check(session, TITLE, RMOL_CLEAN)
    assert (verdict.kind, verdict.seed_story) == ("exact", False)


def test_check_stores_nothing(database: Database) -> None:
    with database.session() as session:
        verdict = NearDuplicateIndex().check(session, TITLE, RMOL_CLEAN)
        counts = [
            session.scalar(select(func.count()).select_from(model))
            for model in (NearDuplicateSignature, NearDuplicateBand, StoryCluster)
        ]
    assert verdict == Verdict("new", None, 0.0, None)
    assert counts == [0, 0, 0]


def test_a_check_is_two_statements_and_the_same_sql_whatever_the_story(database: Database) -> None:
    """The candidate probe and both exact-hash lookups take two round trips, and their SQL does not vary
    with a story's quotes or lead sentences, so PostgreSQL can plan it once per connection."""
    index = NearDuplicateIndex()
    statements: list[str] = []
    with database.session() as session:
        article = store_article(session, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
        index.add(session, "article", article.id, TITLE, RMOL_CLEAN)
        session.flush()

        def record(*arguments: object) -> None:
            statements.append(str(arguments[2]))

        event.listen(database.engine, "before_cursor_execute", record)
        try:
            new_story = index.check(session, "", "Harga cabai di Kota Medan naik 10 persen pada Senin.")
            quoted = index.check(session, TITLE, REWRITE)
        finally:
            event.remove(database.engine, "before_cursor_execute", record)
    assert (new_story.kind, quoted.kind) == ("new", "new")
    assert len(statements) == 4
    assert statements[:2] == statements[2:]


def test_the_index_survives_a_restart_and_is_shared_by_another_connection(database: Database) -> None:
    with database.session() as session:
        article = store_article(session, "https://bisnis.com/read/20230913/1694663", BISNIS_CLEAN)
        NearDuplicateIndex().add(session, "article", article.id, TITLE, BISNIS_CLEAN)
    reopened = open_database(database.url)
    try:
        with reopened.session() as session:
            verdict = NearDuplicateIndex().check(session, "", f"Bisnis.com, JAKARTA — {BISNIS_CLEAN}")
    finally:
        reopened.dispose()
    assert verdict.kind == "exact"
    assert verdict.duplicate_of == DocumentRef(
        "article", article.id, "https://bisnis.com/read/20230913/1694663"
    )


def test_signatures_of_another_scheme_are_never_compared(database: Database) -> None:
    with database.session() as session:
        article = store_article(session, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
        NearDuplicateIndex(seed=1).add(session, "article", article.id, TITLE, RMOL_CLEAN)
        verdict = NearDuplicateIndex(seed=2).check(
            session, TITLE, RMOL_CLEAN + "\n\nTambahan satu kalimat baru."
        )
    assert verdict.kind == "new"


@pytest.mark.postgres
def test_two_transactions_adding_one_story_at_once_give_one_cluster(postgres_url: str) -> None:
    database = open_database(postgres_url)
    index = NearDuplicateIndex()
    edited = RMOL_CLEAN + "\n\nHingga berita ini diturunkan, belum ada tanggapan resmi."
    second_verdict: list[Verdict] = []
    try:
        with database.session() as first:
            article = store_article(first, "https://rmol.id/read/2022/09/06/546353", RMOL_CLEAN)
            first_verdict = index.add(first, "article", article.id, TITLE, RMOL_CLEAN)

            def add_copy() -> None:
                with database.session() as second:
                    copy = store_article(second, "https://rmoljatim.id/rusia-beli-roket", edited)
                    second_verdict.append(index.add(second, "article", copy.id, TITLE, edited))

            worker = threading.Thread(target=add_copy)
            worker.start()
            worker.join(timeout=1)
            assert worker.is_alive(), "the second transaction must wait for the first one's locks"
        worker.join()
    finally:
        database.dispose()
    assert second_verdict[0].kind == "near"
    assert second_verdict[0].cluster_id == first_verdict.cluster_id


FLASH = (
    "Gempa bumi bermagnitudo 5,2 mengguncang wilayah Kabupaten Garut, Jawa Barat, pada Senin (1/12/2025) "
    "pagi. Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) mencatat pusat gempa berada di laut pada "
    "kedalaman 10 kilometer, sekitar 35 kilometer barat daya Garut. Hingga siang belum ada laporan kerusakan "
    "bangunan maupun korban jiwa."
)
# Written for this test: the same flash item in a regional outlet's own words, every figure kept.
FLASH_REWORDED = (
    "Garut diguncang lindu berkekuatan M 5,2 pada 1 Desember 2025, Senin pagi, menurut catatan BMKG. "
    "Sumber getaran terletak 35 km di barat daya Garut, di bawah laut sedalam 10 km. Warga sempat panik "
    "keluar rumah, namun sampai siang tidak ada rumah rusak atau warga yang meninggal."
)


def test_a_reworded_flash_item_meets_its_original_through_its_lead_facts(database: Database) -> None:
    """No shingle band, quote or lead sentence is shared: only pairs of the facts both leads state."""
    index = NearDuplicateIndex()
    keys = []
    for text in (FLASH, FLASH_REWORDED):
        reading = read_story(text)
        signature = index.hasher.signature_of_normalised(reading.normalised)
        keys.append(set(index.index_keys(signature, profile_of(reading))))
    shared = keys[0] & keys[1]
    assert shared and {band for band, _ in shared} == {index.bands + 2}
    with database.session() as session:
        article = store_article(session, "https://news.example.id/gempa-garut", FLASH)
        index.add(session, "article", article.id, "", FLASH)
        verdict = index.check(session, "", FLASH_REWORDED)
    assert verdict.kind == "near"
    assert verdict.duplicate_of == DocumentRef("article", article.id, "https://news.example.id/gempa-garut")


def test_a_story_copied_hundreds_of_times_costs_one_check_a_bounded_judgement(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Every key of a much-copied story is shared by hundreds of stored copies: at most CANDIDATE_CAP
    are weighed, the newest among those sharing most keys, and the huge bucket is logged."""
    index = NearDuplicateIndex()
    reading = read_story(FLASH)
    signature = index.hasher.signature_of_normalised(reading.normalised)
    profile = profile_of(reading)
    with database.session() as session:
        articles = []
        # Indexed as `add` indexes them, written in bulk: two hundred adds would make a slow test.
        for number in range(HUGE_BUCKET + 5):
            article = store_article(session, f"https://news.example.id/copy-{number}", FLASH)
            stored = NearDuplicateSignature(
                document_kind="article",
                document_id=article.id,
                scheme=index.scheme,
                signature=signature.to_bytes(),
                shingle_count=signature.shingle_count,
                profile=profile.to_bytes(),
            )
            session.add(stored)
            session.flush()
            session.add_all(
                NearDuplicateBand(signature_id=stored.id, band=band, bucket=bucket)
                for band, bucket in index.index_keys(signature, profile)
            )
            articles.append(article)
        session.flush()
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="crawler.store.neardup"):
            verdict = index.check(session, "", FLASH_REWORDED)
    assert verdict.kind == "near"
    messages = [record.getMessage() for record in caplog.records]
    assert f"near-duplicate check: candidates capped at the {CANDIDATE_CAP} sharing most keys" in messages
    assert any(f"shared by {HUGE_BUCKET + 5} stored stories" in message for message in messages)
    # The newest copies are the ones weighed: the verdict points at one of the last CANDIDATE_CAP stored.
    assert verdict.duplicate_of is not None
    assert verdict.duplicate_of.id in {article.id for article in articles[-CANDIDATE_CAP:]}
