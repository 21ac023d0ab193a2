"""The single-machine daemon: scheduling, adaptive polling, run-now requests and metrics."""
