"""WARC archives: what is written is what is replayed; a bad archive is a clear error."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Request

from crawler.crawl.replay import ArchivedResponse, WarcReplayMiddleware, read_archive, write_archive
from crawler.domain.errors import ReplayError


def test_written_responses_are_read_back_by_url(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    page = b"<html><body>Korea Utara</body></html>"
    write_archive(
        archive,
        {
            "https://rmol.id/rss": ArchivedResponse(
                200, (("Content-Type", "application/rss+xml"),), b"<rss/>"
            ),
            "https://rmol.id/a": ArchivedResponse(200, (("Content-Type", "text/html; charset=utf-8"),), page),
            "https://rmol.id/gone": ArchivedResponse(301, (("Location", "https://rmol.id/a"),), b""),
        },
    )
    responses = read_archive(archive)
    assert responses["https://rmol.id/a"] == ArchivedResponse(
        200, (("Content-Type", "text/html; charset=utf-8"),), page
    )
    assert responses["https://rmol.id/gone"].status == 301
    assert responses["https://rmol.id/gone"].headers == (("Location", "https://rmol.id/a"),)


def test_compressed_bodies_are_replayed_decoded(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    body = gzip.compress(b"<html>halo</html>")
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
    write_archive(archive, {"https://x.id/": ArchivedResponse(200, headers, body)})
    assert read_archive(archive)["https://x.id/"] == ArchivedResponse(
        200, (("Content-Type", "text/html"),), b"<html>halo</html>"
    )


def test_replay_answers_404_for_a_url_not_in_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    write_archive(
        archive, {"https://x.id/": ArchivedResponse(200, (("Content-Type", "text/html"),), b"<p>x</p>")}
    )
    middleware = WarcReplayMiddleware(read_archive(archive))
    assert middleware.process_request(Request("https://x.id/")).status == 200
    assert middleware.process_request(Request("https://x.id/")).text == "<p>x</p>"
    assert middleware.process_request(Request("https://x.id/missing")).status == 404


def test_missing_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        ReplayError, match=r"^cannot open replay archive .*nope\.warc: No such file or directory$"
    ):
        read_archive(tmp_path / "nope.warc")


def test_a_file_that_is_not_warc_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.warc"
    bogus.write_bytes(b"this is not a warc file\n" * 10)
    with pytest.raises(ReplayError, match=r"bogus\.warc is not a readable WARC archive"):
        read_archive(bogus)
