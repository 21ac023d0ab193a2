"""Engines, sessions and migrations: open a database by URL and bring its schema up to date.

`Session` is re-exported: callers that compose one transaction of several store functions hold one
and pass it along, without importing SQLAlchemy themselves.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.domain.errors import StorageError, StorageFull
from crawler.store import search

log = logging.getLogger(__name__)

__all__ = ["MIGRATIONS", "WRITER_CACHE_KIB", "Database", "Session", "alembic_config", "open_database"]

MIGRATIONS = Path(__file__).parent / "migrations"


class Database:
    """One engine and its session factory; `session()` is one unit of work in one transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        search.keep_in_sync()
        self._writer = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error; a full disk
        is a `StorageFull` error (everything committed before stays)."""
        with self._sessions() as session:
            try:
                with session.begin():
                    yield session
            except OperationalError as error:
                if _disk_full(error, self.url):
                    raise self._full() from None
                raise

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """`session()` for a transaction that writes. On SQLite the threads of this process take turns
        here: the file has one write lock, and a thread waiting for it in SQLite's busy handler sleeps
        up to 100 ms between tries (or fails at once when its read snapshot went stale)."""
        with self._writer if self.is_sqlite else nullcontext(), self.session() as session:
            if self.is_sqlite:
                _hold_a_batch_of_pages(session)
            yield session

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied (run on every start)."""
        try:
            with self.engine.begin() as connection:
                config = alembic_config(self.url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as error:
            if _disk_full(error, self.url):
                raise self._full() from None
            raise StorageError(f"cannot reach database {self.safe_url}: {_reason(error)}") from None
        except DBAPIError as error:
            raise StorageError(f"cannot open database {self.safe_url}: {_reason(error)}") from None
        except SQLAlchemyError as error:
            raise StorageError(f"cannot migrate database {self.safe_url}: {_reason(error)}") from None

    def _full(self) -> StorageFull:
        return StorageFull(
            f"cannot write to {self.safe_url}: the disk is full; what was stored before is kept"
        )

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open the database at `url` and, by default, migrate it to the current schema."""
    database = Database(url)
    if migrate:
        database.migrate()
    return database


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"{url!r} is not a database URL (try sqlite:///pantau.db)") from None
    options: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                problem = f"cannot create its folder {folder}: {error.strerror}"
                raise StorageError(f"cannot open database {url}: {problem}") from None
        options["connect_args"] = {"timeout": 30}
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        options["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **options)
    except (ArgumentError, ImportError) as error:
        raise StorageError(f"cannot open database {url!r}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "checkin", _back_to_the_default_cache)
    _LockWaitNotice(engine, make_url(url).render_as_string(hide_password=True))
    return engine


LOCK_NOTICE_SECONDS = 3.0
"""A statement that has not finished by then is waiting for a lock: say so once, not silently for 30 s."""


class _LockWaitNotice:
    """Logs one line when a statement outlasts LOCK_NOTICE_SECONDS: on SQLite, that is another process
    holding the write lock (busy_timeout waits up to 30 s); on PostgreSQL, a row or advisory lock.

    Statements only note their start (a clock read); one watcher thread per engine, started on first
    use, looks at the ones in flight twice a second.
    """

    def __init__(self, engine: Engine, safe_url: str) -> None:
        self.safe_url = safe_url
        self._in_flight: dict[int, float] = {}  # id of the DBAPI connection -> when its statement began
        self._watcher: threading.Thread | None = None
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._start)
        event.listen(engine, "after_cursor_execute", self._stop)
        event.listen(engine, "handle_error", self._stop_on_error)

    def _start(self, connection: Connection, *_: Any) -> None:
        with self._lock:  # uncontended almost always; it orders this with the watcher's exit
            self._in_flight[id(connection)] = time.monotonic()
            if self._watcher is None:
                self._watcher = threading.Thread(target=self._watch, name="pantau-lock-notice", daemon=True)
                self._watcher.start()

    def _stop(self, connection: Connection, *_: Any) -> None:
        self._in_flight.pop(id(connection), None)

    def _stop_on_error(self, context: ExceptionContext) -> None:
        if context.connection is not None:
            self._stop(context.connection)

    def _watch(self) -> None:
        """One line per stretch of waiting, however many statements wait in it; the thread ends
        after a minute without statements and the next statement starts another."""
        waited = False
        idle_since = time.monotonic()
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            starts = list(self._in_flight.values())
            waiting = any(now - started >= LOCK_NOTICE_SECONDS for started in starts)
            if waiting and not waited:
                log.warning(
                    "waiting for the database lock on %s (another process is writing) …", self.safe_url
                )
            waited = waiting
            if starts:
                idle_since = now
            elif now - idle_since > 60:
                with self._lock:
                    if not self._in_flight:
                        self._watcher = None
                        return


def _configure_sqlite(connection: Any, _record: Any) -> None:
    # WAL lets a CLI crawl and the daemon share the file; foreign keys are off by default in SQLite.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITER_CACHE_KIB = 16_384
"""SQLite's page cache for a transaction that writes (the default is 2 MiB): a crawl's batch of 50
stories writes about 2,500 near-duplicate index rows to random pages of a large index; with room
for all of them, none is written out to the WAL and read back before the commit, whatever the
archive's size. Only the one writing connection (writers take turns) holds it, and only while
it writes: 32 MiB on every pooled connection took peak RSS past 600 MiB."""


def _hold_a_batch_of_pages(session: Session) -> None:
    """Give the session's connection the writer's cache until it goes back to the pool."""
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    connection.connection.info["writer_cache"] = True


def _back_to_the_default_cache(dbapi_connection: Any, record: Any) -> None:
    if record is not None and record.info.pop("writer_cache", False):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default; the pages above it are freed
        cursor.close()


def _reason(error: SQLAlchemyError) -> str:
    """The driver's own first line, without SQLAlchemy's statement dump and help link."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _disk_full(error: OperationalError, url: str) -> bool:
    """PostgreSQL's disk_full (SQLSTATE 53100), SQLite's SQLITE_FULL, or an SQLite I/O error on a
    filesystem with almost no space left (a WAL that cannot grow fails that way)."""
    if getattr(error.orig, "sqlstate", None) == "53100" or "database or disk is full" in str(error.orig):
        return True
    path = make_url(url).database if make_url(url).get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or "disk I/O error" not in str(error.orig):
        return False
    return shutil.disk_usage(Path(path).parent).free < _NEARLY_FULL_BYTES


_NEARLY_FULL_BYTES = 1 << 20
