"""The watch editor against the real app on loopback: list, create, edit, live query check, preview
against the stories of the last 7 days, mute, delete; viewers read only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update

from crawler.config import Config
from crawler.domain.watch import Watch
from crawler.store.db import Database
from crawler.store.models import StoredArticle
from crawler.store.users import create_token
from crawler.store.watches import create_watch, stored_watches, watch_by_name
from tests.web_helpers import add_person, csrf_of, put_story, running_web, signed_in

NOW = datetime.now(UTC)


@pytest.fixture
def web(sqlite_database: Database, default_config: Config) -> Iterator[str]:
    """An editor and a viewer, the watch korea-utara-rusia, and three stories: two first seen this week."""
    for name, role in (("eko", "editor"), ("vina", "viewer")):
        add_person(sqlite_database, name, role)
    create_watch(
        sqlite_database, Watch(name="korea-utara-rusia", query='"Korea Utara" AND Rusia'), by="config"
    )
    for days, title, source in (
        (1, "Banjir rendam Jakarta Utara", "rmol"),
        (2, "Banjir bandang di Lampung, <script>alert(1)</script>", "rmol_regional"),
        (30, "Banjir lama sekali", "rmol"),
    ):
        put_story(
            sqlite_database, default_config, source=source, url=f"https://rmol.id/{days}",
            title=title, body=f"{title}. Warga mengungsi.", published_at=NOW - timedelta(days=days),
            watch="lain", term="Banjir",
        )  # fmt: skip
    with sqlite_database.session() as session:  # each was first seen when it was published
        session.execute(update(StoredArticle).values(first_seen=StoredArticle.published_at))
    with running_web(default_config, sqlite_database) as base_url:
        yield base_url


def _form(client: httpx.Client, page: str, **fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrf_token": csrf_of(client.get(page).text), **fields}


def test_the_list_shows_each_watch_with_its_query(web: str) -> None:
    page = signed_in(web, "vina").get("/watches")
    assert page.status_code == 200
    assert "<code>&#34;Korea Utara&#34; AND Rusia</code>" in page.text
    assert 'href="/watches/new"' not in page.text  # a viewer gets no "new watch" button


def test_a_typo_in_the_query_is_named_under_the_field_as_typed(web: str) -> None:
    client = signed_in(web, "eko")
    form = _form(client, "/watches/new", query="(banjir OR longsor")
    response = client.post("/watches/check", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text == (
        '<p id="query-error" class="field-error" role="alert">'
        "column 19: expected &#39;)&#39; to close the &#39;(&#39; at column 1</p>"
    )
    fixed = client.post("/watches/check", data={**form, "query": "(banjir OR longsor)"})
    assert fixed.text == '<p id="query-error" class="field-error" role="alert" hidden></p>'


def test_the_preview_counts_the_last_7_days_and_shows_examples_without_saving(
    web: str, sqlite_database: Database
) -> None:
    client = signed_in(web, "eko")
    form = _form(client, "/watches/new", name="banjir", query="banjir", sources=["*"], channels=["console"])
    response = client.post("/watches/preview", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Cocok dengan 2 dari 2 berita tersimpan dalam 7 hari terakhir." in response.text
    assert re.findall(r'data-article="(\d+)"', response.text) == ["1", "2"]  # newest first
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text and "<script>alert" not in response.text
    narrowed = client.post("/watches/preview", data={**form, "sources": ["rmol_regional"]})
    assert "Cocok dengan 1 dari 1 berita" in narrowed.text
    broken = client.post("/watches/preview", data={**form, "query": "banjir AND"})
    assert "Perbaiki pantauan dulu: column 11: expected a term" in broken.text
    assert watch_by_name(sqlite_database, "banjir") is None


def test_an_editor_creates_edits_and_mutes_a_watch(web: str, sqlite_database: Database) -> None:
    client = signed_in(web, "eko")
    form = _form(client, "/watches/new", name="banjir", query="banjir", sources=["rmol"],
                 channels=["console"], delivery="daily", daily_at="06:30")  # fmt: skip
    created = client.post("/watches/new", data=form)
    assert created.status_code == 303
    record = watch_by_name(sqlite_database, "banjir")
    assert record is not None and created.headers["location"] == f"/watches/{record.id}?saved=1"
    assert record.watch.model_dump(mode="json") == {
        "name": "banjir", "query": "banjir", "sources": ["rmol"], "channels": ["console"],
        "delivery": "daily", "daily_at": "06:30:00", "muted": False, "webhook": None,
    }  # fmt: skip
    assert (record.created_by, record.updated_by) == ("web:eko", "web:eko")
    edited = client.post(f"/watches/{record.id}", data={**form, "query": "banjir OR longsor", "muted": "on"})
    assert edited.status_code == 303
    watch = stored_watches(sqlite_database)[-1]
    assert (watch.query, watch.muted) == ("banjir OR longsor", True)
    client.post(f"/watches/{record.id}/mute", data={"csrf_token": form["csrf_token"]})
    assert stored_watches(sqlite_database)[-1].muted is False


def test_a_watch_with_mistakes_is_not_saved_and_each_is_named_under_its_field(
    web: str, sqlite_database: Database
) -> None:
    client = signed_in(web, "eko")
    form = _form(
        client, "/watches/new", name="korea-utara-rusia", query="title: Rusia", sources=[], channels=["sms"]
    )
    response = client.post("/watches/new", data=form)
    assert response.status_code == 400
    errors = re.findall(
        r'<p (?:id="query-error" )?class="field-error" role="alert">([^<]*)</p>', response.text
    )
    assert errors == [
        "column 7: &#39;title:&#39; must be followed directly by a term, phrase or &#39;(&#39;, "
        "e.g. title:Rusia",
        "Pilih minimal satu sumber (atau Semua).",
        "watch &#39;korea-utara-rusia&#39; names unknown alert channel &#39;sms&#39; (configured: console)",
    ]
    taken = client.post(
        "/watches/new", data={**form, "query": "Rusia", "sources": ["*"], "channels": ["console"]}
    )
    assert taken.status_code == 400
    assert "a watch named &#39;korea-utara-rusia&#39; already exists" in taken.text
    assert [watch.name for watch in stored_watches(sqlite_database)] == ["korea-utara-rusia"]


def test_a_viewer_reads_the_editor_but_every_change_is_403(web: str, sqlite_database: Database) -> None:
    client = signed_in(web, "vina")
    page = client.get("/watches/1")
    assert page.status_code == 200 and "<fieldset disabled>" in page.text
    token = csrf_of(page.text)
    for path in ("/watches/new", "/watches/1", "/watches/1/mute", "/watches/1/delete", "/watches/1/feed",
                 "/watches/check", "/watches/preview"):  # fmt: skip
        response = client.post(path, data={"csrf_token": token, "name": "x", "query": "x", "sources": ["*"]})
        assert response.status_code == 403, path
    assert client.get("/watches/new").status_code == 403
    assert [watch.query for watch in stored_watches(sqlite_database)] == ['"Korea Utara" AND Rusia']


def test_a_post_without_the_csrf_token_changes_nothing(web: str, sqlite_database: Database) -> None:
    client = signed_in(web, "eko")
    assert client.post("/watches/1/delete", data={"csrf_token": "0" * 64}).status_code == 403
    assert len(stored_watches(sqlite_database)) == 1
    assert client.post("/watches/1/delete", data=_form(client, "/watches/1")).status_code == 303
    assert stored_watches(sqlite_database) == []
    assert client.get("/watches/1").status_code == 404


def test_the_api_lists_creates_replaces_and_deletes_watches(web: str, sqlite_database: Database) -> None:
    writer = {"Authorization": f"Bearer {create_token(sqlite_database, 'eko', 'w', 'write')[1]}"}
    reader = {"Authorization": f"Bearer {create_token(sqlite_database, 'eko', 'r', 'read')[1]}"}
    listed = httpx.get(f"{web}/api/v1/watches", headers=reader)
    assert [watch["name"] for watch in listed.json()] == ["korea-utara-rusia"]
    body = {"name": "banjir", "query": "banjir", "sources": ["rmol"], "delivery": "hourly"}
    assert httpx.post(f"{web}/api/v1/watches", json=body, headers=reader).status_code == 403
    created = httpx.post(f"{web}/api/v1/watches", json=body, headers=writer)
    assert created.status_code == 201
    made = created.json()
    fields = ("name", "query", "sources", "channels", "delivery", "daily_at", "muted")
    assert {key: made[key] for key in fields} == {
        "name": "banjir", "query": "banjir", "sources": ["rmol"], "channels": ["console"],
        "delivery": "hourly", "daily_at": "07:00", "muted": False,
    }  # fmt: skip
    assert (made["created_by"], made["updated_by"]) == ("api:eko", "api:eko")
    again = httpx.post(f"{web}/api/v1/watches", json=body, headers=writer)
    assert (again.status_code, again.json()["detail"]) == (409, "a watch named 'banjir' already exists")
    bad = httpx.post(
        f"{web}/api/v1/watches", json={**body, "name": "x", "query": "banjir NEAR/"}, headers=writer
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["detail"] == "query: column 8: 'NEAR/': NEAR needs a distance in words, e.g. NEAR/5"
    replaced = httpx.put(f"{web}/api/v1/watches/{made['id']}", json={**body, "muted": True}, headers=writer)
    assert replaced.status_code == 200 and replaced.json()["muted"] is True
    assert httpx.delete(f"{web}/api/v1/watches/{made['id']}", headers=writer).status_code == 204
    gone = httpx.get(f"{web}/api/v1/watches/{made['id']}", headers=reader)
    assert (gone.status_code, gone.json()["detail"]) == (404, f"no watch with id {made['id']}")
    schema = httpx.get(f"{web}/api/v1/openapi.json").json()
    assert {"/watches", "/watches/{watch_id}"} <= set(schema["paths"])


def test_a_watchs_webhook_url_is_refused_under_its_field_when_it_points_inside(
    web: str, sqlite_database: Database
) -> None:
    client = signed_in(web, "eko")
    form = _form(client, "/watches/new", name="banjir", query="banjir", sources=["*"], channels=["console"])
    for url, problem in (
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local (cloud metadata) address",
        ),
        ("http://localhost:8080/hook", "localhost resolves to 127.0.0.1, which is a loopback address"),
        ("http://10.0.0.7/hook", "10.0.0.7 is a private address"),
    ):
        response = client.post("/watches/new", data={**form, "webhook": url})
        assert response.status_code == 400
        assert problem in response.text, url
    assert watch_by_name(sqlite_database, "banjir") is None
    saved = client.post("/watches/new", data={**form, "webhook": "https://93.184.216.34/hooks/pantau"})
    assert saved.status_code == 303
    record = watch_by_name(sqlite_database, "banjir")
    assert record is not None and record.watch.webhook == "https://93.184.216.34/hooks/pantau"
    token = create_token(sqlite_database, "eko", "w", "write")[1]
    body = {"name": "x", "query": "x", "webhook": "http://[::1]:9/"}
    refused = httpx.post(f"{web}/api/v1/watches", json=body, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "webhook: http://[::1]:9/: ::1 is a loopback address; Pantau does not call it unless network.allow "
        "in the configuration names its network"
    )
