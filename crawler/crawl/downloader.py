"""Scrapy's downloader with its per-slot concurrency enforced under the asyncio reactor.

Scrapy 2.19 hands each queued request to a task (`_wait_for_download`) that marks it as
transferring only once the task runs, after the loop in `_process_queue` has already emptied the
queue: every request queued for a slot at once went out together, whatever
CONCURRENT_REQUESTS_PER_DOMAIN said. tests/test_politeness.py holds a portal to one request at a
time.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from twisted.internet.defer import Deferred


class SlotBoundDownloader(Downloader):
    """Marks a request as transferring when it leaves its slot's queue, not when its task starts."""

    def _wait_for_download(
        self, slot: Slot, request: Request, queue_dfd: Deferred[Response]
    ) -> Coroutine[Any, Any, None]:
        slot.transferring.add(request)  # Scrapy's own `_download` adds it again and removes it when done
        return super()._wait_for_download(slot, request, queue_dfd)
