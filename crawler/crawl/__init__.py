"""Crawling: Scrapy settings, middlewares, pipeline stages, extraction workers, health, replay, the runner."""
