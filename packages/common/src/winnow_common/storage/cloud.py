"""Opening ``GCS`` and ``AZURE`` datasources (endpoints from GCS_ENDPOINT_URL and
AZURE_BLOB_ENDPOINT: the lightly client cannot send one for these types)."""

from __future__ import annotations

from typing import Any

from winnow_common.config import azure_settings, gcs_settings
from winnow_common.errors import StorageError
from winnow_common.storage.azure import AzureStore
from winnow_common.storage.datasource import DatasourceStore, _split_bucket_path
from winnow_common.storage.gcs import GCSStore


def open_cloud(
    type_: str, full_path: str, options: dict[str, Any], secrets: dict[str, str]
) -> DatasourceStore:
    """The store of a GCS (``gs://bucket/prefix``) or Azure (``container/prefix``) datasource."""
    if type_ == "GCS":
        bucket, prefix = _split_bucket_path(full_path, "gs")
        return GCSStore(
            bucket=bucket,
            prefix=prefix,
            project=str(options["gcsProjectId"]),
            credentials_json=secrets.get("gcsCredentials", ""),
            endpoint_url=gcs_settings().endpoint_url,
        )
    if type_ == "AZURE":
        return AzureStore(
            full_path=full_path,
            account_name=str(options["accountName"]),
            secret=secrets["accountKey"],
            endpoint=azure_settings().blob_endpoint,
        )
    raise StorageError(f"datasource type {type_!r} is not a cloud type")
