"""`pantau dedup check|compare` and `pantau seeds import` against a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.dedup.judge import JudgeModel
from tests.conftest import DEFAULT_CONFIG, FIXTURES, ROOT

CLEAN = FIXTURES / "dedup" / "rmol_seed_clean.txt"
REWRITE = FIXTURES / "dedup" / "same_event_medcom.txt"


def pantau(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from crawler.cli import main; main()",
            "--config",
            str(DEFAULT_CONFIG),
            "--db",
            database_url,
            *arguments,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_check_finds_the_seed_a_clean_copy_duplicates(database_url: str) -> None:
    result = pantau(database_url, "dedup", "check", str(CLEAN), "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    # The similarity is the judge's probability of one story: above its threshold, retrained or not.
    assert verdict.pop("similarity") >= JudgeModel.load().threshold
    assert verdict == {
        "verdict": "near",
        "duplicate_of": {"kind": "seed", "id": 1, "label": "000_d8c0db3640f267ed.txt"},
        "follows": None,
    }


def test_check_reads_a_saved_page_through_the_extractor(database_url: str, tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{block}</p>" for block in CLEAN.read_text(encoding="utf-8").split("\n\n"))
    page = tmp_path / "copy.html"
    page.write_text(
        f"<html><head><title>Rusia Beli Roket</title></head><body><article><h1>Rusia Beli Roket</h1>"
        f"{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    result = pantau(database_url, "dedup", "check", str(page))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("near duplicate of seed 1 (000_d8c0db3640f267ed.txt), similarity ")


def test_check_calls_a_different_story_new(database_url: str) -> None:
    result = pantau(database_url, "dedup", "check", str(REWRITE))
    assert (result.returncode, result.stdout) == (0, "new story\n")


def test_compare_scores_two_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unused.db'}"
    copy = pantau(
        url, "dedup", "compare", str(CLEAN), str(ROOT / "config/seeds/000_d8c0db3640f267ed.txt"), "--json"
    )
    other = pantau(url, "dedup", "compare", str(CLEAN), str(REWRITE), "--json")
    assert json.loads(copy.stdout) == {"similarity": 1.0, "duplicate": True}
    assert json.loads(other.stdout)["duplicate"] is False


def test_seeds_import_prints_counts_and_is_idempotent(database_url: str, tmp_path: Path) -> None:
    (tmp_path / "extra.txt").write_text(CLEAN.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "ignored.md").write_text("bukan seed", encoding="utf-8")
    first = pantau(database_url, "seeds", "import", str(tmp_path))
    second = pantau(database_url, "seeds", "import", str(tmp_path))
    assert first.stdout == f"{tmp_path}: 1 imported (1 repeat a stored story), 0 already present\n"
    assert second.stdout == f"{tmp_path}: 0 imported (0 repeat a stored story), 1 already present\n"
