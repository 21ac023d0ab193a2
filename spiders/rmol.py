"""rmol.id, the national RMOL CMS: dated numeric-id story URLs in three forms, keyed by the id.

`rmol.id/<kanal>/read/…`, `<kanal>.rmol.id/read/…` and `rmol.id/amp/…` are one story
(crawler.portals.urls keys them by the id). Discovery reads the home page, the kanal pages and the
feed, whose path is unverified: the candidates portals.md §1.3 names are tried in its order (the
per-kanal `rss/kategori/<kanal>` form is left out: the kanal pages cover the kanals). No search,
indeks or sitemap of rmol.id is known: set `search` or `sitemaps` in the source's config.
"""

from __future__ import annotations

import re

from spiders.base import DiscoveryRecipe, PortalSpider

# The kanal slugs seen in rmol.id story URLs (portals.md §1.2); more exist, configurable as `listings`.
KANALS = ("politik", "hukum", "bisnis", "dunia", "nusantara", "publika")


class RmolSpider(PortalSpider):
    family = "rmol"
    story_path = re.compile(r"^/(?:[\w-]+/)?(?:read|amp)/\d{4}/\d{2}/\d{2}/\d+/")
    url_date = re.compile(r"/(?:read|amp)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/")
    discovery = DiscoveryRecipe(
        feeds=(
            (
                "https://{site}/rss",
                "https://www.{site}/rss",
                "https://{site}/rss/latest-posts",
                "https://{site}/rss/nasional",
                "https://{site}/feed",
            ),
        ),
        listings=("https://{site}/", *(f"https://{{site}}/{kanal}" for kanal in KANALS)),
    )
