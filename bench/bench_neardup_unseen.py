"""Near-duplicate judgement on pairs nobody tuned it on: the held-back half, per kind, old and new.

`tests/fixtures/secondhand/neardup/pairs.jsonl` holds 410 pairs written second-hand (by a session
that had not read the detector), each labelled with its kind and a split. Its `report` half is
scored here; the judge's weights were fitted on the `tune` half (bench/train_neardup_judge.py). Then
the second batch (`tune2/pairs.jsonl`, 157 pairs by another second-hand author, on the tune side:
the recap rule was written after reading its follow-ups, the weights were never fitted on it).
Both detectors judge each pair on its own, as the index judges a candidate:
- old: equal content hashes, or MinHash containment at or above the threshold;
- new: equal content hashes, or the judge's decision `duplicate` (crawler/dedup/judge.py).
`candidate` counts the pairs whose texts share keys enough for the index to weigh the stored text
at all (`NearDuplicateIndex.index_keys`: an LSH band bucket or, new with the judge, a quote, a lead
sentence or FACT_KEY_VOTES pairs of lead facts), as a crawl would; in brackets the same with LSH
buckets alone (the old index). `follows` counts the new judge's
follow-up links. "Through the index" merges a pair only when it is a candidate and judged a copy.

    .venv/bin/python bench/bench_neardup_unseen.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.dedup.judge import NEAR_DUPLICATE_THRESHOLD, judge_pair  # noqa: E402
from crawler.dedup.profile import profile_of, read_story  # noqa: E402
from crawler.dedup.text import document_text, normalise_text, normalised_hash  # noqa: E402
from crawler.store.neardup import FACT_KEY_VOTES, NearDuplicateIndex  # noqa: E402

PAIRS = ROOT / "tests" / "fixtures" / "secondhand" / "neardup" / "pairs.jsonl"
SECOND_BATCH = PAIRS.parent / "tune2" / "pairs.jsonl"


def judged(index: NearDuplicateIndex, pair: dict[str, Any]) -> dict[str, bool]:
    """Old and new verdicts on one pair, whether LSH makes it a candidate, and whether it is a follow-up."""
    hasher = index.hasher
    sides = []
    for side in (pair["a"], pair["b"]):
        normalised = normalise_text(document_text(side["title"], side["text"]))
        profile = profile_of(read_story(document_text(side["title"], side["text"])))
        sides.append((normalised_hash(normalised), hasher.signature_of_normalised(normalised), profile))
    (hash_a, signature_a, profile_a), (hash_b, signature_b, profile_b) = sides
    exact = hash_a == hash_b
    keys_a = set(index.index_keys(signature_a, profile_a))
    keys_b = set(index.index_keys(signature_b, profile_b))
    judgement = judge_pair(hasher, (profile_a, signature_a), (profile_b, signature_b))
    return {
        "old": exact or hasher.similarity(signature_a, signature_b) >= NEAR_DUPLICATE_THRESHOLD,
        "new": exact or judgement.decision == "duplicate",
        "lsh": exact or bool(set(signature_a.band_buckets) & set(signature_b.band_buckets)),
        "candidate": exact or _votes(index, keys_a & keys_b) >= FACT_KEY_VOTES,
        "follows": not exact and judgement.decision == "follows",
    }


def _votes(index: NearDuplicateIndex, shared: set[tuple[int, int]]) -> int:
    """The weight of the keys two texts share, as the index's candidate probe counts it."""
    return sum(1 if band == index.bands + 2 else FACT_KEY_VOTES for band, _ in shared)


def main() -> int:
    index = NearDuplicateIndex()
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    score(index, [pair for pair in pairs if pair["split"] == "report"], "held-back half")
    second = [
        json.loads(line) for line in SECOND_BATCH.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    print()
    score(index, second, "second batch (tune side, never fitted on)")
    return 0


def score(index: NearDuplicateIndex, held_back: list[dict[str, Any]], name: str) -> None:
    """Print the table per kind and the figures in all for one set of pairs."""
    tallies: dict[tuple[str, bool], Counter[str]] = {}
    for pair in held_back:
        said = judged(index, pair)
        tally = tallies.setdefault((pair["kind"], pair["duplicate"]), Counter())
        tally["pairs"] += 1
        for detector in ("old", "new"):
            tally[f"{detector} right"] += said[detector] == pair["duplicate"]
        # In a crawl a pair is merged only when the stored text is a candidate and the judge says so.
        tally["old, through the index right"] += (said["lsh"] and said["old"]) == pair["duplicate"]
        tally["new, through the index right"] += (said["candidate"] and said["new"]) == pair["duplicate"]
        tally["lsh"] += said["lsh"]
        tally["candidate"] += said["candidate"]
        tally["follows"] += said["follows"]
    print(
        "| kind | label | pairs | old right | new right | old right, through the index "
        "| new right, through the index | candidate (lsh only) | new: follows |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (kind, duplicate), tally in sorted(tallies.items(), key=lambda item: (not item[0][1], item[0][0])):
        label = "copy" if duplicate else "distinct"
        print(
            f"| {kind} | {label} | {tally['pairs']} | {tally['old right']} | {tally['new right']} "
            f"| {tally['old, through the index right']} | {tally['new, through the index right']} "
            f"| {tally['candidate']} ({tally['lsh']}) | {tally['follows']} |"
        )
    print(f"\n{name} ({len(held_back)} pairs):")
    copies = [tally for (_, duplicate), tally in tallies.items() if duplicate]
    distinct = [tally for (_, duplicate), tally in tallies.items() if not duplicate]
    all_copies, all_distinct = sum(t["pairs"] for t in copies), sum(t["pairs"] for t in distinct)
    for detector in ("old", "new", "old, through the index", "new, through the index"):
        found = sum(t[f"{detector} right"] for t in copies)
        merged = all_distinct - sum(t[f"{detector} right"] for t in distinct)
        print(
            f"  {detector}: recall {found / all_copies:.2f} ({found} of {all_copies} copies), "
            f"false merges {merged} of {all_distinct} distinct pairs"
        )


if __name__ == "__main__":
    sys.exit(main())
