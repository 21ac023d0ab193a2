"""A fetched story page as text, and a failed fetch in a few words a user understands."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.domain.encoding import decode_html


def page_text(response: TextResponse) -> str:
    """The page's text, decoded like every other page Pantau reads (valid UTF-8 beats a stale charset)."""
    return decode_html(response.body, declared=response.encoding)


def describe_failure(failure: Failure) -> str:
    """A fetch failure in a few words a user understands."""
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(DownloadTimeoutError):
        return "timed out"
    if failure.check(CannotResolveHostError):
        return "host name does not resolve"
    if failure.check(DownloadConnectionRefusedError):
        return "connection refused"
    if failure.check(DownloadCancelledError, ResponseDataLossError):
        return f"download cancelled: {failure.getErrorMessage()}"
    return f"{failure.type.__name__ if failure.type else 'error'}: {failure.getErrorMessage()}"
