"""For the web tests: stories put in a database through the store's own functions, the web served
by uvicorn on a free loopback port, and a signed-in HTTP client."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import httpx

from crawler.config import Config
from crawler.domain.article import Article
from crawler.domain.matches import Hit, WatchMatch
from crawler.store.articles import NewStory, insert_articles
from crawler.store.clusters import new_cluster
from crawler.store.db import Database
from crawler.store.matches import add_match
from crawler.store.models import StoredArticle
from crawler.store.runs import open_run
from crawler.store.sources import source_id
from crawler.store.users import add_user
from crawler.web.passwords import hash_password
from crawler.web.server import WebServer, WebThread

PASSWORD = "kata-sandi-uji-1"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def put_story(
    database: Database,
    config: Config,
    *,
    source: str,
    url: str,
    title: str,
    body: str,
    published_at: datetime,
    watch: str = "korea",
    term: str = "Korea",
    cluster: int | None = None,
    pages: tuple[str, ...] = (),
) -> int:
    """Store a story that matched `watch` on every occurrence of `term`; returns its article id."""
    with database.session() as session:
        source_row = source_id(session, source, config)
        run_id = open_run(session, source_row, "manual")
        article = Article(url=url, canonical_url=url, title=title, body=body, published_at=published_at,
                          field_sources={"title": "recipe", "published_at": "json-ld"})  # fmt: skip
        (article_id,) = insert_articles(
            session, [NewStory(article, source_row, run_id, keep_body=True, pages=tuple(pages))]
        ).values()
        session.get_one(StoredArticle, article_id).cluster_id = cluster
        hits = tuple(
            Hit(term, field, found.start(), found.end(), text[:80])
            for field, text in (("title", title), ("body", body))
            for found in re.finditer(re.escape(term), text)
        )
        add_match(session, article_id, WatchMatch(watch, hits))
        return article_id


def story_cluster(database: Database) -> int:
    with database.session() as session:
        return new_cluster(session)


def add_person(database: Database, name: str, role: str) -> None:
    add_user(database, name, hash_password(PASSWORD), role)


@contextmanager
def running_web(config: Config, database: Database) -> Iterator[str]:
    """The web app served by uvicorn on a free loopback port; yields its base URL."""
    thread = WebThread(WebServer(config, database, "127.0.0.1", 0))
    thread.start()
    deadline = time.monotonic() + 20
    while not thread.server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web did not start within 20 s")
        time.sleep(0.02)
    try:
        yield thread.server.url.rstrip("/")
    finally:
        thread.stop()


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(base_url: str, name: str, password: str = PASSWORD) -> httpx.Client:
    """A client whose session cookie belongs to `name`."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=10)
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.text
    return client
