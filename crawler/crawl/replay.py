"""Replayable crawls: serve every request from a WARC archive, or record what was fetched into one.

Both are downloader middlewares placed next to the downloader, so robots.txt, retries, redirects
and decompression behave exactly as they do on the network.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.domain.errors import ReplayError
from spiders.outcomes import DATA_LOSS

log = logging.getLogger(__name__)

# Headers that describe how bytes travelled, not the content. warcio's content_stream() undoes
# chunking and compression, so replayed responses carry none of them.
_TRANSPORT_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
_FRAMING_HEADERS = {"transfer-encoding", "content-length"}


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def read_archive(path: Path) -> dict[str, ArchivedResponse]:
    """Every response record of a WARC file by target URL (the last record of a URL wins)."""
    try:
        stream = path.open("rb")
    except OSError as error:
        raise ReplayError(f"cannot open replay archive {path}: {error.strerror}") from None
    responses: dict[str, ArchivedResponse] = {}
    with stream:
        if not stream.read(5).startswith((b"WARC/", b"\x1f\x8b")):
            raise ReplayError(f"{path} is not a readable WARC archive: it starts with neither WARC/ nor gzip")
        stream.seek(0)
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                headers = tuple(
                    (name, value)
                    for name, value in record.http_headers.headers
                    if name.lower() not in _TRANSPORT_HEADERS
                )
                status = int(record.http_headers.get_statuscode() or 200)
                responses[url] = ArchivedResponse(status, headers, record.content_stream().read())
        except (ArchiveLoadFailed, ValueError, OSError) as error:
            raise ReplayError(f"{path} is not a readable WARC archive: {error}") from None
    return responses


def write_archive(path: Path, responses: Mapping[str, ArchivedResponse]) -> None:
    """Write responses into a new WARC file (used to build replay fixtures and the demo)."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, response in responses.items():
            _write_response(writer, url, response)


def archive_from_manifest(manifest: Path, archive: Path) -> int:
    """Pack the pages a manifest names into a WARC; returns how many responses were written.

    A manifest is JSON: `{url: {"file": path relative to the manifest, "content_type": ..., "status": ...}}`.
    Replay fixtures and the offline demo are kept as readable files and packed when used.
    """
    responses = manifest_responses(manifest)
    write_archive(archive, responses)
    return len(responses)


def manifest_responses(manifest: Path) -> dict[str, ArchivedResponse]:
    """The responses a manifest describes, by URL (see `archive_from_manifest`)."""
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
        return {
            url: ArchivedResponse(
                int(entry.get("status", 200)),
                (
                    ("Content-Type", entry.get("content_type", "text/html; charset=utf-8")),
                    *entry.get("headers", {}).items(),
                ),
                (manifest.parent / entry["file"]).read_bytes() if "file" in entry else b"",
            )
            for url, entry in entries.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ReplayError(f"cannot build an archive from {manifest}: {error}") from None


def _write_response(writer: WARCWriter, url: str, response: ArchivedResponse) -> None:
    headers = [(name, value) for name, value in response.headers if name.lower() not in _FRAMING_HEADERS]
    headers.append(("Content-Length", str(len(response.body))))
    http_headers = StatusAndHeaders(
        f"{response.status} {_reason(response.status)}", headers, protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(response.body), http_headers=http_headers
    )
    writer.write_record(record)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcReplayMiddleware:
    """Answers every request from the archive the runner read (`PANTAU_REPLAY`, the responses by URL),
    and 404 for any URL not in it."""

    def __init__(self, responses: Mapping[str, ArchivedResponse]) -> None:
        self.responses = responses
        log.info("replaying %d responses", len(self.responses))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings["PANTAU_REPLAY"])

    def process_request(self, request: Request) -> Response:
        archived = self.responses.get(request.url)
        if archived is None:
            return Response(request.url, status=404, body=b"", request=request)
        headers = Headers(_merge_headers(archived.headers))
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=archived.body)
        return response_class(
            url=request.url, status=archived.status, headers=headers, body=archived.body, request=request
        )


def _merge_headers(headers: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        merged.setdefault(name, []).append(value)
    return merged


class WarcRecordMiddleware:
    """Appends every response received to the WARC file in `PANTAU_RECORD`."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive
        self._stream: BinaryIO = archive.open("wb")
        self._writer = WARCWriter(self._stream, gzip=True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        try:
            middleware = cls(Path(crawler.settings["PANTAU_RECORD"]))
        except OSError as error:
            raise ReplayError(f"cannot write archive {crawler.settings['PANTAU_RECORD']}: {error}") from None
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if DATA_LOSS in response.flags:
            return response  # not received whole: replaying it would serve it as whole
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items()
            for value in values
        ]
        _write_response(
            self._writer, response.url, ArchivedResponse(response.status, tuple(headers), response.body)
        )
        return response

    def close(self, *_: Any) -> None:
        self._stream.close()
