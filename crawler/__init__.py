"""Pantau: a news-monitoring crawler for Indonesian news portals."""

__version__ = "0.1.0"
