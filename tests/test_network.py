"""Fetching over real HTTP on loopback: each kind of bad answer has its own clear, recorded outcome."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.store.db import open_database
from crawler.store.models import CrawlRun, Source, StoredArticle
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route

SITE = "http://www.rmollampung.id"
CONFIG = """\
storage:
  url: sqlite:///unused.db
seeds:
  path: {seeds}
crawl:
  download_timeout_seconds: 1
  retry_times: 1
  retry_backoff_seconds: 0.1
  max_response_bytes: 200000
  autothrottle: false
  download_delay_seconds: 0
archive: all
sources:
  lampung:
    family: rmol_regional
    sites: [rmollampung.id]
    listings: ["http://www.{{site}}/category/daerah"]
    search_enabled: false
watches:
  - name: lampung
    query: Lampung
"""

TOPICS = {
    "berita-satu-jalan-rusak": "Jalan rusak di Lampung Timur dikeluhkan warga karena berlubang.",
    "berita-dua-lambat-sekali": "Halaman ini terlalu lambat dijawab server.",
    "berita-tiga-pindah-alamat": "Alamat lama ini dipindahkan ke alamat baru.",
    "berita-tiga-alamat-baru": "Pelabuhan Bakauheni Lampung menambah kapal untuk arus mudik tahun ini.",
    "berita-empat-hilang-entah": "Halaman ini sudah dihapus.",
    "berita-lima-server-sibuk": "Harga kopi robusta Lampung Barat naik tajam menjelang musim panen raya.",
    "berita-enam-sangat-besar": "Halaman ini terlalu besar.",
    "berita-tujuh-salah-charset": "Ekspor kopi Lampung naik — kata Kepala Dinas — menjadi Rp1.000 triliun.",
    "berita-delapan-gambar-saja": "",
    "berita-sembilan-dilarang-robot": "Robots.txt melarang halaman ini.",
    "berita-sepuluh-bom-gzip": "",
    "berita-sebelas-putar-putar": "",
    "berita-duabelas-putus-koneksi": "",
    "berita-tigabelas-terpotong": "Halaman ini terpotong di tengah jalan sebelum selesai dikirim.",
    "berita-empatbelas-halaman-kosong": "",
    "berita-limabelas-dilarang": "",
}


def article_page(slug: str, sentence: str) -> str:
    title = slug.replace("-", " ").title()
    paragraphs = "".join(
        f"<p>{sentence} Paragraf ke-{n} menjelaskan {title} lebih rinci.</p>" for n in range(1, 5)
    )
    return f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2025-07-24T10:15:00+07:00"></head>
<body><nav><a href="/">Beranda</a></nav><article><h1>{title}</h1>
<div class="read-content">{paragraphs}</div></article><footer>RMOL Lampung</footer></body></html>"""


def listing_page() -> str:
    links = "".join(f'<h3 class="title"><a href="{SITE}/{slug}">{slug}</a></h3>' for slug in TOPICS)
    return f"<html><body><div class='bussiness-items'>{links}</div></body></html>"


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    with PortalServer() as server:
        robots = b"User-agent: *\nDisallow: /berita-sembilan-dilarang-robot\n"
        server.route(f"{SITE}/robots.txt", Route(robots, content_type="text/plain"))
        server.route(f"{SITE}/category/daerah", Route(listing_page().encode()))
        for slug, sentence in TOPICS.items():
            server.route(f"{SITE}/{slug}", Route(article_page(slug, sentence).encode()))
        server.routes[f"{SITE}/berita-dua-lambat-sekali"].delay_seconds = 3
        # Busy once, then moved to a story the listing also links: the retry must not fetch it twice.
        moved = Route(statuses=[503, 301], headers={"Location": f"{SITE}/berita-tiga-alamat-baru"})
        server.route(f"{SITE}/berita-tiga-pindah-alamat", moved)
        server.routes[f"{SITE}/berita-empat-hilang-entah"].statuses = [404]
        server.routes[f"{SITE}/berita-lima-server-sibuk"].statuses = [500, 200]
        huge = article_page("berita-enam-sangat-besar", "Besar. " * 60_000)
        server.route(f"{SITE}/berita-enam-sangat-besar", Route(huge.encode()))
        server.routes[f"{SITE}/berita-tujuh-salah-charset"].content_type = "text/html; charset=iso-8859-1"
        server.route(f"{SITE}/berita-delapan-gambar-saja", Route(b"\x89PNG\r\n\x1a\n" + bytes(200),
                                                                content_type="image/png"))  # fmt: skip
        # 1 MB on the wire, 100 MB inflated: 500 times the download limit once decompressed.
        bomb = gzip.compress(b"<p>" + b"A" * 100_000_000, compresslevel=9)
        server.route(f"{SITE}/berita-sepuluh-bom-gzip", Route(bomb, headers={"Content-Encoding": "gzip"}))
        loop = Route(statuses=[302], headers={"Location": f"{SITE}/berita-sebelas-putar-putar"})
        server.route(f"{SITE}/berita-sebelas-putar-putar", loop)
        server.routes[f"{SITE}/berita-duabelas-putus-koneksi"].fault = "reset"
        server.routes[f"{SITE}/berita-tigabelas-terpotong"].fault = "truncate"
        server.route(f"{SITE}/berita-empatbelas-halaman-kosong", Route(b""))
        server.routes[f"{SITE}/berita-limabelas-dilarang"].statuses = [403]
        yield server


def source_health(database_url: str) -> str:
    database = open_database(database_url)
    with database.session() as session:
        health = session.scalars(select(Source.health)).one()
    database.dispose()
    return health


def test_every_bad_answer_has_its_own_recorded_outcome(portal: PortalServer, tmp_path: Path) -> None:
    config = tmp_path / "pantau.yaml"
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config.write_text(CONFIG.format(seeds=seeds), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'pantau.db'}"

    result = run_pantau("crawl", "lampung", config=config, database_url=database_url, proxy=portal.proxy_url)

    database = open_database(database_url)
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        stored = {row.url: row for row in session.scalars(select(StoredArticle))}
    assert result.returncode == 0, result.stderr
    assert sorted(stored) == [
        f"{SITE}/berita-lima-server-sibuk",
        f"{SITE}/berita-satu-jalan-rusak",
        f"{SITE}/berita-tiga-alamat-baru",
        f"{SITE}/berita-tujuh-salah-charset",
    ]
    assert "— kata Kepala Dinas — menjadi Rp1.000 triliun" in (
        stored[f"{SITE}/berita-tujuh-salah-charset"].body or ""
    )
    story_errors = sorted(error for error in run.errors if error.startswith("http"))
    truncated = len(article_page("berita-tigabelas-terpotong", TOPICS["berita-tigabelas-terpotong"]).encode())
    assert story_errors == [
        f"{SITE}/berita-delapan-gambar-saja: not an HTML page (image/png)",
        f"{SITE}/berita-dua-lambat-sekali: timed out",
        f"{SITE}/berita-duabelas-putus-koneksi: connection reset",
        f"{SITE}/berita-empat-hilang-entah: HTTP 404 Not Found",
        f"{SITE}/berita-empatbelas-halaman-kosong: empty page",
        f"{SITE}/berita-enam-sangat-besar: too large: larger than the 195 KB download limit",
        f"{SITE}/berita-limabelas-dilarang: HTTP 403 Forbidden",
        f"{SITE}/berita-sebelas-putar-putar: redirect loop",
        f"{SITE}/berita-sembilan-dilarang-robot: forbidden by robots.txt",
        f"{SITE}/berita-sepuluh-bom-gzip: too large: larger than the 195 KB download limit once decompressed",
        f"{SITE}/berita-tigabelas-terpotong: truncated response (got {truncated // 2} of {truncated} bytes)",
    ]
    counted = (run.items_new, run.items_duplicate, run.items_unmatched, run.items_failed)
    assert (run.status, *counted) == ("succeeded", 4, 0, 0, 11)
    # Every story the listing announced is counted once, by its final outcome (the moved address
    # and its new one are one story).
    assert sum(counted) == len(TOPICS) - 1
    # One refused story of 15 is a failed story, not a blocked portal (the test pages' own markup
    # makes the source degraded: its selectors miss them).
    assert source_health(database_url) == "degraded"
    assert "Traceback" not in result.stderr
    assert portal.routes[f"{SITE}/berita-lima-server-sibuk"].hits == 2
    assert portal.routes[f"{SITE}/berita-tiga-pindah-alamat"].hits == 2
    assert portal.routes[f"{SITE}/berita-tiga-alamat-baru"].hits == 1
    assert portal.routes[f"{SITE}/berita-sembilan-dilarang-robot"].hits == 0
    assert "new" in result.stdout and "failed" in result.stdout


def test_a_recorded_crawl_replays_to_the_same_stories_without_the_network(
    portal: PortalServer, tmp_path: Path
) -> None:
    config = tmp_path / "pantau.yaml"
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config.write_text(CONFIG.format(seeds=seeds), encoding="utf-8")
    archive = tmp_path / "recorded.warc.gz"
    live_url, replay_url = f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'replay.db'}"

    live = run_pantau("crawl", "lampung", "--record", str(archive), config=config, database_url=live_url,
                      proxy=portal.proxy_url)  # fmt: skip
    requests_served = len(portal.requests)
    replayed = run_pantau(
        "crawl", "lampung", "--replay", str(archive), config=config, database_url=replay_url
    )

    assert (live.returncode, replayed.returncode) == (0, 0), live.stderr + replayed.stderr
    assert len(portal.requests) == requests_served
    stories = []
    for url in (live_url, replay_url):
        database = open_database(url)
        with database.session() as session:
            stories.append(
                sorted((row.url, row.title, row.body) for row in session.scalars(select(StoredArticle)))
            )
        database.dispose()
    assert len(stories[0]) == 4
    assert stories[1] == stories[0]


HOSTILE_CONFIG = """\
seeds:
  path: {seeds}
crawl:
  download_timeout_seconds: 2
  retry_times: 0
  autothrottle: false
  download_delay_seconds: 0
archive: all
sources:
  lampung:
    family: rmol_regional
    sites: [rmollampung.id]
    feeds: ["http://www.{{site}}/feed-laughs", "http://www.{{site}}/feed-xxe"]
    sitemaps: ["http://www.{{site}}/sitemap-self.xml", "http://www.{{site}}/sitemap-wide.xml"]
    listings: ["http://www.{{site}}/category/putus"]
    search_enabled: false
"""
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "hahahahahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    + "]><rss><channel><item><title>&j;</title><link>http://www.rmollampung.id/berita-tawa-besar</link>"
    "</item></channel></rss>"
)


def test_hostile_feeds_and_sitemaps_are_failed_listings_and_read_no_local_file(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("RAHASIA-LOKAL-12345\n", encoding="utf-8")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]><rss><channel><item>'
        "<title>&x;</title><link>http://www.rmollampung.id/berita-bocor-berkas</link></item></channel></rss>"
    )
    self_index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{SITE}/sitemap-self.xml</loc></sitemap></sitemapindex>"
    )
    wide_index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<sitemap><loc>{SITE}/sitemap-{n}.xml</loc></sitemap>" for n in range(100_000))
        + "</sitemapindex>"
    )
    config = tmp_path / "pantau.yaml"
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config.write_text(HOSTILE_CONFIG.format(seeds=seeds), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    with PortalServer() as server:
        server.route(f"{SITE}/robots.txt", Route(b"User-agent: *\n", content_type="text/plain"))
        server.route(f"{SITE}/feed-laughs", Route(LAUGHS.encode(), content_type="application/rss+xml"))
        server.route(f"{SITE}/feed-xxe", Route(xxe.encode(), content_type="application/rss+xml"))
        server.route(f"{SITE}/sitemap-self.xml", Route(self_index.encode(), content_type="application/xml"))
        server.route(f"{SITE}/sitemap-wide.xml", Route(wide_index.encode(), content_type="application/xml"))
        server.route(f"{SITE}/category/putus", Route(fault="reset"))
        result = run_pantau(
            "crawl", "lampung", config=config, database_url=database_url, proxy=server.proxy_url
        )
        children = sum(1 for _, url in server.requests if "/sitemap-" in url and url[-5].isdigit())

    database = open_database(database_url)
    with database.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        stored = list(session.scalars(select(StoredArticle)))
    database.dispose()
    assert "2 × feed or sitemap refused: it declares XML entities" in run.errors
    assert "1 × connection reset" in run.errors
    assert stored == []
    assert "RAHASIA-LOKAL" not in result.stdout + result.stderr + " ".join(run.errors)
    assert 0 < children <= 20  # a sitemap index of 100,000 children is walked only to the limit
    assert "Traceback" not in result.stderr  # the listing's reset is in the run's errors, not on stderr
