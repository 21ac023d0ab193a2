"""Scrapy spiders: one `PortalSpider` serves every portal family, reading it from crawler.portals."""

from __future__ import annotations

from crawler.portals import registry
from spiders.base import PortalSpider


def spider_for_family(family: str) -> type[PortalSpider]:
    """The spider class of a portal family named in the config (a `ConfigError` for an unknown one)."""
    registry.family(family)
    return PortalSpider
