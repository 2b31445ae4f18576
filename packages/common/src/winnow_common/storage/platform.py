"""The cluster's own store: data the platform keeps for a dataset that has no datasource of
its own (uploaded embeddings CSVs, their 2-D projections), in ``S3_LIGHTLY_BUCKET`` under
``platform/datasets/<dataset id>/``. Keys are deterministic, so a retried write overwrites.
"""

from __future__ import annotations

from winnow_common.config import s3_settings
from winnow_common.storage.datasource import DatasourceStore, S3Store

PLATFORM_PREFIX = "platform"
# ``Embedding.storage_location`` values: where an embedding's CSV lies.
PLATFORM = "PLATFORM"
LIGHTLY = "LIGHTLY"


def platform_store() -> DatasourceStore:
    """The cluster's store (``S3_*`` settings), rooted at ``platform/``."""
    settings = s3_settings()
    return S3Store(
        bucket=settings.lightly_bucket,
        prefix=PLATFORM_PREFIX,
        endpoint_url=settings.endpoint_url,
        access_key_id=settings.access_key_id,
        secret_access_key=settings.secret_access_key.get_secret_value(),
        region=settings.region,
    )


def uploaded_embedding_key(dataset_id: str, embedding_id: str) -> str:
    """Where an embeddings CSV uploaded through ``writeCSVUrl`` lies in the platform store."""
    return f"datasets/{dataset_id}/embeddings/{embedding_id}.csv"


def embedding_projection_key(dataset_id: str, embedding_id: str) -> str:
    """Where the 2-D projection of an embedding lies in the platform store (JSON)."""
    return f"datasets/{dataset_id}/embeddings/{embedding_id}.2d.json"


def sampling_scores_key(dataset_id: str, job_id: str) -> str:
    """Where a sampling job's ranked importance scores lie in the platform store (JSON)."""
    return f"datasets/{dataset_id}/jobs/{job_id}/scores.json"
