"""Benchmark: articles per second through the whole crawl pipeline against a plain trafilatura loop.

Run: `.venv/bin/python bench/bench_throughput.py [--pages 500]`. The pages are the article fixtures
of all three families (tests/fixtures/articles), each served under `--pages` distinct story URLs
with a numbered paragraph added, announced by one feed per family and replayed from a WARC. The
pipeline (replayed fetch, extract, match, dedup, store in a fresh SQLite file) is timed from the
first crawl's start to the last one's end, start-up of Scrapy and of the extraction pool included;
the baseline is `trafilatura.extract` over the same HTML, one page after another, in this process.
Target: the pipeline at >= 1.5x the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from crawler.config import load_config
from crawler.crawl.replay import ArchivedResponse, write_archive
from crawler.crawl.runner import CrawlOptions, CrawlService, RunSummary, run_in_reactor
from crawler.store.db import open_database

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "fixtures" / "articles"
TARGET = 1.5
CONFIG = """\
storage:
  url: sqlite:///{database}
seeds:
  path: {seeds}
crawl:
  obey_robots_txt: false
archive: {archive}
sources:
{sources}
aliases:
  Korea Utara: [Korut, DPRK]
watches:
  - name: korea-utara-rusia
    query: '"Korea Utara" AND Rusia'
"""
SOURCE = """  {family}:
    family: {family}
    sites: [{site}]
    feeds: ["https://{feed_host}/bench-feed.xml"]
    sitemaps: []
    listings: []
    search_enabled: false
"""


@dataclass(frozen=True)
class Family:
    name: str
    site: str
    feed_host: str
    fetched_suffix: str  # what the spider appends when it fetches a story (bisnis asks for ?page=all)

    def story_url(self, number: int) -> str:
        if self.name == "rmol":
            return f"https://rmol.id/politik/read/2025/11/19/{700000 + number}/berita-bench-{number}"
        if self.name == "bisnis":
            return f"https://ekonomi.bisnis.com/read/20251115/9/{1930000 + number}/berita-bench-{number}"
        return f"https://www.{self.site}/berita-bench-nomor-{number}"


FAMILIES = (
    Family("rmol", "rmol.id", "rmol.id", ""),
    Family("bisnis", "bisnis.com", "rss.bisnis.com", "?page=all"),
    Family("rmol_regional", "rmollampung.id", "www.rmollampung.id", ""),
)


StoryPage = Callable[[Family, int], str]


def fixture_pages(family: str) -> list[str]:
    """The family's single-page article fixtures (page files of multi-page stories are left out)."""
    paged = {"kim-jong-un-p1.html", "kim-jong-un-p2.html"}
    return [
        path.read_text(encoding="utf-8")
        for path in sorted((ARTICLES / family).glob("*.html"))
        if path.name not in paged
    ]


def numbered(page: str, number: int) -> str:
    """The page with one paragraph of its own, so no two bench stories are exact copies."""
    extra = f"<p>Catatan redaksi nomor {number}: berita ini bagian dari arsip pengujian.</p>"
    return re.sub(r"(<p[ >])", extra + r"\1", page, count=1)


def build(
    pages: int, folder: Path, archive: str = "matched", story_page: StoryPage | None = None
) -> tuple[dict[str, Path], Path, list[str]]:
    """One archive per source (a crawl loads its whole archive), the config, every story page's HTML.

    `story_page(family, number)` makes each story's page; by default a fixture of the family, numbered.
    """
    archives: dict[str, Path] = {}
    html_pages: list[str] = []
    sources = []
    for index, family in enumerate(FAMILIES):
        responses: dict[str, ArchivedResponse] = {}
        templates = fixture_pages(family.name)
        numbers = range(index, pages, len(FAMILIES))
        items = []
        for number in numbers:
            page = (
                story_page(family, number)
                if story_page is not None
                else numbered(templates[number % len(templates)], number)
            )
            url = family.story_url(number)
            responses[url + family.fetched_suffix] = ArchivedResponse(
                200, (("Content-Type", "text/html; charset=utf-8"),), page.encode("utf-8")
            )
            html_pages.append(page)
            items.append(f"<item><title>Berita {number}</title><link>{url}</link></item>")
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{"".join(items)}</channel></rss>'
        responses[f"https://{family.feed_host}/bench-feed.xml"] = ArchivedResponse(
            200, (("Content-Type", "application/rss+xml"),), feed.encode("utf-8")
        )
        sources.append(SOURCE.format(family=family.name, site=family.site, feed_host=family.feed_host))
        archives[family.name] = folder / f"{family.name}.warc.gz"
        write_archive(archives[family.name], responses)
    config = folder / "pantau.yaml"
    config.write_text(
        CONFIG.format(
            database=folder / "bench.db", seeds=folder / "no-seeds", sources="".join(sources), archive=archive
        ),
        encoding="utf-8",
    )
    return archives, config, html_pages


def pipeline_seconds(archives: dict[str, Path], config_path: Path) -> tuple[float, list[RunSummary]]:
    config = load_config(config_path)
    database = open_database(config.storage.url)
    started = time.perf_counter()
    service = CrawlService(config, database)

    async def crawl_all() -> list[RunSummary]:
        # The sources crawl at once, as the daemon runs them.
        crawls = (service.crawl(name, CrawlOptions(replay=archives[name])) for name in config.sources)
        return list(await asyncio.gather(*crawls))

    summaries = run_in_reactor(crawl_all)
    elapsed = time.perf_counter() - started
    database.dispose()
    return elapsed, summaries


def trafilatura_seconds(html_pages: list[str]) -> float:
    started = time.perf_counter()
    for page in html_pages:
        trafilatura.extract(page)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--archive", choices=("matched", "all"), default="matched")
    options = parser.parse_args()
    pages = options.pages
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as folder:
        archives, config, html_pages = build(pages, Path(folder), options.archive)
        baseline = trafilatura_seconds(html_pages)
        elapsed, summaries = pipeline_seconds(archives, config)
    stories = sum(summary.stories for summary in summaries)
    assert stories == pages, f"the pipeline saw {stories} of {pages} stories"
    ratio = baseline / elapsed
    matched = sum(summary.matched for summary in summaries)
    print(f"pages: {pages} ({matched} matched the watch), archive: {options.archive}")
    print(f"trafilatura.extract loop: {baseline:6.2f} s  {pages / baseline:7.1f} articles/s")
    print(f"pantau pipeline:          {elapsed:6.2f} s  {pages / elapsed:7.1f} articles/s")
    print(f"ratio: {ratio:.2f}x (target >= {TARGET}x) {'OK' if ratio >= TARGET else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
