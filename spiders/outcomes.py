"""A fetched story page as text, and a failed fetch in the words of crawler.domain.causes."""

from __future__ import annotations

from scrapy.exceptions import DownloadCancelledError, DownloadFailedError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.domain import causes
from crawler.domain.encoding import decode_html

DATA_LOSS = "dataloss"
"""The flag Scrapy puts on a response whose body ended before its Content-Length (with
DOWNLOAD_FAIL_ON_DATALOSS off, so the spider sees how much arrived)."""


def page_text(response: TextResponse) -> str:
    """The page's text, decoded like every other page Pantau reads (valid UTF-8 beats a stale charset)."""
    return decode_html(response.body, declared=response.encoding)


def truncation(response: Response) -> str | None:
    """The cause when the response's body was cut off, else None."""
    if DATA_LOSS not in response.flags:
        return None
    announced = response.headers.get(b"Content-Length")
    return causes.truncated(len(response.body), int(announced) if announced and announced.isdigit() else None)


def describe_failure(failure: Failure, max_bytes: int) -> str:
    """A fetch failure in the words of crawler.domain.causes; `max_bytes` is the download limit."""
    error = failure.value
    if isinstance(error, HttpError):
        return causes.http_status(error.response.status)
    if isinstance(error, IgnoreRequest):
        return _ignored(failure, max_bytes)
    if isinstance(error, DownloadCancelledError):
        # Scrapy cancels an oversized body (saying so in its message) and a download cut short by a stop.
        oversized = "larger than download max size" in failure.getErrorMessage()
        return causes.too_large(max_bytes, decompressed=False) if oversized else causes.CANCELLED
    if isinstance(error, DownloadFailedError):
        # Scrapy wraps the transport's failures: a connection lost before or during the answer.
        return causes.CONNECTION_RESET
    return causes.of_exception(type(error).__name__)


def _ignored(failure: Failure, max_bytes: int) -> str:
    """Why Scrapy's own middlewares dropped the request (Pantau's own skips never get here)."""
    request = failure.request  # type: ignore[attr-defined]
    message = failure.getErrorMessage()
    if "robots.txt" in message:
        return causes.ROBOTS_TXT
    if message == causes.REDIRECT_LOOP:  # crawler.crawl.middlewares.RedirectLoopGuard
        return causes.REDIRECT_LOOP
    if message == "max redirections reached":
        looped = request.url in request.meta.get("redirect_urls", ())
        return causes.REDIRECT_LOOP if looped else causes.TOO_MANY_REDIRECTS
    if getattr(getattr(failure.value, "__cause__", None), "decompressed_size", None) is not None:  # gzip bomb
        return causes.too_large(max_bytes, decompressed=True)
    return f"ignored: {message}"
