"""Benchmark: `archive: all` crawls against an archive of 1k, 10k and 100k stored stories.

    .venv/bin/python bench/bench_archive_all.py [--sizes 1000 10000 100000] [--pages 1000] [--statements]

For each size, in a process of its own (a Twisted reactor runs once per process): the archive is
filled in bulk with that many synthetic stories and their index rows (`bench_dedup_scale.fill`:
real Bisnis and RMOL sentences recombined, a third of their words swapped), then `--pages` fresh
stories are crawled against it from a WARC replay, end to end (fetch, extract and match in the
pool, dedup, store with every body kept). The fresh stories are made the same way, each its own
text set in a real portal page of its family (the fixtures' markup around it); a `COPY_SHARE` of
them copy an earlier fresh story (a third verbatim, the rest edited: last fifth cut, 3% of words
changed), the story copied picked in proportion to its copies so far, so clusters grow to
realistic sizes (most stories alone, a few copied many times). Printed per size: articles/s beside
a plain `trafilatura.extract` loop over the same pages in the same process; milliseconds per story
of the crawling process (CPU, and of it the store stage and the near-duplicate index in it) and of
the extraction workers (CPU; extraction and matching alone timed in-process on the same pages);
where the crawling process waits (its CPU share of the wall time); peak RSS of the crawling process
and of each worker. On a machine shared with other jobs the wall-clock ratio depends on their load,
so it also prints the ratio the CPU times allow on two cores of Pantau's own. Targets: >= 2x the
loop at every size; ms per story at the largest size within 10% of the smallest; peak RSS <= 600 MiB.
With `--statements`, each size also prints the CPU (user, system) and wall milliseconds per story of
every kind of statement the crawl ran, and of its commits: where a cost that grows with the archive is.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, cast

import lxml.html
import numpy as np
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_dedup_scale import Corpus, fill  # noqa: E402
from bench_throughput import FAMILIES, Family, build, fixture_pages, pipeline_seconds, trafilatura_seconds  # noqa: E402

from crawler.config import load_config  # noqa: E402
from crawler.crawl.workers import match_story, read_story  # noqa: E402
from crawler.extract import css_selector, extract_article  # noqa: E402
from crawler.matching import WatchSet  # noqa: E402
from crawler.portals import registry  # noqa: E402
from crawler.store.db import open_database  # noqa: E402
from crawler.store.neardup import NearDuplicateIndex  # noqa: E402

COPY_SHARE = 0.2
EXACT_COPIES = 1 / 3
WORDS_PER_PARAGRAPH = 45
TARGET_RATIO = 2.0
TARGET_FLAT = 0.10
TARGET_RSS_MIB = 600
STAGE_SAMPLE = 200


class StoryMaker:
    """Fresh stories' pages: generated text in a real page of the family, copies among them."""

    def __init__(self, corpus: Corpus, seed: int = 11) -> None:
        self.corpus = corpus
        self.rng = np.random.default_rng(seed)
        self.originals: list[np.ndarray] = []
        self.copies: list[int] = []
        self.templates = {family.name: self._templates(family) for family in FAMILIES}
        self.copied = 0

    @staticmethod
    def _templates(family: Family) -> list[tuple[str, str]]:
        """Each single-page fixture of the family with the title extraction reads from it."""
        recipe = registry.family(family.name).recipe
        pages = fixture_pages(family.name)
        return [(page, extract_article([page], family.story_url(0), recipe).title) for page in pages]

    def page(self, family: Family, number: int) -> str:
        words = self._words()
        text = self.corpus.text(words).split()
        title = " ".join(text[:10]).capitalize()
        paragraphs = [
            " ".join(text[start : start + WORDS_PER_PARAGRAPH]) + "."
            for start in range(0, len(text), WORDS_PER_PARAGRAPH)
        ]
        page, template_title = self.templates[family.name][number % len(self.templates[family.name])]
        return _with_story(page, family, template_title, title, paragraphs)

    def _words(self) -> np.ndarray:
        if self.originals and self.rng.random() < COPY_SHARE:
            weights = np.array(self.copies, dtype=float) + 1
            chosen = int(self.rng.choice(len(self.originals), p=weights / weights.sum()))
            self.copies[chosen] += 1
            self.copied += 1
            original = self.originals[chosen]
            return original if self.rng.random() < EXACT_COPIES else self.corpus.edited_copy(original)
        words = self.corpus.article()
        self.originals.append(words)
        self.copies.append(0)
        return words

    def cluster_sizes(self) -> dict[str, int]:
        sizes = np.array(self.copies) + 1
        return {"stories": int(sizes.sum()), "alone": int((sizes == 1).sum()), "largest": int(sizes.max())}


def _with_story(page: str, family: Family, template_title: str, title: str, paragraphs: list[str]) -> str:
    """The page with its story's paragraphs in place of the body's, and its title wherever the
    template's stood (title, meta tags, JSON-LD, headline)."""
    tree = lxml.html.fromstring(page.replace(template_title, title) if template_title else page)
    recipe = registry.family(family.name).recipe
    bodies = [element for selector in recipe.body_selectors for element in css_selector(selector)(tree)]
    body = bodies[0]
    for paragraph in body.iter("p"):
        if paragraph.getparent() is not None:
            paragraph.drop_tree()
    for text in paragraphs:
        element = lxml.html.Element("p")
        element.text = text
        body.append(element)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


class StoreTimes(logging.Handler):
    """Collects the store stage's per-batch timings from its debug log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.stored = 0
        self.store_ms = 0.0
        self.indexing_ms = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("stored %d stories in"):
            stored, store_ms, indexing_ms = cast(tuple[int, float, float], record.args)
            self.stored += stored
            self.store_ms += store_ms
            self.indexing_ms += indexing_ms


class StatementTimes:
    """CPU (user, system) and wall milliseconds of the store's statements by kind, and of its commits,
    in the threads that run them (`--statements`): where the store stage's time grows with the archive.
    SQLite runs in the calling thread, so a statement's system time is mostly page reads."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self._started: dict[int, tuple[float, float, float]] = {}

    def listen(self) -> None:
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after_statement)
        event.listen(Engine, "commit", self._before)
        event.listen(Session, "after_commit", self._after_commit)

    @staticmethod
    def _clock() -> tuple[float, float, float]:
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        return usage.ru_utime, usage.ru_stime, time.perf_counter()

    def _before(self, *_: Any) -> None:
        self._started[threading.get_ident()] = self._clock()

    def _after_statement(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self._add(" ".join(statement.split())[:70])

    def _after_commit(self, _session: Session) -> None:
        self._add("COMMIT")

    def _add(self, kind: str) -> None:
        started = self._started.pop(threading.get_ident(), None)
        if started is None:
            return
        ended = self._clock()
        total = self.totals.setdefault(kind, [0, 0.0, 0.0, 0.0])
        total[0] += 1
        for field in range(3):
            total[field + 1] += ended[field] - started[field]

    def per_story(self, stories: int) -> dict[str, list[float]]:
        """Kind -> [calls, user, system, wall ms per story], the costliest by wall time first."""
        ranked = sorted(self.totals.items(), key=lambda item: -item[1][3])
        return {
            kind: [int(calls), *(round(seconds * 1000 / stories, 3) for seconds in times)]
            for kind, (calls, *times) in ranked
        }


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found += children
        pending += children
    return found


class Workers(threading.Thread):
    """Samples the CPU time and peak RSS of this process's descendants (the extraction pool, which
    stops with the crawl) every half second, keeping the last figures of each; and the memory of the
    whole crawl, this process and its descendants, as proportional set sizes (PSS: a page shared by
    several processes, as forked workers share their fork server's, counted once in all), keeping the
    highest sum sampled. Summed peak RSS counts shared pages once per process, at different moments."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.cpu: dict[int, float] = {}
        self.peak: dict[int, float] = {}
        self.peak_pss = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            pss = _pss_mib(os.getpid())
            for pid in _descendants(os.getpid()):
                try:
                    self.cpu[pid] = _cpu_seconds(pid)
                    self.peak[pid] = _peak_mib(pid)
                    pss += _pss_mib(pid)
                except (OSError, IndexError):
                    continue
            self.peak_pss = max(self.peak_pss, pss)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pss_mib(pid: int) -> float:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def _peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def _stage_ms(pages: list[str], urls: list[str], config_path: Path) -> tuple[float, float]:
    """Milliseconds per story of extraction and of matching, one process, on a sample of the pages."""
    watches = WatchSet.from_config(load_config(config_path))
    sample = list(zip(pages, urls, strict=True))[:STAGE_SAMPLE]
    articles = []
    started = time.perf_counter()
    for page, url in sample:
        articles.append(read_story([page], url, registry.recipe_for(url), None)[0])
    extract = time.perf_counter() - started
    started = time.perf_counter()
    for article in articles:
        match_story(watches, article, "bench")
    matching = time.perf_counter() - started
    return extract * 1000 / len(sample), matching * 1000 / len(sample)


def run_size(size: int, pages: int, statements: bool = False) -> dict[str, Any]:
    """Fill an archive of `size` stories, crawl `pages` fresh ones against it: the figures."""
    corpus = Corpus()
    maker = StoryMaker(corpus)
    with tempfile.TemporaryDirectory(prefix="pantau-bench-all-") as name:
        folder = Path(name)
        archives, config_path, html_pages = build(pages, folder, "all", maker.page)
        urls = [
            family.story_url(n) for i, family in enumerate(FAMILIES) for n in range(i, pages, len(FAMILIES))
        ]
        database = open_database(load_config(config_path).storage.url)
        started = time.perf_counter()
        fill(database, NearDuplicateIndex(), corpus, size)
        fill_seconds = time.perf_counter() - started
        database.dispose()
        cpu_started = time.process_time()
        baseline = trafilatura_seconds(html_pages)
        baseline_cpu = time.process_time() - cpu_started
        extract_ms, match_ms = _stage_ms(html_pages, urls, config_path)
        # The crawl reads its pages from the WARC files: what the bench itself held (every page's
        # HTML, the loop's and the in-process stages' memory) is let go, and the peak is counted
        # from here, so the crawling process's peak is the crawl's (Linux: `clear_refs` 5 resets
        # VmHWM).
        del html_pages, urls
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        handler = StoreTimes()
        logger = logging.getLogger("crawler.crawl.pipelines")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        main_cpu = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = main_cpu.ru_utime + main_cpu.ru_stime
        timed = StatementTimes()
        if statements:
            timed.listen()
        workers = Workers()
        workers.start()
        elapsed, summaries = pipeline_seconds(archives, config_path)
        workers.done.set()
        workers.join()
        main_cpu = resource.getrusage(resource.RUSAGE_SELF)
        cpu_main = main_cpu.ru_utime + main_cpu.ru_stime - cpu_before
        cpu_workers = sum(workers.cpu.values())  # they started with the crawl
        worker_peaks = sorted(workers.peak.values(), reverse=True)
    stories = sum(summary.stories for summary in summaries)
    assert stories == pages, f"the pipeline saw {stories} of {pages} stories"
    return {
        "stored_before": size,
        "fill_s": round(fill_seconds, 1),
        "pages": pages,
        "copies": maker.copied,
        "fresh_clusters": maker.cluster_sizes(),
        "duplicates_found": sum(summary.duplicate for summary in summaries),
        "matched": sum(summary.matched for summary in summaries),
        "trafilatura_per_s": round(pages / baseline, 1),
        "pantau_per_s": round(pages / elapsed, 1),
        "ratio": round(baseline / elapsed, 2),
        "wall_ms_per_story": round(elapsed * 1000 / pages, 2),
        "trafilatura_cpu_ms_per_page": round(baseline_cpu * 1000 / pages, 2),
        # On a machine shared with other jobs, the wall-clock ratio says more about the others than
        # about Pantau: this is the ratio the CPU times allow on two cores of its own (the crawling
        # process cannot go faster than its own CPU time, and three processes share two cores).
        "cpu_bound_ratio_2_cores": round(baseline_cpu / max(cpu_main, (cpu_main + cpu_workers) / 2), 2),
        "main_cpu_ms_per_story": round(cpu_main * 1000 / pages, 2),
        "main_busy_share": round(cpu_main / elapsed, 2),
        "store_ms_per_story": round(handler.store_ms / max(1, handler.stored), 2),
        "dedup_index_ms_per_story": round(handler.indexing_ms / max(1, handler.stored), 2),
        "workers_cpu_ms_per_story": round(cpu_workers * 1000 / pages, 2),
        "extract_ms_per_story": round(extract_ms, 2),
        "match_ms_per_story": round(match_ms, 2),
        "peak_rss_mib_main": round(_peak_mib(os.getpid()), 1),
        "peak_rss_mib_workers": [round(peak, 1) for peak in worker_peaks],
        "peak_pss_mib_all": round(workers.peak_pss, 1),
        **({"statements_ms_per_story": timed.per_story(pages)} if statements else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--pages", type=int, default=1_000, help="fresh stories crawled at each size")
    parser.add_argument(
        "--statements", action="store_true", help="time the store's statements by kind (slows the crawl)"
    )
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)  # the per-size child process
    arguments = parser.parse_args()
    if arguments.one_size is not None:
        print(json.dumps(run_size(arguments.one_size, arguments.pages, arguments.statements)), flush=True)
        return
    results: list[dict[str, Any]] = []
    for size in arguments.sizes:
        command = [sys.executable, __file__, "--one-size", str(size), "--pages", str(arguments.pages)]
        command += ["--statements"] if arguments.statements else []
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    first, last = results[0], results[-1]
    growth = last["wall_ms_per_story"] / first["wall_ms_per_story"] - 1
    cpu_growth = last["main_cpu_ms_per_story"] / first["main_cpu_ms_per_story"] - 1
    worst = min(result["ratio"] for result in results)
    worst_cpu = min(result["cpu_bound_ratio_2_cores"] for result in results)
    peak = max(result["peak_rss_mib_main"] + sum(result["peak_rss_mib_workers"]) for result in results)
    print(f"lowest ratio to the trafilatura loop: {worst}x wall clock, {worst_cpu}x by CPU time on 2 cores")
    print(f"  (target >= {TARGET_RATIO}x)")
    sizes = f"{last['stored_before']} vs {first['stored_before']} stored"
    print(f"ms per story at {sizes}: {growth:+.1%} wall clock, {cpu_growth:+.1%} crawling-process CPU")
    print("  (target within 10%)")
    print(f"peak RSS, crawling process and workers together: {peak:.0f} MiB (target <= {TARGET_RSS_MIB})")
    pss = max(result["peak_pss_mib_all"] for result in results)
    print(f"  the same sampled as PSS (shared pages once), highest sum: {pss:.0f} MiB")


if __name__ == "__main__":
    main()
