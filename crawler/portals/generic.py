"""Sites of no known family: the empty field recipe (meta tags, JSON-LD and trafilatura read them),
the page furniture any Indonesian portal's captured text may carry, and the `generic` family a
source names to crawl such a site from the feed, news sitemap or listing its config gives.

A generic site declares no story pattern, so its stories are known by the shape news URLs share:
a date (`/2022/12/14/…`, `/20251116/…`), a numeric id (`/berita/712345/…`, `/d-7654321/…`) or a
headline slug of three words or more; never an archive (category, tag, author, pager, search) or
one of the site's own pages (`/pedoman-media-siber`, `/tentang-kami`).
"""

from __future__ import annotations

import re

from crawler.portals.family import Discovery, Furniture, PortalFamily
from crawler.portals.recipes import PortalRecipe

NAME = "generic"
RECIPE = PortalRecipe(family=NAME, hosts=())

_ARCHIVES = (
    "category|categories|kategori|kanal|tag|tags|topic|topics|topik|label|author|authors|penulis|"
    "profile|profil|user|users|page|halaman|search|cari|feed|rss|indeks|index|sitemap|"
    "wp-content|wp-admin|wp-json|login|signin|oauth"
)
_SITE_PAGES = (
    "pedoman|tentang|kebijakan|privacy|disclaimer|syarat|kode-etik|redaksi|kontak|contact|about|karir|iklan"
)
STORY_SHAPE = re.compile(
    rf"""
    ^(?!.*/(?:{_ARCHIVES})(?:/|$))                         # no archive, author, pager or search page
    (?!.*/(?:{_SITE_PAGES})[^/]*/?$)                      # no page about the site itself
    (?!.*\.(?:jpe?g|png|gif|webp|svg|pdf|xml|css|js|mp[34])$)  # no file
    (?=
        .*/(?:19|20)\d{{2}}/(?:\d{{1,2}}/){{0,2}}[^/]*[a-z][^/]*  # a date path, then a slug
      | .*/(?:19|20)\d{{6}}/                                # a compact date: /20251116/
      | .*/(?:[a-z]{{1,3}}-)?\d{{5,}}(?:/|$)                 # a numeric id: /712345/, /d-7654321/
      | .*-\d{{5,}}(?:\.html?)?/?$                            # an id closing the slug
      | .*/[a-z0-9]+(?:-[a-z0-9]+){{2,}}(?:\.html?)?/?$       # a headline slug of three words or more
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)


def story_key(host: str, path: str) -> str | None:
    """A generic site's stories keep the generic canonical form (crawler.portals.urls)."""
    return None


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
    # "Brand.com, JAKARTA —", "JAKARTA, KOMPAS.com -", "Jakarta (ANTARA) -", "Bandung Barat (ANTARA) -".
    datelines=(
        rf"^\s*[\w.]{{2,30}}\s*,\s*[A-Z][A-Z .]{{1,30}}?\s*{_DASH}\s*",
        rf"^\s*[A-Z][A-Z .]{{1,30}},\s*[\w. ]{{2,30}}?\s*{_DASH}\s*",
        rf"^\s*[A-Z][a-z]+(?: [A-Z][a-z]+){{0,3}}\s*\([A-Z][A-Za-z]+\)\s*{_DASH}\s*",
    ),
)

FAMILY = PortalFamily(
    name=NAME,
    hosts=(),  # owns no host: a generic source names its sites, and each site its channels
    story_path=STORY_SHAPE,
    story_key=story_key,
    discovery=Discovery(),  # a generic source's config names its channels (crawler.config checks it)
    recipe=RECIPE,
)
