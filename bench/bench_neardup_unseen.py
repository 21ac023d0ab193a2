"""Near-duplicate judgement on pairs nobody tuned it on: the held-back half, per kind.

`tests/fixtures/secondhand/neardup/pairs.jsonl` holds 410 pairs written second-hand (by a session
that had not read the detector), each labelled with its kind and a split. Only the `report` half is
scored here; the `tune` half is for whoever tunes the judge. A pair is judged a duplicate as the
index judges a candidate: equal content hashes, or similarity at or above the threshold.

    .venv/bin/python bench/bench_neardup_unseen.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from crawler.dedup.judge import NEAR_DUPLICATE_THRESHOLD
from crawler.dedup.minhash import similarity
from crawler.dedup.text import content_hash, document_text

PAIRS = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "secondhand" / "neardup" / "pairs.jsonl"
)


def judged_duplicate(a: dict[str, str], b: dict[str, str]) -> bool:
    first, second = document_text(a["title"], a["text"]), document_text(b["title"], b["text"])
    return (
        content_hash(first) == content_hash(second) or similarity(first, second) >= NEAR_DUPLICATE_THRESHOLD
    )


def main() -> int:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    held_back = [pair for pair in pairs if pair["split"] == "report"]
    outcomes: dict[tuple[str, bool], Counter[str]] = {}
    for pair in held_back:
        said = judged_duplicate(pair["a"], pair["b"])
        verdict = "right" if said == pair["duplicate"] else "wrong"
        outcomes.setdefault((pair["kind"], pair["duplicate"]), Counter())[verdict] += 1
    print("| kind | label | pairs | right | wrong |")
    print("|---|---|---|---|---|")
    for (kind, duplicate), counts in sorted(outcomes.items(), key=lambda item: (not item[0][1], item[0][0])):
        label = "copy" if duplicate else "distinct"
        print(f"| {kind} | {label} | {sum(counts.values())} | {counts['right']} | {counts['wrong']} |")
    copies = [c for (_, duplicate), c in outcomes.items() if duplicate]
    distinct = [c for (_, duplicate), c in outcomes.items() if not duplicate]
    found, all_copies = sum(c["right"] for c in copies), sum(sum(c.values()) for c in copies)
    merged, all_distinct = sum(c["wrong"] for c in distinct), sum(sum(c.values()) for c in distinct)
    recall = f"recall {found / all_copies:.2f} ({found} of {all_copies} copies)"
    merges = f"false merges {merged} of {all_distinct} distinct pairs"
    print(f"\nheld-back half ({len(held_back)} pairs): {recall}, {merges}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
