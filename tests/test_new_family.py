"""A new portal family is one new module plus config: a family declared outside Pantau, registered
through the `pantau.portals` entry point, is crawled end to end by the normal runner."""

from __future__ import annotations

from pathlib import Path

from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route
from tests.test_end_to_end import stored_stories

SITE = "http://www.kabarkita.id"
# The whole of the new family: this module, and its entry point in an installed package's metadata.
FAMILY_MODULE = '''\
"""kabarkita.id: story URLs /berita/<id>/<slug> (and /amp/berita/…), keyed by the id."""

import re

from crawler.portals.family import Discovery, PortalFamily
from crawler.portals.recipes import PortalRecipe

HOSTS = ("kabarkita.id",)
_STORY = re.compile(r"^(?:/amp)?/berita/(?P<id>\\d+)(?:/|$)")


def story_key(host, path):
    match = _STORY.match(path) if host == "kabarkita.id" else None
    return f"https://kabarkita.id/berita/{match['id']}" if match else None


FAMILY = PortalFamily(
    name="kabarkita",
    hosts=HOSTS,
    story_path=re.compile(r"^(?:/amp)?/berita/\\d+/[a-z0-9-]+$"),
    story_key=story_key,
    discovery=Discovery(listings=("http://www.{site}/terbaru",), listing_card="div.kartu"),
    recipe=PortalRecipe(
        family="kabarkita",
        hosts=HOSTS,
        title_selectors=("h1.judul",),
        body_selectors=("div.isi",),
        date_selectors=("span.waktu",),
        drop_selectors=("div.iklan",),
        drop_line_patterns=(r"^\\s*Baca juga:.*$",),
    ),
)
'''
CONFIG = """\
storage:
  url: sqlite:///unused.db
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
archive: all
sources:
  kabarkita:
    family: kabarkita
    sites: [kabarkita.id]
"""
STORIES = {
    "101/banjir-rob-di-pesisir": (
        "Banjir rob di pesisir",
        "Air laut naik setinggi lutut di permukiman nelayan.",
    ),
    "102/harga-cabai-melonjak": (
        "Harga cabai melonjak",
        "Harga cabai rawit naik dua kali lipat dalam sepekan.",
    ),
}


def _story_page(title: str, sentence: str) -> bytes:
    return (
        f"<html><head><title>{title} - Kabar Kita</title></head><body><nav>Beranda</nav>"
        f'<h1 class="judul">{title}</h1><span class="waktu">Kamis, 24 Juli 2025 | 10:15 WIB</span>'
        f'<div class="isi"><p>{sentence}</p><div class="iklan">Pasang iklan di sini</div>'
        f"<p>Baca juga: berita lain</p><p>Warga diminta waspada sampai akhir pekan.</p></div>"
        f"<footer>Kabar Kita</footer></body></html>"
    ).encode()


def _listing() -> bytes:
    cards = "".join(
        f'<div class="kartu"><a href="{SITE}/berita/{path}">{title}</a></div>'
        f'<div class="kartu"><a href="{SITE}/amp/berita/{path}">{title}</a></div>'
        for path, (title, _) in STORIES.items()
    )
    return f"<html><body><a href='{SITE}/tentang'>Tentang</a>{cards}</body></html>".encode()


def _install_family(folder: Path) -> None:
    folder.mkdir()
    (folder / "kabarkita_portal.py").write_text(FAMILY_MODULE, encoding="utf-8")
    metadata = folder / "kabarkita_portal-0.1.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: kabarkita-portal\nVersion: 0.1\n")
    (metadata / "entry_points.txt").write_text("[pantau.portals]\nkabarkita = kabarkita_portal:FAMILY\n")


def test_a_family_declared_in_one_module_is_crawled_with_config_alone(tmp_path: Path) -> None:
    _install_family(tmp_path / "plugins")
    (tmp_path / "seeds").mkdir()
    config = tmp_path / "pantau.yaml"
    config.write_text(CONFIG.format(seeds=tmp_path / "seeds"), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'pantau.db'}"
    with PortalServer() as portal:
        portal.route(f"{SITE}/terbaru", Route(_listing()))
        for path, (title, sentence) in STORIES.items():
            portal.route(f"{SITE}/berita/{path}", Route(_story_page(title, sentence)))

        def crawl() -> list[str]:
            before = len(portal.requests)
            result = run_pantau(
                "crawl", "kabarkita", config=config, database_url=database_url,
                proxy=portal.proxy_url, python_path=tmp_path / "plugins",
            )  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
            return [url for _, url in portal.requests[before:] if "/berita/" in url]

        first, second = crawl(), crawl()

    # One fetch per story whichever of its two links the listing gives; the second run fetches none.
    assert sorted(first) == [f"{SITE}/berita/{path}" for path in STORIES]
    assert second == []
    assert [
        (story["canonical_url"], story["title"], story["published_at"], story["body"])
        for story in stored_stories(database_url)
    ] == [
        (
            f"https://kabarkita.id/berita/{path.split('/')[0]}",
            title,
            "2025-07-24T10:15:00+07:00",
            f"{sentence}\n\nWarga diminta waspada sampai akhir pekan.",
        )
        for path, (title, sentence) in STORIES.items()
    ]
