"""Indonesian-aware text analysis shared by queries and articles: fold, tokenise, stem (cached).

Folding lower-cases and strips accents; hyphens and punctuation split tokens, so `Korea-Utara`
reads as `korea utara`, except a reduplicated word (`anak-anak`, `berlari-lari`) that Sastrawi
reduces to one root: it stays one token whose stem is that root.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

# Letters and digits (with any combining accents) joined by hyphens form one written word.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:[-\u2010\u2011](?:[^\W_]|[\u0300-\u036f])+)*")
_WORD_PART = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
_STEMMABLE = re.compile(r"[a-z-]+")
# Clitics a name may carry (`Rusianya`, `Jokowilah`, `Prabowokah`); `-nya` may come before a particle.
NAME_CLITIC_ENDINGS = ("nya", "lah", "kah", "nyalah", "nyakah")
_PARTICLES = ("lah", "kah")
_POSSESSIVE = "nya"
_MIN_NAME_LETTERS = 3  # `KPKnya`, `DPRlah`; `Kenya` keeps its `-nya`


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents (`Óscar` -> `oscar`)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@functools.cache
def _sastrawi() -> object:
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@functools.lru_cache(maxsize=1 << 18)
def stem(folded_word: str) -> str:
    """The Sastrawi root of a folded word (`pembangunannya` -> `bangun`); cached, Sastrawi is slow."""
    if not _STEMMABLE.fullmatch(folded_word):
        return folded_word  # numbers, mixed tokens and non-Latin scripts have no Indonesian affixes
    root: str = _sastrawi().stem_word(folded_word)  # type: ignore[attr-defined]
    if root == folded_word and not is_dictionary_root(folded_word):
        return _without_name_clitics(folded_word)
    return root or folded_word


def _without_name_clitics(word: str) -> str:
    """A word Sastrawi does not know without the clitics names take too (`jokowilah` -> `jokowi`).

    Sastrawi strips affixes only down to dictionary roots. At least three letters must remain,
    and a `-llah` ending is a name's own (`Abdullah`, `Hizbullah`).
    """
    if word.endswith(_PARTICLES) and not word.endswith("llah") and len(word) >= _MIN_NAME_LETTERS + 3:
        word = word[:-3]
    if word.endswith(_POSSESSIVE) and len(word) >= _MIN_NAME_LETTERS + 3:
        word = word[:-3]
    return word


def is_dictionary_root(word: str) -> bool:
    """Whether Sastrawi knows `word` as a root; it reduces other words only to roots it knows."""
    return bool(_sastrawi().dictionary.contains(word))  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Token:
    form: str  # folded surface form
    stem: str
    start: int  # character offsets into the original text
    end: int


def tokens(text: str) -> list[Token]:
    """The tokens of `text` with their offsets, folded and stemmed."""
    analyzed = AnalyzedText.of(text)
    return [
        Token(*token)
        for token in zip(analyzed.forms, analyzed.stems, analyzed.starts, analyzed.ends, strict=True)
    ]


@dataclass(slots=True)
class AnalyzedText:
    """One field of a document, tokenised once and indexed by form and by stem."""

    text: str
    forms: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    by_form: dict[str, list[int]] = field(default_factory=dict)
    by_stem: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> AnalyzedText:
        analyzed = cls(text)
        forms, stems, starts, ends = analyzed.forms, analyzed.stems, analyzed.starts, analyzed.ends
        for word in _WORD.finditer(text):
            written = word.group()
            if "-" in written or "\u2010" in written or "\u2011" in written:
                folded = fold(written.translate(_HYPHENS))
                root = stem(folded)
                if "-" not in root:  # Sastrawi recognised a reduplication: one word, one root
                    forms.append(folded)
                    stems.append(root)
                    starts.append(word.start())
                    ends.append(word.end())
                    continue
                for part in _WORD_PART.finditer(written):
                    folded = fold(part.group())
                    forms.append(folded)
                    stems.append(stem(folded))
                    starts.append(word.start() + part.start())
                    ends.append(word.start() + part.end())
                continue
            folded = written.lower() if written.isascii() else fold(written)
            forms.append(folded)
            stems.append(stem(folded))
            starts.append(word.start())
            ends.append(word.end())
        by_form, by_stem = analyzed.by_form, analyzed.by_stem
        for position, (form, root) in enumerate(zip(forms, stems, strict=True)):
            if form in by_form:
                by_form[form].append(position)
            else:
                by_form[form] = [position]
            if root in by_stem:
                by_stem[root].append(position)
            else:
                by_stem[root] = [position]
        return analyzed

    def positions(self, form: str, root: str | None) -> list[int]:
        """Token positions whose form is `form` or, when `root` is given, whose stem is `root`."""
        exact = self.by_form.get(form, [])
        if root is None:
            return exact
        stemmed = self.by_stem.get(root, [])
        if not exact:
            return stemmed
        if not stemmed:
            return exact
        return sorted(set(exact) | set(stemmed))

    def token_matches(self, position: int, form: str, root: str | None) -> bool:
        if self.forms[position] == form:
            return True
        return root is not None and self.stems[position] == root

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
