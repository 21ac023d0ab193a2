"""Fetch validators: the ETag and Last-Modified a listing, search or feed page last came with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select

from crawler.store.db import Database
from crawler.store.models import FetchValidator

Validators = tuple[str | None, str | None]
"""(ETag, Last-Modified) of a page."""


def known_validators(database: Database, url: str) -> Validators | None:
    """The validators the page came with last time, or None for a page never saved."""
    with database.session() as session:
        known = session.scalar(select(FetchValidator).where(FetchValidator.url == url))
        return None if known is None else (known.etag, known.last_modified)


def save_validators(database: Database, seen: Mapping[str, Validators]) -> None:
    """Keep the validators each page came with, replacing older ones."""
    now = datetime.now(UTC)
    with database.session() as session:
        rows = session.scalars(select(FetchValidator).where(FetchValidator.url.in_(list(seen))))
        stored = {row.url: row for row in rows}
        for url, (etag, last_modified) in seen.items():
            row = stored.get(url) or FetchValidator(url=url)
            row.etag, row.last_modified, row.checked_at = etag, last_modified, now
            session.add(row)
