"""Runs crawls in-process under one asyncio reactor, any number of times, and records each run.

Why this is long: one run's whole life reads here in order (lease, run row, the database's watches,
Scrapy, progress, stop, health), beside the one reactor every run shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed

from crawler.config import Config
from crawler.crawl.health import assess_run, portal_unreachable, run_errors
from crawler.crawl.middlewares import StoredStories
from crawler.crawl.plans import spider_arguments
from crawler.crawl.replay import read_archive
from crawler.crawl.workers import start_extraction_pool, stop_extraction_pool
from crawler.domain import counters
from crawler.domain.errors import Interrupted, SourceError, StorageFull
from crawler.store.db import Database
from crawler.store.leases import Leases, SourceBusyError, run_lease
from crawler.store.runs import abandon_runs, close_run, open_run, record_heartbeat, running_runs
from crawler.store.sources import record_health, source_id
from crawler.store.watches import configured

log = logging.getLogger(__name__)

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# A run holds the lease `run:SOURCE` for its whole life, renewing it (and its heartbeat) as it goes.
RUN_LEASE_TTL = timedelta(minutes=2)
HEARTBEAT_SECONDS = 30.0
# How long a crawl may take to close down after a stop before it is cancelled (docker stop waits 10 s).
STOP_GRACE_SECONDS = 8.0
# A download slot counts a request against CONCURRENT_REQUESTS_PER_DOMAIN only once its download task
# starts, so with no delay every request queued in one loop turn leaves at once (Scrapy 2.19). A delay
# above zero releases one request per timer, after the previous one is counted: the limit holds.
MIN_DOWNLOAD_DELAY_SECONDS = 0.001
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    keywords: tuple[str, ...] = ()
    limit: int | None = None
    replay: Path | None = None
    record: Path | None = None
    trigger: str = "manual"
    since: datetime | None = None  # instead of the source's look-back window


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    pages: int
    stories: int


@dataclass(frozen=True, slots=True)
class RunSummary:
    """The closing figures of a run; new + duplicate + unmatched + failed = stories."""

    run_id: int
    source: str
    status: str
    pages: int
    new: int
    duplicate: int
    unmatched: int
    failed: int
    matched: int
    errors: tuple[str, ...]

    @property
    def stories(self) -> int:
        return self.new + self.duplicate + self.unmatched + self.failed


def ensure_reactor() -> None:
    """Install the asyncio reactor once per process (a Twisted reactor can never be restarted)."""
    if not is_reactor_installed():
        install_reactor(ASYNCIO_REACTOR)


def run_in_reactor(main: Callable[[], Awaitable[T]], *, on_stop: Callable[[], object] | None = None) -> T:
    """Run `main` on the asyncio reactor and return its result; the CLI's one call per process.

    With `on_stop`, SIGINT and SIGTERM call it instead of killing the process, so the command can
    close its crawl down and record it; without, `main` installs handlers of its own (the daemon).
    """
    ensure_reactor()
    from twisted.internet import defer
    from twisted.internet import reactor as installed_reactor
    from twisted.python.failure import Failure

    reactor: Any = installed_reactor  # the module attribute is typed as the bare interface
    outcome: list[T | Failure] = []

    def finish(result: T | Failure) -> None:
        outcome.append(result)
        reactor.stop()

    async def guarded() -> T:
        if on_stop is not None:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, on_stop)
        return await main()

    def begin() -> None:
        defer.Deferred.fromFuture(asyncio.ensure_future(guarded())).addBoth(finish)

    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)
    stop_extraction_pool()
    result = outcome[0]
    if isinstance(result, Failure):
        result.raiseException()
    return result


class CrawlService:
    """One `AsyncCrawlerRunner` for the life of the process: the CLI and the daemon both use it."""

    def __init__(self, config: Config, database: Database) -> None:
        ensure_reactor()
        self.config = config
        self.database = database
        self.runner = AsyncCrawlerRunner(Settings({"TWISTED_REACTOR": ASYNCIO_REACTOR}))
        self.leases = Leases(database)
        self._stopping: asyncio.Future[None] | None = None
        self._stop_asked = asyncio.Event()
        self._late_closes: set[asyncio.Future[None]] = set()

    def stop(self) -> asyncio.Future[None]:
        """Close every running crawl down (its run is recorded as aborted) and start no other;
        the future is done once they are closed."""
        if self._stopping is None:
            log.warning("stopping: closing the running crawls down")
            self._stop_asked.set()
            self._stopping = asyncio.ensure_future(self._close_crawls())
        return self._stopping

    async def _close_crawls(self) -> None:
        """Close each crawl's spider as Scrapy does on a shutdown. Not `runner.stop()`: called while
        a spider is closing by itself, it fails inside the engine and leaves the crawl waiting forever.
        A close that outlasts the grace period is given up: its crawl is cancelled meanwhile."""
        closing = [_close_spider(crawler) for crawler in list(self.runner.crawlers)]
        if closing:
            await asyncio.wait(
                [asyncio.ensure_future(close) for close in closing], timeout=STOP_GRACE_SECONDS
            )

    async def crawl(
        self,
        source: str,
        options: CrawlOptions = CrawlOptions(),
        on_progress: Callable[[CrawlProgress], None] | None = None,
    ) -> RunSummary:
        """Crawl `source` once and return the run's figures; the run row is always closed."""
        from spiders import spider_for_family

        source_config = self.config.source(source)
        if not source_config.enabled and options.trigger == "schedule":
            raise SourceError(f"source {source!r} is disabled")
        spider_class = spider_for_family(source_config.family)
        if self._stopping is not None:
            raise Interrupted(f"stopped before crawling {source!r}")
        # Read before the run is recorded: an archive that is no WARC is the user's mistake, not the portal's.
        replayed = read_archive(options.replay) if options.replay is not None else None
        with self._exclusive_run(source):
            # The workers start while Scrapy does, not when the first pages wait for them.
            pool_starting = start_extraction_pool()
            run_id = self._open_run(source, options.trigger)
            crawler = Crawler(spider_class, Settings(self._settings(run_id, options)))
            # Live objects go in after construction: the Crawler deep-copies the settings it is given.
            # The watches are the database's as they are now: an edit in the web counts from the next run.
            config = configured(self.config, self.database)
            crawler.settings.set("PANTAU_CONFIG", config)
            crawler.settings.set("PANTAU_DATABASE", self.database)
            crawler.settings.set("PANTAU_REPLAY", replayed)
            crawler.settings.set("PANTAU_RUN_LEASE", (run_lease(source), self.leases.holder))
            _watch_progress(crawler, on_progress)
            # A bound method, held weakly: a receiver that holds its crawler and is held strongly
            # (weak=False) keeps the crawler in PyDispatcher's registry for good, with its spider,
            # stats and pipelines: a daemon grew by a third of a MiB a run (bench/bench_soak.py).
            crawler.signals.connect(self._close_if_stopping, signal=signals.engine_started)
            status = "failed"
            crashed: str | None = None
            heartbeat = asyncio.ensure_future(self._keep_alive(source, run_id, crawler))
            crawling = asyncio.ensure_future(
                self.runner.crawl(
                    crawler,
                    **spider_arguments(
                        config, source, StoredStories(self.database), options.keywords, options.since
                    ),
                )
            )
            try:
                closed = await self._closed_in_time(crawling)
                status = _status_from(crawler) if closed else "aborted"
            except asyncio.CancelledError:
                status = "aborted"
                raise
            except Exception as error:
                crashed = f"{type(error).__name__}: {error}"
                log.exception("crawl of %s crashed", source)
            finally:
                heartbeat.cancel()
                try:
                    summary = self._close_run(run_id, source, status, crawler, crashed)
                finally:
                    if pool_starting is not None:
                        # A process that exits while its workers start up leaves them tracebacks to print.
                        await asyncio.to_thread(pool_starting.join)
            full = crawler.stats.get_value(counters.STORAGE_FULL) if crawler.stats else None
            if full:
                raise StorageFull(full)  # the run's own record may say less: it was written on a full disk
            return summary

    async def _closed_in_time(self, crawling: asyncio.Future[None]) -> bool:
        """Wait for the crawl; once a stop is asked for, give it STOP_GRACE_SECONDS to close, then
        cancel it (a request waiting on an unreachable robots.txt never ends by itself). False if
        it had to be cancelled: what it stored stays, what was in flight is fetched next time."""
        stop_asked = asyncio.ensure_future(self._stop_asked.wait())
        try:
            either: set[asyncio.Future[Any]] = {crawling, stop_asked}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if not crawling.done():
                await asyncio.wait({crawling}, timeout=STOP_GRACE_SECONDS)
            if not crawling.done():
                log.warning("the crawl did not close within %g s of the stop: cancelled", STOP_GRACE_SECONDS)
                crawling.cancel()
                await asyncio.wait({crawling})
                return False
        except asyncio.CancelledError:
            crawling.cancel()  # awaited through asyncio.wait, the crawl would go on without us
            raise
        finally:
            stop_asked.cancel()
        crawling.result()  # the crawl's own error, if it failed
        return True

    def _close_if_stopping(self, sender: Crawler) -> None:
        """A crawl whose engine starts after a stop was asked for is closed at once (the signal's
        sender is the crawl's crawler)."""
        if self._stopping is not None:  # not at once: the engine is not running until this returns
            closing = asyncio.ensure_future(_close_spider(sender))
            self._late_closes.add(closing)  # the loop keeps only weak references to tasks
            closing.add_done_callback(self._late_closes.discard)

    def abandon_orphaned_runs(self) -> int:
        """Close the `running` rows that no live process is crawling (killed, or the machine died)."""
        return abandon_orphaned_runs(self.database, self.leases)

    @contextmanager
    def _exclusive_run(self, source: str) -> Iterator[None]:
        """Hold the source's run lease, or refuse: two runs of one source never overlap."""
        lease = run_lease(source)
        if not self.leases.acquire(lease, RUN_LEASE_TTL):
            holder = self.leases.current(lease)
            by = f" by {holder.process}" if holder else ""
            raise SourceBusyError(f"source {source!r} is being crawled{by}; try again when that run ends")
        try:
            yield
        finally:
            self.leases.release(lease)

    async def _keep_alive(self, source: str, run_id: int, crawler: Crawler) -> None:
        """Renew the run lease and the run's heartbeat while the crawl goes on. The lease is a fencing
        token: a run that lost it (frozen past its expiry, another run took over) closes down."""
        lease = run_lease(source)
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            if not self.leases.renew(lease, RUN_LEASE_TTL):
                log.error("run %d lost its lease %s to another process: closing it down", run_id, lease)
                await _close_spider(crawler)
                return
            record_heartbeat(self.database, run_id)

    def _settings(self, run_id: int, options: CrawlOptions) -> dict[str, Any]:
        crawl = self.config.crawl
        middlewares: dict[str, int | None] = {
            "crawler.crawl.middlewares.SeenStoryFilter": 90,
            "crawler.crawl.middlewares.SiteSlotMiddleware": 95,
            "crawler.crawl.middlewares.ConditionalGetMiddleware": 580,
            "crawler.crawl.middlewares.RedirectLoopGuard": 650,
            "crawler.crawl.middlewares.AnswerCounter": 50,
            "crawler.crawl.middlewares.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
        }
        if options.replay is not None:
            middlewares["crawler.crawl.replay.WarcReplayMiddleware"] = 960
        if options.record is not None:
            middlewares["crawler.crawl.replay.WarcRecordMiddleware"] = 950
        return {
            "BOT_NAME": "pantau",
            "TWISTED_REACTOR": ASYNCIO_REACTOR,
            "USER_AGENT": crawl.user_agent,
            "ROBOTSTXT_OBEY": crawl.obey_robots_txt,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
            "AUTOTHROTTLE_ENABLED": crawl.autothrottle and options.replay is None,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrency_per_domain),
            "DOWNLOAD_DELAY": max(
                0 if options.replay else crawl.download_delay_seconds, MIN_DOWNLOAD_DELAY_SECONDS
            ),
            "DOWNLOAD_TIMEOUT": crawl.download_timeout_seconds,
            "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
            "DOWNLOAD_WARNSIZE": crawl.max_response_bytes // 2,
            # A cut-off body comes to the spider flagged, so a story can say how much of it arrived.
            "DOWNLOAD_FAIL_ON_DATALOSS": False,
            "RETRY_TIMES": crawl.retry_times,
            "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
            "PANTAU_RETRY_BASE_DELAY": crawl.retry_backoff_seconds,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_ENABLED": True,
            "LOG_LEVEL": "WARNING",
            "CLOSESPIDER_ITEMCOUNT": options.limit or 0,
            # Scrapy starts this many tasks per response; a story page yields one item.
            "CONCURRENT_ITEMS": 8,
            "DOWNLOADER_MIDDLEWARES": middlewares,
            "ITEM_PIPELINES": {
                "crawler.crawl.pipelines.ExtractStage": 100,
                "crawler.crawl.pipelines.MatchStage": 200,
                "crawler.crawl.pipelines.StoreStage": 300,
            },
            "PANTAU_RUN_ID": run_id,
            "PANTAU_RECORD": str(options.record) if options.record else None,
        }

    def _open_run(self, source: str, trigger: str) -> int:
        with self.database.session() as session:
            return open_run(session, source_id(session, source, self.config), trigger)

    def _close_run(
        self, run_id: int, source: str, status: str, crawler: Crawler, crashed: str | None
    ) -> RunSummary:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        errors = run_errors(stats)
        if crashed:
            errors.insert(0, crashed)
        if status == "succeeded" and portal_unreachable(stats):
            status = "failed"  # nothing went wrong in the crawl itself, but it read nothing
        with self.database.session() as session:
            pages = int(stats.get("response_received_count", 0))
            run = close_run(session, run_id, status=status, pages=pages, errors=errors)
            health = assess_run(stats, status, crashed)
            record_health(session, run.source_id, health.state, health.reason)
            return RunSummary(
                run_id=run_id,
                source=source,
                status=status,
                pages=run.pages_fetched,
                new=run.items_new,
                duplicate=run.items_duplicate,
                unmatched=run.items_unmatched,
                failed=run.items_failed,
                matched=run.items_matched,
                errors=tuple(run.errors),
            )


def abandon_orphaned_runs(database: Database, leases: Leases) -> int:
    """Close the `running` rows whose run lease nobody alive holds; how many were closed."""
    running = running_runs(database)
    orphaned = [run_id for run_id, name in running if leases.current(run_lease(name)) is None]
    if orphaned:
        abandon_runs(database, orphaned)
    return len(orphaned)


def _watch_progress(crawler: Crawler, on_progress: Callable[[CrawlProgress], None] | None) -> None:
    if on_progress is None:
        return
    counts = {"pages": 0, "stories": 0}

    def report(key: str) -> Callable[..., None]:
        def handler(*_: Any, **__: Any) -> None:
            counts[key] += 1
            on_progress(CrawlProgress(pages=counts["pages"], stories=counts["stories"]))

        return handler

    # weak=False: the crawler's dispatcher would otherwise drop these closures at once.
    crawler.signals.connect(report("pages"), signal=signals.response_received, weak=False)
    story_seen = report("stories")
    crawler.signals.connect(story_seen, signal=signals.item_scraped, weak=False)
    crawler.signals.connect(story_seen, signal=signals.item_dropped, weak=False)


async def _close_spider(crawler: Crawler) -> None:
    with contextlib.suppress(RuntimeError):  # no engine or spider yet, or the spider closed meanwhile
        await crawler.engine.close_spider_async(reason="shutdown")


def _status_from(crawler: Crawler) -> str:
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    if reason in ("finished", "closespider_itemcount"):
        return "succeeded"
    return "aborted" if reason == "shutdown" else "failed"
