"""Indonesian-aware text analysis shared by queries and articles: fold, tokenise, find roots.

Folding lower-cases and strips accents; hyphens and punctuation split tokens, so `Korea-Utara`
reads as `korea utara`, except a reduplicated word (`anak-anak`, `sayur-mayur`) that has one root
(see `morphology`): it stays one token whose stem is that root. Each token also keeps whether it
was written with a capital, opens a sentence, and its form without a name's clitics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from crawler.matching.morphology import root, without_name_clitics

# Letters and digits (with any combining accents) joined by hyphens form one written word.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:[-\u2010\u2011](?:[^\W_]|[\u0300-\u036f])+)*")
_WORD_PART = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
_SENTENCE_END = re.compile(r"[.!?]")
_ACRONYM_WITH_CLITIC = re.compile(r"([A-Z]{2,})(?:nya|lah|kah|nyalah|nyakah)")


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents (`Óscar` -> `oscar`)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _name_form(written: str, folded: str, text: str, end: int) -> str:
    """A capitalised word without the clitics a name takes (`KPKnya`, `BInya`, `Anieskah …?`)."""
    acronym = _ACRONYM_WITH_CLITIC.fullmatch(written)
    if acronym:
        return acronym.group(1).lower()
    question = False
    if folded.endswith("kah"):
        sentence_end = _SENTENCE_END.search(text, end)
        question = sentence_end is not None and sentence_end.group() == "?"
    return without_name_clitics(folded, question=question)


@dataclass(frozen=True, slots=True)
class Token:
    form: str  # folded surface form
    stem: str
    start: int  # character offsets into the original text
    end: int
    written: str
    name_form: str  # the form without a name's clitics, for a word written with a capital


def tokens(text: str) -> list[Token]:
    """The tokens of `text` with their offsets, folded and stemmed."""
    analyzed = AnalyzedText.of(text)
    return [
        Token(form, stem, start, end, text[start:end], name_form)
        for form, stem, start, end, name_form in zip(
            analyzed.forms, analyzed.stems, analyzed.starts, analyzed.ends, analyzed.name_forms, strict=True
        )
    ]


@dataclass(slots=True)
class AnalyzedText:
    """One field of a document, tokenised once and indexed by form, by stem and (for capitalised
    words) by name form."""

    text: str
    forms: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    capital: list[bool] = field(default_factory=list)
    sentence_start: list[bool] = field(default_factory=list)
    name_forms: list[str] = field(default_factory=list)
    by_form: dict[str, list[int]] = field(default_factory=dict)
    by_stem: dict[str, list[int]] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> AnalyzedText:
        analyzed = cls(text)
        previous_end = 0
        for word in _WORD.finditer(text):
            written = word.group()
            opens = previous_end == 0 or _SENTENCE_END.search(text, previous_end, word.start()) is not None
            previous_end = word.end()
            if "-" in written or "\u2010" in written or "\u2011" in written:
                folded = fold(written.translate(_HYPHENS))
                if "-" not in root(folded):  # a reduplication: one word, one root
                    analyzed._add(written, folded, word.start(), opens, written[:1].isupper())
                    continue
                capital = written[:1].isupper()  # `Jong-un` is one name
                for part in _WORD_PART.finditer(written):
                    analyzed._add(part.group(), fold(part.group()), word.start() + part.start(), opens, capital)
                    opens = False
                continue
            folded = written.lower() if written.isascii() else fold(written)
            analyzed._add(written, folded, word.start(), opens, written[:1].isupper())
        return analyzed

    def _add(self, written: str, folded: str, start: int, opens: bool, capital: bool) -> None:
        position = len(self.forms)
        name_form = _name_form(written, folded, self.text, start + len(written)) if capital else folded
        stem = root(folded)
        self.forms.append(folded)
        self.stems.append(stem)
        self.starts.append(start)
        self.ends.append(start + len(written))
        self.capital.append(capital)
        self.sentence_start.append(opens)
        self.name_forms.append(name_form)
        self.by_form.setdefault(folded, []).append(position)
        self.by_stem.setdefault(stem, []).append(position)
        if capital:
            self.by_name.setdefault(name_form, []).append(position)

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
