"""Indonesian-aware text analysis shared by queries and articles: fold, tokenise, find roots.

Folding lower-cases and strips accents; hyphens and punctuation split tokens, so `Korea-Utara`
reads as `korea utara`, except a reduplicated word (`anak-anak`, `sayur-mayur`) that has one root
(see `morphology`): it stays one token whose stem is that root. Each token also keeps whether it
was written with a capital, opens a sentence, and its form without a name's clitics.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from crawler.matching.morphology import MIN_NAME_LETTERS, NAME_CLITIC_ENDINGS, root, without_name_clitics

# Letters and digits (with any combining accents) joined by hyphens form one written word.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:[-\u2010\u2011](?:[^\W_]|[\u0300-\u036f])+)*")
_WORD_PART = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
# The same without combining accents, twice as fast: for the text that has none (nearly all).
_PLAIN_WORD = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)*")
_COMBINING = re.compile("[\u0300-\u036f]")
_SENTENCE_END = re.compile(r"[.!?]")
_ACRONYM_WITH_CLITIC = re.compile(r"([A-Z]{2,})(?:nya|lah|kah|nyalah|nyakah)")
_CLITIC_TAILS = tuple({ending[-3:] for ending in NAME_CLITIC_ENDINGS})


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents (`Óscar` -> `oscar`)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _name_form(written: str, folded: str, text: str, start: int, end: int, *, continued: bool) -> str:
    """A capitalised word without the clitics a name takes (`KPKnya`, `BInya`, `Jong-unnya`), and
    `-kah` in a question (`Anieskah …?`, `Rusiakah atau Ukrainakah …`)."""
    question = folded.endswith("kah") and _asks(text, start, end)
    return _without_clitics(written, folded, question=question, continued=continued)


def _asks(text: str, start: int, end: int) -> bool:
    """Whether the word at start:end is in a question: its sentence ends with `?`, or it is one of
    the alternatives `Xkah atau Ykah` (an indirect question has no `?`)."""
    sentence_end = _SENTENCE_END.search(text, end)
    if sentence_end is not None and sentence_end.group() == "?":
        return True
    return bool(
        _ALTERNATIVE_AFTER.match(text, end) or _ALTERNATIVE_BEFORE.search(text, max(0, start - 40), start)
    )


_ALTERNATIVE_AFTER = re.compile(r"\s+atau\s+\w+kah\b", re.IGNORECASE)
_ALTERNATIVE_BEFORE = re.compile(r"kah\s+atau\s+$", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 16)
def _without_clitics(written: str, folded: str, *, question: bool, continued: bool) -> str:
    acronym = _ACRONYM_WITH_CLITIC.fullmatch(written)
    if acronym:
        return acronym.group(1).lower()
    return without_name_clitics(folded, question=question, shortest=2 if continued else MIN_NAME_LETTERS)


@dataclass(frozen=True, slots=True)
class Token:
    form: str  # folded surface form
    stem: str
    start: int  # character offsets into the original text
    end: int
    written: str  # as in the text


def tokens(text: str) -> list[Token]:
    """The tokens of `text` with their offsets, folded and stemmed."""
    analyzed = AnalyzedText.of(text)
    return [
        Token(form, stem, start, end, text[start:end])
        for form, stem, start, end in zip(
            analyzed.forms, analyzed.stems, analyzed.starts, analyzed.ends, strict=True
        )
    ]


@dataclass(slots=True)
class AnalyzedText:
    """One field of a document, tokenised once and indexed by form and by stem; which words are
    written with a capital, open a sentence or are a name with clitics is worked out when a name is
    first looked for, for that name (most words are not names)."""

    text: str
    forms: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    by_form: dict[str, list[int]] = field(default_factory=dict)
    by_stem: dict[str, list[int]] = field(default_factory=dict)
    _continued: set[int] = field(default_factory=set)  # later parts of a hyphenated word (`Jong-un`)
    _capital: tuple[list[bool], frozenset[int]] | None = None
    _name_forms: dict[int, str] = field(default_factory=dict)
    _named: dict[str, list[int]] | None = None

    @classmethod
    def of(cls, text: str) -> AnalyzedText:
        analyzed = cls(text)
        forms, starts, ends = analyzed.forms, analyzed.starts, analyzed.ends
        pattern = _WORD if not text.isascii() and _COMBINING.search(text) else _PLAIN_WORD
        for word in pattern.finditer(text):
            written = word.group()
            if "-" in written or "\u2010" in written or "\u2011" in written:
                folded = fold(written.replace("\u2010", "-").replace("\u2011", "-"))
                if "-" not in root(folded):  # a reduplication: one word, one root
                    forms.append(folded)
                    starts.append(word.start())
                    ends.append(word.end())
                    continue
                for part in _WORD_PART.finditer(written):
                    if part.start():
                        analyzed._continued.add(len(forms))
                    forms.append(fold(part.group()))
                    starts.append(word.start() + part.start())
                    ends.append(word.start() + part.end())
                continue
            forms.append(written.lower() if written.isascii() else fold(written))
            starts.append(word.start())
            ends.append(word.end())
        analyzed._index()
        return analyzed

    def _index(self) -> None:
        """Positions by form, then each distinct form's root once."""
        by_form, by_stem = self.by_form, self.by_stem
        for position, form in enumerate(self.forms):
            if form in by_form:
                by_form[form].append(position)
            else:
                by_form[form] = [position]
        stems: list[str] = [""] * len(self.forms)
        merged = []
        for form, positions in by_form.items():
            stem = root(form)
            for position in positions:
                stems[position] = stem
            if stem in by_stem:
                by_stem[stem].extend(positions)
                merged.append(stem)
            else:
                by_stem[stem] = list(positions)
        for stem in merged:
            by_stem[stem].sort()
        self.stems = stems

    @property
    def capital(self) -> list[bool]:
        """Whether each token is written with a capital (a hyphenated word's later parts as its first)."""
        return self._capitals()[0]

    @property
    def capitalised(self) -> frozenset[int]:
        """The positions of the tokens written with a capital."""
        return self._capitals()[1]

    def _capitals(self) -> tuple[list[bool], frozenset[int]]:
        if self._capital is None:
            text, capital = self.text, [False] * len(self.starts)
            for position, start in enumerate(self.starts):
                if text[start].isupper():
                    capital[position] = True
            for position in sorted(self._continued):
                capital[position] = capital[position - 1]
            self._capital = (capital, frozenset(position for position, upper in enumerate(capital) if upper))
        return self._capital

    def opens_sentence(self, position: int) -> bool:
        """Whether the token at `position` is the first of the field or of a sentence."""
        if position == 0:
            return True
        if position in self._continued:
            return False
        return _SENTENCE_END.search(self.text, self.ends[position - 1], self.starts[position]) is not None

    def name_form(self, position: int) -> str:
        """The token's form, without a name's clitics where it is written with a capital."""
        if not self.capital[position]:
            return self.forms[position]
        found = self._name_forms.get(position)
        if found is None:
            start, end = self.starts[position], self.ends[position]
            found = self._name_forms[position] = _name_form(
                self.text[start:end],
                self.forms[position],
                self.text,
                start,
                end,
                continued=position in self._continued,
            )
        return found

    def named(self, name_form: str) -> list[int]:
        """Positions of the tokens written with a capital whose name form is `name_form`: the name
        itself or with a clitic (`Jokowinya`, `KPKnya`)."""
        if self._named is None:
            named: dict[str, list[int]] = {}
            forms = self.forms
            for position in sorted(self.capitalised):
                form = forms[position]
                if form.endswith(_CLITIC_TAILS):
                    form = self.name_form(position)
                if form in named:
                    named[form].append(position)
                else:
                    named[form] = [position]
            self._named = named
        return self._named.get(name_form, [])

    def words(self) -> set[str]:
        """Its forms and stems, and each form without the clitics a name may carry (see `named`)."""
        found = {*self.by_form, *self.by_stem}
        for form in self.by_form:
            if form.endswith(_CLITIC_TAILS):
                found.update(form[: -len(ending)] for ending in NAME_CLITIC_ENDINGS if form.endswith(ending))
        return found

    def positions(self, form: str, stem: str | None) -> list[int]:
        """Token positions whose form is `form` or, when `stem` is given, whose stem is `stem`."""
        exact = self.by_form.get(form, [])
        if stem is None:
            return exact
        stemmed = self.by_stem.get(stem, [])
        if not exact:
            return stemmed
        if not stemmed:
            return exact
        return sorted(set(exact) | set(stemmed))

    def token_matches(self, position: int, form: str, stem: str | None) -> bool:
        if self.forms[position] == form:
            return True
        return stem is not None and self.stems[position] == stem

    def snippet(self, start: int, end: int, width: int = 60) -> str:
        """Keyword in context: about `width` characters each side, cut at spaces, `…` where cut."""
        left_from = max(0, start - width)
        right_to = min(len(self.text), end + width)
        left = self.text[left_from:start]
        right = self.text[end:right_to]
        if left_from > 0:
            left = "…" + (left.split(None, 1)[1] if len(left.split(None, 1)) == 2 else left)
        if right_to < len(self.text):
            right = (right.rsplit(None, 1)[0] if len(right.rsplit(None, 1)) == 2 else right) + "…"
        return " ".join((left + self.text[start:end] + right).split())
