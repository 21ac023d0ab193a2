"""Field evidence on pages of no known family: each mechanism, and each way it must refuse a wrong value.

The pages are built here from the conventions in ../shared/portals.md, not copied from a fixture, so
the checks hold for the mechanism rather than for one page's markup.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.crawl.pipelines import _with_listing_time
from crawler.domain.zones import WIB, WIT
from crawler.extract import extract_article

URL = "https://www.contoh-portal.co.id/berita/2024/03/11/warga-gelar-festival"
BODY = "".join(
    f"<p>Paragraf {n} berita tentang festival danau yang digelar warga setiap tahun di tepi danau besar.</p>"
    for n in range(1, 5)
)


def page(head: str = "", header: str = "", after: str = "", before_title: str = "") -> str:
    return (
        f"<html><head>{head}</head><body><nav><a href='/'>Home</a> <a href='/politik'>Politik</a></nav>"
        f"<article>{before_title}<h1>Warga gelar festival danau tahunan</h1>{header}"
        f"<div class='isi'>{BODY}</div>{after}</article><footer>© 2024 PT Contoh Media Nusantara</footer>"
        "</body></html>"
    )


def test_a_labelled_byline_and_date_line_under_the_headline_are_read_with_their_sources() -> None:
    article = extract_article(
        [page(header="<div>Penulis: Theo Kelen</div><div>Senin, 11 Maret 2024 | 09:30 WIT</div>")], URL
    )
    assert article.authors == ("Theo Kelen",)
    assert article.published_at == datetime(2024, 3, 11, 9, 30, tzinfo=WIT)
    assert article.to_dict()["published_at"] == "2024-03-11T09:30:00+09:00"
    assert article.field_sources == {"title": "h1", "authors": "byline", "published_at": "page"}


def test_the_label_may_follow_the_name_on_a_line_of_its_own() -> None:
    header = "<h6>Isna Rahayu</h6><h6>Penulis</h6><h6>Yoga Sukmana</h6><h6>Editor</h6>"
    article = extract_article([page(header=header)], URL)
    assert (article.authors, article.editors) == (("Isna Rahayu",), ("Yoga Sukmana",))


CREDITS = (
    "<div class='kredit'><div>Suka ( 3 )</div><div>Author</div><div><a href='/u/theo'>Theo Kelen</a></div>"
    "<div><a href='/u/rina'>Rina Maharani Sari</a></div><div>Editor</div><div>Budi Santoso</div></div>"
)


def test_a_credits_list_after_the_story_completes_the_byline_it_agrees_with() -> None:
    article = extract_article([page(header="<div>Oleh Theo Kelen</div>", after=CREDITS)], URL)
    assert article.authors == ("Theo Kelen", "Rina Maharani Sari")
    assert article.editors == ("Budi Santoso",)


def test_a_credits_list_that_leaves_out_the_bylines_author_does_not_replace_it() -> None:
    other = CREDITS.replace("Theo Kelen", "Agus Salim")
    article = extract_article([page(header="<div>Oleh Theo Kelen</div>", after=other)], URL)
    assert article.authors == ("Theo Kelen",)


def test_an_editor_named_as_json_ld_author_is_not_the_author() -> None:
    person = '{"@type": "Person", "name": "Renne Kawilarang"}'
    ld = f'<script type="application/ld+json">{{"@type": "NewsArticle", "author": {person}}}</script>'
    article = extract_article([page(head=ld, after="<div>Editor: Renne Kawilarang</div>")], URL)
    assert (article.authors, article.editors) == ((), ("Renne Kawilarang",))


@pytest.mark.parametrize(
    "author",
    [
        "PT Contoh Media Nusantara",
        "Kantor Berita Politik RMOL",
        "https://www.facebook.com/contohportal",
        "Contoh Portal Cyber Media",
        "Redaksi",
        "Home Politik Hukum",
        "Web Design by Studio Kreatif",
    ],
)
def test_a_company_desk_url_menu_or_credit_in_meta_author_is_never_an_author(author: str) -> None:
    article = extract_article([page(head=f'<meta name="author" content="{author}">')], URL)
    assert article.authors == ()


def test_a_breadcrumb_near_the_headline_is_not_a_byline() -> None:
    crumbs = "<div>Home › POLITIK › Daerah</div>"
    article = extract_article([page(before_title=crumbs, header="<div>HUKUM PEMERINTAHAN</div>")], URL)
    assert article.authors == ()


def test_a_wire_byline_is_the_source_organisation() -> None:
    article = extract_article([page(header="<div>Oleh Antara</div>")], URL)
    assert (article.authors, article.source_org) == ((), "Antara")


def test_a_relative_time_counts_back_from_the_fetch_and_is_ignored_without_one() -> None:
    fetched = datetime(2024, 3, 11, 3, 30, tzinfo=UTC)
    html = page(header="<div>2 jam yang lalu</div>")
    assert extract_article([html], URL, fetched_at=fetched).published_at == fetched - timedelta(hours=2)
    assert extract_article([html], URL).published_at is None


def test_a_date_in_the_future_or_off_the_urls_day_is_rejected() -> None:
    fetched = datetime(2024, 3, 11, 3, 0, tzinfo=UTC)
    future = page(header="<div>Senin, 11 Maret 2024 | 23:30 WIB</div>")
    assert extract_article([future], URL, fetched_at=fetched).published_at is None
    other_day = page(header="<div>Kamis, 5 November 2015 | 14:56 WIB</div>")
    assert extract_article([other_day], URL).published_at is None


def test_a_page_that_shows_only_the_day_gives_the_day_and_no_time() -> None:
    article = extract_article([page(header="<div>Senin, 11 Maret 2024</div>")], URL)
    assert article.published_date_only
    assert article.to_dict()["published_at"] == "2024-03-11"


def test_an_update_line_is_the_modified_time_never_the_published_one() -> None:
    header = "<div>Diperbarui: Senin, 11 Maret 2024 10:40 WIB</div><div>Senin, 11 Maret 2024 09:15 WIB</div>"
    article = extract_article([page(header=header)], URL)
    assert article.published_at == datetime(2024, 3, 11, 9, 15, tzinfo=WIB)
    assert article.modified_at == datetime(2024, 3, 11, 10, 40, tzinfo=WIB)


def test_utc_metadata_gives_the_time_in_the_zone_the_page_names() -> None:
    head = '<meta property="article:published_time" content="2024-03-11T00:30:00Z">'
    article = extract_article([page(head=head, header="<div>Senin, 11 Maret 2024 WIT</div>")], URL)
    assert article.to_dict()["published_at"] == "2024-03-11T09:30:00+09:00"
    assert article.field_sources["published_at"] == "meta"
    # Without a zone on the page, an Indonesian portal's UTC metadata is shown in WIB.
    plain = extract_article([page(head=head)], URL)
    assert plain.to_dict()["published_at"] == "2024-03-11T07:30:00+07:00"


def test_the_headline_is_the_heading_that_agrees_with_the_metadata_title() -> None:
    head = '<meta property="og:title" content="Warga gelar festival danau tahunan - Contoh Portal">'
    logo = "<h1>Megapolitan</h1>"
    html = page(head=head).replace("<nav>", f"<div>{logo}</div><nav>")
    article = extract_article([html], URL)
    assert article.title == "Warga gelar festival danau tahunan"
    assert article.field_sources["title"] == "h1"


def test_the_metadata_title_loses_the_site_suffix_when_the_page_has_no_heading() -> None:
    head = '<meta property="og:title" content="Warga gelar festival :: Contoh-portal News">'
    html = page(head=head).replace("<h1>Warga gelar festival danau tahunan</h1>", "")
    assert extract_article([html], URL).title == "Warga gelar festival"


def test_the_listing_time_fills_a_page_that_gave_only_its_day_or_nothing() -> None:
    article = extract_article([page(header="<div>Senin, 11 Maret 2024</div>")], URL)
    listed = datetime(2024, 3, 11, 2, 15, tzinfo=UTC)
    filled = _with_listing_time(article, listed)
    assert (filled.published_at, filled.published_date_only) == (listed, False)
    assert filled.field_sources["published_at"] == "listing"
    # A listing time for another day says nothing about this page.
    assert _with_listing_time(article, listed + timedelta(days=3)) is article


def test_the_section_is_the_deepest_breadcrumb_only_when_it_names_a_kanal() -> None:
    def crumbs(*names: str) -> str:
        links = "".join(f"<a href='/{name.lower().replace(' ', '-')}'>{name}</a> / " for name in names)
        return f"<div class='breadcrumb'>{links}</div>"

    assert extract_article([page(before_title=crumbs("Home", "Daerah"))], URL).section == "Daerah"
    # The page's own kind ("Detail Berita") is not a kanal; the kanal above it is not guessed either.
    assert extract_article([page(before_title=crumbs("Home", "Daerah", "Detail Berita"))], URL).section == ""
    # Eight links under a "breadcrumb" class are a menu.
    menu = crumbs("News", "Politik", "Hukum", "Ekonomi", "Daerah", "Olahraga", "Dunia", "Video")
    assert extract_article([page(before_title=menu)], URL).section == ""


def test_a_name_beside_the_time_under_the_headline_is_the_byline_but_a_place_is_not() -> None:
    named = extract_article([page(header="<div>Laban Laisila : 11 Mar 2024 | 13:06</div>")], URL)
    assert (named.authors, named.to_dict()["published_at"]) == (
        ("Laban Laisila",),
        "2024-03-11T13:06:00+07:00",
    )
    place = extract_article([page(header="<div>Jakarta - 11 Maret 2024 13:06 WIB</div>")], URL)
    assert place.authors == () and place.published_at is not None


def test_a_date_in_a_teaser_card_is_not_the_storys_date() -> None:
    card = (
        "<div class='x1'><h3><a href='/berita/2024/03/11/kabar-lain-dari-danau'>Kabar lain</a></h3>"
        "<div>Senin, 11 Maret 2024 | 08:00 WIB</div></div>"
    )
    article = extract_article([page(header=card)], URL)
    assert article.published_at is None


def test_a_masthead_heading_linking_home_is_not_the_headline_even_when_it_repeats_the_title() -> None:
    title = "Warga gelar festival danau tahunan"
    masthead = f"<h1><a href='https://www.contoh-portal.co.id/'>{title} :: Contoh News</a></h1>"
    menu = "".join(f"<div><a href='/kanal-{n}'>Kanal {n}</a></div>" for n in range(30))
    html = page(
        head=f"<title>{title} :: Contoh News</title>",
        before_title="<div>Senin, 11 Maret 2024 | 09:30 WIB</div>",
    )
    html = html.replace("<body>", f"<body>{masthead}{menu}")
    assert extract_article([html], URL).to_dict()["published_at"] == "2024-03-11T09:30:00+07:00"


def test_a_story_header_that_also_holds_related_links_is_not_a_teaser_card() -> None:
    related = "".join(
        f"<h4><a href='/berita/2024/03/0{n}/kabar-lain-{n}'>Kabar lain {n}</a></h4>" for n in range(1, 6)
    )
    html = (
        "<html><head><title>Warga gelar festival danau tahunan</title></head><body><div class='hdr'>"
        "<div class='meta'><p><time>Senin, 11 Maret 2024 - 09:30 wib</time></p></div>"
        "<div class='judul'><h1>Warga gelar festival danau tahunan</h1></div>"
        f"<div>{BODY}<aside>{related}</aside></div>"
        "</div></body></html>"
    )
    assert extract_article([html], URL).to_dict()["published_at"] == "2024-03-11T09:30:00+07:00"


def test_a_byline_is_found_when_the_body_is_one_block_of_lines_split_by_br() -> None:
    lines = [
        f"Paragraf {n} berita tentang festival danau yang digelar warga setiap tahun." for n in range(1, 5)
    ]
    body = "<br><br>".join(["Baca juga: Festival lain di tepi danau", *lines])  # a first line not in the body
    html = page(header="<div>Oleh : <b>Theo Kelen</b></div>").replace(BODY, body)
    assert extract_article([html], URL).authors == ("Theo Kelen",)
