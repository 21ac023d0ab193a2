"""The watch query language: parsed once when the configuration loads, evaluated per article.

See README.md ("Watch queries") for the language; `WatchSet` evaluates every watch at once.
"""

from crawler.domain.matches import Hit, WatchMatch
from crawler.matching.document import FIELDS, Document
from crawler.matching.query import Query, parse_query
from crawler.matching.watches import CompiledWatch, WatchSet, compile_watches

__all__ = [
    "FIELDS",
    "CompiledWatch",
    "Document",
    "Hit",
    "Query",
    "WatchMatch",
    "WatchSet",
    "compile_watches",
    "parse_query",
]
