"""The run lifecycle: attempts and leases, heartbeats, recovery, and recording results.

Postgres is the source of truth: a run belongs to the process whose attempt (lease) is open,
the attempt's heartbeat keeps it, and the reconciler takes it back when the heartbeat stops.
Redis only carries wake-ups, which the reconciler sends again when they are lost.
"""
