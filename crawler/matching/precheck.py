"""The pre-check: words a story must contain before extracting its article is worth the time.

It reads only the text extraction can return: page 1's <title>, the titles and descriptions of its
<meta> tags and JSON-LD, the recipe's title and lead elements, and on each page the recipe's body
elements without the recipe's dropped blocks, so navigation, tickers and other stories' headlines
around the article do not count. Where the recipe finds no body on a page (or no title on page 1),
trafilatura reads that page, so all of its text and metadata counts.

It must never rule out a story that would match, so everything errs towards "could match": text is
folded the way tokens are folded, and any element edge may or may not separate words, however
extraction renders it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import lxml.etree
import lxml.html

from crawler.extract import PortalRecipe, css_selector
from crawler.extract.html import dropped_blocks
from crawler.extract.jsonld import json_ld_blocks
from crawler.matching.morphology import NAME_CLITIC_ENDINGS, is_root

# Text neither the recipe's selectors nor trafilatura ever return.
_NEVER_TEXT = frozenset({"script", "style"})
# <meta> names and JSON-LD keys extraction reads a title or lead from (og:title, description, ...).
_TITLE_OR_LEAD = re.compile("title|description|headline", re.IGNORECASE)
# The combining marks Latin letters take; a word with any other non-ASCII character gets only
# substring anchors (see `word_anchors`), so those marks may stay in the text as '?'.
_LATIN_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


class Anchor(NamedTuple):
    """A folded substring of a word; `whole_word` when it must stand alone, not inside a word."""

    text: str
    whole_word: bool


def word_anchors(form: str, root: str | None, *, name: bool = False) -> frozenset[Anchor]:
    """Anchors one of which is in every text where a word with this form (or root) occurs.

    A word reduces only to a root other words have (`morphology.is_root`), keeping every letter of
    it but the first: meN-/peN- may swallow it (`memukul` -> `pukul`) or an infix may follow it
    (`relawan` -> `rawan`). Any other word, and a name, stands alone or with a name's clitics.
    """
    written = _anchor(form)
    if root is None or name:
        return frozenset({written})
    stemmed = Anchor(_ascii(root[1:]), False) if is_root(root) else _anchor(root)
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
    """Folded text as `_fold` leaves it."""
    return folded.encode("ascii", "replace").decode("ascii")


Requirement = tuple[frozenset[Anchor], ...]
"""What a story must contain to match: each clause needs one of its anchors; () needs nothing."""


class ExtractableText:
    """The folded text extraction can return from a story, answering (with memory) which anchors
    it holds. Its pieces are glued together; a word may start or end at any piece edge."""

    def __init__(self, pieces: Iterable[str]) -> None:
        kept = [piece for piece in pieces if piece]
        joined = "".join(kept)
        if joined.isascii():  # the common case: folding keeps every length, fold the text at once
            folded = kept
            self.text = joined.lower()
        else:
            folded = [_fold(piece) for piece in kept]
            self.text = "".join(folded)
        self._edges = {0, *itertools.accumulate(map(len, folded))}
        self._seen: dict[Anchor, bool] = {}

    @classmethod
    def of_pages(cls, pages: Sequence[lxml.html.HtmlElement], recipe: PortalRecipe) -> ExtractableText:
        """What `extract_article(pages, url, recipe)` can return from these parsed pages."""
        return cls(_extractable_pieces(pages, recipe))

    def allows(self, requirement: Requirement) -> bool:
        return all(any(map(self.has, clause)) for clause in requirement)

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
            if self._boundary(position) and self._word_ends(position + len(needle)):
                return True
            position = text.find(needle, position + 1)
        return False

    def _word_ends(self, end: int) -> bool:
        """Whether a word may end at `end`, or after a clitic a name may take (`Jokowilah` is
        `jokowi`, see `morphology.without_name_clitics`)."""
        text = self.text
        return any(
            text.startswith(ending, end) and self._boundary(end + len(ending))
            for ending in ("", *NAME_CLITIC_ENDINGS)
        )

    def _boundary(self, offset: int) -> bool:
        text = self.text
        return (
            offset in self._edges
            or offset >= len(text)
            or not (text[offset - 1].isalnum() and text[offset].isalnum())
        )


def _extractable_pieces(pages: Sequence[lxml.html.HtmlElement], recipe: PortalRecipe) -> Iterator[str]:
    """The text pieces of every element extraction may read, in order, a line break between elements."""
    for number, page in enumerate(pages):
        dropped = dropped_blocks(page, recipe.drop_selectors)
        if number == 0:
            title = page.findtext(".//title") or ""
            titles = _kept(page, recipe.title_selectors, dropped)
            untitled = not (titles or title.strip())  # then trafilatura looks for a title anywhere
            yield title
            for meta in page.iter("meta"):
                named = " ".join(meta.get(attribute, "") for attribute in ("name", "property", "itemprop"))
                if untitled or _TITLE_OR_LEAD.search(named):
                    yield "\n"
                    yield meta.get("content", "")
            for block in json_ld_blocks(page):
                yield from _json_strings(block, everything=untitled)
            if untitled:
                yield from _whole(page)
            for element in (*titles, *_kept(page, recipe.lead_selectors, dropped)):
                yield "\n"
                yield from _text_nodes(element, dropped)
        bodies = _kept(page, recipe.body_selectors, dropped)
        if not bodies:
            yield from _whole(page)  # no body found: trafilatura reads the page
        for element in bodies:
            yield "\n"
            yield from _text_nodes(element, dropped)


def _whole(page: lxml.html.HtmlElement) -> Iterator[str]:
    yield "\n"
    yield from _ALL_TEXT(page)


# `_text_nodes(page, frozenset())` in one call into libxml2: every text and tail but scripts' and styles'.
_ALL_TEXT = lxml.etree.XPath(
    "descendant-or-self::text()[not(parent::script or parent::style)]", smart_strings=False
)


def _kept(
    tree: lxml.html.HtmlElement, selectors: Sequence[str], dropped: frozenset[lxml.html.HtmlElement]
) -> list[lxml.html.HtmlElement]:
    """The outermost elements, in document order, any of the selectors finds outside dropped blocks.

    Extraction reads those of the first selector that finds any: all of them are a superset.
    """
    found = dict.fromkeys(element for selector in selectors for element in css_selector(selector)(tree))
    chosen = {
        element for element in found if not any(e in dropped for e in (element, *element.iterancestors()))
    }
    return [
        element
        for element in found
        if element in chosen and not any(a in chosen for a in element.iterancestors())
    ]


def _text_nodes(root: lxml.html.HtmlElement, skipped: frozenset[lxml.html.HtmlElement]) -> Iterator[str]:
    """The text under `root` in document order, without scripts, styles, comments or `skipped`
    elements (their tails stay). A stack, not recursion: pages can nest deeper than Python recurses."""
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            if element is not root and element.tail:
                yield element.tail
            continue
        stack.append((element, True))
        if isinstance(element.tag, str) and element.tag not in _NEVER_TEXT and element not in skipped:
            if element.text:
                yield element.text
            stack.extend((child, False) for child in reversed(element))


def _json_strings(data: Any, *, everything: bool) -> Iterator[str]:
    """The headlines and descriptions in a parsed JSON-LD block (what extraction reads for a title or
    lead), or `everything` in it: every string and number."""
    pending: list[tuple[bool, Any]] = [(everything, data)]
    while pending:
        wanted, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((wanted or bool(_TITLE_OR_LEAD.search(key)), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((wanted, item) for item in value)
        elif wanted and isinstance(value, str | int | float) and not isinstance(value, bool):
            yield "\n"
            yield str(value)


def _fold(text: str) -> str:
    """Lower-cased, accents stripped, other non-ASCII as '?': one character of text may become several."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _ascii(_LATIN_COMBINING_MARKS.sub("", decomposed))
