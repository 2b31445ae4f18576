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
    # --- the platform half (issue 12): the routes the other 32 client methods call -----------
    # embeddings
    34: ("GET", "/v1/datasets/{datasetId}/embeddings", 200),
    35: ("GET", "/v1/datasets/{datasetId}/embeddings/writeCSVUrl", 200),
    36: ("GET", "/v1/datasets/{datasetId}/embeddings/{embeddingId}/readCSVUrl", 200),
    37: ("POST", "/v1/datasets/{datasetId}/embeddings/{embeddingId}/trigger2dEmbeddingsJob", None),
    # sampling, jobs, scores
    38: ("POST", "/v1/datasets/{datasetId}/embeddings/{embeddingId}/sampling", None),
    39: ("GET", "/v1/jobs/{jobId}", 200),
    40: ("POST", "/v1/datasets/{datasetId}/tags/{tagId}/scores", None),
    # tags: delete and exports
    41: ("DELETE", "/v1/datasets/{datasetId}/tags/{tagId}", None),
    42: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelStudio/tasks", 200),
    43: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelBox/datarows", 200),
    44: ("GET", "/v1/datasets/{datasetId}/tags/{tagId}/export/LabelBoxV4/datarows", 200),
    # predictions and the custom metadata configuration
    45: ("POST", "/v1/datasets/{datasetId}/predictions/tasks", None),
    46: ("POST", "/v1/datasets/{datasetId}/predictions/samples/{sampleId}", None),
    47: ("POST", "/v1/datasets/{datasetId}/configuration/metadata", None),
    # datasource listing
    48: ("GET", "/v1/datasets/{datasetId}/datasource/list", 200),
    49: ("GET", "/v1/datasets/{datasetId}/datasource/list/dnc", 200),
    50: ("GET", "/v1/datasets/{datasetId}/datasource/metadata/list", 200),
    51: ("GET", "/v1/datasets/{datasetId}/datasource/metadata/list/dnc", 200),
    52: ("GET", "/v1/datasets/{datasetId}/datasource/predictions/list", 200),
    53: ("GET", "/v1/datasets/{datasetId}/datasource/predictions/list/dnc", 200),
    54: ("GET", "/v1/datasets/{datasetId}/datasource/metadata/file", 200),
    55: ("GET", "/v1/datasets/{datasetId}/datasource/predictions/file", 200),
    56: ("GET", "/v1/datasets/{datasetId}/datasource/embeddings/file", 200),
    57: ("GET", "/v1/datasets/{datasetId}/datasource/processedUntilTimestamp", 200),
    58: ("PUT", "/v1/datasets/{datasetId}/datasource/processedUntilTimestamp", None),
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
