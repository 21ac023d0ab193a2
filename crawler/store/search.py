"""Full-text search over stories' title and body: SQLite FTS5, PostgreSQL `tsvector` ('simple' config).

Both databases index the same words: each token of the title and body folded and as its root, by
the watch queries' own normaliser (crawler/matching/text.py), so `menyeberangi` finds `seberang`
and `Óscar` finds `oscar` the way a watch would. A search looks for the roots of its words, all of
them. The index is kept in sync whenever an article is stored or its title or body changes (ORM
events, below); `index_stories` fills it in bulk (migration 0012's backfill, the web bench).

On SQLite a story's row in the index is keyed by its story time before its id (`search_key`), so
FTS5, which reads matches in key order, hands a search's newest stories first and the inbox reads
only as far back as it shows, however many stories hold a common word.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from sqlalchemy import ColumnElement, Connection, Integer, column, event, inspect, select, table, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Mapper, Session

from crawler.matching.text import tokens
from crawler.store.models import StoredArticle, UTCDateTime

SEARCH_TABLE = "article_search"
_SQLITE_SHADOWS = tuple(
    f"{SEARCH_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")
)

_KEY_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_ID_BITS = 34
_LAST_MINUTE = (1 << (63 - _ID_BITS)) - 1
"""A key is the story's minute since 2000 (0 before it, and at most _LAST_MINUTE, in the year 3020, so
that a date misread far ahead still fits 64 bits), then its id in the low 34 bits."""

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(words, tokenize = 'unicode61 remove_diacritics 2')",
    # Deleting a story deletes its words (PostgreSQL does it by the foreign key's cascade); the key is
    # `search_key` in SQL (SQLite keeps the UTC time as text, and divides toward zero, as max() covers).
    f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON articles BEGIN DELETE FROM {SEARCH_TABLE} "
    f"WHERE rowid = (min({_LAST_MINUTE}, max(0, (CAST(strftime('%s', coalesce(old.published_at, "
    f"old.first_seen)) AS INTEGER) - {int(_KEY_EPOCH.timestamp())}) / 60)) << {_ID_BITS}) | old.id; END",
)
POSTGRESQL_DDL = (
    f"CREATE TABLE {SEARCH_TABLE} (article_id INTEGER PRIMARY KEY "
    f"REFERENCES articles (id) ON DELETE CASCADE, words TSVECTOR NOT NULL)",
    f"CREATE INDEX ix_{SEARCH_TABLE}_words ON {SEARCH_TABLE} USING GIN (words)",
)


def is_search_table(name: str | None) -> bool:
    """The index's own tables, which the models do not describe (schema comparisons leave them out)."""
    return name == SEARCH_TABLE or name in _SQLITE_SHADOWS or name == f"{SEARCH_TABLE}_delete"


def story_words(title: str, body: str | None) -> str:
    """The words a story is found by: every token of title and body, folded and as its root, once each."""
    words: dict[str, None] = {}
    for part in (title, body or ""):
        for token in tokens(part):
            words[token.form] = None
            words[token.stem] = None
    return " ".join(words)


def query_roots(query: str) -> list[str]:
    """The roots a search looks for: one per word of the query, as the index keeps them."""
    return list(dict.fromkeys(token.stem for token in tokens(query)))


def create(connection: Connection) -> None:
    """Create the index in this database (migration 0012)."""
    for statement in SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRESQL_DDL:
        connection.execute(text(statement))


def search_key(article_id: int, moment: datetime) -> int:
    """A story's row key in SQLite's index: ordered by story time (to the minute), unique by its id."""
    if not 0 < article_id < 1 << _ID_BITS:
        raise ValueError(f"article id {article_id} does not fit the search index's key")
    return _minute_key(moment) | article_id


def _minute_key(moment: datetime) -> int:
    """The lowest key of a story of `moment`'s minute."""
    return min(_LAST_MINUTE, max(0, (moment - _KEY_EPOCH) // timedelta(minutes=1))) << _ID_BITS


Indexed = tuple[int, datetime, str, str | None]
"""(article id, story time: published, else first seen, title, body)."""


def index_stories(connection: Connection, stories: Iterable[Indexed]) -> None:
    """(Re)index stories in the caller's transaction."""
    sqlite = connection.dialect.name == "sqlite"
    rows = [
        {"id": search_key(article_id, moment) if sqlite else article_id, "words": story_words(title, body)}
        for article_id, moment, title, body in stories
    ]
    if not rows:
        return
    key = "rowid" if sqlite else "article_id"
    connection.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE {key} = :id"), rows)
    value = ":words" if sqlite else "to_tsvector('simple', :words)"
    connection.execute(text(f"INSERT INTO {SEARCH_TABLE} ({key}, words) VALUES (:id, {value})"), rows)


def _unindex(connection: Connection, article_id: int, moment: datetime) -> None:
    """Drop a story's row as it was keyed at `moment` (its story time changed)."""
    if connection.dialect.name == "sqlite":
        key = search_key(article_id, moment)
        connection.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = :key"), {"key": key})


def backfill(connection: Connection, batch: int = 2000) -> int:
    """Index every stored article, a batch at a time (migration 0012): how many there were."""
    articles = table(
        "articles",
        column("id", Integer),
        column("title"),
        column("body"),
        column("published_at", UTCDateTime),
        column("first_seen", UTCDateTime),
    )
    last = indexed = 0
    while True:
        rows = connection.execute(
            select(articles).where(articles.c.id > last).order_by(articles.c.id).limit(batch)
        ).all()
        if not rows:
            return indexed
        stories = [(row.id, row.published_at or row.first_seen, row.title or "", row.body) for row in rows]
        index_stories(connection, stories)
        last = rows[-1].id
        indexed += len(rows)


def rebuild(connection: Connection) -> int:
    """Drop and refill the index: how many stories it holds. Migration 0014 runs it (SQLite's rows
    were keyed by article id alone), and `pantau items reindex` after the word analyser changes,
    since the index keeps each word's root."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_delete"))
        connection.execute(text(f"DROP TABLE IF EXISTS {SEARCH_TABLE}"))
        create(connection)
    else:
        connection.execute(text(f"DELETE FROM {SEARCH_TABLE}"))
    return backfill(connection)


SEARCH_LIST = 5000
"""On SQLite, up to this many stories found are read by id; more are read newest first as the walk goes."""
SEARCH_CHUNK = 5000
"""How many more keys a common search reads from SQLite's index at a time."""
_ID_MASK = (1 << _ID_BITS) - 1


class NewestFirst:
    """The stories holding a common search's words (SQLite), read from the index newest first and only
    as far back as the inbox's walk has asked about."""

    def __init__(self, connection: DBAPIConnection, expression: str, keys: list[int]) -> None:
        self._connection = connection
        self._expression = expression
        self._ids = {key & _ID_MASK for key in keys}
        self._lowest = keys[-1]
        self._complete = False

    def down_to(self, moment: datetime) -> AbstractSet[int]:
        """The ids of the stories holding the words, complete for every story of time `moment` or later."""
        floor = _minute_key(moment)
        while not self._complete and self._lowest >= floor:
            keys = _newest_keys(self._connection, self._expression, self._lowest, SEARCH_CHUNK)
            self._ids.update(key & _ID_MASK for key in keys)
            self._complete = len(keys) < SEARCH_CHUNK
            if keys:
                self._lowest = keys[-1]
        return self._ids


@dataclass(frozen=True, slots=True)
class Found:
    """How the inbox narrows its walk to the stories a search found: a `condition` for the database,
    or the stories to `keep` as it walks (a word many stories hold, on SQLite); `none` when no story
    has it."""

    condition: ColumnElement[bool] | None = None
    keep: NewestFirst | None = None
    none: bool = False


def search_filter(session: Session, query: str, before: datetime | None = None) -> Found | None:
    """The stories holding every root of the query (those of story time up to `before`, when given);
    None for a query with no word.

    PostgreSQL's planner weighs the GIN index against the walk by story time itself, so it gets the
    index as a subquery. SQLite cannot: it sorts every match of a common word (seconds at 100,000
    stories) or asks FTS5 story by story (tens of microseconds each), so it reads the newest matches
    in key order: all of them when they are few, else as many as the walk needs.
    """
    roots = query_roots(query)
    if not roots:
        return None
    if session.get_bind().dialect.name != "sqlite":
        found = (
            select(column("article_id", Integer))
            .select_from(table(SEARCH_TABLE))
            .where(text("words @@ plainto_tsquery('simple', :search)").bindparams(search=" ".join(roots)))
        )
        return Found(condition=StoredArticle.id.in_(found))
    expression = " AND ".join('"' + root.replace('"', '""') + '"' for root in roots)
    # Straight from the driver (the session keeps its connection while the walk reads on): a chunk of
    # keys as result rows would cost more than the index does.
    connection = session.connection().connection.dbapi_connection
    assert connection is not None, "a session's connection has its driver's"
    below = _minute_key(before + timedelta(minutes=1)) if before is not None else (1 << 63) - 1
    keys = _newest_keys(connection, expression, below, SEARCH_LIST + 1)
    if not keys:
        return Found(none=True)
    if len(keys) <= SEARCH_LIST:
        return Found(condition=StoredArticle.id.in_(sorted(key & _ID_MASK for key in keys)))
    return Found(keep=NewestFirst(connection, expression, keys))


def _newest_keys(connection: DBAPIConnection, expression: str, below: int, limit: int) -> list[int]:
    """Up to `limit` keys of stories matching, newest first, each below `below`."""
    cursor = connection.cursor()
    try:
        cursor.execute(
            f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ? AND rowid < ? "
            "ORDER BY rowid DESC LIMIT ?",
            (expression, below, limit),
        )
        return list(map(itemgetter(0), cursor.fetchall()))
    finally:
        cursor.close()


def _changed_text(target: StoredArticle) -> bool:
    state = inspect(target)
    return state.attrs.title.history.has_changes() or state.attrs.body.history.has_changes()


def _indexed(target: StoredArticle) -> Indexed:
    return (target.id, target.published_at or target.first_seen, target.title or "", target.body)


def _on_insert(mapper: Mapper[StoredArticle], connection: Connection, target: StoredArticle) -> None:
    index_stories(connection, [_indexed(target)])


def _on_update(mapper: Mapper[StoredArticle], connection: Connection, target: StoredArticle) -> None:
    published = inspect(target).attrs.published_at.history
    if published.has_changes():  # the row was keyed by the story time it had
        before = published.deleted[0] if published.deleted else None
        _unindex(connection, target.id, before or target.first_seen)
    if published.has_changes() or _changed_text(target):
        index_stories(connection, [_indexed(target)])


def keep_in_sync() -> None:
    """Index a story when it is stored and again when its title or body changes (once per process)."""
    if not event.contains(StoredArticle, "after_insert", _on_insert):
        event.listen(StoredArticle, "after_insert", _on_insert)
        event.listen(StoredArticle, "after_update", _on_update)
