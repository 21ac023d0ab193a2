"""Which written words are names: a name watch matches only them, an ordinary word never does.

A watch word is a name when it is written with a capital (`Malang`, `KPK`) or is a listed name that
is no ordinary word (`kejagung`). In a story, a capitalised word is a name where it is listed
(`Serang`, `Kelapa Gading`), or in running text stands beside another capitalised word that is no
Indonesian word (`Puan Maharani`, `Toyota Kijang`), in the run of capitalised words after an
honorific, a place's or street's generic word or a private body's class noun (`Pak Untung`, `Pasar
Minggu`, `Jalan Kebon Sirih`, `Partai Amanat Nasional`) or a lower-case noun for a kind of person
(`pemain Bambang Pamungkas`), in a run that ends in a class noun written after the name (`Harapan
Jaya FC`), or in a run with no title or class noun that holds a listed or foreign word (`Putri
Kusuma Wardani`); titles of office and class nouns aside
(`Presiden Prabowo`, `Bank Mandiri`). A person's name right after the generic word of a street,
airport or university names the place (`Jalan Sudirman`), not the person, and a name that is not
itself listed is not the longer listed name it is part of (`Gading`, `Kelapa Gading`).
A title capitalises every word and a sentence its first one, so there a word the story also
writes in lower case is ordinary (`Medan Magnet Bumi Melemah` … `medan magnet`; also a form of its
root, `serangan`, or the word joined to its neighbour, `batubara`; in a title, also a listed word
between two names, the headline's verb: `Israel Serang Gaza`), and a listed name that is also
a word opening a sentence is a name only with a clitic, in a dateline, as the subject of a verb
(`Tuban diguyur hujan`) or where the story names it mid-sentence elsewhere (`Padang rumput …`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from crawler.matching.morphology import is_listed_name, is_ordinary_word, is_root, listed_runs, root
from crawler.matching.name_words import (
    ADVERBS_BEFORE_A_VERB,
    CLASS_NOUNS_AFTER,
    HEADS,
    MEMORIAL_REACH,
    NAME_HEADS,
    ROLE_NOUNS,
    VERBAL_PREFIXES,
)
from crawler.matching.text import AnalyzedText


def is_name_term(written: str, folded: str) -> bool:
    """Whether a watch word is a name: listed (`Malang`, `kejagung`; in lower case only if it is no
    ordinary word), or written with a capital and no Indonesian word (`Jokowi`, `KPK`).

    A capitalised word that is an unlisted Indonesian word (`"Bank Pembangunan Daerah"`) matches
    as written, any case, unstemmed: see `query._word`.
    """
    if is_listed_name(folded):
        return any(char.isupper() for char in written) or not is_ordinary_word(folded)
    return any(char.isupper() for char in written) and not is_indonesian_word(folded)


def is_indonesian_word(folded: str) -> bool:
    """A root in the dictionary or a word that reduces to another root (`pembangunan`), not a name
    with its clitics (`Jokowilah`)."""
    reduced = root(folded)
    return is_ordinary_word(folded) or (reduced != folded and is_root(reduced))


_LONGEST_LISTED_NAME = 5  # words
# What follows the place of a dateline: a comma or a dash, perhaps after the agency (`(ANTARA)`).
_DATELINE_END = re.compile(r" *(?:\([A-Za-z .]{2,30}\) *)?[,\-\u2013\u2014]")


@dataclass(slots=True)
class FieldNames:
    """About a capitalised token of one field, worked out when first asked: whether it opens a
    sentence or is in a title (where capitals say little), and whether it looks like part of a name."""

    analyzed: AnalyzedText
    title: bool
    _name_like: dict[int, bool] = field(default_factory=dict)

    def ambiguous(self, position: int) -> bool:
        """In a title, or opening a sentence outside a dateline, a listed name of several words
        (`Bandung Barat dilanda banjir`: the run is the name whatever its first word means) and a
        listed name that is the subject of a verb (`Tuban diguyur hujan`, not `Padang rumput …`)."""
        return self.title or (
            self.analyzed.opens_sentence(position)
            and not self._dateline(position)
            and self.listed_run(position) is None
            and not self._listed_subject(position)
        )

    def _listed_subject(self, position: int) -> bool:
        """A listed name as the subject of a verb (`Tuban diguyur hujan`, see `subject`)."""
        return is_listed_name(self.analyzed.name_form(position)) and self.subject(position)

    def subject(self, position: int) -> bool:
        """Whether the word is followed, in the same clause, by a verb with a verbal prefix, after at
        most one adverb of time or aspect (`Tuban kembali diguyur hujan`): a name opening a sentence
        is its subject, while a noun that is also a name is followed by what qualifies it (`Padang
        rumput`, `Malang nian nasibnya`) and a word that opens a sentence as an adverb by the
        clause (`Untung saja tidak ada korban`)."""
        analyzed = self.analyzed
        forms, capital, starts, ends, text = (
            analyzed.forms,
            analyzed.capital,
            analyzed.starts,
            analyzed.ends,
            analyzed.text,
        )
        for following in range(position + 1, min(position + 3, len(forms))):
            if capital[following] or text[ends[following - 1] : starts[following]].strip():
                return False
            if _verb(forms[following]):
                return True
            if forms[following] not in ADVERBS_BEFORE_A_VERB:
                return False
        return False

    def _dateline(self, position: int) -> bool:
        """The place a story is filed from, in capitals before its first sentence (`MALANG, …`,
        `TUBAN (ANTARA) - …`)."""
        analyzed = self.analyzed
        start, end = analyzed.starts[position], analyzed.ends[position]
        return (
            (position == 0 or analyzed.text[analyzed.ends[position - 1] : start].count("\n") > 0)
            and end - start >= 3
            and analyzed.text[start:end].isupper()
            and _DATELINE_END.match(analyzed.text, end) is not None
        )

    def name_like(self, position: int) -> bool:
        found = self._name_like.get(position)
        if found is None:
            found = self._name_like[position] = self._listed(position) or (
                not self.title
                and (
                    self._after_name_head(position)
                    or self._beside_foreign_name(position)
                    or self._in_named_run(position)
                    or self._after_role_noun(position)
                    or self._before_class_noun(position)
                )
            )
        return found

    def _before_class_noun(self, position: int) -> bool:
        """In a run of capitalised words that ends in a class noun written after the name, as in
        English (`Harapan Jaya FC`, `Surya Kencana Hotel`, `Bumi Resources Tbk`)."""
        analyzed = self.analyzed
        if not analyzed.capital[position]:
            return False
        run = self._run(position)
        return position < run.stop - 1 and analyzed.forms[run.stop - 1] in CLASS_NOUNS_AFTER

    def between_names(self, position: int) -> bool:
        """Whether the word stands between two names, joined to each by a space: in a title, where
        a headline puts its verb between subject and object (`Israel Serang Gaza`), a word that is
        also a listed name is that verb, unless the three are one name (listed, or a club's)."""
        analyzed = self.analyzed
        forms, capital, starts, ends, text = (
            analyzed.forms,
            analyzed.capital,
            analyzed.starts,
            analyzed.ends,
            analyzed.text,
        )
        if not 0 < position < len(forms) - 1 or self.listed_run(position) is not None:
            return False
        return all(
            capital[other]
            and text[ends[min(other, position)] : starts[max(other, position)]] == " "
            and self._proper(other)
            and forms[other] not in CLASS_NOUNS_AFTER  # `Arema Malang FC`
            for other in (position - 1, position + 1)
        )

    def _after_role_noun(self, position: int) -> bool:
        """Mid-sentence, in a run of capitalised words right after a noun for a kind of person, in
        lower case or opening the sentence (`mantan pemain Bambang Pamungkas`, `Penyanyi Dewi Persik
        tampil`), with no title of office or class noun in the run (`pegawai Kementerian Keuangan`
        names a ministry by its remit)."""
        analyzed = self.analyzed
        forms = analyzed.forms
        if not analyzed.capital[position] or analyzed.opens_sentence(position):
            return False
        run = self._run(position)
        before = run.start - 1
        if (
            before < 0
            or (analyzed.capital[before] and not analyzed.opens_sentence(before))
            or forms[before] not in ROLE_NOUNS
        ):
            return False
        if analyzed.text[analyzed.ends[before] : analyzed.starts[run.start]].strip():
            return False
        return not any(forms[other] in HEADS for other in run)

    def _run(self, position: int) -> range:
        """The capitalised words joined to this one by spaces or hyphens, from the sentence's second
        word on (the first has a capital anyway): `Putri Kusuma Wardani`, `Kebon Sirih`."""
        analyzed = self.analyzed
        capital, starts, ends, text = analyzed.capital, analyzed.starts, analyzed.ends, analyzed.text

        def joined(left: int) -> bool:
            return not text[ends[left] : starts[left + 1]].strip(" -\u2010\u2011")

        first = last = position
        while (
            first > 0 and capital[first - 1] and joined(first - 1) and not analyzed.opens_sentence(first - 1)
        ):
            first -= 1
        while last + 1 < len(capital) and capital[last + 1] and joined(last):
            last += 1
        return range(first, last + 1)

    def _joined_capital(self, left: int) -> bool:
        """Whether the token at `left` is capitalised and joined to the next by a space or hyphen."""
        analyzed = self.analyzed
        return analyzed.capital[left] and not analyzed.text[
            analyzed.ends[left] : analyzed.starts[left + 1]
        ].strip(" -\u2010\u2011")

    def _in_named_run(self, position: int) -> bool:
        """Mid-sentence, in a run of capitalised words with no title of office or class noun in it
        that holds a listed name or a word that is no Indonesian word (`Putri` and `Kusuma` in `Putri
        Kusuma Wardani`): the whole run is one name."""
        analyzed = self.analyzed
        forms = analyzed.forms
        if not (analyzed.capital[position] and _plain_word(forms[position])) or analyzed.opens_sentence(
            position
        ):
            return False
        run = self._run(position)
        if len(run) < 2 or any(forms[other] in HEADS for other in run):
            return False
        return any(other != position and self._proper(other) for other in run)

    def _proper(self, position: int) -> bool:
        """A word only a name is made of: listed, or no Indonesian word."""
        form = self.analyzed.forms[position]
        return is_listed_name(form) or _foreign_name(form)

    def _listed(self, position: int) -> bool:
        """Listed alone, or inside a listed run of capitalised words (`Kelapa Gading`), not its head."""
        form = self.analyzed.forms[position]
        if is_listed_name(form):
            return True
        return form not in HEADS and self.listed_run(position) is not None

    def listed_run(self, position: int) -> tuple[int, int] | None:
        """A listed name of several capitalised words around this one, the one that starts first
        (`Kelapa Gading`, `Hari Raya Idul Fitri`), as its first token and the token after it."""
        forms, capital = self.analyzed.forms, self.analyzed.capital
        for first in range(max(0, position - _LONGEST_LISTED_NAME + 1), position + 1):
            for run in listed_runs(forms[first]):
                end = first + len(run)
                if end > position and tuple(forms[first:end]) == run and all(capital[first:end]):
                    return first, end
        return None

    def names_a_place_after(self, position: int, heads: frozenset[str]) -> bool:
        """Whether the capitalised word is part of a place named after someone or somewhere: one of
        `heads` comes at most two joined capitalised words before it (`Jalan Jenderal Sudirman`,
        `Jalan Raya Bogor`)."""
        analyzed = self.analyzed
        forms, capital, starts, ends, text = (
            analyzed.forms,
            analyzed.capital,
            analyzed.starts,
            analyzed.ends,
            analyzed.text,
        )
        for before in range(position - 1, max(-1, position - 1 - MEMORIAL_REACH - 1), -1):
            joined = not text[ends[before] : starts[before + 1]].strip(" -\u2010\u2011")
            if not (capital[before] and joined):
                return False
            if forms[before] in heads:
                return True
        return False

    def _after_name_head(self, position: int) -> bool:
        """Capitalised after an honorific or a place's generic word, in the run of words that follows
        it (`Pak Untung`, `Pasar Minggu`, `Desa Sumber Makmur`, `Jalan Kebon Sirih`)."""
        analyzed = self.analyzed
        forms, capital = analyzed.forms, analyzed.capital
        if not capital[position] or forms[position] in HEADS or analyzed.opens_sentence(position):
            return False
        start = self._run(position).start
        if start > 0 and analyzed.opens_sentence(start - 1) and self._joined_capital(start - 1):
            start -= 1  # the sentence's first word may be the head (`Partai Amanat Nasional menolak`)
        for before in reversed(range(start, position)):
            if forms[before] in NAME_HEADS:
                return True
            if forms[before] in HEADS:
                return False
        return False

    def _beside_foreign_name(self, position: int) -> bool:
        """Mid-sentence beside a capitalised word that is no Indonesian word (`Puan Maharani`)."""
        analyzed = self.analyzed
        forms, capital = analyzed.forms, analyzed.capital
        if not (capital[position] and _plain_word(forms[position])):
            return False
        return any(
            0 <= other < len(forms)
            and capital[other]
            and _foreign_name(forms[other])
            and not analyzed.opens_sentence(max(position, other))
            for other in (position - 1, position + 1)
        )


@functools.lru_cache(maxsize=1 << 16)
def _verb(form: str) -> bool:
    """A word made a verb by its prefix: di-, meN-, ber- or ter- on another root (`diguyur`,
    `menggelar`, `berencana`, `terbakar`), not a root that begins with those letters (`dinas`)."""
    if not form.startswith(VERBAL_PREFIXES) or is_ordinary_word(form):
        return False
    reduced = root(form)
    return reduced != form and is_root(reduced)


@functools.lru_cache(maxsize=1 << 16)
def _foreign_name(form: str) -> bool:
    """A capitalised word that is no Indonesian word (`Maharani`, `Toyota`)."""
    return form.isalpha() and not is_ordinary_word(form) and root(form) == form and form not in HEADS


@functools.lru_cache(maxsize=1 << 16)
def _plain_word(form: str) -> bool:
    """An unaffixed word that may be part of a name (`Puan`, `Kijang`), not a title of office."""
    return form not in HEADS and root(form) == form


@dataclass(slots=True)
class StoryNames:
    """What the whole story says about a word (by its form without clitics), asked once per word:
    written in lower case somewhere (itself, a form of it as a root: `Israel Serang Gaza` …
    `menyerang`, or joined to its neighbour: `Batu Bara` … `batubara`), capitalised mid-sentence
    somewhere, or part of a name there."""

    fields: list[tuple[AnalyzedText, FieldNames]]
    _usage: dict[str, tuple[bool, bool, bool]] = field(default_factory=dict)

    def _used(self, name_form: str) -> tuple[bool, bool, bool]:
        found = self._usage.get(name_form)
        if found is None:
            lower = capitalised = named = False
            for analyzed, names in self.fields:
                lower = lower or any(
                    not analyzed.capital[p]
                    for p in (*analyzed.by_form.get(name_form, ()), *analyzed.by_stem.get(name_form, ()))
                )
                for position in analyzed.named(name_form):
                    if not names.ambiguous(position):
                        capitalised = True
                        named = named or names.name_like(position)
                    else:
                        lower = lower or self._joined_in_lower_case(analyzed, position)
            found = self._usage[name_form] = (lower, capitalised, named)
        return found

    def _joined_in_lower_case(self, analyzed: AnalyzedText, position: int) -> bool:
        """Whether the story writes this word and a neighbour as one word in lower case: a compound
        (`Ekspor Batu Bara Naik` … `batubara`) is no name."""
        forms = analyzed.forms
        compounds = [
            forms[left] + forms[left + 1] for left in (position - 1, position) if 0 <= left < len(forms) - 1
        ]
        return any(
            not other.capital[p]
            for other, _ in self.fields
            for compound in compounds
            for p in other.by_form.get(compound, ())
        )

    def written_in_lower_case(self, name_form: str) -> bool:
        """Whether the story writes the word, a form of it as a root, or it joined to a neighbour,
        in lower case somewhere."""
        return self._used(name_form)[0]

    def capitalised_somewhere(self, name_form: str) -> bool:
        """Whether the story writes the word with a capital where a capital says something: not in
        a title, nor opening a sentence."""
        return self._used(name_form)[1]

    def names_here(self, name_form: str, form: str, ambiguous: bool, *, title: bool) -> bool:
        """Whether a capitalised word (`name_form` is `form` without its clitics) names something."""
        if not ambiguous:
            return True
        lower, capitalised, _ = self._used(name_form)
        if capitalised:
            return True
        if lower:
            return False
        # `Padang rumput …`: a listed name that is also a word, opening a sentence, is the word
        return title or name_form != form or not (is_listed_name(form) and is_ordinary_word(form))

    def ordinary_here(self, name_form: str, ambiguous: bool, name_like: bool) -> bool:
        """Whether a capitalised word may still be the ordinary word (`Harga Kelapa Naik`)."""
        if not (name_like or ambiguous):
            return True
        lower, _, named = self._used(name_form)
        if not (name_like or named):
            return True
        return ambiguous and lower and not named
