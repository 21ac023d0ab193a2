"""The one JSON-LD reader: extraction takes its NewsArticle, the pre-check the strings extraction may read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import lxml.html

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle"}
)


def json_ld_blocks(tree: lxml.html.HtmlElement) -> Iterator[Any]:
    """The parsed value of each `<script type="application/ld+json">`; a block that is not JSON is skipped."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            yield json.loads(script.text or "", strict=False)
        except ValueError:
            continue


def news_article(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """The page's first JSON-LD NewsArticle (or Article) object, `@graph` members included, or {}."""
    for block in json_ld_blocks(tree):
        for item in _objects(block):
            kinds = item.get("@type")
            if any(isinstance(kind, str) and kind in ARTICLE_TYPES for kind in _listed(kinds)):
                return item
    return {}


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def scalar_text(value: Any) -> str:
    """A JSON-LD string or number as one line of text; objects, lists, booleans and null give ""."""
    return (
        " ".join(str(value).split())
        if isinstance(value, str | int | float) and not isinstance(value, bool)
        else ""
    )
