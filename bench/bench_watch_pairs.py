"""Benchmark: the watch language on labelled (watch, story) pairs nobody tuned the report half on.

Run: `.venv/bin/python bench/bench_watch_pairs.py`. The pairs are
`tests/fixtures/secondhand/watches/pairs.jsonl` (written by a session that never read the matcher,
labelled "a reader would want this alert"); precision and recall are printed per kind and in all,
for the tune half and the held-back report half, followed by every wrong pair of the tune half
and every wrong check of the tuner's own (`tests/fixtures/tuner/`, not a measurement).
The report half's wrong pairs are not printed, so that whoever tunes next does not tune on them.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.matching import parse_query

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PAIRS = FIXTURES / "secondhand" / "watches" / "pairs.jsonl"
SECOND_BATCH = FIXTURES / "secondhand" / "watches" / "tune2.jsonl"
TUNER_CHECKS = FIXTURES / "tuner" / "watch_checks.jsonl"


def load_pairs(path: Path = PAIRS) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def tuner_wrong() -> list[dict[str, object]]:
    """The tuner's own checks the matcher gets wrong (`tests/fixtures/tuner/`: tuned on, a
    regression gate, not a measurement)."""
    return [pair for pair in load_pairs(TUNER_CHECKS) if alerts(pair) != pair["alert"]]


def alerts(pair: dict[str, object]) -> bool:
    fields = {name: str(pair[name]) for name in ("title", "lead", "body")}
    return parse_query(str(pair["watch"])).evaluate(fields) is not None


def counts(pairs: list[dict[str, object]]) -> tuple[int, int, int, int]:
    """True positives, false positives, false negatives, true negatives."""
    found = [(alerts(pair), bool(pair["alert"])) for pair in pairs]
    return (
        sum(got and want for got, want in found),
        sum(got and not want for got, want in found),
        sum(want and not got for got, want in found),
        sum(not got and not want for got, want in found),
    )


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def main() -> None:
    # The second batch (a later second-hand author, all on the tune side) is its own row group.
    pairs = load_pairs() + [{**pair, "split": "tune2"} for pair in load_pairs(SECOND_BATCH)]
    print("| half | kind | pairs | precision | recall | false alerts | missed |")
    print("|---|---|---|---|---|---|---|")
    for half in ("tune", "tune2", "report"):
        chosen = [pair for pair in pairs if pair["split"] == half]
        kinds = sorted({str(pair["kind"]) for pair in chosen})
        for kind in [*kinds, "all"]:
            group = [pair for pair in chosen if kind in ("all", pair["kind"])]
            hits, false, missed, _ = counts(group)
            label = f"**{kind}**" if kind == "all" else kind
            print(
                f"| {half} | {label} | {len(group)} | {ratio(hits, hits + false)} | "
                f"{ratio(hits, hits + missed)} | {false} | {missed} |"
            )
    print("\nWrong on the tune half:")
    for pair in pairs:
        if pair["split"] == "tune" and alerts(pair) != pair["alert"]:
            wanted = pair["alert"]
            print(f"  {pair['id']}: {pair['watch']!r} alerts={not wanted}, want {wanted}: {pair['note']}")
    wrong = tuner_wrong()
    print(
        f"\nThe tuner's own checks (tuned on, not a measurement): {len(wrong)} of "
        f"{len(load_pairs(TUNER_CHECKS))} wrong:"
    )
    for pair in wrong:
        print(
            f"  {pair['kind']}: {pair['watch']!r} alerts={not pair['alert']}: "
            f"{pair['title']} | {pair['body']}"
        )


if __name__ == "__main__":
    main()
