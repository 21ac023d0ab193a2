"""The watch editor in Debian's Chromium: an editor types a query with a typo and sees the parser's
message under the field, fixes it, previews what it would have matched among the demo's stories, and
saves it. The server and browser are those of tests/test_web_browser.py (a real `pantau web` over a
database filled by `pantau demo`); any server error, 5xx or console error fails."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.test_web_browser import _console, _screenshot, _server_error, browser, pytestmark, server
from tests.web_helpers import PASSWORD

__all__ = ["browser", "pytestmark", "server"]  # the fixtures and the skip mark, shared


def test_an_editor_sees_a_typo_named_as_typed_previews_and_saves_a_watch(
    server: tuple[str, Path], browser: Browser
) -> None:
    base_url, _ = server
    problems: list[str] = []
    page = browser.new_page(base_url=base_url, viewport={"width": 1100, "height": 900})
    page.on("console", lambda message: _console(message, problems))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: _server_error(response, problems))

    page.goto("/watches")
    page.get_by_label("Nama").fill("ani")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{base_url}/watches")
    expect(page.locator("tr[data-watch]")).to_have_count(2)  # the demo configuration's, now in the database

    page.get_by_role("link", name="Pantauan baru").click()
    page.get_by_label("Nama").fill("banjir-beras")
    query, error = page.locator("#query"), page.locator("#query-error")
    query.fill("(banjir OR beras")  # the closing parenthesis forgotten
    expect(error).to_have_text("column 17: expected ')' to close the '(' at column 1")
    expect(error).to_be_visible()
    query.fill("(banjir OR beras)")
    expect(error).to_be_hidden()

    page.get_by_role("button", name="Pratinjau").click()
    expect(page.locator(".preview-count")).to_have_text(
        "Cocok dengan 3 dari 14 berita tersimpan dalam 7 hari terakhir. "
        "(9 di antaranya tanpa isi tersimpan: dicocokkan pada judul dan teras saja.)"
    )
    examples = page.locator("#preview li.story a.headline")
    expect(examples).to_have_count(3)
    expect(examples.first).to_have_text(re.compile(r"^Pemprov Papua Salurkan Bantuan Beras"))
    _screenshot(page, "watch-editor")

    page.get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(re.compile(r"/watches/\d+\?saved=1$"))
    expect(page.locator(".saved")).to_have_text("Pantauan disimpan; berlaku mulai putaran berikutnya.")
    page.get_by_role("link", name="Pantauan", exact=True).first.click()
    expect(page.locator("tr[data-watch='banjir-beras'] code")).to_have_text("(banjir OR beras)")

    assert problems == []
