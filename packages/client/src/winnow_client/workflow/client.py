"""``WinnowWorkflowClient``: every area's mixin composed into lightly's ``ApiWorkflowClient``."""

from __future__ import annotations

from winnow_client.workflow.artifacts import ArtifactsMixin
from winnow_client.workflow.collaboration import CollaborationMixin
from winnow_client.workflow.compute_worker import ComputeWorkerMixin
from winnow_client.workflow.custom_metadata import CustomMetadataMixin
from winnow_client.workflow.datasets import DatasetsMixin
from winnow_client.workflow.datasource_listing import DatasourceListingMixin
from winnow_client.workflow.datasources import DatasourcesMixin
from winnow_client.workflow.embeddings import EmbeddingsMixin
from winnow_client.workflow.export import ExportMixin
from winnow_client.workflow.predictions import PredictionsMixin
from winnow_client.workflow.selection import SelectionMixin
from winnow_client.workflow.tags import TagsMixin


class WinnowWorkflowClient(
    DatasetsMixin,
    DatasourcesMixin,
    ComputeWorkerMixin,
    ArtifactsMixin,
    TagsMixin,
    ExportMixin,
    CollaborationMixin,
    CustomMetadataMixin,
    EmbeddingsMixin,
    SelectionMixin,
    PredictionsMixin,
    DatasourceListingMixin,
):
    """The Winnow API with the method names and signatures of lightly's ``ApiWorkflowClient``.

    ``token``: else ``WINNOW_TOKEN`` / ``LIGHTLY_TOKEN``. ``server_location``: else
    ``WINNOW_SERVER_LOCATION`` / ``LIGHTLY_SERVER_LOCATION`` (the API's base URL).
    ``dataset_id`` is the dataset the dataset-scoped methods act on (``create_dataset`` sets it).
    The constructor and the connection are ``WorkflowBase``'s (``_base.py``); each area's methods
    are its mixin's.
    """


# lightly's name: `from winnow_client import ApiWorkflowClient` replaces
# `from lightly.api import ApiWorkflowClient`.
ApiWorkflowClient = WinnowWorkflowClient
