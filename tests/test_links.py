"""Where a page's links stand (spiders/links.py): links resolved as a portal means them, the menu
apart from a breadcrumb, and a pager's next link guessed from its words when no selector finds it."""

from __future__ import annotations

import pytest
from parsel import Selector

from spiders.links import content_links, guessed_next_page, menu_links, resolve_link

PAGE = "https://search.example.id/?q=emas&page=1"


@pytest.mark.parametrize(
    ("href", "resolved"),
    [
        # A scheme-less link naming a host of the page's own domain (portals.md §2.4).
        ("search.example.id?q=emas&page=2", "https://search.example.id/?q=emas&page=2"),
        ("www.example.id/berita/a-b-c", "https://www.example.id/berita/a-b-c"),
        # Another domain's name without a scheme is a relative path, as a browser reads it.
        ("other.id/x", "https://search.example.id/other.id/x"),
        ("/index?page=2", "https://search.example.id/index?page=2"),
        ("  https://example.id/a  ", "https://example.id/a"),
    ],
)
def test_links_resolve_as_the_portal_means_them(href: str, resolved: str) -> None:
    assert resolve_link(PAGE, href) == resolved


def test_the_menu_is_the_headers_and_navs_links_not_a_breadcrumb_nor_a_cards_header() -> None:
    page = Selector(
        text="""<header><a href="/category/politik">Politik</a><a href="#search">Cari</a></header>
        <nav aria-label="breadcrumb"><a href="/category/hukum">Hukum</a></nav>
        <main><article><header><h3><a href="/berita/1/a-b-c">A</a></h3></header></article></main>
        <div role="navigation"><a href="/category/ekonomi">Ekonomi</a></div>
        <footer><a href="/tentang-kami">Tentang</a></footer>"""
    )

    assert menu_links(page, "https://example.id/") == [
        "https://example.id/category/politik",
        "https://example.id/category/ekonomi",
    ]
    assert content_links(page).xpath("@href").getall() == ["/berita/1/a-b-c"]


def test_a_next_page_is_guessed_from_rel_next_then_a_pagers_words_and_never_a_story() -> None:
    page = Selector(
        text="""<main><a href="/berita/1/baca-selanjutnya-cerita">Selanjutnya</a>
        <div class="pager"><a href="#">«</a><a href="/indeks/2">Berikutnya »</a></div></main>"""
    )

    guessed = guessed_next_page(page, "https://example.id/indeks", lambda url: "/berita/" not in url)

    assert guessed == "https://example.id/indeks/2"
    assert guessed_next_page(Selector(text="<p>1</p>"), "https://example.id/indeks", lambda url: True) is None
