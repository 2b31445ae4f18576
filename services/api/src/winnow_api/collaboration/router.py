"""Collaboration: who a dataset is shared with (one WRITE config per dataset)."""

from __future__ import annotations

from fastapi import APIRouter

from winnow_api.collaboration import service as collaboration_service
from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.params import DatasetId
from winnow_common.schemas.wire import (
    CreateEntityResponse,
    SharedAccessConfigCreateRequest,
    SharedAccessConfigData,
)

router = APIRouter(tags=["collaboration"])


@router.post(
    "/v1/datasets/{datasetId}/collaboration/access",
    status_code=201,
    response_model=CreateEntityResponse,
)
def share_dataset(
    dataset_id: DatasetId,
    body: SharedAccessConfigCreateRequest,
    user: CurrentUser,
    session: SessionDep,
) -> CreateEntityResponse:
    """Replace the users of the dataset's WRITE config (created if missing); ``[]`` revokes.

    ``teams`` is only replaced when sent (the lightly client never sends it). The listed
    emails may then read the dataset and write its contents; only the owner may share (403
    for a collaborator), delete the dataset or change its datasources.
    """
    config = collaboration_service.share(session, user, dataset_id, body)
    return CreateEntityResponse(id=config.id)


@router.get(
    "/v1/datasets/{datasetId}/collaboration/access",
    response_model=list[SharedAccessConfigData],
)
def get_shared_access(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> list[SharedAccessConfigData]:
    """The dataset's share configs (``[]`` if it was never shared); owner and collaborators."""
    rows = collaboration_service.configs(session, user, dataset_id)
    return [SharedAccessConfigData.from_row(c) for c in rows]
