"""Turning fetched bytes into an lxml tree: charset decoding that never crashes, and non-HTML refusal."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from functools import cache

import lxml.html
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError

from crawler.domain.errors import ExtractionError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding), and so do pages written for them.
_WINDOWS_1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_MARKUP = re.compile(r"<(?:!doctype|html|head|body|meta|title|div|p|article|main|section)\b", re.I)
_BINARY_SAMPLE = 1024


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a page: a BOM wins, then UTF-8 if the bytes are valid UTF-8, then the charset the
    server `declared` (its Content-Type header) or else the page's <meta charset>, then cp1252 with
    replacement characters (so a wrong declaration never crashes).

    Valid multi-byte UTF-8 almost never happens by accident, so it beats a declared single-byte
    charset: portals that moved to UTF-8 often keep an old `iso-8859-1` meta tag.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    meta = _META_CHARSET.search(data[:4096])
    label = (declared or (meta.group(1).decode("ascii", "ignore") if meta else "utf-8")).lower()
    candidates = ["utf-8", "cp1252" if label in _WINDOWS_1252_LABELS else label]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def parse_html(page: str | bytes, url: str) -> lxml.html.HtmlElement:
    """Parse one page, raising `ExtractionError` when it is empty, binary or not HTML at all."""
    if isinstance(page, bytes):
        if b"\x00" in page[:_BINARY_SAMPLE] and not page.startswith(tuple(bom for bom, _ in _BOMS)):
            raise ExtractionError(f"{url} is binary content, not an HTML page")
        page = decode_html(page)
    if not page.strip():
        raise ExtractionError(f"{url} is an empty page, not an HTML page")
    if "\x00" in page[:_BINARY_SAMPLE] or not _HTML_MARKUP.search(page):
        raise ExtractionError(f"{url} is not an HTML page")
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (ParserError, ValueError) as error:
        raise ExtractionError(f"{url} cannot be parsed as HTML: {error}") from None


@cache
def css_selector(css: str) -> CSSSelector:
    """Selectors come from a handful of recipes: each is translated to XPath once per process."""
    return CSSSelector(css, translator="html")


def dropped_blocks(
    tree: lxml.html.HtmlElement, drop_selectors: Iterable[str]
) -> frozenset[lxml.html.HtmlElement]:
    """A recipe's boilerplate blocks on this page: neither extraction nor the pre-check reads inside them."""
    return frozenset(element for selector in drop_selectors for element in css_selector(selector)(tree))
