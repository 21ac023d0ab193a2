"""bisnis.com and its channel subdomains: dated story URLs keyed by the article id.

Discovery: RSS on rss.bisnis.com, the news sitemap, the index (day by day through the look-back
window, each day paged up to `#total_page`) and search.bisnis.com (results wrapped as `/link?url=`,
paged by the numbered links of its pager, which has no next link: portals.md §2.4). Multi-page
stories are fetched as `?page=all`; when that form is refused or ignored, pages `/2`, `/3`, … are
walked instead. Video, infografik and interaktif channels carry no text stories. The selectors are
the ones several independent scrapers agree on (§2.6).
"""

from __future__ import annotations

import re

from crawler.portals.family import Discovery, Furniture, PortalFamily
from crawler.portals.recipes import PageLayout, PortalRecipe

NAME = "bisnis"
HOSTS = ("bisnis.com",)
_ARTICLE = re.compile(r"^(?:/amp)?/read/(?P<date>\d{8})/(?P<category>\d+)/(?P<id>\d+)(?:/|$)")
# Article ids form one sequence across channels since the 2020 CMS; older ids are per host.
_SHARED_ID_FROM = 1_000_000


def story_key(host: str, path: str) -> str | None:
    """A story keys by its id (on its own host for the old per-channel ids); the category goes."""
    if not (host == "bisnis.com" or host.endswith(".bisnis.com")):
        return None
    match = _ARTICLE.match(path)
    if match is None:
        return None
    story_host = "bisnis.com" if int(match["id"]) >= _SHARED_ID_FROM else host
    return f"https://{story_host}/read/{match['date']}/{match['id']}"


FAMILY = PortalFamily(
    name=NAME,
    hosts=HOSTS,
    story_path=re.compile(r"^/read/\d{8}/\d+/\d+/"),
    url_date=re.compile(r"^/read/(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})/"),
    story_key=story_key,
    skipped_hosts=("video.", "infografik.", "interaktif."),
    paywalled_hosts=("premium.",),  # portals.md §2.3: premium stories live on premium.bisnis.com
    link_redirectors=("/link",),
    story_pager="div.detailsPaging a.pagingLink::attr(href)",
    all_pages_query=("page", "all"),
    discovery=Discovery(
        feeds=("https://rss.{site}/",),
        sitemaps=("https://www.{site}/sitemap-news.xml",),
        listings=("https://www.{site}/index?categoryId=0&type=indeks&date={date}&page=1",),
        search="https://search.{site}/?q={query}&page=1",
        listing_card="div.art--row, div.artItem",
        listing_card_date="div.artDate",
        total_pages="input#total_page::attr(value)",
        pager="ol.pagingList a.pagingLink::attr(href)",
    ),
    recipe=PortalRecipe(
        family=NAME,
        hosts=HOSTS,
        title_selectors=("h1.detailsTitleCaption",),
        lead_selectors=("div.detailsLead",),
        body_selectors=("article.detailsContent",),
        # premium.bisnis.com dates in .authorTime; koran.bisnis.com prints "Name<br>DD/MM/YYYY HH:MM WIB".
        date_selectors=("div.detailsAttributeDates", "div.authorTime", "div.author"),
        author_selectors=("div.authorName strong", "div.author"),
        tag_selectors=("ul.detailsTagList a.detailsTagLink",),
        drop_selectors=(
            "div.baca-juga-box",
            ".baca-juga-inline",
            ".bisnisaiHeader",
            ".bisnisaiBody",
            ".bisnisaiFooter",
            "figure",
            "figcaption.detailsImgCaption",  # also outside any figure, under a .detailsCover image
            "div.detailsPaywall",
        ),
        drop_line_patterns=(
            r"^\s*Cek Berita dan Artikel yang lain di Google News.*$",
            r"^\s*Disclaimer\b.*$",
            r"^\s*Nyaman tanpa iklan\.? Langganan BisnisPro\s*$",
            r"^\s*Langganan Bisnis.*$",
            r"googletag\.cmd\.push\(function\(\)\s*\{[^}]*\}\);?",
            r"^\s*Konten Premium\s*$",
            r"^.*Silakan login untuk menikmati.*$",
            r"^\s*#?\s*(?:Artikel Terkait|Berita Lainnya|Berita Terbaru|Hot Topic|Rekomendasi Kami)\s*$",
        ),
        dateline_pattern=r"^(?P<brand>Bisnis(?:\.com)?)\s*,\s*(?P<city>[A-Z][A-Z .]*?[A-Z])\s*[-–—]+\s*",
        dateline_format="{brand}, {city} — ",
        paywall_selectors=("div.detailsPaywall",),
        site_authors=("Bisnis.com", "Bisnis Indonesia"),
        older_layouts=(
            PageLayout(
                served_until=2021,  # portals.md §2.6: "pre-2022, may appear in archived copies"
                title_selectors=("div.description h1",),
                body_selectors=('div[itemprop="articleBody"]',),
                date_selectors=(".wrapper-date",),
            ),
        ),
    ),
    # The seed capture's furniture (portals.md §2.6, §4): promos, related-story headings, the ad string.
    furniture=Furniture(
        lines=(
            r"artikel terkait",
            r"berita lainnya",
            r"berita terbaru",
            r"#?\s*hot topic",
            r"rekomendasi kami",
            r"konten premium",
            r"nyaman tanpa iklan\.? langganan bisnispro",
            r"langganan bisnis.*",
            r"disclaimer.*",
            r"dapatkan informasi komprehensif di bisnis\.com.*",
            r"scan qr code bisnis indonesia e-paper",
            r"cek berita dan artikel yang lain di google news.*",
            r"simak juga.*",
            r"[^.]{0,200}/bisnis",
        ),
        inline=(r"googletag\.cmd\.push\(.*?\);?\s*\}?\);?",),
    ),
)
