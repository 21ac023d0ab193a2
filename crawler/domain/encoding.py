"""Decoding fetched bytes into text: the one decoder spiders and extraction share, never crashing."""

from __future__ import annotations

import codecs
import re

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


def starts_with_bom(data: bytes) -> bool:
    """Whether the bytes open with a Unicode byte-order mark (UTF-16/32 text holds NUL bytes)."""
    return data.startswith(tuple(bom for bom, _ in _BOMS))


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
