"""The lightly 1.5.26 route table (lightly-client-wire.md §2) and which test covers which route."""

from __future__ import annotations

from collections.abc import Callable

# --- the route table (§2): number -> (method, path, success status or None for any 2xx) -------
ROUTES: dict[int, tuple[str, str, int | None]] = {
    1: ("GET", "/v1/versions/pip/minimum", 200),
    2: ("GET", "/v1/versions/pip/latest", 200),
    3: ("GET", "/v1/datasets", 200),
    4: ("POST", "/v1/datasets", 201),
    5: ("GET", "/v1/datasets/query/name/{datasetName}", 200),
    6: ("GET", "/v1/datasets/{datasetId}", 200),
    7: ("DELETE", "/v1/datasets/{datasetId}", None),
    8: ("PUT", "/v1/datasets/{datasetId}/datasource", None),
    9: ("GET", "/v1/datasets/{datasetId}/datasource", 200),
    10: ("GET", "/v1/datasets/{datasetId}/datasource/verify", 200),
    11: ("POST", "/v1/docker/worker", 201),
    12: ("GET", "/v1/docker/worker", 200),
    13: ("DELETE", "/v1/docker/worker/{workerId}", None),
    14: ("POST", "/v1/docker/worker/config/vX", 201),
    15: ("POST", "/v1/datasets/{datasetId}/docker/worker/schedule", 201),
    16: ("GET", "/v1/datasets/{datasetId}/docker/worker/schedule", 200),
    17: ("GET", "/v1/docker/runs/schedule/{scheduledId}", 200),
    18: ("GET", "/v1/docker/runs", 200),
    19: ("GET", "/v1/docker/runs/query/datasetId/{datasetId}", 200),
    20: ("GET", "/v1/docker/runs/{runId}", 200),
    21: ("GET", "/v1/docker/runs/{runId}/tags", 200),
    22: ("GET", "/v1/docker/runs/{runId}/artifacts/{artifactId}/readurl", 200),
    23: ("GET", "/v1/datasets/{datasetId}/tags", 200),
    24: ("POST", "/v1/datasets/{datasetId}/tags", 201),
    25: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}", 200),
    26: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/basic/filenames", 200),
    27: ("POST", "/v1/datasets/{datasetId}/tags/arithmetics/bitmask", 200),
    28: ("GET", "/v1/datasets/{datasetId}/mappings", 200),
    29: ("GET", "/v1/datasets/{datasetId}/samples/{sampleId}/readurl", 200),
    30: ("POST", "/v1/datasets/{datasetId}/collaboration/access", 201),
    31: ("GET", "/v1/datasets/{datasetId}/collaboration/access", 200),
    32: ("GET", "/v1/datasets/{datasetId}/samples/partial", 200),
    33: ("PUT", "/v1/datasets/{datasetId}/samples/{sampleId}", None),
}
UNAUTHENTICATED = {1, 2}
# Which test covers which route (filled by @covers; checked by the meta-test).
COVERED: dict[int, list[str]] = {}


def covers(*numbers: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Record that the decorated test exercises the routes ``numbers`` (read by the meta-test)."""

    def mark(fn: Callable[..., None]) -> Callable[..., None]:
        for n in numbers:
            COVERED.setdefault(n, []).append(fn.__name__)
        return fn

    return mark
