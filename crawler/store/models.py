"""SQLAlchemy 2 typed models: the database is the single source of truth for Pantau's state.

Why this is long: every table is declared here, so the schema reads in one place and Alembic's
comparison with the migrations sees all of it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored: Pantau keeps time aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A configured source and the state that outlives a run: health and adaptive polling."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    family: Mapped[str] = mapped_column(String(40))
    health: Mapped[str] = mapped_column(String(20), default="unknown")
    health_reason: Mapped[str | None] = mapped_column(Text)
    health_checked_at: Mapped[datetime | None]
    poll_interval_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    """One crawl of one source; its counts add up: new + duplicate + unmatched + failed."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    owner: Mapped[str | None] = mapped_column(String(200))
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    items_unmatched: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    items_matched: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)

    source: Mapped[Source] = relationship()


class StoryCluster(Base):
    """Every copy of one story: the first article or seed seen and each outlet that carried it."""

    __tablename__ = "story_clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredArticle(Base):
    """A story seen by a crawl; unmatched stories keep their body only with `archive: all`."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[Any]] = mapped_column(default=list)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The UTC offset the portal gave the time in (WIB +420, WITA +480, WIT +540): the column is UTC.
    published_offset_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    published_date_only: Mapped[bool] = mapped_column(Boolean, default=False)
    modified_at: Mapped[datetime | None] = mapped_column()
    editors: Mapped[list[Any]] = mapped_column(default=list)
    source_org: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(Text, default="")
    # Which evidence gave each field ("recipe", "byline", "json-ld", "meta", "url", …).
    field_sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    body: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(12), default="id")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    paywalled: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # new, exact or near once dedup compared its text; "unchecked" when it had no text to compare
    # (the pre-check skipped its extraction, or its page had no body): then it has no cluster either.
    verdict: Mapped[str] = mapped_column(String(12), default="unchecked")
    duplicate_of_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    duplicate_of_seed_id: Mapped[int | None] = mapped_column(ForeignKey("seed_documents.id"))
    similarity: Mapped[float | None] = mapped_column(Float)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("story_clusters.id"))

    source: Mapped[Source | None] = relationship()
    matches: Mapped[list[Match]] = relationship(back_populates="article", order_by="Match.id")

    @property
    def source_name(self) -> str | None:
        return self.source.name if self.source else None

    @property
    def published_local(self) -> datetime | None:
        """The publish time in the portal's own zone, as extraction read it (UTC when unknown)."""
        return self._local(self.published_at)

    @property
    def modified_local(self) -> datetime | None:
        """The last-modified time in the zone the publish time was given in."""
        return self._local(self.modified_at)

    def _local(self, moment: datetime | None) -> datetime | None:
        if moment is None or self.published_offset_minutes is None:
            return moment
        return moment.astimezone(timezone(timedelta(minutes=self.published_offset_minutes)))


# The inbox reads matched stories newest first by this time, a page at a time (crawler/store/inbox.py).
Index(
    "ix_articles_story_time",
    func.coalesce(StoredArticle.published_at, StoredArticle.first_seen),
    StoredArticle.id,
)
# A source's stories by that time: the inbox filtered by an outlet walks only that outlet's stories.
Index(
    "ix_articles_source_story_time",
    StoredArticle.source_id,
    func.coalesce(StoredArticle.published_at, StoredArticle.first_seen),
    StoredArticle.id,
)
# A story cluster's copies, oldest first (an alert's other outlets). Only clustered stories are in it, so
# SQLite's ANALYZE counts rows per cluster, not the unclustered stories (no text to compare) as one
# value shared by most of the table: with that count the planner walked the whole first_seen index
# for a cluster's few copies. `cluster_id = ?` implies the condition on SQLite and PostgreSQL.
Index(
    "ix_articles_cluster_story",
    StoredArticle.cluster_id,
    StoredArticle.first_seen,
    StoredArticle.id,
    sqlite_where=StoredArticle.cluster_id.is_not(None),
    postgresql_where=StoredArticle.cluster_id.is_not(None),
)


class SeedDocument(Base):
    """A text of the seed corpus: part of the dedup index, never alerted."""

    __tablename__ = "seed_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("story_clusters.id"), index=True)


class NearDuplicateSignature(Base):
    """The MinHash signature of an article or seed, with the hash scheme needed to rebuild it."""

    __tablename__ = "near_duplicate_signatures"
    __table_args__ = (UniqueConstraint("document_kind", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_kind: Mapped[str] = mapped_column(String(10))
    document_id: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(100))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingle_count: Mapped[int] = mapped_column(Integer)
    # The judge's hashed reading of the text (crawler/dedup/profile.py); None for rows indexed before it.
    profile: Mapped[bytes | None] = mapped_column(LargeBinary)


class StoryFollow(Base):
    """A story that reports a new development on an earlier one: linked to it, not in its cluster."""

    __tablename__ = "story_follows"
    __table_args__ = (
        CheckConstraint(
            "(earlier_article_id IS NULL) <> (earlier_seed_id IS NULL)", name="one_earlier_document"
        ),
    )

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    earlier_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    earlier_seed_id: Mapped[int | None] = mapped_column(
        ForeignKey("seed_documents.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class NearDuplicateBand(Base):
    """One LSH band bucket of a signature: candidate lookup is an indexed equality query."""

    __tablename__ = "near_duplicate_bands"
    # With the signature id last, a probe reads its matches from the index alone (an index-only scan).
    __table_args__ = (Index("ix_near_duplicate_bands_lookup", "band", "bucket", "signature_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("near_duplicate_signatures.id", ondelete="CASCADE"), index=True
    )
    band: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[int] = mapped_column(BigInteger)


class Match(Base):
    """An article or a seed text matched a watch: the terms hit, where, and a snippet to show in alerts.

    Seed matches come only from a backfill, so they are always historical.
    """

    __tablename__ = "matches"
    __table_args__ = (
        UniqueConstraint("article_id", "watch"),
        UniqueConstraint("seed_id", "watch"),
        CheckConstraint("(article_id IS NULL) <> (seed_id IS NULL)", name="one_document"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    seed_id: Mapped[int | None] = mapped_column(
        ForeignKey("seed_documents.id", ondelete="CASCADE"), index=True
    )
    watch: Mapped[str] = mapped_column(String(200), index=True)
    terms: Mapped[list[Any]] = mapped_column(default=list)
    hits: Mapped[list[Any]] = mapped_column(default=list)
    snippet: Mapped[str] = mapped_column(Text, default="")
    historical: Mapped[bool] = mapped_column(Boolean, default=False)
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[StoredArticle | None] = relationship(back_populates="matches")


class AlertOutbox(Base):
    """An alert waiting for, or done with, delivery; `dedup_key` makes a second one impossible."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"), index=True)
    watch: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="alert")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class FetchValidator(Base):
    """ETag and Last-Modified of a listing, search or feed page, for conditional GET."""

    __tablename__ = "fetch_validators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lease(Base):
    """A named lease with a heartbeat: one scheduler per database, one run per source."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class RunRequest(Base):
    """`pantau run-now SOURCE`: a request the running daemon claims and turns into a run."""

    __tablename__ = "run_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(100), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))


class ScheduledRun(Base):
    """The daemon's record of a source's next scheduled run: `pantau status` reads it, and a restarted
    daemon resumes from it."""

    __tablename__ = "scheduled_runs"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The trigger the next run was computed with; None when carried over from APScheduler's job table.
    trigger: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime]


class WebUser(Base):
    """A person who signs in to `pantau web`: an admin, editor or viewer, with an argon2 password hash."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor', 'viewer')", name="known_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A deactivated user cannot sign in, their sessions end and their API tokens stop working.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class ApiToken(Base):
    """A bearer token of the REST API: only its SHA-256 is kept; revoked tokens stay, for the record."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="known_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[WebUser] = relationship()


class WebSetting(Base):
    """A value the web keeps across restarts and processes, e.g. the key that signs session cookies."""

    __tablename__ = "web_settings"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StoredWatch(Base):
    """A watch as editors keep it: the query, where it looks, where it alerts, and who changed it last.

    `sources` and `channels` are lists of names from the configuration; `daily_at` is `HH:MM:SS`.
    """

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    channels: Mapped[list[Any]] = mapped_column(default=list)
    delivery: Mapped[str] = mapped_column(String(10), default="immediate")
    daily_at: Mapped[str] = mapped_column(String(8), default="07:00:00")
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))


class WatchFeedToken(Base):
    """The secret in a watch's feed URL: only its SHA-256 is kept; revoking it ends the URL."""

    __tablename__ = "watch_feed_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None]

    watch: Mapped[StoredWatch] = relationship()


class StoryMark(Base):
    """One user's triage of one stored article: read, hidden, starred (marking a story marks its copies)."""

    __tablename__ = "story_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArchivedPage(Base):
    """The HTML a stored story was extracted from (its pages, zlib-compressed), kept with its body:
    the web shows it in a sandboxed frame as the original looked when Pantau read it."""

    __tablename__ = "archived_pages"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    html: Mapped[bytes] = mapped_column(LargeBinary)
    pages: Mapped[int] = mapped_column(SmallInteger, default=1)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
