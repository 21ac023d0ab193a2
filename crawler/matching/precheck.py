"""The raw-page pre-check: substrings a page must contain before extracting it is worth the time.

It must never rule out a page that would match, so everything here errs towards "could match":
the page is read twice (as is, and with its tags removed), folded the way tokens are folded.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple

from crawler.matching.text import NAME_CLITIC, is_dictionary_root

# Block elements separate words in extracted text; other tags may sit inside a word.
_BLOCK_TAG = re.compile(
    r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|br|hr|tr|td|th|table|section|article|header|footer|nav|aside|main"
    r"|figure|figcaption|blockquote|title|head|body|script|style|noscript)\b)[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")
# The combining marks Latin letters take; a word with any other non-ASCII character gets only
# substring anchors (see `word_anchors`), so those marks may stay on the page as '?'.
_LATIN_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


class Anchor(NamedTuple):
    """A folded substring of a word; `whole_word` when it must stand alone, not inside a word."""

    text: str
    whole_word: bool


def word_anchors(form: str, root: str | None) -> frozenset[Anchor]:
    """Anchors one of which is on every page where a word with this form (or root) occurs.

    Sastrawi reduces a word only to a root in its dictionary, and keeps every letter of such a
    root but the first: meN-/peN- may swallow it (`memukul` -> `pukul`) or an infix may follow
    it (`relawan` -> `rawan`). A word it does not know stands alone, or with `-nya` only.
    """
    written = _anchor(form)
    if root is None:
        return frozenset({written})
    stemmed = Anchor(_ascii(root[1:]), False) if is_dictionary_root(root) else _anchor(root)
    if not stemmed.whole_word and stemmed.text in written.text:
        return frozenset({stemmed})
    return frozenset({stemmed, written})


def _anchor(folded_word: str) -> Anchor:
    """The whole word; only its longest plain part when it has a hyphen (a reduplication) or
    characters the page may spell otherwise (non-ASCII)."""
    parts = re.split(r"[^a-z0-9]+", folded_word)
    if len(parts) == 1:
        return Anchor(folded_word, whole_word=True)
    return Anchor(max(parts, key=len), whole_word=False)


def _ascii(folded: str) -> str:
    """Folded text as `fold_page` leaves it."""
    return folded.encode("ascii", "replace").decode("ascii")


def fold_page(raw_page: str) -> str:
    """The raw page as is and without tags, lower-cased, accents stripped, other non-ASCII as '?'."""
    without_tags = _TAG.sub("", _BLOCK_TAG.sub(" ", raw_page))
    text = html.unescape(raw_page) + "\n" + html.unescape(without_tags)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if not decomposed.isascii():
        decomposed = _LATIN_COMBINING_MARKS.sub("", decomposed)
    return _ascii(decomposed)


class FoldedPage:
    """A folded page that answers, with memory, whether an anchor is on it."""

    def __init__(self, raw_page: str) -> None:
        self.text = fold_page(raw_page)
        self._seen: dict[Anchor, bool] = {}

    def has(self, anchor: Anchor) -> bool:
        found = self._seen.get(anchor)
        if found is None:
            found = self._seen[anchor] = self._find(anchor)
        return found

    def _find(self, anchor: Anchor) -> bool:
        text, needle = self.text, anchor.text
        position = text.find(needle)
        if not anchor.whole_word:
            return position >= 0
        while position >= 0:
            end = position + len(needle)
            if text.startswith(NAME_CLITIC, end):  # `Rusianya` stems to `rusia` (see `text.stem`)
                end += len(NAME_CLITIC)
            starts_word = not (position and text[position - 1].isalnum())
            if starts_word and not (end < len(text) and text[end].isalnum()):
                return True
            position = text.find(needle, position + 1)
        return False
