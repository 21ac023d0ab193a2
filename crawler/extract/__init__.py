"""Article extraction: HTML of one article's page(s) in, an `Article` out (trafilatura + portal recipes)."""

from crawler.domain.dates import parse_indonesian_datetime
from crawler.domain.encoding import decode_html
from crawler.domain.zones import WIB, WIT, WITA
from crawler.extract.extractor import extract_article, extract_headline, selector_misses
from crawler.extract.html import css_selector, parse_html
from crawler.portals.recipes import PortalRecipe

__all__ = [
    "WIB",
    "WIT",
    "WITA",
    "PortalRecipe",
    "css_selector",
    "decode_html",
    "extract_article",
    "extract_headline",
    "parse_html",
    "parse_indonesian_datetime",
    "selector_misses",
]
