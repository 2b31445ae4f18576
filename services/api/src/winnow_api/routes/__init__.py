"""Routers, one per domain of the Lightly v1 API."""
