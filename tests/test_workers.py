"""The extraction workers' pool: workers start with the word tables their fork server read once."""

from __future__ import annotations

from crawler.crawl.workers import extraction_pool
from crawler.matching import morphology


def _lemmas_read() -> bool:
    """In a worker, before any story: whether the lemma table (the largest) is in memory."""
    return morphology.lemmas.cache_info().currsize == 1


def test_a_new_worker_holds_the_word_tables_before_its_first_story() -> None:
    assert extraction_pool(1).submit(_lemmas_read).result(timeout=60)
