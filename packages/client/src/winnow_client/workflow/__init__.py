"""``WinnowWorkflowClient``: lightly's ``ApiWorkflowClient`` method names on the generated client.

A script written for ``lightly.api.ApiWorkflowClient`` (lightly 1.5) moves to Winnow by changing
its import::

    from winnow_client import ApiWorkflowClient  # was: from lightly.api import ApiWorkflowClient

    # The server: server_location=, else WINNOW_SERVER_LOCATION or LIGHTLY_SERVER_LOCATION.
    client = ApiWorkflowClient(token="...")
    client.create_dataset("my-dataset")
    client.set_obs_config("obs://bucket/in", "http://s3:8333", "AK", "SK", purpose="INPUT")
    ...

Every API call goes through the typed functions of ``winnow_client.generated`` (generated from
the API's OpenAPI document by ``make client``); only the signed file URLs the API hands out
(artifacts, sample images) are fetched with plain ``httpx``. Methods return the generated
models (``RunData``, ``TagData``, ...), whose attributes are the snake_case names lightly's
models have (``run.id``, ``run.artifacts``, ``tag.bit_mask_data``). Errors are
``WinnowApiError`` (``.status`` like lightly's ``ApiException``).

The client is composed of one mixin per area, as lightly's is (``lightly/api/api_workflow_*.py``):

- ``_base.py``: ``WorkflowBase``, the connection (token, server, the generated ``Client``)
- ``_responses.py``: checking and unwrapping answers, pagination, signed-URL downloads
- ``errors.py``: ``WinnowApiError``, ``ArtifactNotExist``, ``TagDoesNotExistError``
- ``datasets.py``, ``datasources.py``, ``compute_worker.py`` (workers, configs, runs),
  ``artifacts.py``, ``tags.py``, ``export.py`` (filenames, LabelStudio, Labelbox),
  ``collaboration.py``, ``custom_metadata.py`` (and the metadata configuration),
  ``embeddings.py`` (embeddings CSVs), ``selection.py`` (sampling jobs, scores,
  ``SelectionConfig``), ``predictions.py``, ``datasource_listing.py`` (the datasource's files,
  ``.lightly/`` metadata and predictions, the processed-until timestamp)
- ``client.py``: ``WinnowWorkflowClient`` (alias ``ApiWorkflowClient``), all of them composed
"""

from winnow_client.workflow._responses import PAGE_SIZE, SAMPLE_PAGE_SIZE
from winnow_client.workflow.artifacts import ArtifactsMixin
from winnow_client.workflow.client import ApiWorkflowClient, WinnowWorkflowClient
from winnow_client.workflow.collaboration import CollaborationMixin
from winnow_client.workflow.compute_worker import (
    END_STATES,
    ComputeWorkerMixin,
    ComputeWorkerRunInfo,
    snake_to_camel,
    to_camel_keys,
)
from winnow_client.workflow.custom_metadata import CustomMetadataMixin
from winnow_client.workflow.datasets import DatasetsMixin
from winnow_client.workflow.datasource_listing import DatasourceListingMixin
from winnow_client.workflow.datasources import DEFAULT_THUMB_SUFFIX, Datasource, DatasourcesMixin
from winnow_client.workflow.embeddings import EmbeddingsMixin
from winnow_client.workflow.errors import (
    ArtifactNotExist,
    EmbeddingDoesNotExistError,
    TagDoesNotExistError,
    WinnowApiError,
)
from winnow_client.workflow.export import ExportMixin
from winnow_client.workflow.predictions import PredictionsMixin
from winnow_client.workflow.selection import SelectionConfig, SelectionMixin
from winnow_client.workflow.tags import TagsMixin

__all__ = [
    "DEFAULT_THUMB_SUFFIX",
    "END_STATES",
    "PAGE_SIZE",
    "SAMPLE_PAGE_SIZE",
    "ApiWorkflowClient",
    "ArtifactNotExist",
    "ArtifactsMixin",
    "CollaborationMixin",
    "ComputeWorkerMixin",
    "ComputeWorkerRunInfo",
    "CustomMetadataMixin",
    "DatasetsMixin",
    "Datasource",
    "DatasourceListingMixin",
    "DatasourcesMixin",
    "EmbeddingDoesNotExistError",
    "EmbeddingsMixin",
    "ExportMixin",
    "PredictionsMixin",
    "SelectionConfig",
    "SelectionMixin",
    "TagDoesNotExistError",
    "TagsMixin",
    "WinnowApiError",
    "WinnowWorkflowClient",
    "snake_to_camel",
    "to_camel_keys",
]
