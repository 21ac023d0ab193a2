"""The pipeline stages, in order: extract → match → store (with dedup and the alert outbox).

Dedup runs inside the store transaction: the verdict, the index rows, the article, its matches
and its alerts commit together or not at all, so two processes on one database cannot race.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import NamedTuple, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.config import Config
from crawler.crawl.batching import Batcher
from crawler.crawl.workers import DEFAULT_WORKERS, in_worker, match_story, read_story
from crawler.dedup.fingerprint import Fingerprint, fingerprint
from crawler.domain import causes, counters
from crawler.domain.article import Article
from crawler.domain.errors import ExtractionError, StorageFull
from crawler.domain.story import CandidateStory
from crawler.extract import PortalRecipe, selector_misses
from crawler.matching import WatchSet
from crawler.portals import registry
from crawler.store.articles import (
    NewStory,
    StoredStory,
    insert_articles,
    stored_by_another,
    stored_canonical_urls,
)
from crawler.store.db import Database, Session
from crawler.store.leases import LeaseLostError, hold_lease
from crawler.store.matches import add_match
from crawler.store.neardup import NearDuplicateIndex
from crawler.store.outbox import enqueue_alerts
from crawler.store.runs import count_outcomes
from crawler.store.sources import source_id

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
            item.failure = error.cause
            log.warning("cannot extract %s: %s", item.url, error)
            return item
        if not (headline_only or article.body or article.paywalled or item.paywalled):
            # Nothing to read now, but the portal may fix the page: never "seen", fetched next run.
            item.failure = causes.NO_TEXT
            return item
        self._count_missing(article, headline_only)
        item.skipped_extraction = headline_only
        item.article = replace(
            _with_listing_time(article, item.listing_published_at),
            title=article.title or (item.listing_title if headline_only else ""),
            paywalled=article.paywalled or item.paywalled,
        )
        return item

    async def _read(
        self, item: CandidateStory, recipe: PortalRecipe | None, prefilter: WatchSet | None
    ) -> tuple[Article, bool]:
        # Pages are read seconds after they were fetched: now dates "2 jam yang lalu" and bounds every date.
        fetched_at = datetime.now(UTC)
        return await in_worker(self.workers, read_story, item.pages, item.url, recipe, prefilter, fetched_at)

    def _count_missing(self, article: Article, headline_only: bool) -> None:
        """Fields the story lacks, and fields the recipe's selectors missed though a fallback
        (meta tags, trafilatura) found them: the first sign of a changed layout."""
        if self.stats is None:
            return
        self.stats.inc_value(counters.STORIES_READ)
        if not headline_only:
            self.stats.inc_value(counters.STORIES_EXTRACTED)
        for missing in article.missing_fields:
            if not (headline_only and missing == "body"):
                self.stats.inc_value(counters.missing(missing))
        for field in selector_misses(article):
            self.stats.inc_value(counters.selector_missed(field))

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

    def __init__(
        self,
        config: Config,
        database: Database,
        run_id: int,
        crawler: Crawler | None = None,
        run_lease: tuple[str, str] | None = None,
        workers: int = 0,
    ) -> None:
        self.config = config
        self.database = database
        self.run_id = run_id
        self.crawler = crawler
        self.run_lease = run_lease  # (name, holder): each batch is written only while the run holds it
        self._stopping: asyncio.Future[None] | None = None
        self.index = NearDuplicateIndex()
        self.workers = workers
        self._source_ids: dict[str, int] = {}
        self._indexing = 0.0  # seconds of the batch being written spent in the near-duplicate index
        self._batches = Batcher(self._write, size=self.BATCH_SIZE, delay=self.BATCH_DELAY_SECONDS)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler.settings["PANTAU_CONFIG"],
            crawler.settings["PANTAU_DATABASE"],
            crawler.settings["PANTAU_RUN_ID"],
            crawler,
            crawler.settings.get("PANTAU_RUN_LEASE"),
            crawler.settings.getint("PANTAU_EXTRACT_WORKERS", DEFAULT_WORKERS),
        )

    async def process_item(self, item: CandidateStory) -> CandidateStory:
        article = item.article
        read = None
        if article is not None and article.body:  # read for dedup in a worker, not in this process
            read = await in_worker(self.workers, fingerprint, self.index.hasher, article.title, article.body)
        try:
            outcome = await self._batches.submit(_Story(item, read))
        except StorageFull as full:
            item.failure = str(full)
            self._stop_crawl(full)
            return item
        except LeaseLostError as lost:
            self._stop_crawl(lost)
            raise DropItem(f"{item.url}: {lost}") from None
        if outcome == "failed":
            raise DropItem(f"{item.url}: {item.failure}")
        return item

    def _stop_crawl(self, cause: StorageFull | LeaseLostError) -> None:
        """Nothing more can be stored: stop fetching (once) instead of failing story after story.
        A full disk fails the run; a lost lease aborts it (another run goes on)."""
        if self._stopping is None and self.crawler is not None and self.crawler.engine is not None:
            log.info("%s: the crawl stops", cause)
            reason = "shutdown"
            if isinstance(cause, StorageFull):
                self.crawler.stats.set_value(counters.STORAGE_FULL, str(cause))  # the runner reports it
                reason = "storage full"
            self._stopping = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=reason))

    def _write(self, stories: list[_Story]) -> list[str | Exception]:
        try:
            with self.database.writing() as session:
                if self.run_lease is not None:
                    hold_lease(session, *self.run_lease)
                started, self._indexing = time.perf_counter(), 0.0
                outcomes = self._store_all(session, stories)
                _count(session, self.run_id, [story.item for story in stories], outcomes)
            log.debug(
                "stored %d stories in %.1f ms, %.1f ms of it judging and indexing their texts",
                len(stories),
                (time.perf_counter() - started) * 1000,
                self._indexing * 1000,
            )
            return list(outcomes)
        except (StorageFull, LeaseLostError):
            raise  # no retry one by one: nothing fits, or nothing may be written
        except Exception as error:
            if len(stories) > 1:
                log.info("storing %d stories together failed (%s): one by one now", len(stories), error)
                return [outcome for story in stories for outcome in self._write([story])]
            return [self._record_failure(stories[0].item, error)]

    def _record_failure(self, item: CandidateStory, error: Exception) -> str | Exception:
        """A story that cannot be stored: a duplicate when another process stored it first,
        otherwise a failed story with its cause on the run; the error itself if even that fails."""
        article = item.article
        try:
            with self.database.writing() as session:
                if article is not None and stored_by_another(session, error, article.canonical_url):
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

    def _store_all(self, session: Session, stories: list[_Story]) -> list[str]:
        """Every story's outcome: the batch's new stories go in with one statement, then each is
        judged and indexed in turn (so a copy later in the batch meets the one before it)."""
        items = [story.item for story in stories]
        stored = stored_canonical_urls(
            session, (item.article.canonical_url for item in items if item.article)
        )
        fresh: dict[str, NewStory] = {}
        for item in items:
            article = item.article
            if article is not None and article.canonical_url not in stored:
                fresh.setdefault(article.canonical_url, self._new_story(session, item, article))
        ids = insert_articles(session, list(fresh.values()))
        outcomes = []
        for item, read in stories:
            article = item.article
            if article is None:
                outcomes.append("failed")
            elif article.canonical_url not in ids:
                outcomes.append("duplicate")  # stored before, earlier in the batch, or by another process
            else:
                outcomes.append(self._store(session, item, article, ids.pop(article.canonical_url), read))
        return outcomes

    def _new_story(self, session: Session, item: CandidateStory, article: Article) -> NewStory:
        keep_body = bool(item.matches) or self.config.archive == "all"
        return NewStory(article, self._source_id(session, item.source), self.run_id, keep_body, item.pages)

    def _store(
        self,
        session: Session,
        item: CandidateStory,
        article: Article,
        article_id: int,
        read: Fingerprint | None,
    ) -> str:
        """The outcome of a story just inserted: dedup's verdict, its matches and their alerts."""
        if not (article.body or item.matches):
            return "unmatched"
        seed_story = duplicate = False
        cluster_id = None
        if article.body:
            indexing = time.perf_counter()
            verdict = self.index.add(session, "article", article_id, article.title, article.body, read=read)
            self._indexing += time.perf_counter() - indexing
            seed_story, cluster_id = verdict.seed_story, verdict.cluster_id
            duplicate = verdict.kind in ("exact", "near")
        story = StoredStory.of(article, article_id, item.source, cluster_id)
        for watch_match in item.matches:
            match = add_match(session, article_id, watch_match)
            if not seed_story:
                enqueue_alerts(session, self.config, story, match)
        if not (item.matches or duplicate):
            return "unmatched"
        return "duplicate" if duplicate else "new"


class _Story(NamedTuple):
    """A story on its way to the store, with its text's dedup fingerprint when it has a body."""

    item: CandidateStory
    read: Fingerprint | None


def _count(session: Session, run_id: int, items: list[CandidateStory], outcomes: list[str]) -> None:
    """Each story counts once, by its final outcome, in the same transaction that stores it."""
    matched = sum(1 for item in items if item.matches)
    failures = [f"{item.url}: {item.failure}" for item in items if item.failure]
    count_outcomes(session, run_id, outcomes, matched, failures)


def _with_listing_time(article: Article, listed: datetime | None) -> Article:
    """The listing card's or feed's time where the page gave none, or only the day it agrees with."""
    if listed is None or (article.published_at is not None and not article.published_date_only):
        return article
    if article.published_at is not None and listed.astimezone(article.published_at.tzinfo).date() != (
        article.published_at.date()
    ):
        return article
    sources = {**article.field_sources, "published_at": "listing"}
    return replace(article, published_at=listed, published_date_only=False, field_sources=sources)
