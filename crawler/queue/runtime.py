"""What a job of this process works with: the configuration, the database, the crawl service
(workers only), the metrics, and the queue settings the command line chose."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from procrastinate import JobContext

from crawler.config import Config
from crawler.store.db import Database

if TYPE_CHECKING:
    from crawler.crawl.runner import CrawlService
    from crawler.daemon.metrics import DaemonMetrics

CONTEXT_KEY = "pantau"


@dataclass
class QueueRuntime:
    config: Config
    database: Database
    holder: str
    """`host:pid:token` of this process, as its leases and claimed run requests name it."""
    service: CrawlService | None = None
    metrics: DaemonMetrics | None = None
    stalled_seconds: float = 60.0
    """A job whose worker sent no heartbeat for this long is given to another worker."""

    @asynccontextmanager
    async def measured(self, context: JobContext, task: str) -> AsyncIterator[None]:
        """Count the job (done, failed, retried), its wait from when it was due, and its run time."""
        if self.metrics is None:
            yield
            return
        job = context.job
        due = job.scheduled_at or datetime.now(UTC)
        started = time.monotonic()
        self.metrics.record_job_latency(task, max(0.0, (datetime.now(UTC) - due).total_seconds()))
        if job.attempts:
            self.metrics.record_job_retry(task)
        try:
            yield
        except BaseException:
            self.metrics.record_job(task, "failed", time.monotonic() - started)
            raise
        self.metrics.record_job(task, "done", time.monotonic() - started)


def runtime_of(context: JobContext) -> QueueRuntime:
    runtime = context.additional_context[CONTEXT_KEY]
    assert isinstance(runtime, QueueRuntime)
    return runtime
