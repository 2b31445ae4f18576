"""Custom metadata configuration (the Configurator).

A configuration names metadata paths, their data types and fallbacks; Winnow stores it and
writes the dataset's configured entries to ``.lightly/metadata/schema.json`` in the LIGHTLY
datasource, where a run's METADATA input reads each path's type and default value.
"""

from __future__ import annotations

from fastapi import APIRouter

from winnow_api.configuration import service as configuration_service
from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.params import DatasetId
from winnow_common.schemas.wire import CreateEntityResponse
from winnow_common.schemas.wire_configuration import ConfigurationSetRequest

router = APIRouter(tags=["configuration"])


@router.post(
    "/v1/datasets/{datasetId}/configuration/metadata",
    status_code=201,
    response_model=CreateEntityResponse,
)
def create_meta_data_configuration(
    dataset_id: DatasetId, body: ConfigurationSetRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Store a configuration (``create_custom_metadata_config``) and rewrite ``schema.json``."""
    row = configuration_service.create(session, user, dataset_id, body)
    return CreateEntityResponse(id=row.id)
