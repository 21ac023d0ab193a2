"""A document as queries see it: named fields analysed once, shared by every watch; and its hits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crawler.domain.article import Article
from crawler.domain.matches import Hit
from crawler.matching.text import AnalyzedText

FIELDS = ("title", "lead", "body")


class Document:
    """Fields by name, each tokenised and stemmed on first use; term lookups are memoised."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self._texts = {name: text for name, text in fields.items() if text}
        self.names = tuple(sorted(self._texts, key=_field_rank))
        self._analyzed: dict[str, AnalyzedText] = {}
        self._positions: dict[tuple[str, str, str | None], list[int]] = {}

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

    def positions(self, name: str, form: str, root: str | None) -> list[int]:
        """Token positions in field `name` matching a word (by form, or by stem unless exact)."""
        key = (name, form, root)
        found = self._positions.get(key)
        if found is None:
            analyzed = self.field(name)
            found = self._positions[key] = [] if analyzed is None else analyzed.positions(form, root)
        return found

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
