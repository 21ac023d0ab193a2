"""The leases by which schedulers and workers show they are alive (`pantau status`, `pantau run-now`);
named in the store, and read from here so that reading them does not import the queue library."""

from crawler.store.leases import QUEUE_SCHEDULER_LEASE_PREFIX as SCHEDULER_LEASE_PREFIX
from crawler.store.leases import WORKER_LEASE_PREFIX

__all__ = ["SCHEDULER_LEASE_PREFIX", "WORKER_LEASE_PREFIX"]
