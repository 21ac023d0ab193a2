"""The RMOL regional CMS (rmollampung.id and siblings): slug-only story URLs, CodeIgniter listings.

Story URLs carry no date, so a story's date comes from its listing card (`Jumat, 25 Juli 2025`)
until the page itself is read. The search is `/cari?q=`; a `?s=` search is answered with the
home page, which `echoes_query` rejects.
"""

from __future__ import annotations

import re

from spiders.base import DiscoveryRecipe, PortalSpider


class RmolRegionalSpider(PortalSpider):
    family = "rmol_regional"
    story_path = re.compile(r"^/(?!category/|profile/|cari|tag/|rss)[a-z0-9]+(?:-[a-z0-9]+){2,}/?$")
    discovery = DiscoveryRecipe(
        listings=("https://www.{site}/category/daerah",),
        search="https://www.{site}/cari?q={query}",
        listing_card="div.bussiness-post-item",
        listing_card_date="span a:has(i.fa-clock)",
        next_page="ul.pagination li.next a[rel=next]::attr(href)",
    )
