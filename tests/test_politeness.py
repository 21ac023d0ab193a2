"""Politeness over real HTTP on loopback: the User-Agent sent, retries after 429, one portal's hosts
sharing its concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.config import load_config
from crawler.store.db import open_database
from crawler.store.models import StoredArticle
from tests.crawl_helpers import run_pantau
from tests.portal_server import PortalServer, Route

SITES = ("http://www.rmollampung.id", "http://rmollampung.id")
CONFIG = """\
seeds:
  path: {seeds}
crawl:
  autothrottle: false
  download_delay_seconds: 0
  concurrency_per_domain: 1
  retry_times: 2
  retry_backoff_seconds: 0.1
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
STORIES = ("jalan-rusak-di-lampung-timur", "kopi-robusta-lampung-barat", "pelabuhan-bakauheni-lampung")


def story_page(slug: str) -> bytes:
    title = slug.replace("-", " ").title()
    paragraphs = "".join(
        f"<p>Berita Lampung: {title}, paragraf ke-{n} merinci kejadian.</p>" for n in range(4)
    )
    return (
        f'<html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="article:published_time" content="2025-07-24T10:15:00+07:00"></head>'
        f'<body><article><h1>{title}</h1><div class="read-content">{paragraphs}</div></article></body></html>'
    ).encode()


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    """Stories on both hosts of one site, each answered slowly enough for requests to overlap."""
    with PortalServer() as server:
        links = "".join(
            f'<h3 class="title"><a href="{SITES[index % 2]}/{slug}">{slug}</a></h3>'
            for index, slug in enumerate(STORIES)
        )
        server.route(f"{SITES[0]}/category/daerah", Route(f"<html><body>{links}</body></html>".encode()))
        for index, slug in enumerate(STORIES):
            server.route(f"{SITES[index % 2]}/{slug}", Route(story_page(slug), delay_seconds=0.5))
        yield server


def crawl(portal: PortalServer, tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    config = tmp_path / "pantau.yaml"
    config.write_text(CONFIG.format(seeds=tmp_path / "seeds"), encoding="utf-8")
    result = run_pantau(
        "crawl", "lampung", "--no-alerts",
        config=config, database_url=f"sqlite:///{tmp_path / 'pantau.db'}", proxy=portal.proxy_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    database = open_database(f"sqlite:///{tmp_path / 'pantau.db'}", migrate=False)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(StoredArticle)) == len(STORIES)
    database.dispose()
    return config


def test_every_request_carries_the_configured_browser_like_user_agent(
    portal: PortalServer, tmp_path: Path
) -> None:
    config = crawl(portal, tmp_path)
    user_agent = load_config(config).crawl.user_agent
    assert user_agent.startswith("Mozilla/5.0 (")
    assert {received.headers.get("User-Agent") for received in portal.received} == {user_agent}


def test_the_hosts_of_one_site_share_its_concurrency(portal: PortalServer, tmp_path: Path) -> None:
    crawl(portal, tmp_path)
    assert {received.url.split("/")[2] for received in portal.received} == {
        "www.rmollampung.id",
        "rmollampung.id",
    }
    assert portal.most_in_flight == 1  # concurrency_per_domain: 1 across www. and the bare host


def test_a_429_is_retried_after_the_wait_its_retry_after_asks_for(
    portal: PortalServer, tmp_path: Path
) -> None:
    busy = portal.routes[f"{SITES[0]}/{STORIES[0]}"]
    busy.statuses, busy.headers = [429, 200], {"Retry-After": "2"}
    crawl(portal, tmp_path)
    asked = [received.at for received in portal.received if received.url == f"{SITES[0]}/{STORIES[0]}"]
    assert len(asked) == 2
    assert asked[1] - asked[0] >= 2.0
