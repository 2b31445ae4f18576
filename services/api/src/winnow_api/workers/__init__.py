"""The worker registry (register idempotently by name, list, delete), a worker's liveness and a
run's attempts."""
