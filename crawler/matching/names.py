"""Which written words are names: a name watch matches only them, an ordinary word never does.

A watch word is a name when it is written with a capital (`Malang`, `KPK`) or is a listed name that
is no ordinary word (`kejagung`). In a story, a capitalised word is a name where it is listed
(`Serang`, `Kelapa Gading`), or in running text stands beside another capitalised word that is no
Indonesian word (`Puan Maharani`, `Toyota Kijang`), titles of office aside (`Presiden Prabowo`).
A title capitalises every word and a sentence its first one, so there a word the story also
writes in lower case is ordinary (`Medan Magnet Bumi Melemah` … `medan magnet`), and a listed name
that is also a word opening a sentence is a name only with a clitic or where the story names it
mid-sentence elsewhere (`Padang rumput …`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.matching.morphology import is_listed_name, is_ordinary_word, is_root, listed_runs, root

# Words that stand before a name without being part of it.
_TITLES_OF_OFFICE = frozenset(
    "presiden wakil menteri gubernur bupati wali kota kabupaten provinsi ketua kepala direktur "
    "pak bu ibu bapak raja ratu camat hakim jaksa jenderal komisaris sekretaris anggota mantan "
    "calon panglima pelatih kapten warga dokter profesor haji kiai ustaz sang".split()
)


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


@dataclass(slots=True)
class FieldNames:
    """For each token of one field: whether it is written with a capital, opens a sentence or a
    title (where capitals say little), and looks like part of a name."""

    capital: list[bool] = field(default_factory=list)
    ambiguous: list[bool] = field(default_factory=list)
    name_like: list[bool] = field(default_factory=list)

    @classmethod
    def of(cls, forms: list[str], capital: list[bool], starts: list[bool], *, title: bool) -> FieldNames:
        count = len(forms)
        ambiguous = [title or start for start in starts]
        name_like = [False] * count
        for position, form in enumerate(forms):
            if not capital[position]:
                continue
            for run in listed_runs(form):
                end = position + len(run)
                if tuple(forms[position:end]) == run and all(capital[position:end]):
                    name_like[position:end] = [True] * len(run)
                    break
            if is_listed_name(form):
                name_like[position] = True
        if not title:
            for position in range(count - 1):
                after = position + 1
                if capital[position] and capital[after] and not ambiguous[after]:
                    for one, other in ((position, after), (after, position)):
                        if _foreign_name(forms[other]) and _plain_word(forms[one]):
                            name_like[one] = True
        return cls(capital, ambiguous, name_like)


def _foreign_name(form: str) -> bool:
    """A capitalised word that is no Indonesian word (`Maharani`, `Toyota`)."""
    return form.isalpha() and not is_ordinary_word(form) and root(form) == form and form not in _TITLES_OF_OFFICE


def _plain_word(form: str) -> bool:
    """An unaffixed word that may be part of a name (`Puan`, `Kijang`), not a title of office."""
    return form not in _TITLES_OF_OFFICE and root(form) == form


@dataclass(slots=True)
class StoryNames:
    """What the whole story says about its words (by name form, without clitics): written in lower
    case somewhere, capitalised mid-sentence somewhere, or part of a name mid-sentence somewhere."""

    lower: set[str] = field(default_factory=set)
    capitalised: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add(self, name_forms: list[str], names: FieldNames) -> None:
        for position, name_form in enumerate(name_forms):
            if not names.capital[position]:
                self.lower.add(name_form)
            elif not names.ambiguous[position]:
                self.capitalised.add(name_form)
                if names.name_like[position]:
                    self.names.add(name_form)

    def names_here(self, name_form: str, form: str, ambiguous: bool, *, title: bool) -> bool:
        """Whether a capitalised word (`name_form` is `form` without its clitics) names something."""
        if not ambiguous or name_form in self.capitalised:
            return True
        if name_form in self.lower:
            return False
        # `Padang rumput …`: a listed name that is also a word, opening a sentence, is the word
        return title or name_form != form or not (is_listed_name(form) and is_ordinary_word(form))

    def ordinary_here(self, name_form: str, ambiguous: bool, name_like: bool) -> bool:
        """Whether a capitalised word may still be the ordinary word (`Harga Kelapa Naik`)."""
        if not (name_like or (ambiguous and name_form in self.names)):
            return True
        return ambiguous and name_form in self.lower and name_form not in self.names
