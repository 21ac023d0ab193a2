"""Discovery on pages its code was not fitted to: the second-hand discovery fixtures, as written and
with their markup mutated the way a redesign changes it (classes renamed, wrappers added).

Each fixture's `.expected.json` (tests/fixtures/secondhand/README.md) lists the stories the page
announces in page order, and where given its next page, its child sitemaps and its menu's sections.
A failure here is fixed in the general mechanism (spiders/links.py, spiders/listings.py), never by a
selector for one page.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.domain import counters
from crawler.domain.crawling import SourcePlan
from crawler.portals import registry
from spiders.base import PortalSpider
from spiders.links import menu_links
from spiders.listings import feed_entries, next_page_url, sitemap_entries
from tests.conftest import FIXTURES

SECONDHAND = FIXTURES / "secondhand" / "discovery"
EXPECTED = sorted(SECONDHAND.glob("*/*.expected.json"))
HTML_KINDS = ("home", "category", "search")


class NothingStored:
    def among(self, keys: Any) -> set[str]:
        return set()


def expectation(path: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return expected


def page_file(path: Path) -> Path:
    stem = path.name.removesuffix(".expected.json")
    [found] = [candidate for candidate in path.parent.glob(f"{stem}.*") if candidate != path]
    return found


def spider_for(expected: dict[str, Any]) -> PortalSpider:
    """A spider of the fixture's family over every site the family knows (search results cross the
    RMOL network, portals.md §1.5); a generic site is its page's domain."""
    family = registry.family(expected["family"])
    host = urlsplit(expected["url"]).hostname or ""
    sites = family.hosts or (".".join(host.split(".")[-2:]),)
    plan = SourcePlan(expected["family"], expected["family"], sites, timedelta(days=3650), 5)
    crawler = get_crawler()
    crawler.stats = MemoryStatsCollector(crawler)
    spider: PortalSpider = PortalSpider.from_crawler(
        crawler, source=plan, stored_stories=NothingStored(), now=datetime(2025, 12, 1, tzinfo=UTC)
    )
    return spider


def announced(spider: PortalSpider, expected: dict[str, Any], body: bytes) -> tuple[list[str], TextResponse]:
    """The story URLs a page announces that the spider would request, in page order."""
    url = expected["url"]
    if expected["kind"] in HTML_KINDS:
        response: TextResponse = HtmlResponse(url, body=body, request=Request(url))
        entries = spider.listing_entries(response, searching=expected["kind"] == "search")
    else:
        response = XmlResponse(url, body=body, request=Request(url))
        is_feed = expected["kind"] == "feed"
        entries = feed_entries(response.selector) if is_feed else sitemap_entries(response.selector)[1]
    return [entry.url for entry in entries if spider.is_story(entry.url)], response


def next_page(spider: PortalSpider, response: TextResponse) -> str | None:
    page = int(parse_qs(urlsplit(response.url).query).get("page", ["1"])[0])
    return next_page_url(spider.discovery, response, page, spider._may_be_listing)


def test_every_family_has_second_hand_discovery_pages() -> None:
    families = {path.parent.name for path in EXPECTED}
    assert families == set(registry.source_family_names())
    assert all(len(list((SECONDHAND / family).glob("*.expected.json"))) >= 4 for family in families)


@pytest.mark.parametrize("path", EXPECTED, ids=lambda path: path.name.removesuffix(".expected.json"))
def test_a_second_hand_page_yields_exactly_its_stories_next_page_and_children(path: Path) -> None:
    expected = expectation(path)
    spider = spider_for(expected)
    stories, response = announced(spider, expected, page_file(path).read_bytes())

    assert stories == expected["stories"]
    if expected["kind"] == "sitemap_index":
        assert [request.url for request in spider.parse_sitemap(response)] == expected["children"]
    if expected["kind"] in ("category", "search"):
        assert next_page(spider, response) == expected["next_page"]


@pytest.mark.parametrize(
    "path",
    [path for path in EXPECTED if registry.family(expectation(path)["family"]).discovery.sections
     and expectation(path)["kind"] in ("home", "category")],
    ids=lambda path: path.name.removesuffix(".expected.json"),
)  # fmt: skip
def test_a_second_hand_pages_menu_yields_its_sections(path: Path) -> None:
    expected = expectation(path)
    discovery = registry.family(expected["family"]).discovery
    response = HtmlResponse(expected["url"], body=page_file(path).read_bytes())

    sections = [url for url in menu_links(response.selector, response.url) if discovery.is_section(url)]

    assert sections == expected["navigation"]


def renamed_classes(page: lxml.html.HtmlElement) -> None:
    """Every class a redesign could rename, renamed."""
    for element in page.iter():
        if isinstance(element.tag, str) and element.get("class"):
            element.set("class", " ".join(f"v2-{name}" for name in element.get("class", "").split()))


def wrapped_blocks(page: lxml.html.HtmlElement) -> None:
    """Each `article` and each `div` holding a link in an extra `div`, as a new grid would."""
    blocks = [element for element in page.iter("article", "div") if element.find(".//a") is not None]
    for block in blocks:
        parent = block.getparent()
        if parent is None:
            continue
        wrapper = lxml.html.Element("div", {"class": "wrapper"})
        block.addprevious(wrapper)
        wrapper.tail, block.tail = block.tail, None
        wrapper.append(block)


MUTATIONS = {"renamed classes": renamed_classes, "extra wrappers": wrapped_blocks}
HTML_PAGES = [path for path in EXPECTED if expectation(path)["kind"] in HTML_KINDS]


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("path", HTML_PAGES, ids=lambda path: path.name.removesuffix(".expected.json"))
def test_a_mutated_second_hand_page_still_yields_its_stories(path: Path, mutation: str) -> None:
    expected = expectation(path)
    page = lxml.html.document_fromstring(page_file(path).read_bytes())
    MUTATIONS[mutation](page)
    spider = spider_for(expected)

    stories, response = announced(spider, expected, lxml.html.tostring(page, encoding="utf-8"))

    assert stories == expected["stories"]
    if expected["kind"] != "home":
        assert next_page(spider, response) == expected["next_page"]
    stats = spider.crawler.stats.get_stats()
    drift = stats.get(counters.LISTING_CARDS_MISSING, 0) + stats.get(counters.SEARCH_CARDS_MISSING, 0)
    # Cards the family's selector no longer finds are counted for health; the stories are still found.
    card = spider.discovery.listing_card
    assert drift == int(card is not None and not response.css(card))
