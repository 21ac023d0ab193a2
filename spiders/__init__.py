"""Scrapy spiders, one module per portal family, on the shared base in `spiders.base`."""

from __future__ import annotations

from spiders.base import PortalSpider
from spiders.bisnis import BisnisSpider
from spiders.rmol import RmolSpider
from spiders.rmol_regional import RmolRegionalSpider

SPIDERS: dict[str, type[PortalSpider]] = {
    spider.family: spider for spider in (RmolSpider, RmolRegionalSpider, BisnisSpider)
}


def spider_for_family(family: str) -> type[PortalSpider]:
    """The spider class of a portal family named in the config."""
    return SPIDERS[family]
