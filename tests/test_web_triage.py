"""Triage in `pantau web` on a real server over a real database: full-text search (FTS5 on SQLite,
tsvector on PostgreSQL) kept in sync with stored stories, each reader's read/hide/star marks, the
cluster filter, CSV and JSON Lines exports, the archived original in a sandboxed frame, the alerts
page's resend, the users page and the trends page; and who may do what."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from alembic import command
from sqlalchemy import Connection, delete, insert, select, text

from crawler.config import Config
from crawler.store import search
from crawler.store.db import Database, alembic_config, open_database
from crawler.store.inbox import inbox_page
from crawler.store.marks import mark_story
from crawler.store.models import AlertOutbox, StoredArticle
from crawler.store.search import backfill, story_words
from crawler.store.sources import source_states
from crawler.store.users import create_token, list_tokens, token_user, user_credentials
from crawler.web.filters import inbox_filter
from tests.web_helpers import PASSWORD, add_person, csrf_of, put_story, running_web, signed_in, story_cluster

FIRST = datetime(2025, 11, 21, 2, 30, tzinfo=UTC)  # 09:30 WIB
PAGE = (
    "<html><head><script>parent.document.title='pwned'</script>"
    "<link rel=stylesheet href='https://x.example/a.css'><style>@import 'https://x.example/b.css';"
    " h1 { background: url(https://x.example/bg.png) }</style></head>"
    "<body><h1 onclick='alert(1)'>Korea Utara</h1><img src='https://x.example/i.jpg' alt='foto'>"
    "<iframe src='https://ads.example/'></iframe><a href='https://rmol.id/'>rmol</a></body></html>"
)


@pytest.fixture
def newsroom(database: Database, default_config: Config) -> dict[str, int]:
    """Three stories: one carried by rmol then bisnis, one about floods, one with `<script>` in it."""
    cluster = story_cluster(database)
    ids = {
        "rmol": put_story(database, default_config, source="rmol", url="https://rmol.id/read/1",
                          title="Korea Utara menyeberangi perbatasan",
                          body="Pemerintah Óscar mengirim insinyur.",
                          published_at=FIRST, cluster=cluster, pages=(PAGE,)),
        "bisnis": put_story(database, default_config, source="bisnis", url="https://bisnis.com/read/2",
                            title="Korea Utara menyeberang lagi", body="Insinyur dikirim.",
                            published_at=FIRST + timedelta(minutes=45), cluster=cluster),
        "flood": put_story(database, default_config, source="rmol", url="https://rmol.id/read/3",
                           title="=HYPERLINK(\"http://evil\") Banjir Korea",
                           body="Banjir melanda permukiman.",
                           published_at=FIRST - timedelta(days=1)),
    }  # fmt: skip
    for name, role in (("ani", "admin"), ("eko", "editor"), ("vina", "viewer")):
        add_person(database, name, role)
    return ids


def _ids(database: Database, **filters: str | int | None) -> list[int]:
    page, _ = inbox_page(database, inbox_filter(**filters))  # type: ignore[arg-type]
    return [story.article_id for story in page]


# --- full-text search, on both databases -------------------------------------------------------------


def test_search_finds_every_form_of_a_word_by_its_root_and_folds_accents(
    database: Database, newsroom: dict[str, int]
) -> None:
    assert _ids(database, search="seberang") == [newsroom["rmol"]]  # menyeberangi, menyeberang: one root
    assert _ids(database, search="SEBERANG", source="bisnis") == [newsroom["bisnis"]]
    assert _ids(database, search="oscar insinyur") == [newsroom["rmol"]]  # Óscar folded; every word needed
    assert _ids(database, search="banjir") == [newsroom["flood"]]
    assert _ids(database, search="banjir tsunami") == []
    assert _ids(database, search='" OR 1=1 -- NEAR(') == []  # operators are words, never syntax


def test_the_index_follows_a_changed_title_and_a_deleted_story(
    database: Database, newsroom: dict[str, int]
) -> None:
    with database.session() as session:
        session.get_one(StoredArticle, newsroom["flood"]).title = "Gempa mengguncang"
    assert _ids(database, search="gempa") == [newsroom["flood"]]
    assert _ids(database, search="banjir") == [newsroom["flood"]]  # still in the body
    with database.session() as session:  # the database's cascades, as a clean-up would delete
        session.execute(delete(StoredArticle).where(StoredArticle.id == newsroom["flood"]))
    assert _ids(database, search="gempa") == []
    assert _index_rows(database) == 2  # the deleted story's row went with it, found by its key


def test_the_index_follows_a_story_without_a_date_and_a_changed_story_time(database: Database) -> None:
    with database.session() as session:  # the ORM's path: keyed by first seen, set by the database
        undated = StoredArticle(canonical_url="https://x.example/1", url="https://x.example/1",
                                title="Gempa di Cianjur", body="Warga mengungsi.")  # fmt: skip
        old = StoredArticle(canonical_url="https://x.example/2", url="https://x.example/2",
                            title="Banjir di Demak", body="Warga mengungsi.",
                            published_at=datetime(1999, 12, 31, 23, 59, 30, tzinfo=UTC))  # fmt: skip
        misread = StoredArticle(canonical_url="https://x.example/3", url="https://x.example/3",
                                title="Longsor di Garut", body="Warga mengungsi.",
                                published_at=datetime(9999, 12, 31, tzinfo=UTC))  # fmt: skip
        session.add_all([undated, old, misread])
    assert _index_rows(database) == 3
    with database.session() as session:
        session.get_one(StoredArticle, old.id).published_at = FIRST  # re-keyed, not indexed twice
    assert _index_rows(database) == 3
    assert _searched(database, "mengungsi") == {undated.id, old.id, misread.id}
    with database.session() as session:  # the trigger's key is the one Python wrote, dated or not, any year
        session.execute(delete(StoredArticle))
    assert _index_rows(database) == 0


def test_a_common_word_read_newest_first_chunk_by_chunk_pages_like_a_rare_one(
    database: Database, default_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stories stored in an order unlike their story times, two of them copies in one cluster, paged two
    at a time: the search read from the index a key at a time gives the pages the id list gives."""
    cluster = story_cluster(database)
    for n, hours in enumerate((5, 40, 1, 300, 2, 90, 7, 26)):
        put_story(database, default_config, source="rmol" if n % 2 else "bisnis",
                  url=f"https://x.example/{n}", title=f"Korea Utara {n}", body="Insinyur dikirim.",
                  published_at=FIRST - timedelta(hours=hours),
                  cluster=cluster if n in (2, 5) else None)  # fmt: skip

    def pages() -> list[list[int]]:
        found, after = [], None
        while True:
            page, after = inbox_page(database, inbox_filter(search="insinyur korea"), after=after, limit=2)
            found.append([story.article_id for story in page])
            if after is None:
                return found

    by_list = pages()
    monkeypatch.setattr(search, "SEARCH_LIST", 0)
    monkeypatch.setattr(search, "SEARCH_CHUNK", 1)
    assert pages() == by_list
    assert len(by_list) == 4 and sum(map(len, by_list)) == 7  # one copy of the cluster folded


def test_a_sources_stories_without_an_author_or_a_time_are_counted(
    database: Database, newsroom: dict[str, int]
) -> None:
    with database.session() as session:
        flood = session.get_one(StoredArticle, newsroom["flood"])
        flood.authors, flood.published_at = ["Ahmad Kiflan"], None
    states = source_states(database, datetime.now(UTC))
    assert states["rmol"].missing_7d == {"authors": 1, "published_at": 1}
    assert states["bisnis"].missing_7d == {"authors": 1, "published_at": 0}


def _index_rows(database: Database) -> int:
    with database.session() as session:
        return session.scalar(text(f"SELECT count(*) FROM {search.SEARCH_TABLE}")) or 0


def _searched(database: Database, query: str) -> set[int]:
    with database.session() as session:
        found = search.search_filter(session, query)
        assert found is not None and found.condition is not None
        return set(session.scalars(select(StoredArticle.id).where(found.condition)))


def test_the_backfill_indexes_stories_stored_before_the_index_existed(
    database: Database, newsroom: dict[str, int]
) -> None:
    with database.engine.begin() as connection:  # what migration 0012 runs over an existing archive
        backfill(connection, batch=2)
    assert _ids(database, search="insinyur") == [newsroom["rmol"]]  # reindexed once, not twice
    assert story_words("Menyeberangi", None) == "menyeberangi seberang"


@contextmanager
def _older_with_a_story(database_url: str, revision: str) -> Iterator[tuple[Database, Connection]]:
    """A database migrated up to `revision` holding story 7, stored with no ORM (so not indexed), and
    the transaction that wrote it, committed when the block ends."""
    older = open_database(database_url, migrate=False)
    with older.engine.begin() as connection:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(insert(StoredArticle.__table__).values(
            id=7, canonical_url="https://rmol.id/read/7", url="https://rmol.id/read/7",
            title="Banjir bandang", body="Warga mengungsi.", first_seen=FIRST,
            authors=[], editors=[], field_sources={}, tags=[], source_org="", section="", lead="",
            language="id", paywalled=False, published_date_only=False, verdict="unchecked",
        ))  # fmt: skip
        yield older, connection


def test_migration_0012_indexes_the_stories_an_older_database_holds(database_url: str) -> None:
    with _older_with_a_story(database_url, "0010") as (older, _):
        pass
    older.migrate()
    assert _searched(older, "mengungsi") == {7}
    assert _index_rows(older) == 1
    older.dispose()


def test_migration_0014_rekeys_an_index_written_by_article_id(database_url: str) -> None:
    with _older_with_a_story(database_url, "0013") as (older, connection):
        if connection.dialect.name == "sqlite":  # the row 0012's first version wrote
            connection.execute(text(f"INSERT INTO {search.SEARCH_TABLE} (rowid, words) VALUES (7, 'banjir')"))
        else:
            search.index_stories(connection, [(7, FIRST, "Banjir bandang", "Warga mengungsi.")])
    older.migrate()
    assert _searched(older, "mengungsi") == {7}
    assert _index_rows(older) == 1
    with older.session() as session:  # and the trigger finds the row by its new key
        session.execute(delete(StoredArticle))
    assert _index_rows(older) == 0
    older.dispose()


def test_a_word_most_stories_hold_is_kept_during_the_walk_with_the_same_result(
    database: Database, newsroom: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = ("korea", "seberang", "banjir", "insinyur", "korea utara", "tsunami")
    by_condition = {query: _ids(database, search=query) for query in queries}
    monkeypatch.setattr(search, "SEARCH_LIST", 0)  # on SQLite every search now keeps ids as it walks
    assert {query: _ids(database, search=query) for query in queries} == by_condition
    assert by_condition["korea"] == [newsroom["rmol"], newsroom["flood"]]  # the cluster's first copy leads


# --- marks and the cluster filter ---------------------------------------------------------------------


def test_marks_are_each_readers_own_and_cover_every_copy(
    database: Database, newsroom: dict[str, int]
) -> None:
    vina = _user_id(database, "vina")
    eko = _user_id(database, "eko")
    assert mark_story(database, vina, newsroom["bisnis"], "read")  # marking a copy marks the story
    assert _ids(database, reader=vina, read="read") == [newsroom["rmol"]]
    assert _ids(database, reader=vina, read="unread") == [newsroom["flood"]]
    assert _ids(database, reader=eko, read="read") == []
    mark_story(database, vina, newsroom["flood"], "hide")
    assert _ids(database, reader=vina) == [newsroom["rmol"]]
    assert _ids(database, reader=vina, hidden="1") == [newsroom["flood"]]
    assert _ids(database, reader=eko) == [newsroom["rmol"], newsroom["flood"]]
    mark_story(database, vina, newsroom["rmol"], "star")
    assert _ids(database, reader=vina, starred="1") == [newsroom["rmol"]]
    mark_story(database, vina, newsroom["rmol"], "unstar")
    assert _ids(database, reader=vina, starred="1") == []
    assert not mark_story(database, vina, 2**40, "read")


def test_a_cluster_lists_every_copy_unfolded(database: Database, newsroom: dict[str, int]) -> None:
    cluster = _cluster_of(database, newsroom["rmol"])
    assert _ids(database, cluster=str(cluster)) == [newsroom["bisnis"], newsroom["rmol"]]


# --- the web, served ------------------------------------------------------------------------------------


@pytest.fixture
def web(database: Database, default_config: Config, newsroom: dict[str, int]) -> Iterator[str]:
    with running_web(default_config, database) as base_url:
        yield base_url


def test_the_inbox_searches_and_filters_by_marks_over_http(web: str, newsroom: dict[str, int]) -> None:
    vina = signed_in(web, "vina")
    page = vina.get("/inbox", params={"q": "banjir"}).text
    assert f'data-article="{newsroom["flood"]}"' in page and f'data-article="{newsroom["rmol"]}"' not in page
    assert 'value="banjir"' in page  # the search box keeps the words
    token = csrf_of(page)
    hidden = vina.post(f"/stories/{newsroom['flood']}/mark", data={"mark": "hide", "csrf_token": token},
                       headers={"HX-Request": "true"})  # fmt: skip
    assert hidden.status_code == 200 and hidden.text == ""  # htmx drops the row
    assert f'data-article="{newsroom["flood"]}"' not in vina.get("/inbox").text
    assert f'data-article="{newsroom["flood"]}"' in vina.get("/inbox", params={"hidden": "1"}).text
    starred = vina.post(f"/stories/{newsroom['rmol']}/mark", data={"mark": "star", "csrf_token": token},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert 'class="story starred"' in starred.text and 'value="unstar"' in starred.text
    assert vina.get("/inbox", params={"cluster": "x1"}).status_code == 400


def test_opening_a_story_marks_it_read_for_that_reader_only(web: str, newsroom: dict[str, int]) -> None:
    vina, eko = signed_in(web, "vina"), signed_in(web, "eko")
    assert vina.get(f"/stories/{newsroom['rmol']}").status_code == 200
    assert f'data-article="{newsroom["rmol"]}"' in vina.get("/inbox", params={"read": "read"}).text
    assert f'data-article="{newsroom["rmol"]}"' not in eko.get("/inbox", params={"read": "read"}).text


def test_a_mark_without_the_csrf_token_is_403(web: str, newsroom: dict[str, int]) -> None:
    vina = signed_in(web, "vina")
    response = vina.post(f"/stories/{newsroom['rmol']}/mark", data={"mark": "hide", "csrf_token": "0" * 32})
    assert response.status_code == 403
    assert f'data-article="{newsroom["rmol"]}"' in vina.get("/inbox").text


def test_the_exports_carry_the_filtered_view(web: str, newsroom: dict[str, int], database: Database) -> None:
    ani = signed_in(web, "ani")
    response = ani.get("/inbox/export.csv", params={"q": "korea"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="pantau-stories.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["id"], row["outlets"], row["first_outlet"]) for row in rows] == [
        (str(newsroom["rmol"]), "2", "rmol.id"),
        (str(newsroom["flood"]), "1", "rmol.id"),
    ]
    assert rows[1]["title"].startswith("'=HYPERLINK")  # a formula is written as text
    lines = ani.get("/inbox/export.jsonl", params={"source": "bisnis"}).text.splitlines()
    assert [json.loads(line)["url"] for line in lines] == ["https://bisnis.com/read/2"]
    _, token = create_token(database, "ani", "export", "read")
    api = httpx.Client(base_url=f"{web}/api/v1", headers={"Authorization": f"Bearer {token}"})
    exported = api.get("/stories/export", params={"format": "jsonl", "q": "insinyur"})
    assert exported.headers["content-type"] == "application/jsonl; charset=utf-8"
    records = [json.loads(line) for line in exported.text.splitlines()]
    assert [(record["id"], record["outlets"]) for record in records] == [(newsroom["rmol"], 2)]
    assert api.get("/stories/export", params={"format": "xml"}).status_code == 422
    assert api.get("/stories/export", params={"since": "kemarin"}).status_code == 400


def test_the_archived_original_is_served_sandboxed_and_framed_by_the_story(
    web: str, newsroom: dict[str, int]
) -> None:
    ani = signed_in(web, "ani")
    story = ani.get(f"/stories/{newsroom['rmol']}").text
    assert f'<iframe class="original" sandbox src="/stories/{newsroom["rmol"]}/original"' in story
    assert "<script>parent" not in story  # the page itself never carries the archived HTML
    original = ani.get(f"/stories/{newsroom['rmol']}/original")
    assert "<h1>Korea Utara</h1>" in original.text and 'alt="foto"' in original.text
    for loading in ("<script", "onclick", "<link", "@import", "url(", "src=", "<iframe", "href="):
        assert loading not in original.text  # nothing runs or loads
    policy = original.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy and original.headers["x-frame-options"] == "SAMEORIGIN"
    assert ani.get(f"/stories/{newsroom['bisnis']}/original").status_code == 404  # none kept
    assert "frame-ancestors 'none'" in ani.get("/inbox").headers["content-security-policy"]


def test_a_failed_alert_is_resent_once_by_an_editor_and_never_by_a_viewer(
    web: str, database: Database, newsroom: dict[str, int]
) -> None:
    alert_id = _failed_alert(database, newsroom["rmol"])
    viewer = signed_in(web, "vina")
    page = viewer.get("/alerts", params={"status": "failed"}).text
    assert "SMTP 550 mailbox unavailable" in page and f"/alerts/{alert_id}/resend" not in page
    assert viewer.post(f"/alerts/{alert_id}/resend", data={"csrf_token": csrf_of(page)}).status_code == 403
    editor = signed_in(web, "eko")
    token = csrf_of(editor.get("/alerts").text)
    assert editor.post(f"/alerts/{alert_id}/resend", data={"csrf_token": "0" * 32}).status_code == 403
    first = editor.post(f"/alerts/{alert_id}/resend", data={"csrf_token": token})
    assert first.status_code == 200 and f"#{alert_id}" in first.text
    again = editor.post(f"/alerts/{alert_id}/resend", data={"csrf_token": token})
    assert again.status_code == 409  # pending now: a second resend cannot queue it twice
    with database.session() as session:
        row = session.get_one(AlertOutbox, alert_id)
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)
    assert editor.post("/alerts/999999/resend", data={"csrf_token": token}).status_code == 404


def test_the_api_lists_the_outbox_and_resends_with_a_write_token_only(
    web: str, database: Database, newsroom: dict[str, int]
) -> None:
    alert_id = _failed_alert(database, newsroom["rmol"])
    _, reading = create_token(database, "eko", "r", "read")
    _, writing = create_token(database, "eko", "w", "write")
    api = httpx.Client(base_url=f"{web}/api/v1")
    listed = api.get("/alerts", params={"status": "failed"}, headers={"Authorization": f"Bearer {reading}"})
    assert [(row["id"], row["status"], row["attempts"]) for row in listed.json()] == [(alert_id, "failed", 5)]
    assert (
        api.post(f"/alerts/{alert_id}/resend", headers={"Authorization": f"Bearer {reading}"}).status_code
        == 403
    )
    resent = api.post(f"/alerts/{alert_id}/resend", headers={"Authorization": f"Bearer {writing}"})
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    conflict = api.post(f"/alerts/{alert_id}/resend", headers={"Authorization": f"Bearer {writing}"})
    assert conflict.status_code == 409 and conflict.headers["content-type"] == "application/problem+json"


def test_only_admins_manage_users_and_a_new_token_is_shown_once(web: str, database: Database) -> None:
    editor = signed_in(web, "eko")
    assert editor.get("/users").status_code == 403
    token = csrf_of(editor.get("/inbox").text)
    refused = editor.post(
        "/users", data={"name": "x", "password": PASSWORD, "role": "admin", "csrf_token": token}
    )
    assert refused.status_code == 403
    ani = signed_in(web, "ani")
    token = csrf_of(ani.get("/users").text)
    added = ani.post(
        "/users", data={"name": "dewi", "password": PASSWORD, "role": "viewer", "csrf_token": token}
    )
    assert added.status_code == 200 and 'data-user="dewi"' in added.text
    dewi = user_credentials(database, "dewi")
    assert dewi is not None and dewi[0].role == "viewer"
    assert ani.post(f"/users/{dewi[0].id}", data={"role": "editor", "csrf_token": token}).status_code == 200
    created = ani.post(
        f"/users/{dewi[0].id}/tokens", data={"name": "feed", "scope": "read", "csrf_token": token}
    )
    shown = created.text.split('<code class="token">')[1].split("</code>")[0]
    assert token_user(database, shown) is not None
    assert created.headers["cache-control"] == "no-store"
    assert shown not in ani.get("/users").text  # once only
    dewi_client = signed_in(web, "dewi")
    assert ani.post(f"/users/{dewi[0].id}", data={"active": "0", "csrf_token": token}).status_code == 200
    assert dewi_client.get("/inbox").status_code == 303  # the session ends
    assert token_user(database, shown) is None  # and the token stops working
    [row] = [row for row in list_tokens(database) if row.user == "dewi"]
    revoked = ani.post(f"/tokens/{row.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 200 and f"#{row.id}" in revoked.text
    assert [token.revoked_at is not None for token in list_tokens(database) if token.id == row.id] == [True]
    ani_id = _user_id(database, "ani")
    last_admin = ani.post(f"/users/{ani_id}", data={"role": "viewer", "csrf_token": token})
    assert last_admin.status_code == 400 and "last active admin" in last_admin.text
    assert ani.post("/users", data={"name": "dewi", "password": PASSWORD, "role": "viewer",
                                    "csrf_token": token}).status_code == 400  # fmt: skip


def test_trends_count_stories_per_watch_and_outlet_shares(
    web: str, database: Database, default_config: Config
) -> None:
    now = datetime.now(UTC)
    cluster = story_cluster(database)
    for source, url in (("rmol", "https://rmol.id/read/10"), ("bisnis", "https://bisnis.com/read/11")):
        # Published now, not an hour ago: between 00:00 and 01:00 WIB an hour ago is yesterday's column.
        put_story(database, default_config, source=source, url=url, title="Korea hari ini", body="Korea.",
                  published_at=now, cluster=cluster)  # fmt: skip
    ani = signed_in(web, "ani")
    page = ani.get("/trends", params={"days": 7}).text
    data = json.loads(page.split('<script type="application/json" id="trend-data">')[1].split("</script>")[0])
    assert len(data["days"]) == 7
    assert data["watches"] == {"korea": [0, 0, 0, 0, 0, 0, 1]}  # two outlets, one story
    assert data["shares"] == {"bisnis": [None] * 6 + [50.0], "rmol": [None] * 6 + [50.0]}
    assert '<script src="/static/uplot.iife.min.js" defer></script>' in page
    assert ani.get("/static/uplot.iife.min.js").status_code == 200
    sources = ani.get("/sources").text
    assert '<svg class="spark"' in sources


def _failed_alert(database: Database, article_id: int) -> int:
    with database.session() as session:
        row = AlertOutbox(dedup_key=f"korea:article-{article_id}:email", watch="korea", channel="email",
                          status="failed", attempts=5, last_error="SMTP 550 mailbox unavailable",
                          payload={"article": {"id": article_id, "title": "Korea Utara"}})  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def _user_id(database: Database, name: str) -> int:
    found = user_credentials(database, name)
    assert found is not None
    return found[0].id


def _cluster_of(database: Database, article_id: int) -> int:
    with database.session() as session:
        cluster = session.scalar(select(StoredArticle.cluster_id).where(StoredArticle.id == article_id))
        assert cluster is not None
        return cluster
