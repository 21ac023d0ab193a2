"""One vocabulary for why a page could not be read, for stories and listings alike: the words a user
reads in a run's errors, `pantau status` and health, instead of exception class names."""

from __future__ import annotations

from http import HTTPStatus

TIMED_OUT = "timed out"
CONNECTION_RESET = "connection reset"
CONNECTION_REFUSED = "connection refused"
NO_SUCH_HOST = "host name does not resolve"
TRUNCATED = "truncated response"
TOO_LARGE = "too large"
CANCELLED = "download cancelled"
REDIRECT_LOOP = "redirect loop"
TOO_MANY_REDIRECTS = "too many redirects"
ROBOTS_TXT = "forbidden by robots.txt"
EMPTY_PAGE = "empty page"
NO_TEXT = "no article text on the page"
XML_ENTITIES = "feed or sitemap refused: it declares XML entities"

# Exception class names (Scrapy's and Twisted's, as Scrapy's stats name them) by what they mean.
_BY_EXCEPTION = {
    "DownloadTimeoutError": TIMED_OUT,
    "TimeoutError": TIMED_OUT,
    "TCPTimedOutError": TIMED_OUT,
    "DownloadFailedError": CONNECTION_RESET,
    "ConnectionLost": CONNECTION_RESET,
    "ConnectionDone": CONNECTION_RESET,
    "ConnectionAborted": CONNECTION_RESET,
    "ResponseNeverReceived": CONNECTION_RESET,
    "ResponseFailed": CONNECTION_RESET,
    "ResponseDataLossError": TRUNCATED,
    "PotentialDataLoss": TRUNCATED,
    "DownloadConnectionRefusedError": CONNECTION_REFUSED,
    "ConnectionRefusedError": CONNECTION_REFUSED,
    "CannotResolveHostError": NO_SUCH_HOST,
    "DNSLookupError": NO_SUCH_HOST,
    # Scrapy cancels for an oversized body and on a stop alike: only its message tells them apart.
    "DownloadCancelledError": CANCELLED,
}


def of_exception(name: str) -> str:
    """The words for an exception class, given as `module.Class` or `Class`; its bare name if unknown."""
    bare = name.rsplit(".", 1)[-1]
    return _BY_EXCEPTION.get(bare, bare)


def http_status(status: int) -> str:
    """`HTTP 403 Forbidden`: the code and its reason phrase."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def truncated(received: int, announced: int | None) -> str:
    """A body cut off before its announced length."""
    return f"{TRUNCATED} (got {received} of {announced} bytes)" if announced else TRUNCATED


def too_large(limit_bytes: int, *, decompressed: bool) -> str:
    """Over the download limit, as sent or once inflated (a gzip bomb)."""
    return f"{TOO_LARGE}: larger than the {_size(limit_bytes)} download limit" + (
        " once decompressed" if decompressed else ""
    )


def _size(count: int) -> str:
    if count >= 1 << 20:
        return f"{count / (1 << 20):.3g} MB"
    return f"{count / 1024:.3g} KB"
