"""A watch's RSS 2.0, Atom and JSON Feed at secret token URLs: valid documents (parsed here), every
value escaped, the newest stories first, and a revoked or unknown token is 404."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree import ElementTree

import httpx
import pytest

from crawler.config import Config
from crawler.domain.watch import Watch
from crawler.store.db import Database
from crawler.store.watches import active_feed_tokens, create_feed_token, create_watch, revoke_feed_tokens
from tests.web_helpers import add_person, csrf_of, put_story, running_web, signed_in

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = 'Korea & Rusia <script>alert("x")</script> ]]> \x0b'


@pytest.fixture
def web(sqlite_database: Database, default_config: Config) -> Iterator[tuple[str, str, int]]:
    """The web, a feed token of the watch `korea`, and the watch's id; two stories of it, one of another."""
    add_person(sqlite_database, "eko", "editor")
    record = create_watch(sqlite_database, Watch(name="korea", query="Korea"), by="test")
    for day, title, watch in (
        (20, "Korea Utara kirim insinyur", "korea"),
        (21, NASTY, "korea"),
        (22, "Lain", "x"),
    ):
        put_story(
            sqlite_database, default_config, source="rmol", url=f"https://rmol.id/read/{day}?a=1&b=2",
            title=title, body=f"{title}. Korea.", published_at=datetime(2025, 11, day, 2, 30, tzinfo=UTC),
            watch=watch,
        )  # fmt: skip
    token = create_feed_token(sqlite_database, record.id, by="test")
    with running_web(default_config, sqlite_database) as base_url:
        yield base_url, token, record.id


def test_the_rss_feed_is_valid_rss_2_with_the_watchs_stories_newest_first(web: tuple[str, str, int]) -> None:
    base_url, token, _ = web
    response = httpx.get(f"{base_url}/feeds/{token}.rss")
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel is not None and channel.findtext("title") == "Pantau: korea"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == [
        NASTY.replace("\x0b", ""),
        "Korea Utara kirim insinyur",
    ]
    assert items[0].findtext("link") == "https://rmol.id/read/21?a=1&b=2"
    assert items[0].findtext("guid") == "tag:pantau,2026:story:2"
    assert items[0].findtext("pubDate") == "Fri, 21 Nov 2025 02:30:00 GMT"
    assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    head = httpx.head(f"{base_url}/feeds/{token}.rss")
    assert (head.status_code, head.headers["content-type"], head.content) == (
        200,
        "application/rss+xml; charset=utf-8",
        b"",
    )


def test_the_atom_feed_is_valid_atom_with_ids_links_and_times(web: tuple[str, str, int]) -> None:
    base_url, token, watch_id = web
    response = httpx.get(f"{base_url}/feeds/{token}.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == f"tag:pantau,2026:watch:{watch_id}"
    assert feed.findtext(f"{ATOM}updated") == "2025-11-21T02:30:00+00:00"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        "tag:pantau,2026:story:2",
        "tag:pantau,2026:story:1",
    ]
    link = entries[1].find(f"{ATOM}link")
    assert link is not None and link.get("href") == "https://rmol.id/read/20?a=1&b=2"


def test_the_json_feed_is_json_feed_1_1(web: tuple[str, str, int]) -> None:
    base_url, token, _ = web
    response = httpx.get(f"{base_url}/feeds/{token}.json")
    assert response.headers["content-type"] == "application/feed+json; charset=utf-8"
    document = response.json()
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["title"] for item in document["items"]] == [NASTY, "Korea Utara kirim insinyur"]
    assert document["items"][0]["tags"] == ["rmol", "korea"]
    assert document["items"][0]["date_published"] == "2025-11-21T02:30:00+00:00"


def test_an_unknown_or_revoked_token_is_404(web: tuple[str, str, int], sqlite_database: Database) -> None:
    base_url, token, watch_id = web
    assert httpx.get(f"{base_url}/feeds/feed_nope.rss").status_code == 404
    assert httpx.get(f"{base_url}/feeds/{token}.html").status_code == 404
    assert revoke_feed_tokens(sqlite_database, watch_id) == 1
    for kind in ("rss", "atom", "json"):
        assert httpx.get(f"{base_url}/feeds/{token}.{kind}").status_code == 404


def test_an_editor_gets_the_links_once_and_can_revoke_them(
    web: tuple[str, str, int], sqlite_database: Database
) -> None:
    base_url, old_token, watch_id = web
    client = signed_in(base_url, "eko")
    token = csrf_of(client.get(f"/watches/{watch_id}").text)
    page = client.post(f"/watches/{watch_id}/feed", data={"csrf_token": token})
    links = re.findall(r'class="feed-link" readonly value="([^"]+)"', page.text)
    assert [link.rsplit(".", 1)[1] for link in links] == ["rss", "atom", "json"]
    assert len({link.rsplit("/", 1)[1].split(".")[0] for link in links}) == 1
    assert json.loads(httpx.get(links[2]).content)["title"] == "Pantau: korea"
    assert active_feed_tokens(sqlite_database, watch_id) == 2
    assert client.get(f"/watches/{watch_id}").text.count('class="feed-link"') == 0  # shown only once
    assert client.post(f"/watches/{watch_id}/feed/revoke", data={"csrf_token": token}).status_code == 303
    assert active_feed_tokens(sqlite_database, watch_id) == 0
    assert (
        httpx.get(links[0]).status_code == 404
        and httpx.get(f"{base_url}/feeds/{old_token}.rss").status_code == 404
    )
