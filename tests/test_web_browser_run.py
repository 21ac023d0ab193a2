"""Run now, end to end in Debian's Chromium: `pantau serve` (the daemon and the web, as `make run` starts
them) over SQLite and a loopback portal. A person opens a source's page, presses Run now, sees it
wait for the daemon and then the run appear in the history, finished, without reloading the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from crawler.store.db import open_database
from tests.portal_server import PortalServer
from tests.test_daemon import (
    LAMPUNG,
    STORIES,
    DaemonProcess,
    finished_runs,
    migrated,
    serve_site,
    sqlite_url,
    wait_for,
    write_config,
)
from tests.test_web_browser import CHROMIUM, _console
from tests.web_helpers import PASSWORD, add_person, free_port

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium (apt-get install chromium)"
)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`pantau serve` on a free port after its first scheduled run of `lampung`; yields the web's URL."""
    with PortalServer() as portal:
        serve_site(portal, LAMPUNG, STORIES)
        config = write_config(tmp_path / "pantau.yaml")
        database_url = migrated(sqlite_url(tmp_path))
        database = open_database(database_url)
        add_person(database, "ani", "admin")
        database.dispose()
        port = free_port()
        serve = DaemonProcess(config, database_url, portal.proxy_url, "--port", str(port), command="serve")
        try:
            wait_for(finished_runs(database_url, 1), daemon=serve)
            yield f"http://127.0.0.1:{port}"
        finally:
            serve.kill()


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def test_run_now_shows_the_run_in_the_sources_history_when_the_daemon_has_run_it(
    served: str, browser: Browser
) -> None:
    problems: list[str] = []
    page = browser.new_page(base_url=served)
    page.on("console", lambda message: _console(message, problems))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto("/login?next=%2Fsources")
    page.get_by_label("Nama").fill("ani")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/sources$"))
    page.get_by_role("link", name="lampung").click()
    expect(page.locator("h1")).to_contain_text("lampung")
    runs = page.locator("table.runs tbody tr")
    expect(runs).to_have_count(1)
    expect(runs.first.locator(".trigger")).to_have_text("schedule")

    page.get_by_role("button", name="Jalankan sekarang").click()
    expect(runs).to_have_count(2, timeout=60_000)  # the page asks again until the run shows
    expect(runs.first.locator(".trigger")).to_have_text("run-now")
    expect(runs.first.locator(".status")).to_have_text("berhasil", timeout=60_000)
    expect(page.locator(".queued")).to_have_count(0)
    assert problems == [], "\n".join(problems)
