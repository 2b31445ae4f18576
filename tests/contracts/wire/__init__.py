"""Every route of the lightly 1.5.26 route table (lightly-client-wire.md §2) answers with exactly
the response model of §5.1 (wire_models.py): no extra keys, 24-hex ids, integer ms timestamps,
enum values, the route's exact success status, JSON strings for string responses and ``[]`` past
the end of paginated lists. Runs the real app in-process on the local stack's Postgres and S3;
rows a worker would write (samples, runs, artifacts, tags) are inserted directly.

``routes.py`` holds the route table and the coverage registry, ``world.py`` the seeded dataset
(the ``world`` fixture of ``conftest.py``), one ``test_*.py`` per area of the table.
"""
