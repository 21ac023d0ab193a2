"""Article extraction against the per-family fixture pages, plus decoding, fallback and recipe behaviour."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from crawler.domain.article import Article
from crawler.domain.encoding import decode_html
from crawler.domain.errors import ConfigError, ExtractionError
from crawler.extract import PortalRecipe, extract_article, extract_headline, parse_html, selector_misses
from crawler.portals import registry

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
SEEDS = Path(__file__).resolve().parent.parent / "config" / "seeds"
EXPECTED_FILES = sorted(ARTICLES.glob("*/*.expected.json"))
MARKET_URL = (
    "https://market.bisnis.com/read/20251115/7/1929031/bei-berencana-naikkan-free-float-saham-menjadi-10"
)
KIM_URL = (
    "https://kabar24.bisnis.com/read/20230913/19/1694663/"
    "kim-jong-un-sebut-rusia-bakal-menang-dalam-perang-di-ukraina"
)


def _fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.expected.json')}"


def _load(expected_path: Path) -> tuple[dict[str, Any], list[bytes]]:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    names = expected.get("pages") or [expected_path.name.replace(".expected.json", ".html")]
    return expected, [(expected_path.parent / name).read_bytes() for name in names]


def _article_fields(expected: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in expected.items() if key not in {"pages", "paywalled", "warnings"}}


def _as_expected(article: Article, expected: dict[str, Any]) -> dict[str, Any]:
    """The article's fields (`field_sources` is a diagnosis, not a value): the fixture states them all."""
    return {key: value for key, value in article.to_dict().items() if key != "field_sources"}


@pytest.mark.parametrize("expected_path", EXPECTED_FILES, ids=_fixture_id)
def test_fixture_page_extracts_to_its_expected_json(expected_path: Path) -> None:
    expected, pages = _load(expected_path)

    article = extract_article(pages, expected["url"])

    assert _as_expected(article, expected) == _article_fields(expected)
    assert article.paywalled is expected.get("paywalled", False)
    assert list(article.warnings) == expected.get("warnings", [])


@pytest.mark.parametrize("expected_path", EXPECTED_FILES, ids=_fixture_id)
def test_already_parsed_trees_give_the_same_article_and_stay_unchanged(expected_path: Path) -> None:
    expected, pages = _load(expected_path)
    trees = [parse_html(page, expected["url"]) for page in pages]
    before = [lxml.html.tostring(tree) for tree in trees]

    article = extract_article(pages, expected["url"], trees=trees)

    assert _as_expected(article, expected) == _article_fields(expected)
    assert [lxml.html.tostring(tree) for tree in trees] == before


@pytest.mark.parametrize("expected_path", EXPECTED_FILES, ids=_fixture_id)
def test_headline_of_a_page_has_the_full_extractions_title_time_and_paywall(expected_path: Path) -> None:
    expected, pages = _load(expected_path)

    headline = extract_headline(pages[0], expected["url"])

    published = headline.published_at.isoformat() if headline.published_at else None
    assert (headline.title, published, headline.body) == (expected["title"], expected["published_at"], "")
    assert headline.paywalled is expected.get("paywalled", False)


@pytest.mark.parametrize("family", registry.names())
def test_every_configured_family_has_a_recipe_and_fixture_articles(family: str) -> None:
    assert registry.family(family).recipe.family == family
    assert [path for path in EXPECTED_FILES if path.parent.name == family]


def test_fixture_folders_are_all_configured_families() -> None:
    assert sorted({path.parent.name for path in EXPECTED_FILES}) == sorted(registry.names())


def test_second_page_is_joined_into_one_body_like_the_page_all_form() -> None:
    pages = [
        (ARTICLES / "bisnis" / name).read_bytes() for name in ("kim-jong-un-p1.html", "kim-jong-un-p2.html")
    ]
    whole = (ARTICLES / "bisnis" / "kim-jong-un-all.html").read_bytes()

    joined = extract_article(pages, KIM_URL)
    single = extract_article([whole], KIM_URL + "?page=all")

    assert joined.body == single.body
    assert len(joined.body.split("\n\n")) == 12
    assert joined.body.count(joined.title) == 0
    assert joined.body.count(joined.lead) == 0


def _seed_story(seed: str, first: str, last: str) -> list[str]:
    """The non-blank lines of a seed capture from the one starting `first` to the one starting `last`."""
    lines = [line.strip() for line in seed.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next(i for i, line in enumerate(lines) if line.startswith(last))
    return lines[start : end + 1]


def test_rmol_seed_fixture_body_is_the_seed_capture_without_its_furniture() -> None:
    seed = (SEEDS / "000_d8c0db3640f267ed.txt").read_text(encoding="utf-8")
    expected, pages = _load(ARTICLES / "rmol" / "seed-dunia-2022.expected.json")

    paragraphs = extract_article(pages, expected["url"]).body.split("\n\n")

    story = _seed_story(seed, first="rmol news logo ", last="Selain Korea Utara")
    assert paragraphs == [
        line.removeprefix("rmol news logo ").removesuffix(" rmol news logo article") for line in story
    ]


def test_bisnis_seed_page_two_paragraphs_are_the_seed_capture() -> None:
    seed = (SEEDS / "004_64116d368e759003.txt").read_text(encoding="utf-8")
    page = (ARTICLES / "bisnis" / "kim-jong-un-p2.html").read_bytes()

    paragraphs = extract_article([page], KIM_URL + "/2").body.split("\n\n")

    assert paragraphs == _seed_story(seed, first="Mengutip juru bicara", last="Sebelumnya pada bulan")


def test_author_line_printed_twice_and_leaked_as_markup_yields_one_title_cased_author() -> None:
    expected, pages = _load(ARTICLES / "rmol" / "seed-dunia-2022.expected.json")

    assert extract_article(pages, expected["url"]).authors == ("Sarah Meiliana Gunawan",)


def test_premium_stub_is_paywalled_and_its_body_is_the_teaser_only() -> None:
    expected, pages = _load(ARTICLES / "bisnis" / "premium-batu-bara.expected.json")

    article = extract_article(pages, expected["url"])

    assert article.paywalled is True
    assert "login" not in article.body.lower()
    assert len(article.body.split("\n\n")) == 2


def test_free_page_with_a_premium_promo_box_is_not_paywalled() -> None:
    page = (ARTICLES / "bisnis" / "market-free-float.html").read_bytes()

    assert extract_article([page], MARKET_URL).paywalled is False


def test_layout_change_falls_back_to_trafilatura_and_says_so() -> None:
    expected, _ = _load(ARTICLES / "bisnis" / "market-free-float.expected.json")
    redesigned = (ARTICLES / "bisnis" / "market-free-float.html").read_text(encoding="utf-8")
    redesigned = redesigned.replace("detailsContent", "articleBody")

    article = extract_article([redesigned], MARKET_URL)

    assert article.warnings == ("body selectors found nothing on page 1; used trafilatura",)
    assert article.body == expected["body"]


def test_page_without_any_date_carries_a_warning() -> None:
    page = "<html><head><title>Tanpa tanggal</title></head><body><p>Isi berita.</p></body></html>"

    article = extract_article([page], "https://example.org/berita/tanpa-tanggal")

    assert article.published_at is None
    assert article.warnings == ("no date found",)


def test_unknown_site_is_read_with_structured_metadata_and_trafilatura() -> None:
    page = """<html lang="id"><head><title>Judul | Contoh</title>
    <meta property="og:title" content="Banjir Rob Genangi Pesisir Semarang">
    <meta property="article:published_time" content="2025-12-02T08:30:00+07:00">
    <meta name="author" content="Dewi Lestari"></head>
    <body><nav><a href="/">Beranda</a></nav><article><h1>Banjir Rob Genangi Pesisir Semarang</h1>
    <p>Banjir rob kembali menggenangi kawasan pesisir utara Semarang sejak Selasa pagi, merendam rumah.</p>
    <p>Warga berharap pemerintah kota segera menuntaskan pembangunan tanggul laut yang direncanakan.</p>
    </article><footer>Hak cipta 2025</footer></body></html>"""

    article = extract_article([page], "https://contoh.example/berita/banjir-rob")

    assert (article.title, article.authors, article.published_at and article.published_at.isoformat()) == (
        "Banjir Rob Genangi Pesisir Semarang",
        ("Dewi Lestari",),
        "2025-12-02T08:30:00+07:00",
    )
    assert article.body == (
        "Banjir rob kembali menggenangi kawasan pesisir utara Semarang sejak Selasa pagi, merendam rumah."
        "\n\nWarga berharap pemerintah kota segera menuntaskan pembangunan tanggul laut yang direncanakan."
    )
    assert article.warnings == ()


def test_malformed_json_ld_is_skipped_for_the_next_block() -> None:
    page = """<html><head>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Rusak",</script>
    <script type="application/ld+json">{"@type": {"nested": true}, "headline": "Aneh"}</script>
    <script type="application/ld+json">{"@graph": [{"@type": "WebPage"},
      {"@type": ["NewsArticle"], "headline": "Judul dari JSON-LD",
       "datePublished": "2025-03-01T09:00:00+08:00",
       "author": [{"@type": "Organization", "name": "Redaksi"}, {"@type": "Person", "name": "Ani Suryani"}]}]}
    </script></head><body><article><p>Isi berita.</p></article></body></html>"""

    article = extract_article([page], "https://example.org/b")

    assert (article.title, article.authors, article.published_at and article.published_at.isoformat()) == (
        "Judul dari JSON-LD",
        ("Ani Suryani",),
        "2025-03-01T09:00:00+08:00",
    )


def _charset_page(declared: str, body: str) -> str:
    return (
        f'<html><head><meta charset="{declared}"><title>Uji</title>'
        '<meta property="article:published_time" content="2025-01-02T03:04:05+07:00"></head>'
        f"<body><article><p>{body}</p></article></body></html>"
    )


@pytest.mark.parametrize("declared", ["utf-8", "no-such-charset", "iso-8859-1", "windows-1252"])
def test_cp1252_bytes_decode_whatever_the_meta_charset_says(declared: str) -> None:
    page = _charset_page(declared, "Kim Jong Un’s “kunjungan” ke Rusia — café").encode("cp1252")

    assert (
        extract_article([page], "https://example.org/a").body == "Kim Jong Un’s “kunjungan” ke Rusia — café"
    )


def test_utf8_bytes_under_a_stale_latin1_declaration_decode_as_utf8() -> None:
    page = _charset_page("iso-8859-1", "Jum’at — Rp1,5 triliun").encode("utf-8")

    assert extract_article([page], "https://example.org/a").body == "Jum’at — Rp1,5 triliun"


def test_byte_order_mark_wins_over_the_declaration() -> None:
    page = _charset_page("iso-8859-1", "Jum’at").encode("utf-16")

    assert extract_article([page], "https://example.org/a").body == "Jum’at"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
            "https://example.org/a is binary content, not an HTML page",
        ),
        (b"", "https://example.org/a is an empty page, not an HTML page"),
        ("   \n ", "https://example.org/a is an empty page, not an HTML page"),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>",
            "https://example.org/a is not an HTML page",
        ),
    ],
    ids=["png", "empty-bytes", "blank-text", "pdf"],
)
def test_non_html_page_raises_extraction_error(page: str | bytes, message: str) -> None:
    with pytest.raises(ExtractionError) as raised:
        extract_article([page], "https://example.org/a")
    assert str(raised.value) == message


def test_no_pages_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"^no page was given for https://example.org/a$"):
        extract_article([], "https://example.org/a")


@pytest.mark.parametrize(
    ("url", "family"),
    [
        ("https://dunia.rmol.id/read/2022/09/06/546353/x", "rmol"),
        ("https://www.rmol.id/amp/2025/11/19/687311/x", "rmol"),
        ("https://rmol.id/politik/read/2025/11/19/687311/x", "rmol"),
        ("https://www.rmollampung.id/garis-kemiskinan", "rmol_regional"),
        ("https://rmolpapua.id/banjir-jayapura", "rmol_regional"),
        ("https://premium.bisnis.com/read/20251114/648/1928795/x", "bisnis"),
        ("https://kabar24.bisnis.com/read/20230913/19/1694663/x", "bisnis"),
        ("https://mediaindonesia.com/ekonomi/851796/x", None),
        ("https://notrmol.id/x", None),
    ],
)
def test_recipe_is_chosen_by_host_suffix(url: str, family: str | None) -> None:
    found = registry.family_for_url(url)
    assert (found.recipe.family if found else None) == family


def test_config_boilerplate_lines_are_dropped_from_the_body() -> None:
    page = (ARTICLES / "bisnis" / "market-free-float.html").read_bytes()
    recipe = registry.family("bisnis").recipe.with_extra_boilerplate(
        ["Sebagai informasi, ketentuan free float", "  "]
    )

    paragraphs = extract_article([page], MARKET_URL, recipe).body.split("\n\n")

    assert len(paragraphs) == 8
    assert not [p for p in paragraphs if p.startswith("Sebagai informasi")]


def test_koran_byline_gives_the_author_without_its_time_and_the_time_as_the_date() -> None:
    expected, pages = _load(ARTICLES / "bisnis" / "koran-nikel-premium-2023.expected.json")

    article = extract_article(pages, expected["url"])

    published = article.published_at and article.published_at.isoformat()
    assert (article.authors, published) == (("Nindya Aldila",), "2023-10-02T06:00:00+07:00")


def test_archived_page_in_the_older_bisnis_layout_is_read_with_its_dated_variant() -> None:
    expected, pages = _load(ARTICLES / "bisnis" / "ekonomi-layout-lama-2021.expected.json")
    current_only = replace(registry.family("bisnis").recipe, older_layouts=())

    article = extract_article(pages, expected["url"])
    fallback = extract_article(pages, expected["url"], current_only)

    assert (article.warnings, article.body) == ((), expected["body"])
    # Without the dated layout every selector misses, and says so; the page's own headline and date
    # line still give title and time.
    assert set(fallback.warnings) == {
        "body selectors found nothing on page 1; used trafilatura",
        "title selectors found nothing",
        "author selectors found nothing",
        "date selectors found nothing",
    }
    assert (fallback.title, fallback.published_at) == (article.title, article.published_at)
    assert fallback.field_sources["published_at"] == "page"


def test_config_boilerplate_lines_also_apply_to_a_page_in_an_older_layout() -> None:
    expected, pages = _load(ARTICLES / "bisnis" / "ekonomi-layout-lama-2021.expected.json")
    recipe = registry.family("bisnis").recipe.with_extra_boilerplate(["Dari sisi impor"])

    paragraphs = extract_article(pages, expected["url"], recipe).body.split("\n\n")

    assert paragraphs == expected["body"].split("\n\n")[:-1]


def test_byline_naming_only_the_desk_gives_no_author_rather_than_a_guess() -> None:
    expected, pages = _load(ARTICLES / "rmol_regional" / "jabar-irigasi-sumber-rmol.expected.json")

    assert extract_article(pages, expected["url"]).authors == ()


@pytest.mark.parametrize(
    ("fixture", "furniture"),
    [
        ("bisnis/market-ihsg-bank-2026", "Disclaimer berita ini"),  # a Disclaimer line without a colon
        ("bisnis/market-ihsg-bank-2026", "Suselo Jati"),  # figcaption.detailsImgCaption outside a figure
        ("rmol_regional/jabar-irigasi-sumber-rmol", "sumber: rmol.id"),
        ("rmol_regional/banten-jalan-rusak-2018", "RMOLBanten."),  # the brand dateline
        ("rmol_regional/banten-jalan-rusak-2018", "RMOLBANTEN.COM"),  # the .com title suffix
    ],
)
def test_portal_furniture_stays_out_of_title_and_body(fixture: str, furniture: str) -> None:
    expected, pages = _load(ARTICLES / f"{fixture}.expected.json")

    article = extract_article(pages, expected["url"])

    assert furniture not in f"{article.title}\n{article.body}"


def test_recipe_with_a_bad_selector_is_refused_when_made() -> None:
    with pytest.raises(ConfigError, match=r"^recipe 'x': bad CSS selector 'div\[': "):
        PortalRecipe(family="x", hosts=("x.id",), body_selectors=("div[",))


def test_the_servers_declared_charset_wins_over_a_stale_meta_tag() -> None:
    page = '<html><head><meta charset="koi8-r"></head><body><p>Harga naik — kata Menteri</p></body></html>'
    assert "— kata Menteri" in decode_html(page.encode("cp1252"), declared="windows-1252")
    assert "— kata Menteri" not in decode_html(page.encode("cp1252"))


def test_selector_misses_name_each_field_the_recipe_missed_once_however_many_pages() -> None:
    redesigned = """<html lang="id"><head><title>Banjir Rendam Jayapura</title>
<meta property="og:title" content="Banjir Rendam Jayapura">
<meta property="article:published_time" content="2025-11-10T10:05:00+09:00"></head>
<body><main><section class="konten-v2"><p>Banjir merendam tiga distrik di Jayapura sejak Senin
malam, dan ratusan warga mengungsi ke gedung gereja terdekat.</p><p>Paragraf ke-{n} merinci bantuan
yang disalurkan pemerintah provinsi kepada warga.</p></section></main></body></html>"""
    url = "https://www.rmolpapua.id/banjir-rendam-jayapura"
    article = extract_article([redesigned.format(n=1), redesigned.format(n=2)], url)

    assert article.title == "Banjir Rendam Jayapura" and "Paragraf ke-2" in article.body  # fallbacks read it
    assert sum(warning.startswith("body selectors found nothing") for warning in article.warnings) == 2
    assert {"title", "date", "body"} <= selector_misses(article)
    assert selector_misses(extract_article([(ARTICLES / "rmol_regional" / "papua-bantuan-banjir-wit.html")
                                            .read_text(encoding="utf-8")], url)) == frozenset()  # fmt: skip
