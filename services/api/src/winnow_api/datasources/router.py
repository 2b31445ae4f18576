"""Datasource configs: one per (dataset, purpose); secrets encrypted at rest, masked on read.

Listing their files is ``listing_router``'s."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from winnow_api.datasources import service as datasource_service
from winnow_api.datasources import verify
from winnow_api.deps import CurrentUser, SessionDep, end_transaction
from winnow_api.params import DatasetId
from winnow_common.enums import DatasourcePurpose
from winnow_common.schemas.wire import (
    DatasourceConfig,
    DatasourceConfigVerifyData,
    datasource_config_from_row,
)

router = APIRouter(prefix="/v1/datasets/{datasetId}/datasource", tags=["datasources"])


@router.put("", status_code=200, response_class=Response)
def put_datasource(
    dataset_id: DatasetId,
    body: Annotated[DatasourceConfig, Body()],
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """Create or replace the dataset's datasource for ``body.purpose``."""
    datasource_service.put(session, user, dataset_id, body)
    return Response(status_code=200)


@router.get("", response_model=DatasourceConfig, response_model_exclude_none=True)
def get_datasource(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    purpose: Annotated[DatasourcePurpose | None, Query()] = None,
) -> Any:
    """The datasource for ``purpose``; without it INPUT_OUTPUT, else INPUT. Secrets masked."""
    return datasource_config_from_row(datasource_service.get(session, user, dataset_id, purpose))


@router.get("/verify", response_model=DatasourceConfigVerifyData, response_model_exclude_none=True)
def verify_datasource(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep
) -> DatasourceConfigVerifyData:
    """Probe the datasources for real: list and read INPUT, write/overwrite/delete in LIGHTLY.

    Types the workers cannot read (S3DelegatedAccess, LIGHTLY) answer false, with
    the reason in ``errors``.
    """
    sources = datasource_service.sources_to_verify(session, user, dataset_id)
    # The probes may take seconds (or time out): no transaction stays open across them.
    end_transaction(session)
    results, errors = verify.probe(sources)
    return DatasourceConfigVerifyData.from_checks(results, errors)
