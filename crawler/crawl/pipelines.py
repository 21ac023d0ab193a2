"""The pipeline stages, in order: extract → match → store (with dedup and the alert outbox).

Dedup runs inside the store transaction: the verdict, the index rows, the article, its matches
and its alerts commit together or not at all, so two processes on one database cannot race.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.alerts import enqueue_alerts
from crawler.config import Config
from crawler.crawl.batching import Batcher
from crawler.crawl.workers import DEFAULT_WORKERS, in_worker, match_story, read_story
from crawler.dedup.index import NearDuplicateIndex
from crawler.domain.article import Article
from crawler.domain.errors import ExtractionError
from crawler.domain.story import CandidateStory
from crawler.extract import PortalRecipe, selector_misses
from crawler.matching import WatchMatch, WatchSet
from crawler.portals import registry
from crawler.store.db import Database
from crawler.store.models import CrawlRun, Match, Source, StoredArticle

log = logging.getLogger(__name__)


class ExtractStage:
    """Turns raw pages into an `Article`, skipping extraction when no watch can match the page.

    Extraction runs in a pool of worker processes (`PANTAU_EXTRACT_WORKERS`, 0 = in this
    process) so parsing pages never holds up fetching, matching and storing; each page is parsed
    once, in the worker. Fields a page fails to yield are counted for the source's health.
    """

    def __init__(
        self, config: Config, watches: WatchSet, workers: int, stats: StatsCollector | None = None
    ) -> None:
        self.config = config
        self.watches = watches
        self.workers = workers
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config: Config = crawler.settings["PANTAU_CONFIG"]
        workers = crawler.settings.getint("PANTAU_EXTRACT_WORKERS", DEFAULT_WORKERS)
        return cls(config, WatchSet.from_config(config), workers, crawler.stats)

    async def process_item(self, item: CandidateStory) -> CandidateStory:
        if item.failure is not None:
            return item
        prefilter = self.watches if self.config.archive == "matched" else None
        try:
            article, headline_only = await self._read(item, self._recipe(item), prefilter)
        except ExtractionError as error:
            item.failure = str(error)
            log.warning("cannot extract %s: %s", item.url, error)
            return item
        self._count_missing(article, headline_only)
        item.skipped_extraction = headline_only
        # A page without its own date takes the listing's (regional story URLs carry none).
        item.article = replace(
            article,
            title=article.title or (item.listing_title if headline_only else ""),
            published_at=article.published_at or item.listing_published_at,
            paywalled=article.paywalled or item.paywalled,
        )
        return item

    async def _read(
        self, item: CandidateStory, recipe: PortalRecipe | None, prefilter: WatchSet | None
    ) -> tuple[Article, bool]:
        return await in_worker(self.workers, read_story, item.pages, item.url, recipe, prefilter)

    def _count_missing(self, article: Article, headline_only: bool) -> None:
        """Fields the story lacks, and fields the recipe's selectors missed though a fallback
        (meta tags, trafilatura) found them: the first sign of a changed layout."""
        if self.stats is None:
            return
        self.stats.inc_value("pantau/stories_read")
        if not headline_only:
            self.stats.inc_value("pantau/stories_extracted")
        for missing in article.missing_fields:
            if not (headline_only and missing == "body"):
                self.stats.inc_value(f"pantau/missing/{missing}")
        for field in selector_misses(article):
            self.stats.inc_value(f"pantau/selector_missed/{field}")

    def _recipe(self, item: CandidateStory) -> PortalRecipe:
        """The family's recipe (so a site added by config alone is cleaned up like its siblings)."""
        source = self.config.sources.get(item.source)
        if source is None:
            return registry.recipe_for(item.url)
        recipe = registry.family(source.family).recipe
        return recipe.with_extra_boilerplate(source.boilerplate) if source.boilerplate else recipe


class MatchStage:
    """Evaluates every watch that applies to the item's source, in an extraction worker too."""

    def __init__(self, watches: WatchSet, workers: int = 0) -> None:
        self.watches = watches
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        workers = crawler.settings.getint("PANTAU_EXTRACT_WORKERS", DEFAULT_WORKERS)
        return cls(WatchSet.from_config(crawler.settings["PANTAU_CONFIG"]), workers)

    async def process_item(self, item: CandidateStory) -> CandidateStory:
        if item.article is not None and not item.skipped_extraction:
            item.matches = await in_worker(self.workers, match_story, self.watches, item.article, item.source)
        return item


class StoreStage:
    """Stores stories with their dedup verdicts, matches and alerts, a batch of stories per transaction.

    A story's `process_item` returns once its batch has committed. One transaction per story cost
    more than all the rest of the pipeline's own work; a batch that fails is retried story by story,
    so one bad story never holds back the others.
    """

    BATCH_SIZE = 50
    BATCH_DELAY_SECONDS = 0.05

    def __init__(self, config: Config, database: Database, run_id: int) -> None:
        self.config = config
        self.database = database
        self.run_id = run_id
        self.index = NearDuplicateIndex()
        self._source_ids: dict[str, int] = {}
        self._batches = Batcher(self._write, size=self.BATCH_SIZE, delay=self.BATCH_DELAY_SECONDS)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler.settings["PANTAU_CONFIG"],
            crawler.settings["PANTAU_DATABASE"],
            crawler.settings["PANTAU_RUN_ID"],
        )

    async def process_item(self, item: CandidateStory) -> CandidateStory:
        if await self._batches.submit(item) == "failed":
            raise DropItem(f"{item.url}: {item.failure}")
        return item

    def _write(self, items: list[CandidateStory]) -> list[str | Exception]:
        try:
            with self.database.session() as session:
                outcomes = self._store_all(session, items)
                _count(session, self.run_id, items, outcomes)
            return list(outcomes)
        except Exception as error:
            if len(items) > 1:
                log.info("storing %d stories together failed (%s): one by one now", len(items), error)
                return [outcome for item in items for outcome in self._write([item])]
            return [self._record_failure(items[0], error)]

    def _record_failure(self, item: CandidateStory, error: Exception) -> str | Exception:
        """A story that cannot be stored: a duplicate when another process stored it first,
        otherwise a failed story with its cause on the run; the error itself if even that fails."""
        article = item.article
        try:
            with self.database.session() as session:
                if (
                    isinstance(error, IntegrityError)
                    and article is not None
                    and _stored(session, [article.canonical_url])
                ):
                    _count(session, self.run_id, [item], ["duplicate"])
                    return "duplicate"
                log.error("cannot store %s: %s", item.url, error)
                item.failure = f"cannot store: {error}"
                _count(session, self.run_id, [item], ["failed"])
                return "failed"
        except Exception:
            return error

    def _source_id(self, session: Session, name: str) -> int:
        """Source rows outlive runs and never change id: looked up once per run."""
        if name not in self._source_ids:
            self._source_ids[name] = source_id(session, name, self.config)
        return self._source_ids[name]

    def _store_all(self, session: Session, items: list[CandidateStory]) -> list[str]:
        stored = _stored(session, [item.article.canonical_url for item in items if item.article])
        return [self._store(session, item, stored) for item in items]

    def _store(self, session: Session, item: CandidateStory, stored: set[str]) -> str:
        """The story's outcome; `stored` holds the canonical URLs already in the database."""
        article = item.article
        if article is None:
            return "failed"
        if article.canonical_url in stored:
            return "duplicate"
        stored.add(article.canonical_url)
        keep_body = bool(item.matches) or self.config.archive == "all"
        row = StoredArticle(
            canonical_url=article.canonical_url,
            url=article.url,
            source_id=self._source_id(session, item.source),
            title=article.title,
            authors=list(article.authors),
            published_at=article.published_at,
            published_offset_minutes=_offset_minutes(article.published_at),
            body=article.body if keep_body else None,
            lead=article.lead,
            language=article.language,
            tags=list(article.tags),
            paywalled=article.paywalled,
            crawl_run_id=self.run_id,
        )
        session.add(row)
        if not (article.body or item.matches):
            return "unmatched"  # a headline: no id needed, so it is inserted with the batch's others
        session.flush()
        seed_story = False
        if article.body:
            verdict = self.index.add(session, "article", row.id, article.title, article.body)
            row.verdict = verdict.kind
            row.similarity = verdict.similarity if verdict.kind != "new" else None
            seed_story = verdict.seed_story
            if verdict.duplicate_of is not None:
                if verdict.duplicate_of.kind == "seed":
                    row.duplicate_of_seed_id = verdict.duplicate_of.id
                else:
                    row.duplicate_of_article_id = verdict.duplicate_of.id
        for watch_match in item.matches:
            match = _match_row(row, watch_match)
            session.add(match)
            session.flush()
            if not seed_story:
                enqueue_alerts(session, self.config, row, match)
        duplicate = row.verdict in ("exact", "near")
        if not (item.matches or duplicate):
            return "unmatched"
        return "duplicate" if duplicate else "new"


def _offset_minutes(moment: datetime | None) -> int | None:
    offset = moment.utcoffset() if moment is not None else None
    return None if offset is None else int(offset.total_seconds() // 60)


def _stored(session: Session, canonical_urls: list[str]) -> set[str]:
    """Those of `canonical_urls` the database already holds."""
    if not canonical_urls:
        return set()
    query = select(StoredArticle.canonical_url).where(StoredArticle.canonical_url.in_(canonical_urls))
    return set(session.scalars(query))


def _match_row(row: StoredArticle, watch_match: WatchMatch) -> Match:
    return Match(
        article_id=row.id,
        watch=watch_match.watch,
        terms=list(watch_match.terms),
        hits=[hit.to_dict() for hit in watch_match.hits],
        snippet=watch_match.snippet,
        historical=watch_match.historical,
    )


MAX_STORY_ERRORS = 50
"""Failed stories listed one by one on a run; past this the counts still add up."""

_COUNTERS = {
    "new": CrawlRun.items_new,
    "duplicate": CrawlRun.items_duplicate,
    "unmatched": CrawlRun.items_unmatched,
    "failed": CrawlRun.items_failed,
}


def _count(session: Session, run_id: int, items: list[CandidateStory], outcomes: list[str]) -> None:
    """Each story counts once, by its final outcome, in the same transaction that stores it."""
    values: dict[Any, Any] = {}
    for outcome, counted in Counter(outcomes).items():
        values[_COUNTERS[outcome]] = _COUNTERS[outcome] + counted
    if matched := sum(1 for item in items if item.matches):
        values[CrawlRun.items_matched] = CrawlRun.items_matched + matched
    values[CrawlRun.heartbeat_at] = datetime.now(UTC)
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(values))
    failures = [f"{item.url}: {item.failure}" for item in items if item.failure]
    if failures:
        run = session.get_one(CrawlRun, run_id)
        room = max(0, MAX_STORY_ERRORS - len(run.errors))
        if room:
            run.errors = [*run.errors, *failures[:room]]


def source_id(session: Session, name: str, config: Config) -> int:
    """The id of the source's row, created on first use."""
    existing = session.scalar(select(Source.id).where(Source.name == name))
    if existing is not None:
        return existing
    family = config.sources[name].family if name in config.sources else "unknown"
    with session.begin_nested():
        row = Source(name=name, family=family)
        session.add(row)
    return row.id
