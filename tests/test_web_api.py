"""REST API v1 on the app served over loopback: the inbox's filters and cursor paging, one story,
sources, problem+json for every error, and the OpenAPI schema; and the htmx partial of the inbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crawler.config import Config
from crawler.store.db import Database
from crawler.store.runs import close_run, open_run
from crawler.store.sources import source_id
from crawler.store.users import create_token
from crawler.web import source_pages
from tests.web_helpers import add_person, put_story, running_web, signed_in, story_cluster

FIRST = datetime(2025, 11, 21, 2, 30, tzinfo=UTC)


@pytest.fixture
def api(sqlite_database: Database, default_config: Config) -> Iterator[httpx.Client]:
    """A client with a read token, over two outlets' copies of one story and one older story."""
    cluster = story_cluster(sqlite_database)
    for source, url, minutes in (
        ("rmol", "https://rmol.id/read/1", 0),
        ("bisnis", "https://bisnis.com/read/2", 30),
    ):
        put_story(sqlite_database, default_config, source=source, url=url, title="Korea Utara", body="Korea.",
                  published_at=FIRST + timedelta(minutes=minutes), cluster=cluster)  # fmt: skip
    older = FIRST - timedelta(days=3)
    put_story(sqlite_database, default_config, source="rmol", url="https://rmol.id/read/3",
              title="Korea lama", body="Korea.", published_at=older)  # fmt: skip
    add_person(sqlite_database, "ani", "admin")
    _, token = create_token(sqlite_database, "ani", "test", "read")
    with running_web(default_config, sqlite_database) as base_url:
        yield httpx.Client(base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {token}"})


def test_stories_page_by_cursor_with_copies_folded(api: httpx.Client) -> None:
    first = api.get("/stories", params={"limit": 1}).json()
    assert [(item["url"], item["outlets"]) for item in first["items"]] == [("https://rmol.id/read/1", 2)]
    assert [copy["lag_seconds"] for copy in first["items"][0]["copies"]] == [0, 1800]
    second = api.get("/stories", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [item["url"] for item in second["items"]] == ["https://rmol.id/read/3"]
    assert second["next_cursor"] is None


def test_stories_take_the_inbox_filters(api: httpx.Client) -> None:
    by_source = api.get("/stories", params={"source": "bisnis"}).json()["items"]
    assert [item["url"] for item in by_source] == ["https://bisnis.com/read/2"]
    by_days = api.get("/stories", params={"since": "2025-11-18", "until": "2025-11-18"}).json()["items"]
    assert [item["url"] for item in by_days] == ["https://rmol.id/read/3"]
    assert api.get("/stories", params={"watch": "other"}).json() == {"items": [], "next_cursor": None}


def test_one_story_has_its_fields_matches_and_outlets(api: httpx.Client) -> None:
    story_id = api.get("/stories", params={"source": "bisnis"}).json()["items"][0]["id"]
    story = api.get(f"/stories/{story_id}").json()
    assert story["field_sources"] == {"title": "recipe", "published_at": "json-ld"}
    assert [match["watch"] for match in story["matches"]] == ["korea"]
    assert [copy["outlet"] for copy in story["copies"]] == ["rmol.id", "bisnis.com"]


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/stories/999", 404, "no story with id 999"),
        ("/stories?since=kemarin", 400, "unknown date 'kemarin': write YYYY-MM-DD"),
        ("/stories?cursor=eHl6", 400, "'eHl6' is not a cursor of this list; start again without one"),
        ("/stories?limit=0", 422, "query.limit: Input should be greater than or equal to 1"),
    ],
)
def test_errors_are_problem_json(api: httpx.Client, path: str, status: int, detail: str) -> None:
    response = api.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


def test_sources_list_every_configured_source(api: httpx.Client, default_config: Config) -> None:
    sources = api.get("/sources").json()
    assert [source["name"] for source in sources] == sorted(default_config.sources)
    rmol = next(source for source in sources if source["name"] == "rmol")
    assert (rmol["last_run"]["status"], rmol["run_requested"]) == ("running", False)
    # Both rmol stories have a publication time and no author: the page says so under its count.
    assert (rmol["stories_7d"], rmol["missing_7d"]) == (2, {"authors": 2, "published_at": 0})


def test_a_sources_runs_page_newest_first_with_their_errors(
    api: httpx.Client, sqlite_database: Database, default_config: Config
) -> None:
    with sqlite_database.session() as session:  # the fixture's stories each opened a run: rmol 1 and 3
        newest = open_run(session, source_id(session, "rmol", default_config), "run-now")
        close_run(session, newest, status="failed", pages=3, errors=["listing: HTTP 503 Service Unavailable"])
    first = api.get("/sources/rmol/runs", params={"limit": 2}).json()
    assert [(run["id"], run["trigger"]) for run in first] == [(newest, "run-now"), (newest - 1, "manual")]
    assert first[0]["status"] == "failed"
    assert (first[0]["pages_fetched"], first[0]["errors"]) == (3, ["listing: HTTP 503 Service Unavailable"])
    rest = api.get("/sources/rmol/runs", params={"before": first[-1]["id"]}).json()
    assert [run["id"] for run in rest] == [1]
    assert api.get("/sources/bisnis/runs").json()[0]["trigger"] == "manual"
    assert api.get("/sources/rmol_regional/runs").json() == []  # configured, never ran
    missing = api.get("/sources/nope/runs")
    assert (missing.status_code, missing.json()["detail"]) == (404, "there is no source named 'nope'")
    assert api.get("/sources/rmol/runs", params={"before": 0}).status_code == 422


def test_a_sources_page_lists_its_runs_a_page_at_a_time(
    api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_pages, "RUNS_PAGE", 1)
    web = str(api.base_url).removesuffix("/api/v1/")
    client = signed_in(web, "ani")
    newest = client.get("/sources/rmol")
    assert re.findall(r'data-run="(\d+)"', newest.text) == ["3"]
    older = re.search(r'<a rel="next" href="([^"]+)"', newest.text)
    assert older is not None and older.group(1) == "/sources/rmol?before=3"
    assert re.findall(r'data-run="(\d+)"', client.get(older.group(1)).text) == ["1"]
    assert '<small class="missing">2 tanpa penulis</small>' in client.get("/sources").text
    assert client.get("/sources/nope").status_code == 404
    assert client.get("/sources/rmol", params={"before": "x"}).status_code == 422


def test_the_openapi_schema_describes_every_route(api: httpx.Client) -> None:
    schema = httpx.get(str(api.base_url.join("openapi.json"))).json()  # no token needed for the schema
    assert sorted(schema["paths"]) == [
        "/alerts", "/alerts/{alert_id}/resend", "/sources", "/sources/{name}/run", "/sources/{name}/runs",
        "/stories",
        "/stories/export", "/stories/{story_id}", "/watches", "/watches/{watch_id}",
    ]  # fmt: skip
    assert "application/problem+json" in schema["paths"]["/stories"]["get"]["responses"]["401"]["content"]


def test_an_htmx_filter_gets_only_the_inbox_block(sqlite_database: Database, default_config: Config) -> None:
    put_story(sqlite_database, default_config, source="rmol", url="https://rmol.id/read/1", title="Korea",
              body="Korea.", published_at=FIRST)  # fmt: skip
    add_person(sqlite_database, "ani", "admin")
    with running_web(default_config, sqlite_database) as base_url:
        client = signed_in(base_url, "ani")
        part = client.get("/inbox", params={"source": "rmol"}, headers={"HX-Request": "true"}).text
        assert part.lstrip().startswith('<main id="content">') and "<html" not in part
        assert "https://rmol.id/read/1" not in part and 'href="/stories/1"' in part
        # The filter form asks for the results alone: the form itself is never replaced.
        asked = {"HX-Request": "true", "HX-Target": "results"}
        results = client.get("/inbox", params={"q": "korea"}, headers=asked)
        assert 'href="/stories/1"' in results.text and "/inbox/export.csv?q=korea" in results.text
        assert 'class="filters"' not in results.text and "<main" not in results.text
