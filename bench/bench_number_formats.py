"""Whether the judge reads a story's facts alike however a copy writes its figures and dates.

Every real Bisnis text in ../shared/neardup/bisnis-two-scrapers/ is rewritten in three other house
styles (rules written here from the forms portals use, not from any labelled pair): `Rp1,5 triliun` as
`Rp 1.500 miliar`, `%` as `persen`, `Sabtu (15/11/2025)` spelled out; `Rp… miliar` as `Rp… M`,
`Rp1,5 juta` in digits, `persen` as `%`, `US$` as `USD`, `15 November 2025` as `15/11/2025`; English
decimals (`1,5` as `1.5`), `triliun` as `T`, roman quarters spelled out. A rewritten text whose figures
or dates read differently from its original's is counted, and so is one whose lead gains a figure or
date the original never carried (what the judge takes for a new development). Also printed: the CPU
time of reading a story (`read_story` + `profile_of`), the part of a check these rules cost.

    .venv/bin/python bench/bench_number_formats.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.dedup.profile import profile_of, read_story  # noqa: E402

SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
    "November", "Desember",
)  # fmt: skip
DAYS = "Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu"
ROMAN = {"I": "pertama", "II": "kedua", "III": "ketiga", "IV": "keempat"}


def texts() -> list[str]:
    """The bodies of every real Bisnis capture."""
    bodies = []
    for path in sorted((SHARED / "neardup" / "bisnis-two-scrapers").glob("*.json*")):
        raw = path.read_text("utf-8")
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            rows = json.loads(raw)
        bodies += [row.get("content") or row.get("isi_artikel") or "" for row in rows]
    return [body for body in bodies if len(body) >= 200]


def _value(written: str) -> float:
    return float(written.replace(".", "").replace(",", "."))


def _indonesian(value: float) -> str:
    """A figure with `.` thousands and `,` decimals, as many decimals as it needs (up to three)."""
    decimals = next((places for places in range(4) if abs(round(value, places) - value) < 1e-9), 3)
    return f"{value:,.{decimals}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def spelled_out(text: str) -> str:
    """Triliun as miliar, `%` as `persen`, numeric dates after a day name spelled out."""
    text = re.sub(
        r"Rp\s?(\d{1,3}(?:\.\d{3})*(?:,\d+)?)\s?triliun\b",
        lambda match: f"Rp {_indonesian(_value(match.group(1)) * 1000)} miliar",
        text,
    )
    text = re.sub(r"(\d+(?:,\d+)?)\s?%", r"\1 persen", text)
    text = re.sub(
        rf"({DAYS})\s?\((\d{{1,2}})/(\d{{1,2}})/(\d{{4}})\)",
        lambda match: (
            f"{match.group(1)}, {int(match.group(2))} {MONTHS[int(match.group(3)) - 1]} {match.group(4)}"
        ),
        text,
    )
    return re.sub(
        rf"({DAYS})\s?\((\d{{1,2}})/(\d{{1,2}})\)",
        lambda match: f"{match.group(1)} ({int(match.group(2))} {MONTHS[int(match.group(3)) - 1]})",
        text,
    )


def abbreviated(text: str) -> str:
    """Miliar as `M`, juta in digits, `persen` as `%`, `US$` as `USD`, written dates as numbers."""
    text = re.sub(r"Rp\s?(\d{1,3}(?:\.\d{3})*(?:,\d+)?)\s?miliar\b", r"Rp\1 M", text)
    text = re.sub(
        r"Rp\s?(\d{1,3}(?:,\d+)?)\s?juta\b",
        lambda match: f"Rp{_indonesian(_value(match.group(1)) * 1e6)}",
        text,
    )
    text = re.sub(r"(\d+(?:,\d+)?)\s?persen\b", r"\1%", text)
    text = re.sub(r"US\$\s?", "USD ", text)
    return re.sub(
        rf"\b(\d{{1,2}}) ({'|'.join(MONTHS)}) (\d{{4}})",
        lambda match: f"{int(match.group(1)):02d}/{MONTHS.index(match.group(2)) + 1:02d}/{match.group(3)}",
        text,
    )


def english(text: str) -> str:
    """English decimals where unambiguous, triliun as `T`, roman quarters spelled out."""
    text = re.sub(r"(?<![\d.])(\d{1,3}),(\d{1,2})(?!\d)", r"\1.\2", text)
    text = re.sub(r"Rp\s?(\d{1,3}(?:[.,]\d+)?)\s?triliun\b", r"Rp\1 T", text)
    return re.sub(
        r"[Kk]uartal (IV|III|II|I)/(\d{4})",
        lambda match: f"kuartal {ROMAN[match.group(1)]} {match.group(2)}",
        text,
    )


STYLES: tuple[Callable[[str], str], ...] = (spelled_out, abbreviated, english)


def _reading_time(bodies: list[str]) -> float:
    """Milliseconds of CPU time per text to read and profile every text once."""
    started = time.process_time()
    for body in bodies:
        profile_of(read_story(body))
    return (time.process_time() - started) / len(bodies) * 1000


def main() -> int:
    bodies = texts()
    rewritten = differing = new_in_lead = 0
    for body in bodies:
        original = read_story(body)
        for style in STYLES:
            copy = read_story(style(body))
            if copy.normalised == original.normalised:
                continue
            rewritten += 1
            facts, copied = original.facts, copy.facts
            differing += (facts.numbers, facts.dates) != (copied.numbers, copied.dates)
            new_in_lead += bool(
                (copy.lead_facts.numbers - facts.numbers) | (copy.lead_facts.dates - facts.dates)
            )
    per_text = min(_reading_time(bodies) for _ in range(5))
    print(f"{len(bodies)} real texts, {rewritten} rewritten in another house style:")
    print(f"  figures or dates read differently: {differing}")
    print(f"  a figure or date new in the lead (taken for a new development): {new_in_lead}")
    print(f"reading a story: {per_text:.2f} ms CPU per text (best of 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
