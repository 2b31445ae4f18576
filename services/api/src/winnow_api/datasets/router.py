"""Datasets: create, get, list, query by name, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from winnow_api.datasets import service as dataset_service
from winnow_api.datasets.service import DatasetView
from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.params import DatasetId
from winnow_common.schemas.wire import CreateEntityResponse, DatasetCreateRequest, DatasetData

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])


def _wire(view: DatasetView) -> DatasetData:
    return DatasetData.from_row(
        view.dataset, n_samples=view.n_samples, datasource_ids=view.datasource_ids
    )


@router.post("", status_code=201, response_model=CreateEntityResponse)
def create_dataset(
    body: DatasetCreateRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Create a dataset; names are unique per user (409 otherwise)."""
    return CreateEntityResponse(id=dataset_service.create(session, user, body).id)


@router.get("", response_model=list[DatasetData], response_model_exclude_none=True)
def list_datasets(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    shared: Annotated[bool | None, Query()] = None,
    get_assets_of_team: Annotated[bool | None, Query(alias="getAssetsOfTeam")] = None,
) -> list[DatasetData]:
    """The caller's own datasets; ``shared=true``: those others shared with the caller.

    ``getAssetsOfTeam=true`` (without ``shared``) lists team datasets: Winnow has no teams, so
    ``[]``. The client asks for all three lists and de-duplicates them.
    """
    scope = dataset_service.listing_scope(shared, get_assets_of_team)
    views = dataset_service.list_owned(session, user, page, scope)
    return [_wire(v) for v in views]


@router.get(
    "/query/name/{datasetName}",
    response_model=list[DatasetData],
    response_model_exclude_none=True,
)
def query_datasets_by_name(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    dataset_name: Annotated[str, Path(alias="datasetName")],
    exact: Annotated[bool, Query()] = False,
    shared: Annotated[bool | None, Query()] = None,
    get_assets_of_team: Annotated[bool | None, Query(alias="getAssetsOfTeam")] = None,
) -> list[DatasetData]:
    """Datasets named ``datasetName`` (``exact=True``) or starting with it; ``[]`` if none.

    Own datasets; ``shared=true``: those shared with the caller; ``getAssetsOfTeam``: ``[]``
    (no teams).
    """
    scope = dataset_service.listing_scope(shared, get_assets_of_team)
    views = dataset_service.query_by_name(session, user, page, dataset_name, scope, exact=exact)
    return [_wire(v) for v in views]


@router.get("/{datasetId}", response_model=DatasetData, response_model_exclude_none=True)
def get_dataset(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> DatasetData:
    """One dataset (404 if unknown, or another user's that is not shared with the caller)."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    return _wire(dataset_service.view(session, dataset))


@router.delete("/{datasetId}", status_code=200, response_class=Response)
def delete_dataset(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a dataset with its datasources, runs, samples and tags (data in buckets stays).

    Only its owner may (a collaborator gets 403).
    """
    dataset_service.delete(session, user, dataset_id)
    return Response(status_code=200)
