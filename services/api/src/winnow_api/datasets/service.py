"""Dataset rules: who may use a dataset, unique names per user, what a dataset reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.pagination import Page
from winnow_common.db.models import Dataset, User
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.enums import DatasetType
from winnow_common.errors import DatasetNameExists, DatasetNotFound, InvalidInput
from winnow_common.schemas.base import text_problem
from winnow_common.schemas.wire import DatasetCreateRequest


@dataclass(frozen=True)
class DatasetView:
    """A dataset with what its wire form reports besides the row."""

    dataset: Dataset
    n_samples: int
    datasource_ids: list[str]


def get_accessible(session: Session, user: User, dataset_id: str) -> Dataset:
    """The dataset if the caller may use it; another user's dataset is indistinguishable from
    a missing one (``DatasetNotFound``)."""
    dataset = dataset_repo.get_accessible(session, dataset_id, user.id)
    if dataset is None:
        raise DatasetNotFound(dataset_id)
    return dataset


def view(session: Session, dataset: Dataset) -> DatasetView:
    """The dataset with its sample count and datasource ids."""
    return DatasetView(
        dataset,
        sample_repo.count(session, dataset.id),
        datasource_repo.ids(session, dataset.id),
    )


def create(session: Session, user: User, body: DatasetCreateRequest) -> Dataset:
    """Create a dataset; names are unique per user (``DatasetNameExists`` otherwise).

    ``Videos`` datasets are refused until the worker reads videos (never accepted, then failed).
    """
    if body.type == DatasetType.VIDEOS:
        raise InvalidInput(
            "type: 'Videos' datasets are not supported yet (the worker reads images only); "
            "create an 'Images' dataset"
        )
    if dataset_repo.name_taken(session, user.id, body.name):
        raise DatasetNameExists(body.name)
    dataset = Dataset(user_id=user.id, name=body.name, type=body.type, img_type=body.img_type)
    try:
        dataset_repo.add(session, dataset)
    except UniqueViolation as exc:
        # The same name created concurrently (unique per user): 409, not a 500.
        raise DatasetNameExists(body.name) from exc
    return dataset


def list_owned(session: Session, user: User, page: Page, *, shared: bool) -> list[DatasetView]:
    """One page of the caller's datasets (shared/team datasets do not exist yet: ``[]``)."""
    if shared:
        return []
    rows = dataset_repo.list_owned(session, user.id, offset=page.offset, limit=page.size)
    return [view(session, d) for d in rows]


def query_by_name(
    session: Session, user: User, page: Page, name: str, *, exact: bool, shared: bool
) -> list[DatasetView]:
    """The caller's datasets named ``name`` (``exact``) or starting with it; ``[]`` if none."""
    problem = text_problem(name)
    if problem:
        raise InvalidInput(f"datasetName: {problem}")
    if shared:
        return []
    rows = dataset_repo.list_owned_by_name(
        session, user.id, name, exact=exact, offset=page.offset, limit=page.size
    )
    return [view(session, d) for d in rows]


def delete(session: Session, user: User, dataset_id: str) -> None:
    """Delete a dataset with its datasources, runs, samples and tags (data in buckets stays)."""
    dataset_repo.delete(session, get_accessible(session, user, dataset_id))
