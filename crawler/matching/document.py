"""A document as queries see it: named fields analysed once, shared by every watch; and its hits."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

from crawler.domain.article import Article
from crawler.domain.matches import Hit
from crawler.matching.morphology import holds_no_place, is_listed_name, part_of
from crawler.matching.name_words import MEMORIAL_HEADS, STREET_HEADS
from crawler.matching.names import FieldNames, StoryNames
from crawler.matching.text import AnalyzedText

FIELDS = ("title", "lead", "body")


class WordKind(enum.StrEnum):
    """How a watch word matches: a NAME only where a story's word names something, by its form
    without clitics; a capitalised Indonesian word as WRITTEN, anywhere in a phrase, and only where
    the story gives it a capital as a term of one word (CAPITALISED: `Untung` the name is told from
    *untung*, profit, by nothing else); an ORDINARY word by form or root where no name holds it."""

    NAME = "name"
    WRITTEN = "written"
    CAPITALISED = "capitalised"
    ORDINARY = "ordinary"


class Document:
    """Fields by name, each tokenised and stemmed on first use; term lookups are memoised. Which
    capitalised words are names is decided over the whole story (see `names`), when a term first
    meets one."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self._texts = {name: text for name, text in fields.items() if text}
        self.names = tuple(sorted(self._texts, key=_field_rank))
        self._analyzed: dict[str, AnalyzedText] = {}
        self._positions: dict[tuple[str, str, str | None, WordKind], list[int]] = {}
        self._names: dict[str, FieldNames] = {}
        self._story: StoryNames | None = None
        self._words: frozenset[str] | None = None

    @classmethod
    def of_article(cls, article: Article) -> Document:
        return cls({"title": article.title, "lead": article.lead, "body": article.body})

    def field(self, name: str) -> AnalyzedText | None:
        analyzed = self._analyzed.get(name)
        if analyzed is None:
            text = self._texts.get(name)
            if text is None:
                return None
            analyzed = self._analyzed[name] = AnalyzedText.of(text)
        return analyzed

    def words(self) -> frozenset[str]:
        """Every form and root of every field, and every capitalised form without a name's clitics:
        a word of a query matches nowhere unless its form or root is among them."""
        if self._words is None:
            found: set[str] = set()
            for name in self.names:
                analyzed = self.field(name)
                if analyzed is not None:
                    found.update(analyzed.words())
            self._words = frozenset(found)
        return self._words

    def positions(self, name: str, form: str, root: str | None, kind: WordKind) -> list[int]:
        """Token positions in field `name` matching a word: a name by its form without clitics where
        it names something, else by form (or by stem unless exact) where it is no name."""
        key = (name, form, root, kind)
        found = self._positions.get(key)
        if found is None:
            analyzed = self.field(name)
            if analyzed is None:
                found = []
            elif kind is WordKind.NAME:
                found = analyzed.named(form)
                if found:
                    found = [position for position in found if self._names_here(name, analyzed, position)]
                if found:  # a person's name in a memorial's, a place's in a street's (`Jalan Raya Bogor`)
                    names = self._field_names(name, analyzed)
                    heads = STREET_HEADS if is_listed_name(form) else MEMORIAL_HEADS
                    found = [position for position in found if not names.names_a_place_after(position, heads)]
            elif kind is WordKind.WRITTEN:  # as written, or with a name's clitics (`Ganjarnya`)
                written, named = analyzed.by_form.get(form, []), analyzed.named(form)
                found = sorted({*written, *named}) if named else written
            elif kind is WordKind.CAPITALISED:
                capital = analyzed.capital
                written = [position for position in analyzed.by_form.get(form, []) if capital[position]]
                named = analyzed.named(form)
                found = sorted({*written, *named}) if named else written
                if found:
                    found = self._capitalised_as_a_name(name, analyzed, form, found)
            else:
                found = analyzed.positions(form, root)
                if found and not analyzed.capitalised.isdisjoint(found):
                    capital = analyzed.capital
                    found = [
                        position
                        for position in found
                        if not capital[position] or self._ordinary_here(name, analyzed, position, form)
                    ]
            self._positions[key] = found
        return found

    def token_matches(self, name: str, position: int, form: str, root: str | None, kind: WordKind) -> bool:
        """Whether the token at `position` of field `name` matches a word (see `positions`)."""
        analyzed = self._analyzed[name]
        if kind is WordKind.NAME:
            return (
                analyzed.capital[position]
                and analyzed.name_form(position) == form
                and self._names_here(name, analyzed, position)
            )
        if kind is WordKind.WRITTEN or kind is WordKind.CAPITALISED:
            if not analyzed.capital[position]:
                return kind is WordKind.WRITTEN and analyzed.forms[position] == form
            return analyzed.forms[position] == form or analyzed.name_form(position) == form
        return analyzed.token_matches(position, form, root) and (
            not analyzed.capital[position] or self._ordinary_here(name, analyzed, position, form)
        )

    def inside_longer_name(self, name: str, first: int, end: int, *, listed: bool = False) -> bool:
        """Whether tokens first:end of field `name` are inside a longer listed name that is not what
        they name. A name not itself listed is not the longer name it is part of (`Gading` in `Kelapa
        Gading`, `Fitri` in `Idul Fitri`), nor a `listed` one another place that starts with it
        (`Padang` in `Padang Lawas`); either names a place the longer one is part of or a country it
        names (`Bandung` in `Bandung Barat`, `Aceh` in `Aceh Tamiang`, `Korea` in `Korea Utara`, see
        `morphology.part_of`). A listed name at the end of a longer one is in it (`Aceh` in `Banda
        Aceh`, `Polri` in `Mabes Polri`), except in a religious figure or phrase (`Kudus` in `Roh
        Kudus`)."""
        analyzed = self._analyzed[name]
        run = self._field_names(name, analyzed).listed_run(first)
        if run is None or not (run[0] <= first and end <= run[1]) or run == (first, end):
            return False
        words = tuple(analyzed.forms[run[0] : run[1]])
        if holds_no_place(words):
            return True
        if first == run[0]:
            return not part_of(words, tuple(analyzed.forms[first:end]), listed=listed)
        return not listed

    def _field_names(self, name: str, analyzed: AnalyzedText) -> FieldNames:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = FieldNames(analyzed, name == "title")
        return found

    def _story_names(self) -> StoryNames:
        if self._story is None:
            fields = [(self.field(name), name) for name in self.names]
            self._story = StoryNames(
                [(analyzed, self._field_names(name, analyzed)) for analyzed, name in fields if analyzed]
            )
        return self._story

    def _names_here(self, name: str, analyzed: AnalyzedText, position: int) -> bool:
        names = self._field_names(name, analyzed)
        return self._story_names().names_here(
            analyzed.name_form(position),
            analyzed.forms[position],
            names.ambiguous(position),
            title=name == "title" and not names.between_names(position),
        )

    def _capitalised_as_a_name(
        self, name: str, analyzed: AnalyzedText, form: str, positions: list[int]
    ) -> list[int]:
        """The capitalised mentions of an Indonesian word that may be a name. A capital opening a
        sentence says nothing (`Untung saja tidak ada korban`), unless the story gives the word a
        capital where it says something (`Kata Untung, …`), the word stands beside a name (`Kim Jong
        Un meninjau …`) or is the subject of a verb (`Untung menolak tuduhan itu`). A title's
        capitals count (measured: README, "Word forms and names") unless the story writes the word,
        or a form of it, in lower case (`Jaga Tempo` … `menjaga tempo`), and so does the word with a
        clitic: `-nya` opens sentences on names and on adverbs alike (`Ganjarnya sendiri …`,
        `Untungnya, …`)."""
        names = self._field_names(name, analyzed)
        forms = analyzed.forms
        story = self._story_names()

        def telling(position: int) -> bool:
            if forms[position] != form:
                return True
            if names.title:
                return not story.written_in_lower_case(form)
            return not names.ambiguous(position) or names.name_like(position) or names.subject(position)

        if all(map(telling, positions)) or story.capitalised_somewhere(form):
            return positions
        return [position for position in positions if telling(position)]

    def _ordinary_here(self, name: str, analyzed: AnalyzedText, position: int, form: str) -> bool:
        """Whether a capitalised token may be an ordinary word's mention. Mid-sentence a capital marks
        a proper name, which is no derived form of a root: there only the word as written matches
        (`pemerintah`, not `perintah`, in `Pemerintah Provinsi Bali`)."""
        names = self._field_names(name, analyzed)
        ambiguous = names.ambiguous(position)
        if not ambiguous and analyzed.forms[position] != form:
            return False
        return self._story_names().ordinary_here(
            analyzed.name_form(position), ambiguous, names.name_like(position)
        )

    @staticmethod
    def reading_order(spot: tuple[str, int, int, str]) -> tuple[tuple[int, str], int, int]:
        return _field_rank(spot[0]), spot[1], spot[2]

    def hits(self, spots: Sequence[tuple[str, int, int, str]]) -> tuple[Hit, ...]:
        """Hits for (field, first token, end token, term) spots: character offsets and snippets."""
        found = []
        for name, first, end, term in spots:
            analyzed = self._analyzed[name]
            start, stop = analyzed.starts[first], analyzed.ends[end - 1]
            found.append(Hit(term, name, start, stop, analyzed.snippet(start, stop)))
        return tuple(found)


def _field_rank(name: str) -> tuple[int, str]:
    return (FIELDS.index(name) if name in FIELDS else len(FIELDS)), name
