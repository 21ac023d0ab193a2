"""Full-text search over stories' title and body: SQLite FTS5, PostgreSQL `tsvector` ('simple' config).

Both databases index the same words: each token of the title and body folded and as its root, by
the watch queries' own normaliser (crawler/matching/text.py), so `menyeberangi` finds `seberang`
and `Óscar` finds `oscar` the way a watch would. A search looks for the roots of its words, all of
them. The index is kept in sync whenever an article is stored or its title or body changes (ORM
events, below); `index_stories` fills it in bulk (migration 0012's backfill, the web bench).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy import ColumnElement, Connection, Integer, column, event, inspect, select, table, text
from sqlalchemy.orm import Mapper, Session

from crawler.matching.text import tokens
from crawler.store.models import StoredArticle

SEARCH_TABLE = "article_search"
_SQLITE_SHADOWS = tuple(
    f"{SEARCH_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")
)

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(words, tokenize = 'unicode61 remove_diacritics 2')",
    # Deleting a story deletes its words (PostgreSQL does it by the foreign key's cascade).
    f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON articles "
    f"BEGIN DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id; END",
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


def index_stories(connection: Connection, stories: Iterable[tuple[int, str, str | None]]) -> None:
    """(Re)index (article id, title, body) triples in the caller's transaction."""
    rows = [{"id": article_id, "words": story_words(title, body)} for article_id, title, body in stories]
    if not rows:
        return
    sqlite = connection.dialect.name == "sqlite"
    key = "rowid" if sqlite else "article_id"
    connection.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE {key} = :id"), rows)
    value = ":words" if sqlite else "to_tsvector('simple', :words)"
    connection.execute(text(f"INSERT INTO {SEARCH_TABLE} ({key}, words) VALUES (:id, {value})"), rows)


def backfill(connection: Connection, batch: int = 2000) -> int:
    """Index every stored article, a batch at a time (migration 0012, and `pantau items reindex`
    after the word analyser changes, as the index keeps each word's root): how many there were."""
    articles = table("articles", column("id", Integer), column("title"), column("body"))
    last = indexed = 0
    while True:
        rows = connection.execute(
            select(articles.c.id, articles.c.title, articles.c.body)
            .where(articles.c.id > last)
            .order_by(articles.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return indexed
        index_stories(connection, [(row.id, row.title or "", row.body) for row in rows])
        last = rows[-1].id
        indexed += len(rows)


SEARCH_LIST = 5000
"""On SQLite, up to this many stories found are read by id; more are kept during the newest-first walk."""


@dataclass(frozen=True, slots=True)
class Found:
    """How the inbox narrows its walk to the stories a search found: a `condition` for the database,
    or the ids to `keep` as it walks (a word most stories hold, on SQLite); `none` when no story has it."""

    condition: ColumnElement[bool] | None = None
    keep: frozenset[int] | None = None
    none: bool = False


def search_filter(session: Session, query: str) -> Found | None:
    """The stories holding every root of the query; None for a query with no word.

    PostgreSQL's planner weighs the GIN index against the walk by story time itself, so it gets the
    index as a subquery. SQLite cannot: it sorts every match of a common word (seconds at 100,000
    stories) or asks FTS5 story by story, so it reads the matching ids once and chooses.
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
    # Straight from the driver: a common word is 100,000 rowids, and result rows would cost more than
    # the index does.
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?", (expression,))
        ids = frozenset(map(itemgetter(0), cursor.fetchall()))
    finally:
        cursor.close()
    if not ids:
        return Found(none=True)
    if len(ids) <= SEARCH_LIST:
        return Found(condition=StoredArticle.id.in_(sorted(ids)))
    return Found(keep=ids)


def _changed_text(target: StoredArticle) -> bool:
    state = inspect(target)
    return state.attrs.title.history.has_changes() or state.attrs.body.history.has_changes()


def _on_insert(mapper: Mapper[StoredArticle], connection: Connection, target: StoredArticle) -> None:
    index_stories(connection, [(target.id, target.title or "", target.body)])


def _on_update(mapper: Mapper[StoredArticle], connection: Connection, target: StoredArticle) -> None:
    if _changed_text(target):
        index_stories(connection, [(target.id, target.title or "", target.body)])


def keep_in_sync() -> None:
    """Index a story when it is stored and again when its title or body changes (once per process)."""
    if not event.contains(StoredArticle, "after_insert", _on_insert):
        event.listen(StoredArticle, "after_insert", _on_insert)
        event.listen(StoredArticle, "after_update", _on_update)
