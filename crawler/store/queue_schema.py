"""The job queue's own tables (Procrastinate's schema) in a PostgreSQL database, created once.

Scale-out mode applies the schema Procrastinate ships when a scheduler or worker starts on a
database that lacks it; Alembic keeps Pantau's tables, Procrastinate's are versioned with it.
"""

from __future__ import annotations

from sqlalchemy import text

from crawler.store.db import Database

# Any fixed number: every scheduler and worker starting at once waits on it, one applies the schema.
_SCHEMA_LOCK = 0x70616E7461  # "panta"


def ensure_queue_schema(database: Database, schema_sql: str) -> bool:
    """Apply `schema_sql` unless the queue's table exists already; True when it was applied now."""
    with database.session() as session:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        if session.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is not None:
            return False
        # The driver's own cursor: the schema is many statements and its `%` signs are no placeholders.
        driver = session.connection().connection.driver_connection
        assert driver is not None
        driver.execute(schema_sql)
        return True
