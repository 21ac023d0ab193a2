"""The Procrastinate app of one process: its connection to the database and the tasks it knows.

A scheduler knows the crawl tasks and its own periodic ones; a worker knows only the crawl tasks,
so only schedulers defer the periodic jobs (and Procrastinate defers each periodic slot once).
"""

from __future__ import annotations

from procrastinate import App, Blueprint, PsycopgConnector
from procrastinate.schema import SchemaManager

from crawler.domain.errors import ConfigError
from crawler.store.db import Database
from crawler.store.queue_schema import ensure_queue_schema

NAMESPACE = "pantau"
CRAWL_QUEUE = "crawl"
ALERTS_QUEUE = "alerts"
SCHEDULER_QUEUE = "scheduler"


class ScaleOutNeedsPostgres(ConfigError):
    """`pantau scheduler` and `pantau worker` share a PostgreSQL database; SQLite has one daemon."""


def require_postgres(database: Database, command: str) -> None:
    """Refuse scale-out mode on SQLite in one sentence that says what to do instead."""
    if database.is_sqlite:
        raise ScaleOutNeedsPostgres(
            f"`pantau {command}` is the scale-out mode and needs PostgreSQL, but {database.safe_url} is "
            "SQLite: run `pantau daemon` on SQLite, or point --db (storage.url) at a postgresql:// database"
        )


def conninfo(database_url: str, application_name: str) -> str:
    """The libpq URI of the database (SQLAlchemy's `+psycopg` driver suffix removed), named for
    `pg_stat_activity` so an operator sees which connections are the queue's."""
    uri = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    separator = "&" if "?" in uri else "?"
    return f"{uri}{separator}application_name={application_name}"


def queue_app(database: Database, application_name: str, *blueprints: Blueprint) -> App:
    """An app on the database's queue with the tasks of `blueprints`, under one namespace.

    Procrastinate's pool checks each connection as it lends it, so a connection the server cut
    (`pg_terminate_backend`, a restart, a failover) is replaced instead of failing a job.
    """
    connector = PsycopgConnector(conninfo=conninfo(database.url, application_name), min_size=1, max_size=8)
    app = App(connector=connector)
    for blueprint in blueprints:
        app.add_tasks_from(blueprint, namespace=NAMESPACE)
    return app


def task_name(name: str) -> str:
    """A task's full name in the queue, e.g. `pantau:crawl`."""
    return f"{NAMESPACE}:{name}"


def ensure_schema(database: Database) -> bool:
    """Create the queue's tables on first start (several processes may start at once); True if now."""
    return ensure_queue_schema(database, SchemaManager.get_schema())
