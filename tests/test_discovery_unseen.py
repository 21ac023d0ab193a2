"""Discovery on sites laid out otherwise than the fixtures the selectors came from, crawled over real
loopback HTTP: a regional site whose stories sit only on its home page and a section its menu links,
a search page in an unfamiliar markup, a site of no family read from its feed, sitemap and listing,
and a search for keywords no watch names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crawler.config import load_config
from crawler.domain.errors import ConfigError
from crawler.store.db import Database
from crawler.store.models import CrawlRun, Source
from tests.conftest import DEFAULT_CONFIG, FIXTURES
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route

CONFIG = """\
storage:
  url: sqlite:///unused.db
seeds:
  path: {seeds}
crawl:
  retry_times: 0
  autothrottle: false
  download_delay_seconds: 0
archive: all
sources:
{sources}
watches: {watches}
"""
WATCHES = """
  - name: banjir
    query: banjir
"""


def story_page(title: str, paragraphs: list[str], site: str = "RMOLJATIM.ID") -> bytes:
    """A story page of the regional CMS with its own text (so no two are near-duplicates)."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{title} - {site}</title>
<meta property="article:published_time" content="2025-11-17T09:30:00+07:00"></head><body>
<div class="post-content"><h1 class="title">{title}</h1>
<span class="text-body-tertiary d-inline-block me-3">Senin, 17 November 2025 | 09:30 WIB</span></div>
<div class="post-text read-content">{body}</div></body></html>""".encode()


TEXTS = {
    "Banjir Bojonegoro": [
        "Banjir merendam tiga desa di Kecamatan Kanor, Bojonegoro, setelah Bengawan Solo meluap.",
        "Ratusan warga mengungsi ke balai desa dan masjid; dapur umum didirikan oleh relawan setempat.",
    ],
    "Jalan Rusak Gresik": [
        "Warga Kecamatan Menganti mengeluhkan jalan berlubang yang tak kunjung diperbaiki sejak 2021.",
        "Dinas PUPR Gresik berjanji memasukkan ruas itu ke anggaran perubahan tahun depan.",
    ],
    "Perda Banjir": [
        "DPRD Jawa Timur mengesahkan peraturan daerah tentang penanggulangan banjir dalam rapat paripurna.",
        "Perda itu mewajibkan kabupaten menyusun peta rawan genangan dan membangun embung di hulu sungai.",
    ],
    "Jadwal Pilkada": [
        "KPU Jawa Timur menetapkan tahapan pemungutan suara ulang di dua kabupaten pada bulan Februari.",
        "Komisioner meminta partai politik menyerahkan berkas pencalonan paling lambat sepekan sebelumnya.",
    ],
    "Guru Honorer": [
        "Komisi E DPRD Jatim meminta pemprov menaikkan insentif guru honorer sekolah menengah atas.",
        "Ketua komisi menyebut ribuan guru masih menerima honor di bawah upah minimum kabupaten.",
    ],
    "Arus Peti Kemas Naik": [
        "Pelindo Regional 4 mencatat arus peti kemas di Makassar naik 12 persen sepanjang tahun ini.",
        "Kenaikan terbesar datang dari pengiriman hasil perikanan ke Surabaya dan Jakarta.",
    ],
    "Banjir Rob Genangi Pesisir": [
        "Banjir rob menggenangi permukiman pesisir Kecamatan Tallo, Makassar, sejak Rabu pagi.",
        "BPBD menyiagakan perahu karet dan meminta warga waspada pasang tertinggi pada malam hari.",
    ],
    "Posko Natal": [
        "Bandara Sultan Hasanuddin menyiapkan posko angkutan Natal dan Tahun Baru mulai pekan depan.",
        "Pengelola memperkirakan jumlah penumpang naik sembilan persen dibanding tahun lalu.",
    ],
}


def sentences(topic: str) -> list[str]:
    """A story's own text: no two of these are near-duplicates."""
    return TEXTS[topic]


def write_config(tmp_path: Path, sources: str, watches: str = WATCHES) -> Path:
    config = tmp_path / "pantau.yaml"
    config.write_text(CONFIG.format(seeds=tmp_path / "no-seeds", sources=sources, watches=watches))
    return config


def crawl(config: Path, database: Database, source: str, portal: PortalServer, *args: str) -> None:
    result = run_pantau(
        "crawl", source, *args, config=config, database_url=str(database.engine.url), proxy=portal.proxy_url
    )
    assert result.returncode == 0, result.stdout + result.stderr


def stored(database: Database) -> list[str]:
    """The stored stories' URLs, in URL order, as `pantau items export` writes them."""
    result = run_pantau(
        "items", "export", "--format", "jsonl", config=DEFAULT_CONFIG, database_url=str(database.engine.url),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(line)["url"] for line in result.stdout.splitlines())


def run_and_health(database: Database) -> tuple[tuple[Any, ...], tuple[str, str | None]]:
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        source = session.scalars(select(Source)).one()
        counts = (run.pages_fetched, run.items_new, run.items_duplicate, run.items_unmatched,
                  run.items_failed, run.items_matched)  # fmt: skip
        return counts, (source.health, source.health_reason)


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    with PortalServer() as server:
        yield server


JATIM = "http://www.rmoljatim.id"
HOME_STORY = f"{JATIM}/banjir-rendam-tiga-desa-di-bojonegoro"
SLIDER_STORY = f"{JATIM}/warga-gresik-keluhkan-jalan-rusak-menahun"
POLITIK_STORIES = (
    f"{JATIM}/dprd-jatim-sahkan-perda-penanggulangan-banjir",
    f"{JATIM}/kpu-jatim-tetapkan-jadwal-pilkada",
)
REGIONAL_HOME = f"""<html><body>
<header class="header-area"><div class="header-menubar"><ul>
 <li><a href="/">HOME</a></li><li><a href="/category/daerah">DAERAH</a></li>
 <li><a href="/category/politik">POLITIK</a></li></ul></div></header>
<section class="post-area">
 <div class="post_gallery_slider">
  <h5 class="title"><a href="{SLIDER_STORY}">Warga Gresik Keluhkan Jalan</a></h5></div>
 <div class="bussiness-items"><div class="bussiness-post-item"><div class="bussiness-post-content">
  <h3 class="title"><a href="{HOME_STORY}">Banjir Rendam Tiga Desa</a></h3>
  <div class="meta-date-link"><a href="/category/pemerintahan">PEMERINTAHAN</a></div>
  <span><a href="#"><i class="far fa-clock"></i> Senin, 17 November 2025</a></span></div></div></div>
</section>
<footer><a href="/pedoman-pemberitaan-media-siber">Pedoman Pemberitaan Media Siber</a></footer>
</body></html>""".encode()
# A section in a markup the family's card selector misses: `article > div.content > h2 > a`.
POLITIK_CARDS = "".join(
    f'<article class="post"><div class="content"><h2><a href="{url}">Berita</a></h2></div></article>'
    for url in POLITIK_STORIES
)
POLITIK = f"""<html><body><header><ul><li><a href="/category/politik">POLITIK</a></li></ul></header>
<div class="list">{POLITIK_CARDS}</div></body></html>""".encode()
EMPTY_DAERAH = b"<html><body><h1>DAERAH</h1><p>Belum ada berita.</p></body></html>"


def test_a_regional_sites_stories_only_on_its_home_page_and_a_menu_linked_section_are_all_found(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    portal.route(f"{JATIM}/", Route(REGIONAL_HOME))
    portal.route(f"{JATIM}/category/daerah", Route(EMPTY_DAERAH))
    portal.route(f"{JATIM}/category/politik", Route(POLITIK))
    topics = ("Banjir Bojonegoro", "Jalan Rusak Gresik", "Perda Banjir", "Jadwal Pilkada")
    for url, topic in zip((HOME_STORY, SLIDER_STORY, *POLITIK_STORIES), topics, strict=True):
        portal.route(url, Route(story_page(topic, sentences(topic))))
    sources = (
        "  jatim:\n    family: rmol_regional\n    sites: [rmoljatim.id]\n    search_enabled: false\n"
        '    listings: ["http://www.{site}/", "http://www.{site}/category/daerah"]\n'
    )

    crawl(write_config(tmp_path, sources), sqlite_database, "jatim", portal)

    assert stored(sqlite_database) == sorted((HOME_STORY, SLIDER_STORY, *POLITIK_STORIES))
    fetched = {url for _, url in portal.requests if "/category/" in url or url.endswith("siber")}
    # The menu's sections, not a card's category link nor the footer's page about the site.
    assert fetched == {f"{JATIM}/category/daerah", f"{JATIM}/category/politik"}
    counts, health = run_and_health(sqlite_database)
    # robots.txt, home, daerah, politik, 4 stories; two match "banjir", two match nothing.
    assert counts == (8, 2, 0, 2, 0, 2)
    # The section in unfamiliar markup and the empty daerah page: the drift is still reported.
    assert health == ("degraded", "the listing card selector found nothing on 2 pages")


def test_a_search_page_in_an_unfamiliar_markup_yields_its_stories_and_reports_the_drift(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    replay = FIXTURES / "replay" / "rmol_regional"
    results = (
        (replay / "sumut-cari-banjir-tata-letak-baru.html").read_bytes().replace(b"https://", b"http://")
    )
    portal.route("http://www.rmolsumut.id/cari?q=banjir", Route(results))
    story = (replay / "sumut-siantar-terendam.html").read_bytes()
    portal.route("http://www.rmolsumut.id/siantar-terendam", Route(story))
    sources = (
        "  sumut:\n    family: rmol_regional\n    sites: [rmolsumut.id]\n    listings: []\n"
        '    search: "http://www.{site}/cari?q={query}"\n'
    )

    crawl(write_config(tmp_path, sources), sqlite_database, "sumut", portal)

    assert stored(sqlite_database) == ["http://www.rmolsumut.id/siantar-terendam"]
    counts, health = run_and_health(sqlite_database)
    assert counts == (3, 1, 0, 0, 0, 1)  # robots.txt, the search page, the story
    assert health == ("degraded", "the listing card selector found nothing on any of its 1 search pages")


TERKINI = "http://makassar.terkini.id"
GENERIC_STORIES = [
    f"{TERKINI}/2022/12/14/pelindo-regional-4-catat-arus-peti-kemas-naik-12-persen/",
    f"{TERKINI}/2022/12/14/banjir-rob-genangi-pesisir-makassar/",
    f"{TERKINI}/2022/12/13/bandara-hasanuddin-siapkan-posko-natal/",
]
COPY = f"{TERKINI}/2022/12/14/banjir-rob-genangi-pesisir-makassar-2/"  # the same story under a second URL


def generic_story(title: str) -> bytes:
    paragraphs = "".join(f"<p>{text}</p>" for text in sentences(title))
    return f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{title} - Terkini.id</title>
<meta property="article:published_time" content="2022-12-14T10:00:00+08:00"></head><body>
<div class="jeg_header"><a href="{TERKINI}/">Terkini.id</a></div>
<article><h1>{title}</h1><div class="content-inner">{paragraphs}</div></article></body></html>""".encode()


def test_a_site_of_no_family_is_crawled_from_its_feed_sitemap_and_listing_matched_and_deduplicated(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    atom = "".join(f'<entry><title>t</title><link rel="replies" href="{url}#comments"/>'
                   f'<link rel="alternate" href="{url}"/><id>{TERKINI}/?p={n}</id></entry>'
                   for n, url in enumerate(GENERIC_STORIES[:2]))  # fmt: skip
    portal.route(f"{TERKINI}/feed/atom/", Route(f'<feed xmlns="http://www.w3.org/2005/Atom">{atom}</feed>'.encode(),
                                                content_type="application/atom+xml"))  # fmt: skip
    urls = "".join(f"<url><loc>{url}</loc></url>" for url in GENERIC_STORIES[1:])
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    portal.route(f"{TERKINI}/news-sitemap.xml", Route(sitemap.encode(), content_type="application/xml"))
    listing = f"""<html><body><div class="jeg_header"><a href="{TERKINI}/category/news/">News</a></div>
<div class="jeg_main">{"".join(f'<div><a href="{url}">Berita</a></div>' for url in [*GENERIC_STORIES, COPY])}
<a href="{TERKINI}/author/antara/">Antara</a> <a href="{TERKINI}/tag/banjir/">banjir</a></div>
<nav><a href="{TERKINI}/2022/12/14/menu-link-to-a-story-in-the-menu/">menu</a></nav>
</body></html>"""  # fmt: skip
    portal.route(f"{TERKINI}/category/news/", Route(listing.encode()))
    titles = ("Arus Peti Kemas Naik", "Banjir Rob Genangi Pesisir", "Posko Natal")
    for url, title in zip(GENERIC_STORIES, titles, strict=True):
        portal.route(url, Route(generic_story(title)))
    portal.route(COPY, Route(generic_story("Banjir Rob Genangi Pesisir")))
    sources = (
        "  terkini:\n    family: generic\n    sites: [terkini.id]\n"
        '    feeds: ["http://makassar.{site}/feed/atom/"]\n'
        '    sitemaps: ["http://makassar.{site}/news-sitemap.xml"]\n'
        '    listings: ["http://makassar.{site}/category/news/"]\n'
    )
    config = write_config(tmp_path, sources)

    crawl(config, sqlite_database, "terkini", portal)
    crawl(config, sqlite_database, "terkini", portal)

    assert stored(sqlite_database) == sorted([*GENERIC_STORIES, COPY])
    story_requests = [url for _, url in portal.requests if url in (*GENERIC_STORIES, COPY)]
    assert sorted(story_requests) == sorted([*GENERIC_STORIES, COPY])  # each once, over both runs
    # No archive, author, tag or menu link was taken for a story.
    assert not any("/author/" in url or "/tag/" in url or "menu-link" in url for _, url in portal.requests)
    with sqlite_database.session() as session:
        first = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).first()
        assert first is not None
        counts = (first.items_new, first.items_duplicate, first.items_unmatched, first.items_matched)
    # The banjir story is new and matched; its copy a duplicate (matched too); the others unmatched.
    assert counts == (1, 1, 2, 2)


def test_a_generic_source_without_a_feed_sitemap_listing_or_search_is_one_clear_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, "  terkini:\n    family: generic\n    sites: [terkini.id]\n")

    with pytest.raises(ConfigError) as raised:
        load_config(config)

    assert str(raised.value) == (
        f"{config}: sources.terkini: a generic source names its feeds, sitemaps, listings or search"
    )


def test_keywords_given_on_the_command_line_are_searched_without_any_watch(
    portal: PortalServer, sqlite_database: Database, tmp_path: Path
) -> None:
    story = f"{JATIM}/dprd-jatim-minta-pemprov-perhatikan-guru-honorer"
    results = f"""<html><body><form action="/cari"><input name="q" value="dprd jatim"></form>
<div class="bussiness-post-item"><h3><a href="{story}">DPRD Jatim</a></h3></div></body></html>"""
    portal.route(f"{JATIM}/cari?q=dprd+jatim", Route(results.encode()))
    portal.route(
        story, Route(story_page("DPRD Jatim Minta Pemprov Perhatikan Guru", sentences("Guru Honorer")))
    )
    sources = (
        "  jatim:\n    family: rmol_regional\n    sites: [rmoljatim.id]\n    listings: []\n"
        '    search: "http://www.{site}/cari?q={query}"\n'
    )

    crawl(
        write_config(tmp_path, sources, watches="[]"),
        sqlite_database,
        "jatim",
        portal,
        "--keywords",
        "dprd jatim",
    )

    assert ("GET", f"{JATIM}/cari?q=dprd+jatim") in portal.requests
    assert stored(sqlite_database) == [story]
