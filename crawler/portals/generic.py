"""Sites of no known family: the empty field recipe (meta tags, JSON-LD and trafilatura read them)
and the page furniture any Indonesian portal's captured text may carry."""

from __future__ import annotations

from crawler.portals.family import Furniture
from crawler.portals.recipes import PortalRecipe

RECIPE = PortalRecipe(family="generic", hosts=())

_DASH = r"(?:-{1,2}|–|—)"
FURNITURE = Furniture(
    lines=(
        # A date line: "• Selasa, 06 September 2022, 11:24 WIB", "Selasa, 29 Juli 2025 | 18:27".
        r"•?\s*(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu),"
        r"\s*\d{1,2} \w+ \d{4}\s*[,|]?\s*\d{1,2}[:.]\d{2}(?:\s*wi[bt]a?)?",
        r"foto",
        r"video",
        r"halaman",
        r"[\d.\s]+",  # a pager's page numbers
        r"penulis\s*:.*",
        r"editor\s*:.*",
        r"baca juga\s*:.*",
        # A photo caption ending in its credit.
        r"[^.]{0,200}/(?:net|reuters|antara|antara foto|istimewa|ist|afp|ap|dok\.?[^/]{0,40})",
    ),
    inline=(r"<[^>]{1,300}>",),  # markup leaked into a capture's text
    # "Brand.com, JAKARTA —", "JAKARTA, KOMPAS.com -", "Jakarta (ANTARA) -".
    datelines=(
        rf"^\s*[\w.]{{2,30}}\s*,\s*[A-Z][A-Z .]{{1,30}}?\s*{_DASH}\s*",
        rf"^\s*[A-Z][A-Z .]{{1,30}},\s*[\w. ]{{2,30}}?\s*{_DASH}\s*",
        rf"^\s*[A-Z][a-z]+\s*\([A-Z][A-Za-z]+\)\s*{_DASH}\s*",
    ),
)
