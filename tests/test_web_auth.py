"""`pantau web`'s safety: every page and API call needs a login or a token, viewers change nothing,
forms need the session's CSRF token, logins are rate-limited, tokens can be revoked, and story text
is always shown as text. Against the real app served on loopback over a real SQLite database."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from crawler.config import Config
from crawler.store.db import Database
from crawler.store.run_requests import requested_sources
from crawler.store.users import count_users, create_token, list_tokens, revoke_token, token_user
from crawler.web.throttle import MAX_FAILURES
from tests.web_helpers import PASSWORD, add_person, csrf_of, put_story, running_web, signed_in

KORUT = "https://rmol.id/dunia/read/2025/11/21/1/korea-utara"


@pytest.fixture
def web(sqlite_database: Database, default_config: Config) -> Iterator[str]:
    """The web over a database with an admin, an editor and a viewer, and one matched story."""
    for name, role in (("ani", "admin"), ("eko", "editor"), ("vina", "viewer")):
        add_person(sqlite_database, name, role)
    put_story(
        sqlite_database,
        default_config,
        source="rmol",
        url=KORUT,
        title="Korea Utara kirim insinyur",
        body="Pemerintah Korea Utara mengirim insinyur.",
        published_at=datetime(2025, 11, 21, 2, 30, tzinfo=UTC),
    )
    with running_web(default_config, sqlite_database) as base_url:
        yield base_url


def test_a_page_without_a_session_redirects_to_the_login_and_back(web: str) -> None:
    response = httpx.get(f"{web}/stories/1?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fstories%2F1%3Fx%3D1"


def test_an_htmx_request_without_a_session_is_401_with_a_redirect_for_htmx(web: str) -> None:
    response = httpx.get(f"{web}/inbox", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=%2Finbox"


def test_the_api_without_a_token_is_401_problem_json(web: str) -> None:
    response = httpx.get(f"{web}/api/v1/stories")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "a valid bearer token is required",
    }


def test_signing_in_goes_to_the_page_asked_for_and_never_to_another_host(web: str) -> None:
    client = httpx.Client(base_url=web)
    token = csrf_of(client.get("/login").text)
    form = {"name": "ani", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data={**form, "next": "/sources"}).headers["location"] == "/sources"
    client = httpx.Client(base_url=web)
    form["csrf_token"] = csrf_of(client.get("/login").text)
    assert client.post("/login", data={**form, "next": "//evil.example/"}).headers["location"] == "/inbox"


def test_a_wrong_password_is_401_and_too_many_failures_lock_even_the_right_one_out(web: str) -> None:
    client = httpx.Client(base_url=web)
    token = csrf_of(client.get("/login").text)
    for _ in range(MAX_FAILURES):
        wrong = client.post("/login", data={"name": "eko", "password": "salah-salah-1", "csrf_token": token})
        assert wrong.status_code == 401
        assert "Nama atau kata sandi salah." in wrong.text
    right = client.post("/login", data={"name": "eko", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429
    assert "Terlalu banyak percobaan gagal" in right.text


def test_a_form_without_the_sessions_csrf_token_is_403(web: str) -> None:
    client = signed_in(web, "eko")
    for token in ("", "0" * 64):
        response = client.post("/sources/rmol/run", data={"csrf_token": token})
        assert response.status_code == 403
        assert "Formulir kedaluwarsa" in response.text
    other = signed_in(web, "ani")  # another session's valid token is not this session's
    other_token = csrf_of(other.get("/sources").text)
    assert client.post("/sources/rmol/run", data={"csrf_token": other_token}).status_code == 403


def test_a_login_tokens_csrf_is_not_valid_after_signing_in(web: str) -> None:
    client = httpx.Client(base_url=web)
    before = csrf_of(client.get("/login").text)
    client.post("/login", data={"name": "eko", "password": PASSWORD, "csrf_token": before})
    assert client.post("/sources/rmol/run", data={"csrf_token": before}).status_code == 403


def test_a_viewer_cannot_run_a_source_and_an_editor_can(web: str, sqlite_database: Database) -> None:
    viewer = signed_in(web, "vina")
    page = viewer.get("/sources").text
    assert "Jalankan sekarang" not in page
    refused = viewer.post("/sources/rmol/run", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 403
    assert requested_sources(sqlite_database) == []
    editor = signed_in(web, "eko")
    done = editor.post("/sources/rmol/run", data={"csrf_token": csrf_of(editor.get("/sources").text)})
    assert (done.status_code, done.headers["location"]) == (303, "/sources")
    assert requested_sources(sqlite_database) == ["rmol"]
    assert "Menunggu daemon" in editor.get("/sources").text


def test_run_now_of_an_unknown_source_is_404(web: str) -> None:
    editor = signed_in(web, "eko")
    response = editor.post("/sources/kompas/run", data={"csrf_token": csrf_of(editor.get("/sources").text)})
    assert response.status_code == 404


def test_a_read_token_reads_but_cannot_write_and_a_write_token_can(
    web: str, sqlite_database: Database
) -> None:
    _, read = create_token(sqlite_database, "eko", "reader", "read")
    _, write = create_token(sqlite_database, "eko", "bot", "write")
    stories = httpx.get(f"{web}/api/v1/stories", headers={"Authorization": f"Bearer {read}"})
    assert stories.status_code == 200
    assert [item["url"] for item in stories.json()["items"]] == [KORUT]
    refused = httpx.post(f"{web}/api/v1/sources/rmol/run", headers={"Authorization": f"Bearer {read}"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    queued = httpx.post(f"{web}/api/v1/sources/rmol/run", headers={"Authorization": f"Bearer {write}"})
    assert queued.status_code == 202
    assert queued.json() == {
        "request_id": queued.json()["request_id"],
        "source": "rmol",
        "daemon_running": False,
    }
    assert requested_sources(sqlite_database) == ["rmol"]


def test_a_viewers_write_token_still_cannot_write(web: str, sqlite_database: Database) -> None:
    _, token = create_token(sqlite_database, "vina", "bot", "write")
    response = httpx.post(f"{web}/api/v1/sources/rmol/run", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_a_revoked_token_is_401_and_tokens_are_stored_hashed(web: str, sqlite_database: Database) -> None:
    token_id, token = create_token(sqlite_database, "ani", "old", "read")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{web}/api/v1/sources", headers=headers).status_code == 200
    revoke_token(sqlite_database, token_id)
    assert httpx.get(f"{web}/api/v1/sources", headers=headers).status_code == 401
    (row,) = list_tokens(sqlite_database)
    assert row.revoked_at is not None and row.last_used_at is not None
    with open(sqlite_database.engine.url.database or "", "rb") as stored:  # only its hash is on disk
        assert token.encode() not in stored.read()


def test_every_response_carries_the_security_headers(web: str) -> None:
    for path in ("/login", "/static/htmx.min.js", "/api/v1/stories"):
        headers = httpx.get(f"{web}{path}").headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"


def test_a_story_with_markup_shows_it_as_text(
    web: str, sqlite_database: Database, default_config: Config
) -> None:
    story = put_story(
        sqlite_database,
        default_config,
        source="bisnis",
        url="https://bisnis.com/read/1/x",
        title='Korea <script>alert("t")</script>',
        body='Korea <img src=x onerror="alert(1)"> kata',
        published_at=datetime(2025, 11, 22, tzinfo=UTC),
    )
    client = signed_in(web, "vina")
    for page in (client.get(f"/stories/{story}").text, client.get("/inbox").text):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page
    assert (
        "<mark>Korea</mark> &lt;img src=x onerror=&#34;alert(1)&#34;&gt; kata"
        in client.get(f"/stories/{story}").text
    )


def test_the_setup_link_makes_the_first_admin_once(
    sqlite_database: Database, default_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, "crawler.web"),
        running_web(default_config, sqlite_database) as base_url,
    ):
        (link,) = re.findall(r"open (http://\S+/setup/\S+) to choose", caplog.text)
        assert link.startswith(base_url)
        client = httpx.Client(base_url=base_url)
        assert client.get("/setup/not-the-token").status_code == 404
        short = {"name": "ani", "password": "pendek", "password_again": "pendek"}
        refused = client.post(link, data={**short, "csrf_token": csrf_of(client.get(link).text)})
        assert refused.status_code == 400 and "Kata sandi minimal 10 karakter." in refused.text
        form = {"name": "ani", "password": PASSWORD, "password_again": PASSWORD}
        created = client.post(link, data={**form, "csrf_token": csrf_of(client.get(link).text)})
        assert (created.status_code, created.headers["location"]) == (303, "/inbox")
        assert count_users(sqlite_database) == 1
        assert client.get("/inbox").status_code == 200  # signed in as the new admin
        assert client.get(link).status_code == 404


def test_no_setup_link_is_logged_when_a_user_exists(
    sqlite_database: Database, default_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    add_person(sqlite_database, "ani", "admin")
    with caplog.at_level(logging.WARNING, "crawler.web"), running_web(default_config, sqlite_database):
        assert "setup" not in caplog.text


def test_the_language_is_the_users_own_and_follows_them_to_a_new_session(web: str) -> None:
    client = signed_in(web, "eko")
    chosen = client.post(
        "/language",
        data={"language": "en", "back": "/sources", "csrf_token": csrf_of(client.get("/inbox").text)},
    )
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/sources")
    assert "<h1>Sources</h1>" in client.get("/sources").text
    assert "<h1>Sources</h1>" in signed_in(web, "eko").get("/sources").text
    assert "<h1>Sumber</h1>" in signed_in(web, "vina").get("/sources").text


def test_a_visitor_may_choose_the_language_of_the_login_page(web: str) -> None:
    client = httpx.Client(base_url=web)
    token = csrf_of(client.get("/login").text)
    client.post("/language", data={"language": "en", "back": "/login", "csrf_token": token})
    assert "<h1>Sign in</h1>" in client.get("/login").text


def test_a_tokens_last_use_is_written_at_most_once_a_minute(sqlite_database: Database) -> None:
    add_person(sqlite_database, "ani", "admin")
    _, token = create_token(sqlite_database, "ani", "bot", "read")
    token_user(sqlite_database, token)
    (first,) = list_tokens(sqlite_database)
    token_user(sqlite_database, token)
    (second,) = list_tokens(sqlite_database)
    assert first.last_used_at is not None and second.last_used_at == first.last_used_at


def test_a_story_id_past_the_id_range_is_404_not_a_server_error(web: str) -> None:
    client = signed_in(web, "vina")
    assert client.get(f"/stories/{2**63}").status_code == 404
    assert client.get("/stories/0").status_code == 404
