"""The RMOL regional CMS (rmollampung.id and siblings): slug-only story URLs, CodeIgniter listings.

Story URLs carry no date, so a story's date comes from its listing card (`Jumat, 25 Juli 2025`)
until the page itself is read. The search is `/cari?q=`; its results are the listing cards or, on
some sites, `article` items with an `h2 > a` headline (portals.md §1.5). A `?s=` search is answered
with the home page, which `PortalSpider.is_search_page` rejects.
"""

from __future__ import annotations

import re

from spiders.base import DiscoveryRecipe, PortalSpider

# The CMS's own pages that look like story slugs (every page's footer links them). Everything else
# that is not one slug of two or more words (`/cari`, `/cari/…`, `/category/…`, `/profile/…`,
# `/tag/…`, `/iklan`) is no story by its shape.
FIXED_PAGES = ("rss-feeds", "index-berita", "tentang-kami", "privacy-policy", "kode-etik-jurnalistik")


class RmolRegionalSpider(PortalSpider):
    family = "rmol_regional"
    story_path = re.compile(rf"^/(?!(?:{'|'.join(FIXED_PAGES)})/?$)[a-z0-9]+(?:-[a-z0-9]+)+/?$")
    discovery = DiscoveryRecipe(
        listings=("https://www.{site}/category/daerah",),
        search="https://www.{site}/cari?q={query}",
        listing_card="div.bussiness-post-item, article:has(> h2 > a)",
        listing_card_date="span a:has(i.fa-clock)",
        next_page="ul.pagination li.next a[rel=next]::attr(href)",
    )
