"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the default config."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crawler.config import Config, load_config
from crawler.store.db import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT_CONFIG = ROOT / "config" / "pantau.yaml"
POSTGRES_URL = os.environ.get("PANTAU_TEST_DATABASE_URL")
POSTGRES_SKIP_REASON = "PANTAU_TEST_DATABASE_URL is not set: PostgreSQL storage tests need a server"
# pyproject's filterwarnings for the `pantau` commands, daemons and workers the tests start. Scrapy's
# own category cannot be named here (PYTHONWARNINGS is read before scrapy can be imported).
CHILD_PROCESS_WARNINGS = (
    "error::DeprecationWarning",
    "error::PendingDeprecationWarning",
    "ignore:'imghdr' is deprecated:DeprecationWarning:apprise.utils.pgp",
)


def pytest_configure(config: pytest.Config) -> None:
    os.environ["PYTHONWARNINGS"] = ",".join(CHILD_PROCESS_WARNINGS)


def _postgres_schema_url(base_url: str, schema: str) -> str:
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema that is dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    schema = f"pantau_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pantau.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = open_database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database, for tests whose subject is not storage."""
    database = open_database(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def default_config() -> Config:
    return load_config(DEFAULT_CONFIG)
