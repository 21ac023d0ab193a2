"""What flows from spiders through the pipeline stages: one `CandidateStory` per story URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from crawler.domain.article import Article
from crawler.domain.matches import WatchMatch


@dataclass
class CandidateStory:
    """The raw pages of one story as a spider fetched them; later stages fill in what they learn."""

    url: str
    source: str
    pages: list[str]
    listing_title: str = ""
    listing_published_at: datetime | None = None
    paywalled: bool = False
    article: Article | None = None
    matches: list[WatchMatch] = field(default_factory=list)
    skipped_extraction: bool = False
    failure: str | None = None
