"""What every `pantau` command shares: the chosen config file and database, loaded once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console

from crawler.config import Config, load_config
from crawler.store.db import Database, open_database

# A line never wraps at the terminal's (or, piped, Rich's 80-column) width; tables still size to it.
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)  # one error, one line, however long


@dataclass
class AppContext:
    config_path: Path
    database_url: str | None
    _config: Config | None = field(default=None, init=False)
    _database: Database | None = field(default=None, init=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path).with_database(self.database_url)
        return self._config

    @property
    def watched_config(self) -> Config:
        """The configuration with the database's watches, which rule once a database has any."""
        from crawler.store.watches import configured

        return configured(self.config, self.database)

    @property
    def database(self) -> Database:
        """The configured database, migrated, with the seed corpus and the file's watches imported
        on first start."""
        if self._database is None:
            from crawler.store.seeds import import_seeds_on_first_start
            from crawler.store.watches import import_config_watches_on_first_start

            self._database = open_database(self.config.storage.url)
            import_seeds_on_first_start(self._database, self.config.seeds_path)
            import_config_watches_on_first_start(self._database, self.config)
        return self._database


def app_context(ctx: typer.Context) -> AppContext:
    """The `AppContext` built by the top-level callback."""
    context = ctx.find_root().obj
    assert isinstance(context, AppContext)
    return context
