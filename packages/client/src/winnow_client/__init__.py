"""Winnow's Python client.

- ``winnow_client.generated``: the typed client generated from the API's OpenAPI document
  (``make client``); one module per route under ``generated.api.<tag>``.
- ``WinnowWorkflowClient`` (alias ``ApiWorkflowClient``): lightly's ``ApiWorkflowClient``
  method names on top of it, so lightly scripts run against Winnow by changing one import.
"""

from winnow_client.client import WinnowClient
from winnow_client.generated.models import DatasetType, DatasourcePurpose
from winnow_client.workflow import (
    ApiWorkflowClient,
    ArtifactNotExist,
    ComputeWorkerRunInfo,
    EmbeddingDoesNotExistError,
    SelectionConfig,
    TagDoesNotExistError,
    WinnowApiError,
    WinnowWorkflowClient,
)

__all__ = [
    "ApiWorkflowClient",
    "ArtifactNotExist",
    "ComputeWorkerRunInfo",
    "DatasetType",
    "DatasourcePurpose",
    "EmbeddingDoesNotExistError",
    "SelectionConfig",
    "TagDoesNotExistError",
    "WinnowApiError",
    "WinnowClient",
    "WinnowWorkflowClient",
]
