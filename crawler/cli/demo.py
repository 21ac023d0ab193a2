"""`pantau demo`: the default sources crawled from bundled pages into a fresh SQLite file, no network.

What a newcomer sees first: each source's run, the stories that matched a watch, and the console
alerts they raised. The global `--config` and `--db` are not used: the demo brings its own.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from crawler.alerts import deliver_due
from crawler.cli.context import console
from crawler.cli.crawl import summary_table
from crawler.config import load_config
from crawler.crawl.runner import CrawlOptions, CrawlService, RunSummary, run_in_reactor
from crawler.demo import DEMO_ARCHIVE, DEMO_CONFIG
from crawler.domain.errors import StorageError
from crawler.extract import WIB
from crawler.store.articles import matched_articles
from crawler.store.db import Database, open_database
from crawler.store.models import StoredArticle
from crawler.store.seeds import import_seeds_on_first_start


def demo(
    database_file: Annotated[
        Path | None,
        typer.Option(
            "--db-file", dir_okay=False, help="New SQLite file to fill (default: in a new temp folder)."
        ),
    ] = None,
) -> None:
    """Crawl the default sources from bundled portal pages and show what matched."""
    path = database_file or Path(tempfile.mkdtemp(prefix="pantau-demo-")) / "demo.db"
    if path.exists():
        raise StorageError(f"{path} already exists: the demo fills a fresh database, name a new file")
    config = load_config(DEMO_CONFIG).with_database(f"sqlite:///{path}")
    database = open_database(config.storage.url)
    import_seeds_on_first_start(database, config.seeds_path)
    service = CrawlService(config, database)

    async def crawl_every_source() -> list[RunSummary]:
        options = CrawlOptions(replay=DEMO_ARCHIVE, trigger="demo")
        return [await service.crawl(source, options) for source in config.sources]

    for summary in run_in_reactor(crawl_every_source, on_stop=service.stop):
        console.print(summary_table(summary))
    console.print(matched_stories(database))
    delivery = deliver_due(database, config)
    console.print(f"alerts: {delivery.sent} sent to the console", highlight=False)
    console.print(f"demo database: {path} (look inside with: pantau --db sqlite:///{path} items list)")
    database.dispose()


def matched_stories(database: Database) -> Table:
    """The stories that matched a watch, oldest first, with the outlet copy each one duplicates."""
    table = Table(title="matched stories")
    for column in ("source", "published (WIB)", "title", "watches", "dedup"):
        table.add_column(column)
    with database.session() as session:
        for row in matched_articles(session):
            table.add_row(
                row.source.name if row.source else "",
                _wib(row),
                row.title,
                ", ".join(match.watch for match in row.matches),
                _verdict(row),
            )
    return table


def _verdict(row: StoredArticle) -> str:
    """What dedup said, in words: a copy of a seed story is why a match raised no alert."""
    score = f" ({row.similarity:.2f})" if row.similarity is not None else ""
    if row.duplicate_of_seed_id is not None:
        return f"copy of seed {row.duplicate_of_seed_id}{score}: not alerted"
    if row.duplicate_of_article_id is not None:
        return f"copy of story {row.duplicate_of_article_id}{score}"
    return row.verdict or ""


def _wib(row: StoredArticle) -> str:
    if row.published_at is None:
        return ""
    return row.published_at.astimezone(WIB).strftime(
        "%Y-%m-%d" if row.published_date_only else "%Y-%m-%d %H:%M"
    )
