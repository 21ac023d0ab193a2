"""What extraction workers run, and the pool they run in: a story's page text in, its article and
its watch matches out.

This module imports only extraction and matching, so a worker process is up in well under a
second, not the two the crawling side (Scrapy, SQLAlchemy) would take to import.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from crawler.domain import causes
from crawler.domain.article import Article
from crawler.domain.errors import ExtractionError
from crawler.extract import PortalRecipe, extract_article, extract_headline, parse_html
from crawler.matching import WatchMatch, WatchSet
from crawler.matching.precheck import ExtractableText
from crawler.portals.registry import recipe_for

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_WORKERS = min(2, os.cpu_count() or 1)


def read_story(
    pages: list[str],
    url: str,
    recipe: PortalRecipe | None,
    prefilter: WatchSet | None,
    fetched_at: datetime | None = None,
) -> tuple[Article, bool]:
    """The story's article, or only its headline (title, time) when `prefilter` says no watch can
    match its pages; the flag says which. `fetched_at` dates the page's relative times.
    """
    recipe = recipe or recipe_for(url)
    record = None if prefilter is None else _precheck_record(prefilter, recipe.family)
    if prefilter is None or record is None or not record.wanted():
        return extract_article(pages, url, recipe, fetched_at=fetched_at), False
    # A page that cannot be read raises: the story fails and is fetched again on the next run.
    trees = [parse_html(page, url) for page in pages]
    readable = ExtractableText.of_pages(trees, recipe)
    if not readable.text.strip():
        raise ExtractionError(f"{url} has no text to read", causes.NO_TEXT)
    could_match = prefilter.could_match_text(readable)
    record.checked(skipped=not could_match, family=recipe.family)
    if could_match:
        return extract_article(pages, url, recipe, trees=trees, fetched_at=fetched_at), False
    return extract_headline(pages[0], url, recipe, tree=trees[0], fetched_at=fetched_at), True


PRECHECK_TRIAL = 30
"""Pages in a row of one portal family the pre-check must let through before it is set aside for that
family and watch set: watches that broad (or pages that full) make it skip nothing, so it only costs."""
PRECHECK_PROBE = 20
"""While it is set aside, every this-many-th page is checked still: one skip brings it back."""


class _PrecheckRecord:
    """Whether the pre-check has skipped anything lately, for one watch set and family, in this process.

    Setting it aside never loses a match: the page is extracted and matched in full instead.
    """

    def __init__(self) -> None:
        self.let_through = 0  # pages in a row it could not skip
        self.unchecked = 0

    def wanted(self) -> bool:
        if self.let_through < PRECHECK_TRIAL:
            return True
        self.unchecked = (self.unchecked + 1) % PRECHECK_PROBE
        return self.unchecked == 0

    def checked(self, *, skipped: bool, family: str) -> None:
        if skipped and self.let_through >= PRECHECK_TRIAL:
            log.info("pre-check back for %s pages: it skips pages again", family)
        elif self.let_through == PRECHECK_TRIAL - 1 and not skipped:
            log.info("pre-check set aside for %s pages: it let %d in a row through", family, PRECHECK_TRIAL)
        self.let_through = 0 if skipped else self.let_through + 1


_precheck_records: weakref.WeakKeyDictionary[WatchSet, dict[str, _PrecheckRecord]] = (
    weakref.WeakKeyDictionary()
)


def _precheck_record(watches: WatchSet, family: str) -> _PrecheckRecord:
    return _precheck_records.setdefault(watches, {}).setdefault(family, _PrecheckRecord())


def match_story(watches: WatchSet, article: Article, source: str) -> list[WatchMatch]:
    """The watches the article matches: tokenising and stemming a body is the costly part."""
    return watches.match(article, source)


async def in_worker(workers: int, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in an extraction worker, or in this process when `workers` is 0, so the
    crawling process only fetches and stores."""
    if workers <= 0:
        return function(*args)
    pool = running_pool(workers)
    if pool is None:  # its workers are still starting: wait for them off the event loop
        pool = await asyncio.to_thread(extraction_pool, workers)
    return await asyncio.wrap_future(pool.submit(function, *args))


_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """One pool for the life of the process (the daemon reuses it run after run), its workers running.

    Workers come from a fork server: forking the crawling process itself would copy its reactor,
    threads and open database connections. Starting them blocks until they have imported this
    module: call this off the event loop, or downloads time out meanwhile.
    """
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__, "crawler.crawl.worker_preload"])
            pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
            with _main_script_hidden():
                for started in [pool.submit(os.getpid) for _ in range(workers)]:
                    started.result()
            _pool, _pool_size = pool, workers
        return _pool


def _start_worker(crawling_process: int) -> None:
    """Ctrl-C in a terminal reaches the whole process group: the crawling process decides how to
    stop, and its workers, killed by a KeyboardInterrupt, would print tracebacks and break the pool.
    A worker leaves with its crawling process, however that one ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(
        target=_exit_with, args=(crawling_process,), name="pantau-exit-with", daemon=True
    ).start()


def _exit_with(crawling_process: int) -> None:
    """Exit once the crawling process is gone. A killed process never sends its workers the
    sentinel that ends them, and they hold its job queue open themselves: they would wait forever."""
    try:
        watched = os.pidfd_open(crawling_process)
    except OSError:  # gone already, or no pidfds on this system: look every second instead
        while _alive(crawling_process):
            time.sleep(1.0)
    else:
        select.select([watched], [], [])
    os._exit(0)


def _alive(process: int) -> bool:
    try:
        os.kill(process, 0)  # no signal is sent: only whether the process exists
    except ProcessLookupError:
        return False
    return True


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Keep new workers from importing the program's main script again (multiprocessing does that
    so jobs may use its functions; ours never do): the `pantau` entry point or a benchmark would
    cost each worker a second of importing Scrapy and SQLAlchemy, which it never uses."""
    main = sys.modules["__main__"]
    script = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if script is not None:
            main.__file__ = script


def stop_extraction_pool() -> None:
    """Let the workers finish what they hold and leave, before the process exits: a process that
    exits with stories in flight leaves its fork server starting a worker whose semaphore is gone."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool, _pool_size = None, 0


def running_pool(workers: int) -> ProcessPoolExecutor | None:
    """The pool, if its workers are already running: no waiting, no thread."""
    return _pool if _pool is not None and _pool_size == workers else None


def start_extraction_pool(workers: int = DEFAULT_WORKERS) -> threading.Thread | None:
    """Start the workers in the background, so they are up when a crawl's first pages arrive;
    the thread starting them, to join before the process may exit, or None when they are up."""
    if workers <= 0 or running_pool(workers) is not None:
        return None
    starting = threading.Thread(target=_start, args=(workers,), name="pantau-extraction-pool", daemon=True)
    starting.start()
    return starting


def _start(workers: int) -> None:
    try:
        extraction_pool(workers)
    except Exception as error:  # the first story to need the pool tries again and reports it
        log.warning("cannot start the extraction workers yet: %s", error)
