"""Turning fetched bytes into an lxml tree (decoded by crawler.domain.encoding), refusing non-HTML."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError

from crawler.domain import causes
from crawler.domain.encoding import decode_html, starts_with_bom
from crawler.domain.errors import ExtractionError

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_MARKUP = re.compile(r"<(?:!doctype|html|head|body|meta|title|div|p|article|main|section)\b", re.I)
_BINARY_SAMPLE = 1024


def parse_html(page: str | bytes, url: str) -> lxml.html.HtmlElement:
    """Parse one page, raising `ExtractionError` when it is empty, binary or not HTML at all."""
    if isinstance(page, bytes):
        if b"\x00" in page[:_BINARY_SAMPLE] and not starts_with_bom(page):
            raise ExtractionError(
                f"{url} is binary content, not an HTML page", "binary content, not an HTML page"
            )
        page = decode_html(page)
    if not page.strip():
        raise ExtractionError(f"{url} is an empty page, not an HTML page", causes.EMPTY_PAGE)
    if "\x00" in page[:_BINARY_SAMPLE] or not _HTML_MARKUP.search(page):
        raise ExtractionError(f"{url} is not an HTML page", "not an HTML page")
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (ParserError, ValueError) as error:
        raise ExtractionError(
            f"{url} cannot be parsed as HTML: {error}", f"cannot be parsed as HTML: {error}"
        ) from None


@cache
def css_selector(css: str) -> CSSSelector:
    """Selectors come from a handful of recipes: each is translated to XPath once per process."""
    return CSSSelector(css, translator="html")


def dropped_blocks(
    tree: lxml.html.HtmlElement, drop_selectors: Iterable[str]
) -> frozenset[lxml.html.HtmlElement]:
    """A recipe's boilerplate blocks on this page: neither extraction nor the pre-check reads inside them."""
    return frozenset(element for selector in drop_selectors for element in css_selector(selector)(tree))
