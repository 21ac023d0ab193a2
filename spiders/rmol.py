"""rmol.id, the national RMOL CMS: dated numeric-id story URLs in three forms, keyed by the id.

`rmol.id/<kanal>/read/…`, `<kanal>.rmol.id/read/…` and `rmol.id/amp/…` are one story
(crawler.canonical keys them by the id). No search, indeks or sitemap of rmol.id is known
(portals.md §1.3): set `search`, `sitemaps` or per-kanal `listings` in the source's config.
"""

from __future__ import annotations

import re

from spiders.base import DiscoveryRecipe, PortalSpider


class RmolSpider(PortalSpider):
    family = "rmol"
    story_path = re.compile(r"^/(?:[\w-]+/)?(?:read|amp)/\d{4}/\d{2}/\d{2}/\d+/")
    url_date = re.compile(r"/(?:read|amp)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/")
    discovery = DiscoveryRecipe(feeds=("https://{site}/rss",), listings=("https://{site}/",))
