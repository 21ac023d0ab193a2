"""One exception hierarchy: the CLI turns each into one clear line and an exit code."""

from __future__ import annotations


class PantauError(Exception):
    """Base of every error Pantau reports to a user."""

    exit_code = 1


class ConfigError(PantauError):
    """The configuration file is missing, malformed or invalid."""

    exit_code = 2


class QuerySyntaxError(ConfigError):
    """A watch query does not parse; the message names the watch and the column."""


class SourceError(PantauError):
    """A source name is unknown or a source cannot be crawled."""


class ExtractionError(PantauError):
    """A page could not be turned into an article; `cause` says why in a run's words, without the URL."""

    def __init__(self, message: str, cause: str | None = None) -> None:
        super().__init__(message)
        self.cause = cause or message


class StorageError(PantauError):
    """The database cannot be reached or migrated."""


class StorageFull(StorageError):
    """The disk under the database is full: nothing more can be written until space is freed."""


class ReplayError(PantauError):
    """A WARC archive cannot be read or written."""


class AlertError(PantauError):
    """An alert channel rejected or could not take a message."""


class Interrupted(PantauError):
    """The user stopped a command (Ctrl-C, SIGTERM) and it closed down cleanly."""

    exit_code = 130
