"""The RMOL regional CMS (rmollampung.id and siblings): slug-only story URLs, CodeIgniter listings.

Story URLs carry no date, so a story's date comes from its listing card (`Jumat, 25 Juli 2025`)
until the page itself is read; a story keys by its slug on its own host, without page forms like
`/2` or `/all`. The network's old `.com` sites used `/read/<y>/<m>/<d>/<id>/<Title-Slug>`, and
search results still link to them (portals.md §1.5); those key by their id.

Discovery reads each site's home page and `/category/daerah`, then every section the site's own
menu links to (`/category/<slug>`, `/index-berita`): stories of a site may sit in none of the
configured listings. The search is `/cari?q=`; its results are the listing cards or, on some sites,
`article` items with an `h2 > a` headline (portals.md §1.5). A `?s=` search is answered with the
home page, which `Discovery.is_search_page` rejects. The selectors are the ones several
independent scrapers agree on (§1.5).
"""

from __future__ import annotations

import re

from crawler.portals.family import Discovery, Furniture, PortalFamily
from crawler.portals.recipes import PortalRecipe
from crawler.portals.rmol import CAPTION_CREDIT

NAME = "rmol_regional"
HOSTS = (
    "rmolaceh.id",
    "rmolbanten.com",
    "rmolbengkulu.id",
    "rmoljabar.id",
    "rmoljatim.id",
    "rmoljawatengah.id",
    "rmollampung.id",
    "rmolpapua.id",
    "rmolsumsel.id",
    "rmolsumut.id",
)
# The CMS's own pages that look like story slugs (every page's footer links them). Everything else
# that is not one slug of two or more words (`/cari`, `/cari/…`, `/category/…`, `/profile/…`,
# `/tag/…`, `/iklan`) is no story by its shape.
FIXED_PAGES = ("rss-feeds", "index-berita", "tentang-kami", "privacy-policy", "kode-etik-jurnalistik")
_PAGE_SUFFIX = re.compile(r"/(?:\d{1,2}|all)$")
_LEGACY = re.compile(r"^/read/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<id>\d+)(?:/\d+)?/[^/]+/?$")
_NETWORK_HOST = re.compile(r"^rmol[a-z]+\.")  # rmoljatim.id, rmolbanten.com; not rmol.id itself


def story_key(host: str, path: str) -> str | None:
    """A slug story on any RMOL network host (listed here or not: new sites are config only)."""
    if not host.startswith("rmol"):
        return None
    legacy = _LEGACY.match(path) if _NETWORK_HOST.match(host) else None
    if legacy:
        return f"https://{host}/read/{legacy['y']}/{legacy['m']}/{legacy['d']}/{legacy['id']}"
    segments = [segment for segment in path.split("/") if segment]
    is_slug_story = (
        len(segments) in (1, 2)
        and segments[0].count("-") >= 2
        and (len(segments) == 1 or bool(_PAGE_SUFFIX.match("/" + segments[1])))
    )
    return f"https://{host}{_PAGE_SUFFIX.sub('', path.rstrip('/'))}" if is_slug_story else None


FAMILY = PortalFamily(
    name=NAME,
    hosts=HOSTS,
    story_path=re.compile(
        rf"^/(?:(?!(?:{'|'.join(FIXED_PAGES)})/?$)[a-z0-9]+(?:-[a-z0-9]+)+/?$"
        r"|read/\d{4}/\d{2}/\d{2}/\d+/(?:\d+/)?[^/]+/?$)"
    ),
    story_key=story_key,
    discovery=Discovery(
        listings=("https://www.{site}/", "https://www.{site}/category/daerah"),
        sections=r"^/(?:category/[a-z0-9-]+|index-berita)/?$",
        search="https://www.{site}/cari?q={query}",
        listing_card="div.bussiness-post-item, article:has(> h2 > a)",
        listing_card_date="span a:has(i.fa-clock)",
        next_page="ul.pagination li.next a[rel=next]::attr(href)",
    ),
    recipe=PortalRecipe(
        family=NAME,
        hosts=HOSTS,
        title_selectors=("div.post-content h1.title",),
        body_selectors=("div.read-content",),
        date_selectors=(".text-body-tertiary.d-inline-block.me-3",),
        author_selectors=('div.post-author a[href*="/profile/"]',),
        tag_selectors=('div.post-tags a[href*="/tag/"]',),
        drop_selectors=("div.baca-juga", "div.thumb", "figure"),
        drop_line_patterns=(
            r"^\s*Artikel ini telah tayang di .*$",
            r"^\s*\(?sumber\s*:\s*(?:www\.)?rmol\.id\)?\s*$",  # a copy of a national story
            CAPTION_CREDIT,
        ),
        # "RMOLBanten. Pemerintah ..." names the site, not a place: it goes.
        dateline_pattern=r"^RMOL[A-Z][A-Za-z]+(?:\.(?:com|id))?\s*(?:[.,:]\s*[-–—]?|[-–—])\s*",
        site_authors=("rmolnetwork", "Redaksi"),
    ),
    # "RMOL. ", "RMOLJATIM. ": the network's brand datelines, after the generic "Brand, CITY —" ones.
    furniture=Furniture(datelines=(r"^\s*RMOL[A-Za-z]*(?:\.id)?\s*[.,]\s+",)),
)
