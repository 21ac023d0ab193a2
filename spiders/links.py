"""Where a portal page's links stand: its main content, its own navigation, its pager.

A listing's card selector is one portal's markup of one year; these read the page's structure
instead (HTML's page-level `header`, `nav` and `footer`, ARIA landmarks, the words a pager uses), so
discovery still finds stories, sections and the next page when the cards' markup changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from parsel import Selector, SelectorList

# Page furniture: the site's header, menus and footer, not the header or footer of a story card
# (`article > header > h3 > a` is a card's headline). Sidebars are content: their "most read" lists
# announce stories like any card.
_IN_CONTENT_BLOCK = "ancestor::article or ancestor::main or ancestor::section"
_FURNITURE = (
    "ancestor::nav or ancestor::*[@role='navigation' or @role='banner' or @role='contentinfo']"
    f" or ancestor::header[not({_IN_CONTENT_BLOCK})] or ancestor::footer[not({_IN_CONTENT_BLOCK})]"
)
_CONTENT_LINKS = f"//a[@href][not({_FURNITURE})]"
_MENU_LINKS = (
    "//a[@href][ancestor::nav[not(contains(@aria-label, 'breadcrumb'))]"
    " or ancestor::*[@role='navigation' or @role='banner']"
    f" or ancestor::header[not({_IN_CONTENT_BLOCK})]]"
)
_DECLARED_NEXT = (
    "//link[@rel='next']/@href | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
)
# What a pager's next link says, once its arrows are stripped: "Next", "Selanjutnya »", "›".
_NEXT_WORDS = frozenset(
    {"", "next", "next page", "selanjutnya", "berikutnya", "halaman berikutnya", "lanjut"}
)
_ARROWS = " \t\n»›>→"
_SCHEME_LESS_HOST = re.compile(r"^(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?=[/?#]|$)", re.IGNORECASE)


def resolve_link(page_url: str, href: str) -> str:
    """The absolute URL of `href` on the page at `page_url`; a scheme-less link that starts with a
    host of the page's own domain (`search.example.com?q=…&page=2`, portals.md §2.4) names that host,
    where a plain resolver would read it as a relative path."""
    href = href.strip()
    page = urlsplit(page_url)
    named = _SCHEME_LESS_HOST.match(href)
    if named and _same_domain(named["host"].lower(), (page.hostname or "").lower()):
        rest = href[named.end() :]
        return f"{page.scheme}://{named['host']}{rest if rest.startswith('/') else '/' + rest}"
    return urljoin(page_url, href)


def content_links(page: Selector) -> SelectorList[Selector]:
    """The page's links outside its own header, menus and footer, in page order."""
    return page.xpath(_CONTENT_LINKS)


def menu_links(page: Selector, page_url: str) -> list[str]:
    """The absolute URLs the site's own menus link to (header, `nav`, navigation landmarks; not a
    breadcrumb, which names only the page's own section), in page order, each once."""
    hrefs = page.xpath(_MENU_LINKS).xpath("@href").getall()
    found = (resolve_link(page_url, href) for href in hrefs if not href.strip().startswith("#"))
    return list(dict.fromkeys(url for url in found if urlsplit(url).scheme in ("http", "https")))


def guessed_next_page(page: Selector, page_url: str, acceptable: Callable[[str], bool]) -> str | None:
    """The next page of a listing whose declared pager selector found nothing: a `rel=next` link,
    else the link a pager labels "next" (text, `aria-label` or class); `acceptable` turns away links
    that cannot be a listing's next page (a story, another site)."""
    candidates = page.xpath(_DECLARED_NEXT).getall()
    for anchor in page.xpath("//a[@href]"):
        text = " ".join(" ".join(anchor.css("::text").getall()).split())
        label = (anchor.attrib.get("aria-label") or "").strip().casefold()
        classes = (anchor.attrib.get("class") or "").casefold().split()
        said = text.strip(_ARROWS).casefold() in _NEXT_WORDS and bool(text.strip())
        if said or label in _NEXT_WORDS - {""} or "next" in classes:
            candidates.append(anchor.attrib["href"])
    here = _without_fragment(page_url)
    for href in (candidate.strip() for candidate in candidates):
        if not href or href.startswith(("#", "javascript:")):
            continue
        url = _without_fragment(resolve_link(page_url, href))
        if url != here and acceptable(url):
            return url
    return None


def site_of(url: str, sites: tuple[str, ...]) -> str | None:
    """The one of `sites` that `url` is on (the site itself or a subdomain of it), or None."""
    host = (urlsplit(url).hostname or "").lower()
    return next((site for site in sites if host == site or host.endswith("." + site)), None)


def _without_fragment(url: str) -> str:
    return urlsplit(url)._replace(fragment="").geturl()


def _same_domain(host: str, page_host: str) -> bool:
    """Whether two hosts share their last two labels (`search.example.com`, `www.example.com`)."""
    return host.split(".")[-2:] == page_host.split(".")[-2:]
