"""Collaboration: who a dataset is shared with (one WRITE config per dataset)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_common.db.models import SharedAccessConfig
from winnow_common.errors import Conflict
from winnow_common.schemas.wire import (
    CreateEntityResponse,
    SharedAccessConfigCreateRequest,
    SharedAccessConfigData,
)

router = APIRouter(tags=["collaboration"])


def to_shared_access_data(config: SharedAccessConfig) -> SharedAccessConfigData:
    """The wire form of a share config (``teams`` is required, so always a list)."""
    return SharedAccessConfigData(
        id=config.id,
        owner=config.owner,
        access_type="WRITE",
        users=list(config.users or []),
        teams=list(config.teams or []),
        created_at=config.created_at,
        last_modified_at=config.last_modified_at,
    )


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

    ``teams`` is only replaced when sent (the lightly client never sends it).
    """
    dataset = get_owned_dataset(session, user, dataset_id)
    config = session.scalar(
        select(SharedAccessConfig).where(
            SharedAccessConfig.dataset_id == dataset.id,
            SharedAccessConfig.access_type == body.access_type,
        )
    )
    if config is None:
        config = SharedAccessConfig(
            dataset_id=dataset.id, owner=dataset.user_id, access_type=body.access_type, teams=[]
        )
    # dict.fromkeys: drop duplicates but keep the order the caller gave.
    config.users = list(dict.fromkeys(body.users or []))
    if body.teams is not None:
        config.teams = list(dict.fromkeys(body.teams))
    try:
        with session.begin_nested():
            session.add(config)
            session.flush()
    except IntegrityError as exc:
        # Two first shares at once: the loser answers 409, which the client retries.
        raise Conflict(f"dataset {dataset.id} is being shared concurrently; retry") from exc
    return CreateEntityResponse(id=config.id)


@router.get(
    "/v1/datasets/{datasetId}/collaboration/access",
    response_model=list[SharedAccessConfigData],
)
def get_shared_access(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> list[SharedAccessConfigData]:
    """The dataset's share configs (``[]`` if it was never shared)."""
    dataset = get_owned_dataset(session, user, dataset_id)
    rows = session.scalars(
        select(SharedAccessConfig)
        .where(SharedAccessConfig.dataset_id == dataset.id)
        .order_by(SharedAccessConfig.id)
    )
    return [to_shared_access_data(c) for c in rows]
