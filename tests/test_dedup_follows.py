"""Clusters stay honest: a daily template stays one cluster per day, a follow-up is linked, not merged;
the judge on labelled `tune` pairs; `pantau dedup explain` prints every feature and the decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest

from crawler.alerts import AlertRenderer
from crawler.cli.dedup import explanation
from crawler.dedup.features import FEATURE_NAMES, PairFeatures
from crawler.dedup.judge import MODEL, judge_pair
from crawler.dedup.minhash import MinHasher
from crawler.dedup.profile import Profile, profile_of, read_story
from crawler.dedup.text import normalise_text
from crawler.store.clusters import followed_story
from crawler.store.db import Database
from crawler.store.models import StoredArticle
from crawler.store.neardup import NearDuplicateIndex
from tests.conftest import FIXTURES
from tests.test_alerts_rendering import URL, _alert
from tests.test_cli import shown_fields
from tests.test_dedup_cli import pantau
from tests.test_dedup_judge import RULES

HASHER = MinHasher()
TUNE = [
    pair
    for line in (FIXTURES / "secondhand" / "neardup" / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    if (pair := json.loads(line))["split"] == "tune"
]
RUPIAH = (
    "Nilai tukar rupiah ditutup {verb} {change} persen ke level Rp{level} per dolar AS pada perdagangan "
    "{day} November 2025. Indeks dolar AS bergerak ke {index} pada sore hari. Analis menilai pergerakan "
    "rupiah masih dipengaruhi arah suku bunga bank sentral Amerika Serikat dan data neraca perdagangan. "
    "Pelaku pasar menanti rilis data inflasi pekan depan untuk menakar arah kebijakan moneter berikutnya."
)


def side(text: str) -> tuple[Profile, Any]:
    return profile_of(read_story(text)), HASHER.signature_of_normalised(normalise_text(text))


def store_article(database: Database, index: NearDuplicateIndex, number: int, body: str) -> StoredArticle:
    with database.session() as session:
        url = f"https://news.example.id/{number}"
        article = StoredArticle(canonical_url=url, url=url, title=f"Berita {number}", body=body)
        session.add(article)
        session.flush()
        index.add(session, "article", article.id, article.title, body)  # keeps its verdict on the row
        session.flush()
        session.expunge(article)
        return article


@pytest.mark.parametrize("kind", ["exact_furniture", "number_format", "template_other_region"])
def test_the_judge_gets_every_tune_pair_of_these_kinds_right(kind: str) -> None:
    pairs = [pair for pair in TUNE if pair["kind"] == kind]
    wrong = [
        pair["id"]
        for pair in pairs
        if (judge_pair(HASHER, side(pair["a"]["text"]), side(pair["b"]["text"])).decision == "duplicate")
        != pair["duplicate"]
    ]
    assert (len(pairs), wrong) == (len(pairs), [])


def test_a_profile_survives_storage_byte_for_byte() -> None:
    profile = side(TUNE[0]["a"]["text"])[0]
    assert profile.latest_day
    assert Profile.from_bytes(profile.to_bytes()) == profile


@pytest.mark.parametrize("layout", ["before the recaps were kept", "before the latest day was kept too"])
def test_a_profile_stored_in_an_older_layout_still_reads(layout: str) -> None:
    """An older header lacks the recaps' count (and, older still, the latest day's): the same sets, and
    no recaps or day (so the rules that need them never fire)."""
    profile = replace(side(TUNE[0]["a"]["text"])[0], recaps=frozenset())
    stored = profile.to_bytes()
    sets = len(fields(Profile)) - 2  # word count and latest day are counts, not sets
    recaps_count = (sets - 1) * 2  # the recaps' count is the last set's
    older = stored[:recaps_count] + stored[recaps_count + 2 :]
    expected = profile
    if layout == "before the latest day was kept too":
        day_count = recaps_count + 2  # after the word count
        older = older[:day_count] + older[day_count + 2 :]
        expected = replace(profile, latest_day=0)
    assert profile.latest_day and Profile.from_bytes(older) == expected
    with pytest.raises(ValueError, match="do not match its counts"):
        Profile.from_bytes(older[:-4])


def test_a_month_of_daily_rupiah_closes_stays_thirty_clusters(database: Database) -> None:
    index = NearDuplicateIndex()
    clusters = set()
    for day in range(1, 31):
        body = RUPIAH.format(
            verb="menguat" if day % 2 else "melemah",
            change=f"0,{day:02d}",
            level=f"16.{600 + day * 3}",
            day=day,
            index=f"99,{day:02d}",
        )
        clusters.add(store_article(database, index, day, body).cluster_id)
    assert len(clusters) == 30


def test_a_follow_up_is_linked_to_the_earlier_story_not_merged(database: Database) -> None:
    pair = next(pair for pair in TUNE if pair["kind"] == "follow_up" and pair["id"] == "follow_up-005")
    index = NearDuplicateIndex()
    earlier = store_article(database, index, 1, pair["a"]["text"])
    later = store_article(database, index, 2, pair["b"]["text"])
    with database.session() as session:
        followed = followed_story(session, later.id)
    assert (later.cluster_id != earlier.cluster_id, followed and (followed.kind, followed.id)) == (
        True,
        ("article", earlier.id),
    )


def test_explain_prints_every_feature_and_the_decision(tmp_path: Path) -> None:
    pair = next(pair for pair in TUNE if pair["kind"] == "number_format")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(pair["a"]["text"], encoding="utf-8")
    second.write_text(pair["b"]["text"], encoding="utf-8")
    result = pantau(f"sqlite:///{tmp_path / 'p.db'}", "dedup", "explain", str(first), str(second))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert {line.split(" ")[0] for line in lines} >= set(FEATURE_NAMES)
    assert lines[-1] == "decision: duplicate"


def test_explain_reads_stored_articles_by_id_and_says_why_a_follow_up_is_no_duplicate(
    database: Database,
) -> None:
    pair = next(pair for pair in TUNE if pair["id"] == "follow_up-005")
    index = NearDuplicateIndex()
    earlier = store_article(database, index, 1, pair["a"]["text"])
    later = store_article(database, index, 2, pair["b"]["text"])
    result = pantau(database.url, "dedup", "explain", str(earlier.id), str(later.id))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-6] == "latest day named: A 11-13, B 11-19"
    assert lines[-5].startswith("probability of one story ")
    assert lines[-4:] == [
        "rule: B's lead has a figure or date A never carried, so B is never a duplicate of A",
        "rule: B names a day after every day A names, so B is never a duplicate of A",
        "rule: B introduces a sentence of A as earlier coverage, so B follows A up, never duplicates it",
        "decision: follows",
    ]


def test_explain_says_when_the_containment_rule_and_not_the_model_made_a_duplicate() -> None:
    """An aggregator's excerpt the model alone would keep apart: explain names the rule that merged it."""
    reading = read_story("Gubernur meresmikan jembatan baru di Medan pada Sabtu pagi.")
    values = dict.fromkeys([*MODEL.weights, *RULES, "sentence_a_in_b", "lead_new_names"], 0.0)
    excerpt = PairFeatures(values | {"shingle_b_in_a": 0.97, "shingle_smaller_in_larger": 0.97})
    lines = explanation(MODEL.judge(excerpt), reading, reading)
    assert lines[-2:] == [
        "rule: one text is all but wholly inside the other (shingle containment >= 0.95), "
        "so they are one story",
        "decision: duplicate",
    ]
    apart = PairFeatures(excerpt.values | {"shingle_b_in_a": 0.9, "shingle_smaller_in_larger": 0.9})
    assert explanation(MODEL.judge(apart), reading, reading)[-2].startswith("probability of one story ")


def test_explain_of_an_unknown_story_is_one_clear_line(database: Database) -> None:
    result = pantau(database.url, "dedup", "explain", "41", "42")
    assert (result.returncode, result.stderr.strip()) == (1, "error: 41: no stored article and no such file")


def test_items_show_and_list_name_the_story_a_follow_up_builds_on(database: Database) -> None:
    pair = next(pair for pair in TUNE if pair["id"] == "follow_up-005")
    index = NearDuplicateIndex()
    earlier = store_article(database, index, 1, pair["a"]["text"])
    later = store_article(database, index, 2, pair["b"]["text"])
    shown_later = shown_fields(pantau(database.url, "items", "show", str(later.id)).stdout)
    shown_earlier = shown_fields(pantau(database.url, "items", "show", str(earlier.id)).stdout)
    listed = subprocess.run(
        [sys.executable, "-c", "from crawler.cli import main; main()", "--db", database.url, "items", "list"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"}, check=False,
    ).stdout  # fmt: skip
    assert (shown_later["follows"], shown_earlier["follows"]) == (
        f"new development on article {earlier.id} (Berita 1)",
        f"followed up by article {later.id}",
    )
    assert f"│ new, follows article {earlier.id} │" in listed


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "New development on: Satgas Blokir 184 Pinjol"),
        ("id", "Perkembangan baru dari: Satgas Blokir 184 Pinjol"),
    ],
)
def test_an_alert_for_a_follow_up_names_the_story_it_builds_on(language: str, line: str) -> None:
    alert = _alert()
    alert.payload["follows"] = {"kind": "article", "id": 4, "label": "Satgas Blokir 184 Pinjol"}
    message = AlertRenderer(language).render([alert])
    assert f"{URL}\n\n{line}\n\n" in message.text
    assert f"<p>{line}</p>" in message.html


def test_a_reworded_wire_copy_meets_its_original_through_a_shared_quote(database: Database) -> None:
    pair = next(pair for pair in TUNE if pair["id"] == "wire_reworded-003")
    original, rewrite = side(pair["a"]["text"]), side(pair["b"]["text"])
    assert not set(original[1].band_buckets) & set(rewrite[1].band_buckets)  # no LSH bucket in common
    index = NearDuplicateIndex()
    stored = store_article(database, index, 1, pair["a"]["text"])
    with database.session() as session:
        verdict = index.check(session, "", pair["b"]["text"])
    assert (verdict.kind, verdict.duplicate_of and verdict.duplicate_of.id) == ("near", stored.id)
