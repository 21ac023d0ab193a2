"""Inserts that skip rows already present, in one statement for many rows, on SQLite and PostgreSQL.

The crawl's hot path writes with these instead of ORM objects: one statement per batch instead of a
unit-of-work flush per row. A conflict on the named unique key skips that row and nothing else (a
NOT NULL or foreign-key violation still fails the statement, unlike SQLite's `INSERT OR IGNORE`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crawler.store.models import Base


def insert_skipping_present(session: Session, table: Table, unique_key: Sequence[str]) -> Insert:
    """`INSERT ... ON CONFLICT (unique_key) DO NOTHING` in the dialect of the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(unique_key))
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(unique_key))


def table_of(model: type[Base]) -> Table:
    """The model's table, for Core statements: they write rows without building ORM objects."""
    return cast(Table, model.__table__)
