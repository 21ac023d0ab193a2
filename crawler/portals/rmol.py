"""rmol.id, the national RMOL CMS: dated numeric-id story URLs in three forms, keyed by the id.

`rmol.id/<kanal>/read/…`, `<kanal>.rmol.id/read/…` and `rmol.id/amp/…` are one story, keyed as
`https://rmol.id/read/<y>/<m>/<d>/<id>`. Discovery reads the home page, the kanal pages (the known
ones and every other one the home page's menu links to) and the feed, whose path is unverified: the
candidates portals.md §1.3 names are tried in its order (the per-kanal `rss/kategori/<kanal>` form
is left out: the kanal pages cover the kanals). No search,
indeks or sitemap of rmol.id is known: set `search` or `sitemaps` in the source's config.

The selectors are reconstructed from archived page text (portals.md §1.4): no real HTML of this
site is public, so they must be checked on the first live fetch.
"""

from __future__ import annotations

import re

from crawler.portals.family import Discovery, Furniture, PortalFamily
from crawler.portals.recipes import PortalRecipe

NAME = "rmol"
HOSTS = ("rmol.id", "rmol.co")
# The kanal slugs seen in rmol.id story URLs (portals.md §1.2); more exist, configurable as `listings`.
KANALS = ("politik", "hukum", "bisnis", "dunia", "nusantara", "publika")
# Photo captions end with the credit: "/Net", "/RMOL", and on regional sites "/RMOLJatim".
CAPTION_CREDIT = r"^.{0,300}/\s*(?:Net|RMOL\w*|Ist|Reuters|Antara|AFP)\s*$"

_ARTICLE = re.compile(
    r"^(?:/(?P<kanal>[\w-]+))?/(?:read|amp)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<id>\d+)(?:/|$)"
)


def story_key(host: str, path: str) -> str | None:
    """Every form of a story (kanal path, kanal subdomain, AMP, the old rmol.co) keys by its id."""
    if not (host == "rmol.id" or host.endswith(".rmol.id") or host == "rmol.co"):
        return None
    match = _ARTICLE.match(path)
    return f"https://rmol.id/read/{match['y']}/{match['m']}/{match['d']}/{match['id']}" if match else None


FAMILY = PortalFamily(
    name=NAME,
    hosts=HOSTS,
    story_path=re.compile(r"^/(?:[\w-]+/)?(?:read|amp)/\d{4}/\d{2}/\d{2}/\d+/"),
    url_date=re.compile(r"/(?:read|amp)/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/"),
    story_key=story_key,
    discovery=Discovery(
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
        # Every kanal the site's menu links to, beyond the ones known (portals.md §1.2: more exist).
        sections=r"^/(?!(?:rss|feed|search|cari|about|tag|indeks|index|amp|read|video|foto)/?$)[a-z]+/?$",
    ),
    recipe=PortalRecipe(
        family=NAME,
        hosts=HOSTS,
        title_selectors=("h1.detail-title", "h1.amp-title"),
        body_selectors=("div.detail-content", "div.amp-content"),
        date_selectors=("div.detail-date", "div.amp-meta"),
        author_selectors=("div.detail-reporter", "div.amp-meta span.amp-reporter"),
        tag_selectors=("div.detail-tags a", "div.amp-tags a"),
        drop_selectors=(
            "figure",
            "div.detail-ads",
            "div.berita-terkait",
            "div.populer",
            "div.artikel-lainnya",
        ),
        drop_line_patterns=(
            r"\brmol news logo(?: article)?\b",
            r"^\s*Temukan berita-berita hangat terpercaya dari Kantor Berita Politik RMOL.*$",
            r"^\s*Untuk mengikuti silakan klik tanda bintang\.?\s*$",
            r"^\s*BERITA TERKAIT\s*:?.*$",
            r"^\s*(?:ARTIKEL LAINNYA|Populer)\s*$",
            CAPTION_CREDIT,
        ),
        site_authors=("rmol.id", "RMOL", "rmolnetwork", "Redaksi"),
    ),
    # The seed capture's furniture (portals.md §4): ad widgets, the byline, Google News lines.
    furniture=Furniture(
        lines=(
            r"dimensy\.id(?: mobile)?",
            r"apollo solar panel",
            r"laporan\s*:.*",
            r"temukan berita-berita hangat terpercaya.*",
            r"untuk mengikuti silakan klik tanda bintang\.?",
            r"artikel lainnya",
            r"berita terkait",
            r"[^.]{0,200}/rmol",
        ),
        inline=(r"rmol news logo(?: article)?",),
    ),
)
