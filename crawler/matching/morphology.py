"""The root of an Indonesian word, and which words are names: what watches match word forms by.

A root is looked up in order: the committed corrections (known errors, fixed by hand), the list of
names (a name is never stemmed: `Pemalang` is not pe- + `malang`), a function word with a particle
(`apakah`, `perlukah`, `sekalipun`: the function word's root), ke-tidak-X-an (`ketidakadilan`:
X's root), nlp-id's lemma dictionary (the entries where it disagrees with Sastrawi), then
Sastrawi's stemmer; se- is read as the dictionary reads it (`sepekan` -> `pekan`, `menyesuaikan`
-> `sesuai`) and kept on a word other prefixes derive from (`menyetujui` -> `setuju`), and a
collective with a doubled consonant no stemmer reads takes its base (`bebatuan` -> `batu`). The
data files and their sources and licences are described in `data/README.md`;
`bench/bench_morphology.py` measures the choice on second-hand forms.

Every root keeps all letters of itself but the first in every word that reduces to it (meN- and
peN- may swallow that one: `mengunjungi` -> `kunjung`). The pre-check relies on it, and the
corrections and lemma data are checked for it when they load.
"""

from __future__ import annotations

import functools
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

_DATA = resources.files("crawler.matching") / "data"
_STEMMABLE = re.compile(r"[a-z]+")
# Clitics a name may carry (`Rusianya`, `Jokowilah`, `Prabowokah`); `-nya` may come before a particle.
NAME_CLITIC_ENDINGS = ("nya", "lah", "kah", "nyalah", "nyakah")
MIN_NAME_LETTERS = 3  # `KPKnya`, `DPRlah`; `Kenya` keeps its `-nya`


@functools.cache
def _sastrawi() -> object:
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


def _rows(name: str) -> Iterator[list[str]]:
    """Tab-separated rows of a data file, without comments and blank lines."""
    opened = gzip.open if name.endswith(".gz") else open
    with opened(str(_DATA / name), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and not line.startswith("#"):
                yield line.rstrip("\n").split("\t")


def _checked(table: dict[str, str], source: str) -> dict[str, str]:
    for word, root in table.items():
        if root[1:] not in word:
            raise ValueError(f"{source}: {word} -> {root} loses a letter of the root the pre-check needs")
    return table


@functools.cache
def _corrections() -> dict[str, str]:
    return _checked({row[0]: row[1] for row in _rows("corrections.tsv")}, "corrections.tsv")


@functools.cache
def lemmas() -> dict[str, str]:
    """nlp-id's lemmas where they differ from Sastrawi (`data/README.md`): form -> lemma."""
    return _checked({row[0]: row[1] for row in _rows("lemmas.tsv.gz")}, "lemmas.tsv.gz")


@functools.cache
def _se_bases() -> frozenset[str]:
    """Words with se- that take another prefix themselves (`setuju`: `menyetujui`, `persetujuan`)."""
    return frozenset(row[0] for row in _rows("se_bases.txt"))


def _listed(name: str) -> Iterator[tuple[str, ...]]:
    """The folded words of each name in a list."""
    for (written,) in _rows(name):
        yield _words(written)


def _words(written: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", written.lower()))


@functools.cache
def _name_runs() -> tuple[frozenset[str], dict[str, tuple[tuple[str, ...], ...]]]:
    """One-word names, and names of several words by their first word (longest first)."""
    single: set[str] = set()
    runs: dict[str, list[tuple[str, ...]]] = {}
    for words in (*_places().names, *_listed("districts.txt"), *_religious_names()):
        if len(words) == 1:
            single.add(words[0])
        else:
            runs.setdefault(words[0], []).append(words)
    return frozenset(single), {
        first: tuple(sorted(names, key=len, reverse=True)) for first, names in runs.items()
    }


@functools.cache
def _religious_names() -> frozenset[tuple[str, ...]]:
    """Religious figures and phrases (`Roh Kudus`, `Jumat Agung`): names, but no places."""
    return frozenset(_listed("religious_names.txt"))


def holds_no_place(run: tuple[str, ...]) -> bool:
    """Whether a listed name of several words is a religious figure or phrase, not a place that
    holds the places listed inside it (`Roh Kudus` is no Kudus; `Banda Aceh` is in Aceh)."""
    return run in _religious_names()


# Words after a place's name that name a part of it or the greater place around it (`Bandung Barat`,
# `Jakarta Pusat`, `Seram Bagian Timur`, `Ogan Komering Ilir`, `Banggai Kepulauan`, `Bandung Raya`).
_PART_WORDS = frozenset((
    "utara", "selatan", "barat", "timur", "tengah", "tenggara", "daya", "laut", "bagian", "pusat",
    "raya", "ilir", "ulu", "hulu", "hilir", "kepulauan",
))  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Places:
    """names.txt read once: every name in it, and what its headings say of them: which are places
    (provinces, regencies and cities, well-known places, countries; not institutions), the provinces,
    the province each regency or city is listed under, and the countries."""

    names: tuple[tuple[str, ...], ...]
    places: frozenset[tuple[str, ...]]
    provinces: frozenset[tuple[str, ...]]
    province_of: dict[tuple[str, ...], tuple[str, ...]]
    countries: frozenset[tuple[str, ...]]


@functools.cache
def _places() -> _Places:
    names: list[tuple[str, ...]] = []
    sections: dict[str, set[tuple[str, ...]]] = {}
    province_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    section, heading = "", False
    province: tuple[str, ...] = ()
    with open(str(_DATA / "names.txt"), encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line.startswith("## "):  # a heading's first line names the section
                if not heading:
                    section, province = re.findall(r"\w+", line)[0].lower(), ()
                heading = True
                continue
            heading = False
            if line.startswith("# ") and section == "regencies":
                province = _words(line[2:])
            elif line and not line.startswith("#"):
                words = _words(line)
                names.append(words)
                sections.setdefault(section, set()).add(words)
                if province:
                    province_of[words] = province
    named = ("provinces", "regencies", "capital", "countries")  # the sections of places
    return _Places(
        tuple(names),
        frozenset().union(*(sections.get(name, set()) for name in named)),
        frozenset(sections.get("provinces", ())),
        province_of,
        frozenset(sections.get("countries", ())),
    )


def part_of(run: tuple[str, ...], place: tuple[str, ...], *, listed: bool) -> bool:
    """Whether the listed name `run`, which starts with the words of `place`, names that place or part
    of it: a part a word like `Barat` or `Pusat` names (`Bandung Barat`, `Korea Utara`), a regency or
    city listed under that province (`Aceh Tamiang`), a province split from it (`Papua Pegunungan`),
    or, for a place not `listed` itself, a country it names (`Amerika Serikat`, `Arab Saudi`); not
    another place that only starts with its name (`Padang Lawas`, `Bone Bolango`, `Papua Nugini`). A
    listed name is part of an institution named with it (`BPJS` of `BPJS Kesehatan`)."""
    places = _places()
    if run[len(place)] in _PART_WORDS or places.province_of.get(run) == place:
        return True
    if listed:
        return run not in places.places or (place in places.provinces and run in places.provinces)
    return run in places.countries


def is_listed_name(folded_word: str) -> bool:
    """Whether the word is a one-word name in the shipped list (`pemalang`, `kejagung`)."""
    return folded_word in _name_runs()[0]


def listed_runs(first_word: str) -> tuple[tuple[str, ...], ...]:
    """The listed names of several words that start with this folded word, longest first."""
    return _name_runs()[1].get(first_word, ())


@functools.cache
def _function_words() -> frozenset[str]:
    """Sastrawi's stop words (Tala's list of Indonesian function words, shipped with Sastrawi)."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


_PARTICLES = ("kah", "pun", "tah", "lah")
_CLITICS = frozenset((*NAME_CLITIC_ENDINGS, *_PARTICLES, "ku", "mu"))


def _function_word_with_particle(folded_word: str) -> str | None:
    """The function word a particle is written on (`apakah` -> `apa`, `disinilah` -> `disini`).

    The dictionary holds some of these whole (`apakah`, `sekalipun`), and the stemmers read others
    as affixes (`perlukah` as per- + `lukah`). `-lah` is cut only from a word the dictionary does
    not hold, as many roots end in it after a function word (`masalah` is not `masa` + -lah).
    """
    for particle in _PARTICLES:
        if folded_word.endswith(particle) and len(folded_word) >= 3 + len(particle):
            base = folded_word[: -len(particle)]
            if base in _function_words() and (particle != "lah" or not is_ordinary_word(folded_word)):
                return base
    return None


@functools.lru_cache(maxsize=1 << 16)
def is_ordinary_word(folded_word: str) -> bool:
    """Whether the word is in Sastrawi's dictionary of roots (an ordinary Indonesian word)."""
    return bool(_sastrawi().dictionary.contains(folded_word))  # type: ignore[attr-defined]


@functools.cache
def _produced_roots() -> frozenset[str]:
    """Roots the tables give other words, and those of the function words particles attach to."""
    carriers = frozenset(root(word) for word in _function_words() if _STEMMABLE.fullmatch(word))
    return frozenset(lemmas().values()) | frozenset(_corrections().values()) | carriers | _se_bases()


def load_word_data() -> None:
    """Read every word table now instead of at the first word that needs it: the fork server of the
    extraction workers calls it once, so each worker starts with the tables and shares their memory
    (about 14 MiB) instead of reading a copy of its own."""
    # The readers are cached (functools.cache): calling each once fills its cache.
    _sastrawi()
    _produced_roots()  # and, through it, the lemmas, corrections, se- bases and function words
    _name_runs()  # and, through it, names.txt with its headings, the districts and religious names


def is_root(word: str) -> bool:
    """Whether other words may reduce to `word` (it is not only the root of itself)."""
    return is_ordinary_word(word) or word in _produced_roots()


def without_name_clitics(folded_word: str, *, question: bool = True, shortest: int = MIN_NAME_LETTERS) -> str:
    """A name without the clitics it may take (`jokowilah` -> `jokowi`, `kpknya` -> `kpk`).

    At least `shortest` letters must remain (three, so `Kenya` keeps its `-nya`; two for the later
    part of a hyphenated name, `Jong-unnya`), an `-ullah` ending is a name's own (Arabic theophoric
    names: `Abdullah`, `Nasrullah`; but `Bahlillah` is `Bahlil` + `-lah`), and `-kah`
    (a question particle) is cut only when `question` says the sentence asks one (`Malikah`).
    """
    word = folded_word
    for ending in ("nyalah", "nyakah", "lah", "kah"):
        if word.endswith(ending) and len(word) >= shortest + len(ending):
            if (ending == "lah" and word.endswith("ullah")) or (ending.endswith("kah") and not question):
                continue
            return word[: -len(ending)]
    if word.endswith("nya") and len(word) >= shortest + 3:
        return word[:-3]
    return word


@functools.lru_cache(maxsize=1 << 18)
def root(folded_word: str) -> str:
    """The root of a folded word (`menyeberangi` -> `seberang`); a name stays itself."""
    if "-" in folded_word:
        return _reduplicated_root(folded_word)
    if not _STEMMABLE.fullmatch(folded_word):
        return folded_word  # numbers, mixed tokens and non-Latin scripts have no Indonesian affixes
    corrected = _corrections().get(folded_word)
    if corrected is not None:
        return corrected
    name = without_name_clitics(folded_word, question=False)
    if is_listed_name(name):
        return name
    function_word = _function_word_with_particle(folded_word)
    if function_word is not None:
        return root(function_word)
    negated = _negated_abstract(folded_word)
    if negated is not None:
        return negated
    lemma = lemmas().get(folded_word)
    if lemma is not None:
        return _k_dropped(folded_word, _se_reading(folded_word, lemma))
    stemmed: str = _sastrawi().stem_word(folded_word)  # type: ignore[attr-defined]
    if stemmed == folded_word and not is_ordinary_word(folded_word):
        collective = _COLLECTIVE.fullmatch(folded_word)
        if collective and is_ordinary_word(collective.group(2)):
            return collective.group(2)  # `bebatuan`: the first consonant doubled with e, and -an
        return name
    return _k_dropped(folded_word, _se_reading(folded_word, stemmed or folded_word))


def _k_dropped(folded_word: str, found: str) -> str:
    """meng- before a vowel may also be meng- on a root whose k it dropped (`mengemas`: `kemas`, to
    pack, not `emas`, gold; `mengarang`: `karang`). Where both are roots, the peN- form decides: the
    stemmers read peng- with the k restored where that is the word (`pengemas` -> `kemas`) and keep
    the vowel where it is (`pengukur` -> `ukur`, so `mengukur` stays `ukur`, not `kukur`)."""
    if (
        folded_word.startswith("meng")
        and found[:1] in ("a", "e", "i", "o", "u")
        and is_ordinary_word("k" + found)
        and root("peng" + found) == "k" + found
    ):
        return "k" + found
    return found


_COLLECTIVE = re.compile(r"([bcdfghjklmnpqrstvwyz])e(\1[a-z]{2,})an")


def _negated_abstract(folded_word: str) -> str | None:
    """ke-…-an on `tidak` and a word takes that word's root (`ketidakadilan` -> `adil`,
    `ketidakpastian` -> `pasti`): the stemmers know only the prefix they can strip."""
    if not (folded_word.startswith("ketidak") and folded_word.endswith("an")):
        return None
    negated = folded_word[len("ketidak") : -len("an")]
    if len(negated) < 3:
        return None
    found = root(negated)
    return found if is_root(found) else None


def _se_reading(folded_word: str, found: str) -> str:
    """The prefix se- read as the dictionary reads it. Se- and a root: the whole root, where the
    stemmer cut its end as a suffix (`sepekan` is se- + `pekan`, not se- + `pek` + -an). A root the
    dictionary also holds with se- keeps the se- in every form that has it, as the word itself does
    (`menyesuaikan` -> `sesuai` like `sesuai`; meN-/peN- turn its s into ny); so does a word with
    se- that other prefixes derive from, as se- never stacks under them (`setuju`, `menyetujui`,
    `persetujuan`: `setuju`, not `tuju`, aim)."""
    if folded_word.startswith("se") and not is_ordinary_word(folded_word):
        rest = folded_word[2:]
        if found != rest and found in rest and is_ordinary_word(rest):
            return rest
    whole = "se" + found
    if (is_ordinary_word(whole) or whole in _se_bases()) and (
        whole in folded_word or "ny" + whole[1:] in folded_word
    ):
        return whole
    return found


def _reduplicated_root(folded_word: str) -> str:
    """One root for a reduplication (`anak-anak`, `tolong-menolong`, `sayur-mayur`, `bolak-balik`);
    otherwise the word with its hyphens, which the tokeniser then splits into words (`Korea-Utara`)."""
    parts = folded_word.split("-")
    if len(parts) != 2 or not all(parts):
        return folded_word
    first, second = parts
    if not (_STEMMABLE.fullmatch(first) and _STEMMABLE.fullmatch(second)) or second in _CLITICS:
        return folded_word  # `Malang-lah`, `rumah-nya`: a word and its clitic, no reduplication
    first_root, second_root = root(first), root(second)
    if first_root == second_root:
        return first_root
    stemmed: str = _sastrawi().stem_word(folded_word)  # type: ignore[attr-defined]
    if "-" not in stemmed and stemmed in (first_root, second_root):
        return stemmed
    if first[1:] == second[1:]:  # sayur-mayur, lauk-pauk: the first consonant changes, the base is first
        return first_root
    if re.sub("[aeiou]", "", first) == re.sub("[aeiou]", "", second):  # bolak-balik: a vowel changes
        return second_root if "o" in first and "o" not in second else first_root
    return folded_word
