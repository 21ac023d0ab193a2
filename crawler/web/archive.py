"""The archived original of a story, made inert before the story page frames it: no script, frame,
form, stylesheet link, image source or `url()` is left, so the page asks for nothing (the sandbox and
the Content-Security-Policy the page is served with refuse all of it anyway; this spares the attempts)."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

_CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=False,  # kept, so the page keeps its look, with every url() below taken out
    inline_style=False,
    links=True,
    meta=True,
    page_structure=False,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=False,
    remove_unknown_tags=False,
    safe_attrs_only=False,
)
_LOADING_ATTRIBUTES = ("src", "srcset", "data-src", "data-srcset", "poster", "background", "href", "action")
_URL = re.compile(r"url\s*\([^)]*\)|@import[^;]*;?", re.IGNORECASE)


def inert_html(html: str) -> str:
    """The page's text and layout with nothing in it that runs or loads."""
    if not html.strip():
        return "<!doctype html><html><body></body></html>"
    document = lxml.html.document_fromstring(html)
    _CLEANER(document)
    for element in document.iter(etree.Element):
        for attribute in _LOADING_ATTRIBUTES:
            element.attrib.pop(attribute, None)
        style = element.get("style")
        if style and _URL.search(style):
            element.set("style", _URL.sub("none", style))
        if element.tag == "style" and element.text:
            element.text = _URL.sub("", element.text)
    return lxml.html.tostring(document, encoding="unicode", doctype="<!doctype html>")
