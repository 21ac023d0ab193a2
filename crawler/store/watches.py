"""Watches kept in the database: what the daemon, `pantau crawl`, alerts and the web read and edit.

The YAML file's `watches:` is an import/export format. A database that has never held watches takes
the configuration's on first use (once: a marker in `web_settings` records it), and from then on the
database rules; `pantau watches import FILE` replaces them on purpose.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from crawler.config import Config
from crawler.domain.errors import PantauError
from crawler.domain.watch import Watch, watch_webhook_channel
from crawler.store.db import Database, Session
from crawler.store.models import AlertOutbox, StoredWatch, WatchFeedToken, WebSetting, utcnow

log = logging.getLogger(__name__)

IMPORTED_MARKER = "watches_imported_from_config"
MAX_ID = 2**31 - 1  # the id column's range: a larger id names no watch (and would be a driver error)
FEED_TOKEN_PREFIX = "feed_"


class WatchStoreError(PantauError):
    """A watch that cannot be created, found or changed as asked."""


@dataclass(frozen=True, slots=True)
class WatchRecord:
    """A stored watch with its id and who made and last changed it."""

    id: int
    watch: Watch
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str

    @property
    def name(self) -> str:
        return self.watch.name


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    removed: int


def list_watches(database: Database) -> list[WatchRecord]:
    """Every stored watch, in the order they were created (the order matches are reported in)."""
    with database.session() as session:
        return [_record(row) for row in session.scalars(select(StoredWatch).order_by(StoredWatch.id))]


def stored_watches(database: Database) -> list[Watch]:
    return [record.watch for record in list_watches(database)]


def watch_by_id(database: Database, watch_id: int) -> WatchRecord | None:
    if not 0 < watch_id <= MAX_ID:
        return None
    with database.session() as session:
        row = session.get(StoredWatch, watch_id)
        return None if row is None else _record(row)


def watch_by_name(database: Database, name: str) -> WatchRecord | None:
    with database.session() as session:
        row = session.scalar(select(StoredWatch).where(StoredWatch.name == name))
        return None if row is None else _record(row)


def create_watch(database: Database, watch: Watch, by: str) -> WatchRecord:
    """Store a new watch; a taken name is a `WatchStoreError`."""
    try:
        with database.session() as session:
            row = StoredWatch(created_by=by, updated_by=by)
            _assign(row, watch)
            session.add(row)
            session.flush()
            return _record(row)
    except IntegrityError:
        raise WatchStoreError(f"a watch named {watch.name!r} already exists") from None


def update_watch(database: Database, watch_id: int, watch: Watch, by: str) -> WatchRecord:
    """Replace a stored watch's fields (its name too); an unknown id or a taken name is an error.

    Renaming keeps the matches and alerts recorded under the old name as they were; alerts not sent
    yet to the watch's own webhook follow it to the new name, where the dispatcher looks it up."""
    try:
        with database.session() as session:
            row = session.get(StoredWatch, watch_id) if 0 < watch_id <= MAX_ID else None
            if row is None:
                raise WatchStoreError(f"there is no watch {watch_id}")
            if _watch(row) != watch:
                if row.name != watch.name:
                    old = watch_webhook_channel(row.name)
                    waiting = (AlertOutbox.channel == old, AlertOutbox.status != "sent")
                    session.execute(
                        update(AlertOutbox).where(*waiting).values(channel=watch_webhook_channel(watch.name))
                    )
                _assign(row, watch)
                row.updated_at, row.updated_by = utcnow(), by
            session.flush()
            return _record(row)
    except IntegrityError:
        raise WatchStoreError(f"a watch named {watch.name!r} already exists") from None


def delete_watch(database: Database, watch_id: int) -> bool:
    """Delete a watch and its feed tokens; its recorded matches and alerts stay. False if unknown."""
    if not 0 < watch_id <= MAX_ID:
        return False
    with database.session() as session:
        row = session.get(StoredWatch, watch_id)
        if row is None:
            return False
        session.delete(row)
        return True


def import_watches(database: Database, watches: list[Watch], by: str, replace: bool = False) -> ImportReport:
    """Add or update each watch by name, in one transaction; with `replace`, delete the others."""
    added = updated = unchanged = removed = 0
    with database.session() as session:
        existing = {row.name: row for row in session.scalars(select(StoredWatch))}
        for watch in watches:
            row = existing.pop(watch.name, None)
            if row is None:
                row = StoredWatch(created_by=by, updated_by=by)
                _assign(row, watch)
                session.add(row)
                session.flush()  # ids follow the file's order
                added += 1
            elif _watch(row) == watch:
                unchanged += 1
            else:
                _assign(row, watch)
                row.updated_at, row.updated_by = utcnow(), by
                updated += 1
        if replace:
            for row in existing.values():
                session.delete(row)
                removed += 1
        _mark_imported(session)
    return ImportReport(added=added, updated=updated, unchanged=unchanged, removed=removed)


def import_config_watches_on_first_start(database: Database, config: Config) -> bool:
    """Copy the configuration's watches into a database that has never held any, once. True if done.

    Afterwards the database rules: a later change of the file's `watches:` is not read (a line in
    the log says so where a process starts; `pantau watches import` applies a file on purpose).
    """
    with database.session() as session:
        if session.get(WebSetting, IMPORTED_MARKER) is not None:
            return False
    try:
        with database.session() as session:
            _mark_imported(session)
            session.flush()  # a second process starting at the same moment fails here, and imports nothing
            if session.scalar(select(func.count()).select_from(StoredWatch)):
                return False
            for watch in config.watches:
                row = StoredWatch(created_by="config", updated_by="config")
                _assign(row, watch)
                session.add(row)
                session.flush()
    except IntegrityError:
        return False
    if config.watches:
        log.info(
            "%d watches of %s copied into the database, which rules from now on: edit them in the web, "
            "or with 'pantau watches import FILE'",
            len(config.watches),
            config.path,
        )
    return True


def configured(config: Config, database: Database) -> Config:
    """`config` with the database's watches (the file's, on a database's first start)."""
    import_config_watches_on_first_start(database, config)
    return config.with_watches(stored_watches(database))


def note_ignored_config_watches(config: Config, database: Database) -> None:
    """Say in the log when the file lists watches that differ from the database's, which win."""
    stored = stored_watches(database)
    if config.watches and config.watches != stored:
        log.warning(
            "%s lists %d watches; the database's %d watches are used (the database rules: "
            "'pantau watches import %s' applies the file's)",
            config.path,
            len(config.watches),
            len(stored),
            config.path,
        )


def create_feed_token(database: Database, watch_id: int, by: str) -> str:
    """A new secret for the watch's feed URL, returned once; only its SHA-256 is stored."""
    token = FEED_TOKEN_PREFIX + secrets.token_urlsafe(24)
    with database.session() as session:
        if session.get(StoredWatch, watch_id) is None:
            raise WatchStoreError(f"there is no watch {watch_id}")
        session.add(WatchFeedToken(watch_id=watch_id, token_hash=_digest(token), created_by=by))
    return token


def revoke_feed_tokens(database: Database, watch_id: int) -> int:
    """End every feed URL of the watch; the number revoked."""
    with database.session() as session:
        result = session.execute(
            update(WatchFeedToken)
            .where(WatchFeedToken.watch_id == watch_id, WatchFeedToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return int(getattr(result, "rowcount", 0) or 0)


def active_feed_tokens(database: Database, watch_id: int) -> int:
    with database.session() as session:
        query = select(func.count()).where(
            WatchFeedToken.watch_id == watch_id, WatchFeedToken.revoked_at.is_(None)
        )
        return session.scalar(query) or 0


def watch_of_feed_token(database: Database, token: str) -> WatchRecord | None:
    """The watch a feed token opens, or None when it is unknown or revoked."""
    with database.session() as session:
        row = session.scalar(
            select(StoredWatch)
            .join(WatchFeedToken, WatchFeedToken.watch_id == StoredWatch.id)
            .where(WatchFeedToken.token_hash == _digest(token), WatchFeedToken.revoked_at.is_(None))
        )
        return None if row is None else _record(row)


def _mark_imported(session: Session) -> None:
    if session.get(WebSetting, IMPORTED_MARKER) is None:
        session.add(WebSetting(name=IMPORTED_MARKER, value=utcnow().isoformat()))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _assign(row: StoredWatch, watch: Watch) -> None:
    row.name, row.query = watch.name, watch.query
    row.sources, row.channels = list(watch.sources), list(watch.channels)
    row.delivery, row.daily_at, row.muted = watch.delivery, watch.daily_at.isoformat(), watch.muted
    row.webhook = watch.webhook


def _watch(row: StoredWatch) -> Watch:
    return Watch(
        name=row.name,
        query=row.query,
        sources=list(row.sources),
        channels=list(row.channels),
        delivery=row.delivery,  # type: ignore[arg-type]  # the store writes only Watch's values
        daily_at=time.fromisoformat(row.daily_at),
        muted=row.muted,
        webhook=row.webhook,
    )


def _record(row: StoredWatch) -> WatchRecord:
    return WatchRecord(row.id, _watch(row), row.created_at, row.created_by, row.updated_at, row.updated_by)
