"""bisnis.com and its channel subdomains: dated story URLs keyed by the article id.

Discovery: RSS on rss.bisnis.com, the news sitemap, the index (day by day through the look-back
window, each day paged up to `#total_page`) and search.bisnis.com (results wrapped as `/link?url=`,
paged by the numbered links of its pager, which has no next link: portals.md §2.4). Multi-page
stories are fetched as `?page=all`; when that form is refused or ignored, pages `/2`, `/3`, … are
walked instead. Video, infografik and interaktif channels carry no text stories.
"""

from __future__ import annotations

import re

from spiders.base import DiscoveryRecipe, PortalSpider


class BisnisSpider(PortalSpider):
    family = "bisnis"
    story_path = re.compile(r"^/read/\d{8}/\d+/\d+/")
    url_date = re.compile(r"^/read/(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})/")
    skipped_hosts = ("video.", "infografik.", "interaktif.")
    paywalled_hosts = ("premium.",)  # portals.md §2.3: premium stories live on premium.bisnis.com
    link_redirectors = ("/link",)
    story_pager = "div.detailsPaging a.pagingLink::attr(href)"
    all_pages_query = ("page", "all")
    discovery = DiscoveryRecipe(
        feeds=("https://rss.{site}/",),
        sitemaps=("https://www.{site}/sitemap-news.xml",),
        listings=("https://www.{site}/index?categoryId=0&type=indeks&date={date}&page=1",),
        search="https://search.{site}/?q={query}&page=1",
        listing_card="div.art--row, div.artItem",
        listing_card_date="div.artDate",
        total_pages="input#total_page::attr(value)",
        pager="ol.pagingList a.pagingLink::attr(href)",
    )
