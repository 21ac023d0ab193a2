"""The pipeline stages, in order: extract → match → store (with dedup and the alert outbox).

Dedup runs inside the store transaction: the verdict, the index rows, the article, its matches
and its alerts commit together or not at all, so two processes on one database cannot race.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
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
from crawler.article import Article
from crawler.canonical import canonical_url
from crawler.config import Config
from crawler.dedup import NearDuplicateIndex
from crawler.errors import ExtractionError
from crawler.extract import RECIPES, PortalRecipe, extract_article, extract_headline, recipe_for_url
from crawler.items import CandidateStory
from crawler.matching import WatchMatch, WatchSet
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
        workers = crawler.settings.getint("PANTAU_EXTRACT_WORKERS", min(2, os.cpu_count() or 1))
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
        if self.workers <= 0:
            return read_story(item.pages, item.url, recipe, prefilter)
        job = extraction_pool(self.workers).submit(read_story, item.pages, item.url, recipe, prefilter)
        return await asyncio.wrap_future(job)

    def _count_missing(self, article: Article, headline_only: bool) -> None:
        if self.stats is None:
            return
        self.stats.inc_value("pantau/stories_read")
        for missing in article.missing_fields:
            if not (headline_only and missing == "body"):
                self.stats.inc_value(f"pantau/missing/{missing}")

    def _recipe(self, item: CandidateStory) -> PortalRecipe | None:
        """The family's recipe (so a site added by config alone is cleaned up like its siblings)."""
        source = self.config.sources.get(item.source)
        if source is None:
            return recipe_for_url(item.url)
        recipe = RECIPES[source.family]
        return recipe.with_extra_boilerplate(source.boilerplate) if source.boilerplate else recipe


def read_story(
    pages: list[str], url: str, recipe: PortalRecipe | None, prefilter: WatchSet | None
) -> tuple[Article, bool]:
    """The story's article, or only its headline (title, time) when `prefilter` says no watch can
    match its pages; the flag says which. Runs in an extraction worker: page text in, values out.
    """
    if prefilter is None or prefilter.could_match("\n".join(pages)):
        return extract_article(pages, url, recipe), False
    try:
        return extract_headline(pages[0], url, recipe), True
    except ExtractionError:
        return Article(url=url, canonical_url=canonical_url(url), title="", body=""), True


_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """One pool for the life of the process (the daemon reuses it run after run).

    Workers come from a fork server: forking the crawling process itself would copy its reactor,
    threads and open database connections.
    """
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown(wait=False)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crawler.pipelines"])  # workers fork with extraction imported
        _pool = ProcessPoolExecutor(workers, mp_context=context)
        _pool_size = workers
    return _pool


class MatchStage:
    """Evaluates every watch that applies to the item's source."""

    def __init__(self, watches: WatchSet) -> None:
        self.watches = watches

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(WatchSet.from_config(crawler.settings["PANTAU_CONFIG"]))

    def process_item(self, item: CandidateStory) -> CandidateStory:
        if item.article is not None and not item.skipped_extraction:
            item.matches = self.watches.match(item.article, item.source)
        return item


class StoreStage:
    """Stores the story, its dedup verdict, its matches and its alerts in one transaction."""

    def __init__(self, config: Config, database: Database, run_id: int) -> None:
        self.config = config
        self.database = database
        self.run_id = run_id
        self.index = NearDuplicateIndex()
        self._source_ids: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler.settings["PANTAU_CONFIG"],
            crawler.settings["PANTAU_DATABASE"],
            crawler.settings["PANTAU_RUN_ID"],
        )

    def process_item(self, item: CandidateStory) -> CandidateStory:
        try:
            with self.database.session() as session:
                outcome = self._store(session, item)
                failure = f"{item.url}: {item.failure}" if item.failure else None
                _count(session, self.run_id, outcome, matched=bool(item.matches), failure=failure)
        except IntegrityError:
            # Another process stored the same canonical URL first: it is a duplicate now.
            with self.database.session() as session:
                _count(session, self.run_id, "duplicate", matched=False)
            outcome = "duplicate"
        if outcome == "failed":
            raise DropItem(f"{item.url}: {item.failure}")
        return item

    def _source_id(self, session: Session, name: str) -> int:
        """Source rows outlive runs and never change id: looked up once per run."""
        if name not in self._source_ids:
            self._source_ids[name] = source_id(session, name, self.config)
        return self._source_ids[name]

    def _store(self, session: Session, item: CandidateStory) -> str:
        article = item.article
        if article is None:
            return "failed"
        if session.scalar(
            select(StoredArticle.id).where(StoredArticle.canonical_url == article.canonical_url)
        ):
            return "duplicate"
        keep_body = bool(item.matches) or self.config.archive == "all"
        row = StoredArticle(
            canonical_url=article.canonical_url,
            url=article.url,
            source_id=self._source_id(session, item.source),
            title=article.title,
            authors=list(article.authors),
            published_at=article.published_at,
            body=article.body if keep_body else None,
            lead=article.lead,
            language=article.language,
            tags=list(article.tags),
            paywalled=article.paywalled,
            crawl_run_id=self.run_id,
        )
        session.add(row)
        session.flush()
        duplicate_of_seed = False
        if article.body:
            verdict = self.index.add(session, "article", row.id, article.title, article.body)
            row.verdict = verdict.kind
            row.similarity = verdict.similarity if verdict.kind != "new" else None
            if verdict.duplicate_of is not None:
                duplicate_of_seed = verdict.duplicate_of.kind == "seed"
                if duplicate_of_seed:
                    row.duplicate_of_seed_id = verdict.duplicate_of.id
                else:
                    row.duplicate_of_article_id = verdict.duplicate_of.id
        for watch_match in item.matches:
            match = _match_row(row, watch_match)
            session.add(match)
            session.flush()
            if not duplicate_of_seed:
                enqueue_alerts(session, self.config, row, match)
        if item.skipped_extraction or (not item.matches and row.verdict == "new"):
            return "unmatched"
        return "new" if row.verdict == "new" else "duplicate"


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


def _count(session: Session, run_id: int, outcome: str, *, matched: bool, failure: str | None = None) -> None:
    """Each story counts once, by its final outcome, in the same transaction that stores it."""
    values: dict[Any, Any] = {_COUNTERS[outcome]: _COUNTERS[outcome] + 1}
    if matched:
        values[CrawlRun.items_matched] = CrawlRun.items_matched + 1
    values[CrawlRun.heartbeat_at] = datetime.now(UTC)
    session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(values))
    if failure is not None:
        run = session.get_one(CrawlRun, run_id)
        if len(run.errors) < MAX_STORY_ERRORS:
            run.errors = [*run.errors, failure]


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
