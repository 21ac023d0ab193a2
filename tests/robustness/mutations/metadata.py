"""Redesign operators on page metadata: meta tags dropped, the organisation as `meta author`, and
JSON-LD dropped, re-typed, or given an Organization as author.

A publisher's organisation in metadata is the publisher, not a byline: the second-hand fixtures
expect `source_org` null and the reporter as author on pages where `meta author` or the JSON-LD
author is the organisation, and these operators keep that truth.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from lxml import html

from tests.robustness.mutations.cases import Case
from tests.robustness.mutations.landmarks import detach

ORGANISATIONS = (
    "Kantor Berita Politik RMOL",
    "rmolnetwork",
    "PT Jurnalindo Aksara Grafika",
    "Bisnis.com",
    "PT Kompas Cyber Media",
    "Tribun Network",
    "Redaksi",
)
ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "BlogPosting",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
    }
)
_AUTHOR_OR_DATE = re.compile(r"author|creator|date|time|publish|modif|updat", re.IGNORECASE)


def _meta_key(meta: html.HtmlElement) -> str:
    return " ".join(meta.get(attribute) or "" for attribute in ("name", "property", "itemprop", "http-equiv"))


def _keeps_encoding(meta: html.HtmlElement) -> bool:
    """The charset declaration is not metadata about the story; without it the page's text is misread."""
    return meta.get("charset") is not None or (meta.get("http-equiv") or "").casefold() == "content-type"


def _drop_meta(root: html.HtmlElement, wanted: Callable[[str], bool]) -> bool:
    doomed = [
        meta
        for meta in root.iter("meta")
        if _meta_key(meta).strip() and not _keeps_encoding(meta) and wanted(_meta_key(meta))
    ]
    for meta in doomed:
        detach(meta)
    return bool(doomed)


def drop_all_meta(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """Every named meta tag (og:*, article:*, author, description, keywords, …) is gone."""
    return _drop_meta(root, lambda key: True)


def drop_author_date_meta(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """The meta tags about authors and dates are gone (author, article:published_time, publishdate, …)."""
    return _drop_meta(root, lambda key: bool(_AUTHOR_OR_DATE.search(key)))


def organisation_meta_author(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """`<meta name="author">` names the publishing organisation instead of a person."""
    organisation = rng.choice(ORGANISATIONS)
    authors = [meta for meta in root.iter("meta") if (meta.get("name") or "").casefold() == "author"]
    for meta in authors:
        meta.set("content", organisation)
    if authors:
        return True
    head = root.find("head")
    if head is None:
        return False
    meta = head.makeelement("meta", {"name": "author", "content": organisation})
    head.append(meta)
    return True


def _ld_scripts(root: html.HtmlElement) -> list[html.HtmlElement]:
    return [
        script
        for script in root.iter("script")
        if (script.get("type") or "").strip().casefold() == "application/ld+json"
    ]


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        yield from _nodes(data.get("@graph", []))


def _is_article(node: dict[str, Any]) -> bool:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(kind in ARTICLE_TYPES for kind in kinds)


def _edit_ld(root: html.HtmlElement, edit: Callable[[dict[str, Any]], bool]) -> bool:
    changed = False
    for script in _ld_scripts(root):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError:
            continue
        edited = [edit(node) for node in list(_nodes(data))]
        if any(edited):
            script.text = json.dumps(data, ensure_ascii=False, indent=2)
            changed = True
    return changed


def drop_jsonld(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """Every JSON-LD block is gone."""
    scripts = _ld_scripts(root)
    for script in scripts:
        detach(script)
    return bool(scripts)


def retype_jsonld(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """The article node of the JSON-LD claims to be a WebPage or an Organization."""
    new_type = rng.choice(("WebPage", "Organization"))

    def retype(node: dict[str, Any]) -> bool:
        if not _is_article(node):
            return False
        node["@type"] = new_type
        return True

    return _edit_ld(root, retype)


def organisation_jsonld_author(root: html.HtmlElement, case: Case, rng: random.Random) -> bool:
    """The JSON-LD article's author is the publishing organisation, typed Organization."""
    organisation = rng.choice(ORGANISATIONS)

    def to_organisation(node: dict[str, Any]) -> bool:
        if not _is_article(node) and "author" not in node:
            return False
        node["author"] = {"@type": "Organization", "name": organisation}
        return True

    return _edit_ld(root, to_organisation)
