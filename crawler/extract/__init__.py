"""Article extraction: HTML of one article's page(s) in, an `Article` out (trafilatura + portal recipes)."""

from crawler.domain.dates import parse_indonesian_datetime
from crawler.domain.zones import WIB, WIT, WITA
from crawler.extract.extractor import extract_article, extract_headline, selector_misses
from crawler.extract.html import css_selector, decode_html, parse_html
from crawler.portals.recipes import GENERIC, RECIPES, PortalRecipe, recipe_for_url

__all__ = [
    "GENERIC",
    "RECIPES",
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
    "recipe_for_url",
    "selector_misses",
]
