"""Watches compiled from the configuration, and the set of them evaluated together per article."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import lxml.html

from crawler.domain.article import Article
from crawler.domain.errors import ConfigError, QuerySyntaxError
from crawler.domain.matches import WatchMatch
from crawler.domain.watch import Watch
from crawler.extract import PortalRecipe
from crawler.matching.document import Document
from crawler.matching.precheck import ExtractableText
from crawler.matching.query import Query, _AliasTable, parse_with_aliases
from crawler.matching.text import tokens


class WatchConfiguration(Protocol):
    """What matching reads of a configuration (the config layer sits above matching and validates
    its watch queries with it)."""

    @property
    def path(self) -> Path: ...

    @property
    def aliases(self) -> Mapping[str, Sequence[str]]: ...

    @property
    def watches(self) -> Sequence[Watch]: ...


@dataclass(frozen=True, slots=True)
class CompiledWatch:
    """A watch's configuration with its query parsed once."""

    config: Watch
    query: Query

    @property
    def name(self) -> str:
        return self.config.name

    def applies_to(self, source: str) -> bool:
        return "*" in self.config.sources or source in self.config.sources

    def match(self, article: Article) -> WatchMatch | None:
        """The match of this watch on the article's title, lead and body, if any."""
        return self.match_document(Document.of_article(article))

    def match_document(self, document: Document) -> WatchMatch | None:
        hits = self.query.evaluate_document(document)
        return None if hits is None else WatchMatch(self.name, hits)


def compile_watches(config: WatchConfiguration) -> list[CompiledWatch]:
    """Parse every watch query of `config`, or raise one error naming the watch and the column."""
    for canonical, members in config.aliases.items():
        for member in (canonical, *members):
            if not any(True for _ in tokens(member)):
                raise ConfigError(f"{config.path}: aliases.{canonical}: {member!r} has no letters or digits")
    aliases = _AliasTable.of(config.aliases)
    compiled = []
    for index, watch in enumerate(config.watches):
        try:
            query = parse_with_aliases(watch.query, aliases)
        except QuerySyntaxError as error:
            raise QuerySyntaxError(
                f"{config.path}: watches.{index}.query: watch {watch.name!r}: {error}"
            ) from None
        compiled.append(CompiledWatch(watch, query))
    return compiled


class WatchSet:
    """All compiled watches: one analysis of an article serves every watch."""

    def __init__(self, watches: Sequence[CompiledWatch]) -> None:
        self.watches = tuple(watches)
        self._requirements = tuple(watch.query.requirement for watch in self.watches)
        self._pickled: tuple[str, bytes] | None = None

    def __reduce__(self) -> tuple[Callable[[str, bytes], WatchSet], tuple[str, bytes]]:
        """A watch set goes to an extraction worker with every story: it is pickled once here and
        unpickled once per worker (200 watches take milliseconds each way), then found by its digest."""
        if self._pickled is None:
            pickled = pickle.dumps(self.watches, protocol=pickle.HIGHEST_PROTOCOL)
            self._pickled = (hashlib.sha256(pickled).hexdigest(), pickled)
        return _unpickled_watch_set, self._pickled

    @classmethod
    def from_config(cls, config: WatchConfiguration) -> WatchSet:
        return cls(compile_watches(config))

    def __len__(self) -> int:
        return len(self.watches)

    def search_keywords(self, source: str) -> tuple[str, ...]:
        """The written terms of every watch that applies to `source`, once each, for the portal's search."""
        watches = [watch for watch in self.watches if watch.applies_to(source)]
        return tuple(dict.fromkeys(term for watch in watches for term in watch.query.search_terms()))

    def could_match(self, pages: Sequence[lxml.html.HtmlElement], recipe: PortalRecipe) -> bool:
        """False only when no watch can match the article extracted from these parsed pages with
        this recipe, so its extraction can be skipped.

        Each watch needs every word it requires in the text extraction can return (see `precheck`):
        as a whole word, or, for a root other words reduce to, as the part every affixed form keeps.
        """
        return self.could_match_text(ExtractableText.of_pages(pages, recipe))

    def could_match_text(self, text: ExtractableText) -> bool:
        """`could_match` on text the caller has gathered already."""
        return any(map(text.allows, self._requirements))

    def match(self, article: Article, source: str) -> list[WatchMatch]:
        """The matches of every watch that applies to `source`, in configuration order."""
        document = Document.of_article(article)
        found = []
        for watch in self.watches:
            if watch.applies_to(source):
                matched = watch.match_document(document)
                if matched is not None:
                    found.append(matched)
        return found


_UNPICKLED: dict[str, WatchSet] = {}
"""The watch sets a worker has been sent, by digest; a configuration reload brings a new one."""


def _unpickled_watch_set(digest: str, pickled: bytes) -> WatchSet:
    found = _UNPICKLED.get(digest)
    if found is None:
        if len(_UNPICKLED) >= 8:  # a long-running daemon reloads now and then: keep the recent few
            _UNPICKLED.clear()
        found = _UNPICKLED[digest] = WatchSet(pickle.loads(pickled))
    return found
