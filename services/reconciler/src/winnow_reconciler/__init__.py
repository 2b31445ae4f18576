"""Winnow reconciler: a small loop that repairs what crashes and broker restarts leave behind.

Postgres is the source of truth for a run's lifecycle and Redis only carries wake-ups, so every
pass asks the database what is waiting (expired leases, silent workers, runs whose message was
sent long ago) and asks Redis which of those messages it still holds.
"""
