"""Alembic environment: migrations run on the connection Pantau hands over, or on the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from crawler.store.models import Base
from crawler.store.search import is_search_table

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as new_connection:
        _run(new_connection)


def _described(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave the full-text index's tables out of comparisons: the models do not describe them."""
    return not (type_ == "table" and is_search_table(name))


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=_described,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
