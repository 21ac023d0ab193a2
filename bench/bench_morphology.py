"""Benchmark: Indonesian stemmers and lemmatizers, alone and combined, on second-hand word forms.

Run: `.venv/bin/python bench/bench_morphology.py`. The forms and must-not-conflate pairs are
`tests/fixtures/secondhand/morphology/` (written by a session that never read the matcher); each
candidate is scored on the tune half (which Pantau's corrections were written from) and on the
held-back report half, which decides. Misses are listed for the tune half only. Speed is words
per second with no cache, over the distinct words of the seed texts and the Bisnis captures in
../shared/neardup.

Candidates other than Sastrawi (a dependency) are scored when installed; install them without their
dependencies, which only their other tools need: `.venv/bin/pip install --no-deps nlp-id
indo-text-preprocessing nusantara-nlp`. nlp-id's Lemmatizer is loaded from its module file, as its
package imports a POS tagger that needs scikit-learn and a model download.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from crawler.matching.morphology import is_listed_name, lemmas, without_name_clitics
from crawler.matching.morphology import root as pantau_root
from crawler.matching.text import fold

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "secondhand" / "morphology"
SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")

Analyser = Callable[[str], str]


def rows_of(name: str) -> list[dict[str, str]]:
    """The rows of a tab-separated fixture file (forms and roots, or must-not pairs) by column."""
    with (FIXTURES / name).open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


def load_forms() -> list[dict[str, str]]:
    return rows_of("roots.tsv")


def load_pairs() -> list[dict[str, str]]:
    return rows_of("must_not_conflate.tsv")


def score(
    analyse: Analyser, forms: list[dict[str, str]], pairs: list[dict[str, str]], half: str
) -> tuple[float, int, int]:
    """Root accuracy on one half, its false conflations, and how many pairs that half has."""
    chosen = [row for row in forms if row["split"] == half]
    right = sum(analyse(fold(row["form"])) == row["root"] for row in chosen)
    held = [pair for pair in pairs if pair["split"] == half]
    merged = sum(analyse(fold(pair["word_a"])) == analyse(fold(pair["word_b"])) for pair in held)
    return right / len(chosen), merged, len(held)


def speed_words() -> list[str]:
    words: set[str] = set()
    texts = [path.read_text("utf-8") for path in (ROOT / "config" / "seeds").glob("*.txt")]
    for path in (SHARED / "neardup" / "bisnis-two-scrapers").glob("*.json*"):
        text = path.read_text("utf-8")
        rows = (
            [json.loads(line) for line in text.splitlines()] if path.suffix == ".jsonl" else json.loads(text)
        )
        texts.extend(str(row.get("content") or row.get("isi_artikel") or "") for row in rows)
    for text in texts:
        words.update(re.findall(r"[a-z]+", text.lower()))
    return sorted(words)


def words_per_second(analyse: Analyser, words: list[str], clear: Callable[[], None]) -> float:
    clear()
    started = time.perf_counter()
    for word in words:
        analyse(word)
    return len(words) / (time.perf_counter() - started)


def sastrawi() -> Analyser:
    """Sastrawi's stemmer without its cache, as Pantau builds it."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words())).stem_word  # type: ignore[no-any-return]


def pantau_before() -> Analyser:
    """What Pantau used until issue 20: Sastrawi, and a name's clitics cut from words it does not know."""
    stemmer = sastrawi()
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    known = frozenset(StemmerFactory().get_words())

    def analyse(word: str) -> str:
        stemmed = stemmer(word)
        if stemmed == word and word not in known:
            return without_name_clitics(word)
        return stemmed or word

    return analyse


def nlp_id() -> Analyser | None:
    found = importlib.util.find_spec("nlp_id")
    if found is None or not found.submodule_search_locations:
        return None
    path = Path(next(iter(found.submodule_search_locations))) / "lemmatizer.py"
    spec = importlib.util.spec_from_file_location("nlp_id_lemmatizer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lemmatizer = module.Lemmatizer()
    return lemmatizer.lemmatize  # type: ignore[no-any-return]


def indo_text_preprocessing() -> Analyser | None:
    if importlib.util.find_spec("indo_text_preprocessing") is None:
        return None
    from indo_text_preprocessing import lemmatize  # type: ignore[import-not-found]

    return lemmatize  # type: ignore[no-any-return]


def nusantara() -> Analyser | None:
    if importlib.util.find_spec("nusantara") is None:
        return None
    from nusantara.stemmer import Stemmer  # type: ignore[import-not-found]

    return Stemmer().stem  # type: ignore[no-any-return]


def chain(*steps: Callable[[str], str | None], fallback: Analyser) -> Analyser:
    def analyse(word: str) -> str:
        for step in steps:
            found = step(word)
            if found is not None:
                return found
        return fallback(word)

    return analyse


def main() -> None:
    forms, pairs = load_forms(), load_pairs()
    words = speed_words()
    base = pantau_before()
    lemma_table = lemmas()

    def name(word: str) -> str | None:
        bare = without_name_clitics(word, question=False)
        return bare if is_listed_name(bare) else None

    candidates: list[tuple[str, Analyser | None, Callable[[], None]]] = [
        ("Sastrawi 1.2 (PySastrawi)", sastrawi(), lambda: None),
        ("Pantau before: Sastrawi + name clitics", base, lambda: None),
        ("nlp-id 0.1.23 Lemmatizer", nlp_id(), lambda: None),
        ("indo-text-preprocessing 0.1.0 lemmatize", indo_text_preprocessing(), lambda: None),
        ("nusantara-nlp 0.2.1 Stemmer", nusantara(), lambda: None),
        ("nlp-id lemmas > Sastrawi", chain(lemma_table.get, fallback=base), lambda: None),
        ("names > nlp-id lemmas > Sastrawi", chain(name, lemma_table.get, fallback=base), lambda: None),
        (
            "Pantau now: corrections > names > function word + particle > ke-tidak-X-an > lemmas"
            " > Sastrawi, se- as the dictionary reads it",
            pantau_root,
            pantau_root.cache_clear,
        ),
    ]
    halves = {half: sum(row["split"] == half for row in forms) for half in ("tune", "report")}
    print(
        f"{halves['tune']} tune / {halves['report']} report forms; speed over {len(words)} distinct words\n"
    )
    print("| analyser | tune roots | report roots | report false conflations | words/s |")
    print("|---|---|---|---|---|")
    for label, analyse, clear in candidates:
        if analyse is None:
            print(f"| {label} | not installed | | | |")
            continue
        tune, _, _ = score(analyse, forms, pairs, "tune")
        report, merged, held = score(analyse, forms, pairs, "report")
        rate = words_per_second(analyse, words, clear)
        print(f"| {label} | {100 * tune:.1f}% | {100 * report:.1f}% | {merged} of {held} | {rate:,.0f} |")
    # The second batch: a later second-hand author, all on the tune side.
    second_forms = rows_of("tune2_roots.tsv")
    right, merged, held = score(pantau_root, second_forms, rows_of("tune2_must_not_conflate.tsv"), "tune")
    print(
        f"\nPantau now on the second batch ({len(second_forms)} forms, tune side): roots {100 * right:.1f}%, "
        f"false conflations {merged} of {held}"
    )
    print("\nPantau now by class, report half right / forms; misses listed for the tune half only, so that")
    print("whoever tunes next does not tune on the report half:")
    classes = dict.fromkeys(row["class"] for row in forms)
    for kind in classes:
        rows = {
            half: [row for row in forms if row["class"] == kind and row["split"] == half]
            for half in ("tune", "report")
        }
        right = sum(pantau_root(fold(row["form"])) == row["root"] for row in rows["report"])
        missed = [
            f"{row['form']}->{pantau_root(fold(row['form']))} (want {row['root']})"
            for row in rows["tune"]
            if pantau_root(fold(row["form"])) != row["root"]
        ]
        print(
            f"  {kind}: report {right}/{len(rows['report'])}"
            + (f"; tune misses: {'; '.join(missed)}" if missed else "")
        )


def tuner_forms() -> list[dict[str, str]]:
    """The tuner's own forms (`tests/fixtures/tuner/`): rules were changed to pass them, so a
    regression gate, not a measurement."""
    with (ROOT / "tests" / "fixtures" / "tuner" / "forms.tsv").open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


def tuner_misses() -> list[str]:
    return [
        f"{row['form']}->{pantau_root(row['form'])} (want {row['root']})"
        for row in tuner_forms()
        if pantau_root(row["form"]) != row["root"]
    ]


if __name__ == "__main__":
    main()
    misses = tuner_misses()
    print(
        f"\nThe tuner's own forms (tuned on, not a measurement): {len(misses)} of {len(tuner_forms())} wrong:"
    )
    print("  " + "; ".join(misses))
