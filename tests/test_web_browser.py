"""What a person does in `pantau web`, in Debian's Chromium driven by Playwright: sign in, search and
filter the inbox, move with j/k and open with o, star a story, open a story and its archived original,
look at trends and alerts, press Run now, switch the language. The server is a real `pantau web` process
over a database filled by `pantau demo`; any server error, 5xx or browser console error fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect, sync_playwright

from crawler.demo import DEMO_CONFIG
from tests.conftest import ROOT
from tests.web_helpers import PASSWORD, free_port

CHROMIUM = Path("/usr/bin/chromium")
# Set to a folder (docs/screenshots) to save the pages the test passes through, for README.md.
SCREENSHOTS = os.environ.get("PANTAU_SCREENSHOTS")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium (apt-get install chromium)"
)


def _pantau(*args: str, database: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crawler", "--config", str(DEMO_CONFIG), "--db", f"sqlite:///{database}"]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`pantau web` on a free loopback port over the demo's database, with one admin; yields the base
    URL and the server's log file, which must hold no error when the tests are done."""
    folder = tmp_path_factory.mktemp("web")
    database = folder / "demo.db"
    subprocess.run([sys.executable, "-m", "crawler", "demo", "--db-file", str(database)],
                   capture_output=True, cwd=ROOT, timeout=120, check=True)  # fmt: skip
    _pantau("users", "add", "ani", "--admin", "--password-stdin", database=database, stdin=f"{PASSWORD}\n")
    port = free_port()
    log = folder / "web.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "--config", str(DEMO_CONFIG), "--db", f"sqlite:///{database}",
             "web", "--port", str(port)],
            stdout=output, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/login", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"pantau web did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield base_url, log
    finally:
        process.terminate()
        process.wait(timeout=10)
    server_log = log.read_text()
    assert "Traceback" not in server_log and " ERROR " not in server_log, server_log


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def test_a_person_signs_in_filters_opens_a_story_runs_a_source_and_switches_language(
    server: tuple[str, Path], browser: Browser
) -> None:
    base_url, _ = server
    problems: list[str] = []
    page = browser.new_page(base_url=base_url, viewport={"width": 1100, "height": 700})
    page.on("console", lambda message: _console(message, problems))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: _server_error(response, problems))

    page.goto("/inbox")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Finbox$"))
    page.get_by_label("Nama").fill("ani")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{base_url}/inbox")
    stories = page.locator("li.story")
    expect(stories).to_have_count(5)  # the demo's matched stories, none folded

    page.get_by_label("Cari").fill("garis kemiskinan")  # full-text search, every word, any form
    page.get_by_label("Cari").press("Enter")
    expect(page).to_have_url(re.compile(r"/inbox\?q=garis(%20|\+)kemiskinan"))
    expect(stories).to_have_count(1)
    page.get_by_label("Cari").fill("")
    page.get_by_label("Cari").press("Enter")
    expect(stories).to_have_count(5)

    page.get_by_label("Pantauan").select_option("kemiskinan")  # htmx swaps the list in place
    expect(page).to_have_url(re.compile(r"/inbox\?q=&watch=kemiskinan"))
    expect(stories).to_have_count(2)
    expect(page.locator("li.story .watch")).to_have_text(["kemiskinan", "kemiskinan"])
    stories.first.get_by_role("button", name="Beri bintang").click()  # htmx swaps the row
    expect(stories.first.locator(".star")).to_have_count(1)
    page.get_by_label("Berbintang").check()
    expect(stories).to_have_count(1)
    page.get_by_label("Berbintang").uncheck()
    expect(stories).to_have_count(2)
    _screenshot(page, "inbox")

    page.locator("h1").click()  # the keys act outside the form's fields
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("li.story.current")).to_have_attribute(
        "data-article", stories.nth(1).get_attribute("data-article") or ""
    )
    page.keyboard.press("k")
    first = stories.first.get_attribute("data-article")
    expect(page.locator("li.story.current")).to_have_attribute("data-article", first or "")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{base_url}/stories/{first}")
    expect(page.locator("h1 mark")).to_have_text(["Kemiskinan"])
    expect(page.locator("table.fields")).to_contain_text("recipe")
    expect(page.locator(".explanation li li").first).to_contain_text("Kemiskinan")
    original = page.frame_locator("iframe.original")
    expect(original.locator("body")).to_contain_text("Kemiskinan")
    _screenshot(page, "story")
    page.goto("/inbox?watch=kemiskinan")
    page.get_by_label("Dibaca").select_option("read")  # opening it made it read
    expect(page).to_have_url(re.compile(r"&read=read"))
    expect(stories).to_have_count(1)
    expect(stories.first).to_have_attribute("data-article", first or "")

    page.get_by_role("link", name="Tren").click()
    page.get_by_role("link", name="90 hari").click()
    page.get_by_role("link", name=re.compile("sampai berita terbaru")).click()  # the demo's stories are old
    expect(page.locator("#per-watch .uplot canvas")).to_have_count(1)
    expect(page.locator("#outlet-share .uplot canvas")).to_have_count(1)
    expect(page.locator("table.per-watch")).to_contain_text("korea-utara-rusia")
    _screenshot(page, "trends")

    page.get_by_role("link", name="Peringatan").click()
    expect(page.locator("h1")).to_have_text("Peringatan")
    expect(page.locator("table.alerts tbody tr").first).to_be_visible()
    _screenshot(page, "alerts")

    page.get_by_role("link", name="Sumber").click()
    row = page.locator("tr[data-source='rmol']")
    expect(row.locator("td.health")).to_have_text("sehat")
    expect(row.locator(".queued")).to_have_count(0)
    row.get_by_role("button", name="Jalankan sekarang").click()
    expect(row.locator(".queued")).to_have_text("Menunggu daemon")
    _screenshot(page, "sources")

    page.get_by_role("button", name="EN").click()
    expect(page.locator("h1")).to_have_text("Sources")
    expect(page.locator("tr[data-source='rmol'] .queued")).to_have_text("Waiting for the daemon")
    expect(page.locator("tr[data-source='rmol'] td.health")).to_have_text("healthy")
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_label("Watch")).to_be_visible()  # the choice is the user's, on every page

    assert problems == [], "\n".join(problems)


def test_a_filter_changed_while_the_last_one_is_loading_is_the_one_shown(
    server: tuple[str, Path], browser: Browser
) -> None:
    """A search sent and a watch chosen in the same moment: the list shows both, and the form keeps the
    choice (it was once replaced by the answer to the search, which dropped the watch)."""
    base_url, _ = server
    problems: list[str] = []
    page = browser.new_page(base_url=base_url)
    page.on("console", lambda message: _console(message, problems))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    _sign_in(page)
    stories = page.locator("li.story")
    expect(stories).to_have_count(5)

    page.evaluate(
        """() => {
            const form = document.querySelector("form.filters");
            form.elements.q.value = "lampung";
            form.requestSubmit();
            form.elements.watch.value = "kemiskinan";
            form.elements.watch.dispatchEvent(new Event("change", { bubbles: true }));
        }"""
    )
    expect(page).to_have_url(re.compile(r"/inbox\?q=lampung&watch=kemiskinan&"))
    expect(page.locator("form.filters select[name=watch]")).to_have_value("kemiskinan")
    expect(page.locator("form.filters input[name=q]")).to_have_value("lampung")
    expect(page.locator("li.story .watch")).to_have_text(["kemiskinan", "kemiskinan"])
    assert problems == [], "\n".join(problems)


def _sign_in(page: Page) -> None:
    page.goto("/login?next=%2Finbox")  # in the language the first test left chosen
    page.locator("input[name=name]").fill("ani")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/inbox$"))


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _console(message: ConsoleMessage, problems: list[str]) -> None:
    if message.type == "error":
        problems.append(f"console: {message.text} ({message.location.get('url')})")


def _server_error(response: Response, problems: list[str]) -> None:
    if response.status >= 500:
        problems.append(f"{response.status} from {response.url}")
