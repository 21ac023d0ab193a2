"""Optional Prometheus metrics of the daemon (`daemon.metrics_port`; needs `pantau[metrics]`)."""

from __future__ import annotations

import time
from typing import Any

from crawler.crawl.runner import RunSummary
from crawler.domain.errors import ConfigError

HEALTHY_STATES = ("healthy", "unknown")
RUN_SECONDS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
LATENCY_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900)


class DaemonMetrics:
    """Counters and gauges per source, served on `/metrics` from a thread of their own."""

    def __init__(self, port: int, address: str = "0.0.0.0") -> None:
        try:
            from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
        except ImportError:
            raise ConfigError(
                "daemon.metrics_port is set but prometheus-client is not installed: "
                "pip install 'pantau[metrics]'"
            ) from None
        self.registry = CollectorRegistry()
        by_source: dict[str, Any] = {"labelnames": ["source"], "registry": self.registry}
        self.runs = Counter(
            "pantau_crawl_runs", "Finished crawl runs by final status.",
            labelnames=["source", "status"], registry=self.registry,
        )  # fmt: skip
        self.stories = Counter(
            "pantau_crawl_stories", "Stories by final outcome (new, duplicate, unmatched, failed).",
            labelnames=["source", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.run_seconds = Histogram(
            "pantau_crawl_run_seconds", "Wall time of a crawl run.", buckets=RUN_SECONDS_BUCKETS, **by_source
        )
        self.last_run = Gauge("pantau_crawl_last_run_timestamp_seconds", "End of the last run.", **by_source)
        self.poll_interval = Gauge(
            "pantau_source_poll_interval_seconds", "Current adaptive polling interval.", **by_source
        )
        self.healthy = Gauge(
            "pantau_source_healthy", "1 when the source is healthy or not yet judged.", **by_source
        )
        # Scale-out mode: each worker serves its own endpoint, so these are per worker.
        self.jobs = Counter(
            "pantau_queue_jobs", "Queue jobs this worker ended, by task and outcome (done, failed).",
            labelnames=["task", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.job_retries = Counter(
            "pantau_queue_job_retries", "Queue jobs this worker started again after a failed or stalled try.",
            labelnames=["task"], registry=self.registry,
        )  # fmt: skip
        self.job_latency = Histogram(
            "pantau_queue_job_latency_seconds", "Wait from when a job was due to when a worker started it.",
            labelnames=["task"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.job_seconds = Histogram(
            "pantau_queue_job_seconds", "Run time of a queue job.",
            labelnames=["task"], buckets=RUN_SECONDS_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.queue_depth = Gauge(
            "pantau_queue_depth", "Jobs waiting in each queue (status todo), as this worker last saw.",
            labelnames=["queue"], registry=self.registry,
        )  # fmt: skip
        try:
            self._server, _ = start_http_server(port, addr=address, registry=self.registry)
        except OSError as error:
            raise ConfigError(f"daemon.metrics_port {port}: cannot listen: {error.strerror}") from None

    def record_run(
        self, summary: RunSummary, seconds: float, *, health: str, poll_interval_seconds: float | None
    ) -> None:
        """Count a finished run and refresh the source's gauges."""
        source = summary.source
        self.runs.labels(source=source, status=summary.status).inc()
        for outcome, count in (
            ("new", summary.new), ("duplicate", summary.duplicate),
            ("unmatched", summary.unmatched), ("failed", summary.failed),
        ):  # fmt: skip
            self.stories.labels(source=source, outcome=outcome).inc(count)
        self.run_seconds.labels(source=source).observe(seconds)
        self.last_run.labels(source=source).set(time.time())
        self.healthy.labels(source=source).set(1 if health in HEALTHY_STATES else 0)
        if poll_interval_seconds is not None:
            self.poll_interval.labels(source=source).set(poll_interval_seconds)

    def record_job(self, task: str, outcome: str, seconds: float) -> None:
        self.jobs.labels(task=task, outcome=outcome).inc()
        self.job_seconds.labels(task=task).observe(seconds)

    def record_job_retry(self, task: str) -> None:
        self.job_retries.labels(task=task).inc()

    def record_job_latency(self, task: str, seconds: float) -> None:
        self.job_latency.labels(task=task).observe(seconds)

    def set_queue_depth(self, queue: str, waiting: int) -> None:
        self.queue_depth.labels(queue=queue).set(waiting)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
