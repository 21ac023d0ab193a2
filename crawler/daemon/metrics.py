"""Optional Prometheus metrics of the daemon (`daemon.metrics_port`; needs `pantau[metrics]`)."""

from __future__ import annotations

import time
from typing import Any

from crawler.crawl.runner import RunSummary
from crawler.domain.errors import ConfigError

HEALTHY_STATES = ("healthy", "unknown")
RUN_SECONDS_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


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

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
