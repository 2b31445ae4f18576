"""Datasets: create, get, list, query by name, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.pagination import PageDep
from winnow_common.db.models import Dataset, Datasource, Sample, User
from winnow_common.errors import DatasetNameExists, DatasetNotFound, InvalidInput
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.base import text_problem
from winnow_common.schemas.wire import CreateEntityResponse, DatasetCreateRequest, DatasetData

router = APIRouter(prefix="/v1/datasets", tags=["datasets"])

DatasetId = Annotated[str, Path(alias="datasetId", pattern=OBJECT_ID_PATTERN)]


def get_owned_dataset(session: Session, user: User, dataset_id: str) -> Dataset:
    """The caller's dataset; another user's dataset is indistinguishable from a missing one."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None or dataset.user_id != user.id:
        raise DatasetNotFound(dataset_id)
    return dataset


def to_dataset_data(session: Session, dataset: Dataset) -> DatasetData:
    n_samples = session.scalar(
        select(func.count()).select_from(Sample).where(Sample.dataset_id == dataset.id)
    )
    datasource_ids = session.scalars(
        select(Datasource.id).where(Datasource.dataset_id == dataset.id).order_by(Datasource.id)
    )
    return DatasetData(
        id=dataset.id,
        name=dataset.name,
        user_id=dataset.user_id,
        type=dataset.type,
        img_type=dataset.img_type,
        n_samples=n_samples or 0,
        size_in_bytes=0,
        created_at=dataset.created_at,
        last_modified_at=dataset.last_modified_at,
        datasources=list(datasource_ids),
    )


@router.post("", status_code=201, response_model=CreateEntityResponse)
def create_dataset(
    body: DatasetCreateRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Create a dataset; names are unique per user (409 otherwise)."""
    exists = session.scalar(
        select(Dataset.id).where(Dataset.user_id == user.id, Dataset.name == body.name)
    )
    if exists:
        raise DatasetNameExists(body.name)
    dataset = Dataset(user_id=user.id, name=body.name, type=body.type, img_type=body.img_type)
    try:
        with session.begin_nested():
            session.add(dataset)
            session.flush()
    except IntegrityError as exc:
        # The same name created concurrently (unique per user): 409, not a 500.
        raise DatasetNameExists(body.name) from exc
    return CreateEntityResponse(id=dataset.id)


@router.get("", response_model=list[DatasetData], response_model_exclude_none=True)
def list_datasets(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    shared: Annotated[bool | None, Query()] = None,
    get_assets_of_team: Annotated[bool | None, Query(alias="getAssetsOfTeam")] = None,
) -> list[DatasetData]:
    """The caller's datasets (shared/team datasets do not exist yet: those lists are empty)."""
    if shared or get_assets_of_team:
        return []
    stmt = select(Dataset).where(Dataset.user_id == user.id).order_by(Dataset.id)
    return [to_dataset_data(session, d) for d in session.scalars(page.apply(stmt))]


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
    """Datasets named ``datasetName`` (``exact=True``) or starting with it; ``[]`` if none."""
    problem = text_problem(dataset_name)
    if problem:
        raise InvalidInput(f"datasetName: {problem}")
    if shared or get_assets_of_team:
        return []
    condition = (
        Dataset.name == dataset_name
        if exact
        else Dataset.name.startswith(dataset_name, autoescape=True)
    )
    stmt = select(Dataset).where(Dataset.user_id == user.id, condition).order_by(Dataset.id)
    return [to_dataset_data(session, d) for d in session.scalars(page.apply(stmt))]


@router.get("/{datasetId}", response_model=DatasetData, response_model_exclude_none=True)
def get_dataset(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> DatasetData:
    """One dataset (404 if unknown or not the caller's)."""
    return to_dataset_data(session, get_owned_dataset(session, user, dataset_id))


@router.delete("/{datasetId}", status_code=200, response_class=Response)
def delete_dataset(dataset_id: DatasetId, user: CurrentUser, session: SessionDep) -> Response:
    """Delete a dataset with its datasources, runs, samples and tags (data in buckets stays)."""
    session.delete(get_owned_dataset(session, user, dataset_id))
    session.flush()
    return Response(status_code=200)
