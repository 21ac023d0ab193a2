"""The leases by which schedulers and workers show they are alive (`pantau status`, `pantau run-now`);
a module of its own so that reading them does not import the queue library."""

WORKER_LEASE_PREFIX = "worker:"
SCHEDULER_LEASE_PREFIX = "queue-scheduler:"
