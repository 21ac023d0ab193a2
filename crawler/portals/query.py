"""Editing a URL's query: how a family asks for a story's all-pages form and a listing's next page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit


def with_query(url: str, **values: str) -> str:
    """`url` with the query parameters `values` set (the last value of a repeated one is kept)."""
    parts = urlsplit(url)
    query = {key: items[-1] for key, items in parse_qs(parts.query, keep_blank_values=True).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **values})))
