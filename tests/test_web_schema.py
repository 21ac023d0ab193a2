"""schemathesis against /api/v1/openapi.json on the running app: generated requests to every
operation get no 5xx, and every response (status, content type, headers, body) matches the schema.

Not checked: that every schema-valid request is accepted. A cursor or a date is a string in the
schema, and one this API did not write or cannot read is a 400 problem, as documented.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from crawler.config import Config, load_config
from crawler.store.db import Database, open_database
from crawler.store.models import AlertOutbox
from crawler.store.users import create_token
from tests.conftest import DEFAULT_CONFIG
from tests.web_helpers import add_person, put_story, running_web

OPERATIONS = [
    "GET /stories", "GET /stories/export", "GET /stories/{story_id}", "GET /sources",
    "POST /sources/{name}/run", "GET /alerts", "POST /alerts/{alert_id}/resend",
    "GET /watches", "POST /watches", "GET /watches/{watch_id}", "PUT /watches/{watch_id}",
    "DELETE /watches/{watch_id}",
]  # fmt: skip


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OpenApiSchema, str]]:
    """The loaded schema of the running API and a write token of an editor."""
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('schema') / 'p.db'}")
    config = load_config(DEFAULT_CONFIG)
    _fill(database, config)
    with running_web(config, database) as base_url:
        yield schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json"), _token(database)
    database.dispose()


def _fill(database: Database, config: Config) -> None:
    add_person(database, "eko", "editor")
    put_story(database, config, source="rmol", url="https://rmol.id/read/1", title="Korea", body="Korea.",
              published_at=datetime(2025, 11, 21, tzinfo=UTC))  # fmt: skip
    with database.session() as session:  # failed alerts, so that resend answers 200 and then 409 too
        for number in range(1, 4):
            session.add(AlertOutbox(dedup_key=f"korea:article-1:email-{number}", watch="korea",
                                    channel="email", status="failed", attempts=5, last_error="SMTP 550",
                                    payload={"article": {"id": 1, "title": "Korea"}}))  # fmt: skip


def _token(database: Database) -> str:
    return create_token(database, "eko", "schema", "write")[1]


@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_requests_get_answers_that_match_the_schema(
    api: tuple[OpenApiSchema, str], label: str
) -> None:
    schema, token = api
    operation = schema[label.split(" ", 1)[1]][label.split(" ", 1)[0]]

    @given(operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers_match(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance]
        )

    answers_match()
