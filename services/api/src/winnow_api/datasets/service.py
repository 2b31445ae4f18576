"""Dataset rules: who may use a dataset, unique names per user, what a dataset reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from winnow_api.pagination import Page
from winnow_common.db.models import Dataset, User
from winnow_common.db.repositories import UniqueViolation
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.db.repositories.datasets import DatasetRole
from winnow_common.errors import DatasetNameExists, DatasetNotFound, Forbidden, InvalidInput
from winnow_common.schemas.base import text_problem
from winnow_common.schemas.wire import DatasetCreateRequest


@dataclass(frozen=True)
class DatasetView:
    """A dataset with what its wire form reports besides the row."""

    dataset: Dataset
    n_samples: int
    datasource_ids: list[str]


@dataclass(frozen=True)
class DatasetAccess:
    """A dataset and what the caller is to it (the one answer to "may this user ...")."""

    dataset: Dataset
    role: DatasetRole

    @property
    def is_owner(self) -> bool:
        """Whether the caller owns the dataset."""
        return self.role == DatasetRole.OWNER


def access(session: Session, user: User, dataset_id: str) -> DatasetAccess:
    """The dataset and the caller's role (owner, or collaborator: shared with the caller's
    email). Another user's unshared dataset is indistinguishable from a missing one
    (``DatasetNotFound``); a revoked share is checked again on every request."""
    found = dataset_repo.access_of(session, dataset_id, user.id)
    if found is None:
        raise DatasetNotFound(dataset_id)
    return DatasetAccess(*found)


def get_accessible(session: Session, user: User, dataset_id: str) -> Dataset:
    """The dataset if the caller may read it and write its contents (owner or collaborator);
    otherwise ``DatasetNotFound``."""
    return access(session, user, dataset_id).dataset


def get_owned(session: Session, user: User, dataset_id: str, action: str) -> Dataset:
    """The dataset if the caller owns it: for what only the owner may do (``action``, e.g.
    "delete it"). A collaborator gets ``Forbidden`` (403) naming the action; anyone else
    ``DatasetNotFound``."""
    found = access(session, user, dataset_id)
    if not found.is_owner:
        raise Forbidden(
            f"datasetId: only the owner of dataset {dataset_id} may {action}; "
            "it is shared with you as a collaborator"
        )
    return found.dataset


def view(session: Session, dataset: Dataset) -> DatasetView:
    """The dataset with its sample count and datasource ids."""
    return DatasetView(
        dataset,
        sample_repo.count(session, dataset.id),
        datasource_repo.ids(session, dataset.id),
    )


def create(session: Session, user: User, body: DatasetCreateRequest) -> Dataset:
    """Create a dataset; names are unique per user (``DatasetNameExists`` otherwise).

    Any type: ``Images`` and ``Videos`` datasets are read by runs (a folder may mix images
    and videos); object-level runs create their ``Crops`` datasets themselves. A
    ``parentDatasetId`` must be a dataset the caller may use (422 naming it otherwise).
    """
    parent = body.parent_dataset_id
    if parent is not None and dataset_repo.get_accessible(session, parent, user.id) is None:
        raise InvalidInput(f"parentDatasetId: dataset {parent} does not exist")
    if dataset_repo.name_taken(session, user.id, body.name):
        raise DatasetNameExists(body.name)
    dataset = Dataset(
        user_id=user.id,
        name=body.name,
        type=body.type,
        img_type=body.img_type,
        parent_dataset_id=parent,
    )
    try:
        dataset_repo.add(session, dataset)
    except UniqueViolation as exc:
        # The same name created concurrently (unique per user): 409, not a 500.
        raise DatasetNameExists(body.name) from exc
    return dataset


class Scope(StrEnum):
    """Which datasets a listing covers: the caller's own, those shared with the caller, or
    the caller's teams' (Winnow has no teams: always empty)."""

    OWN = "own"
    SHARED = "shared"
    TEAM = "team"


def listing_scope(shared: bool | None, team: bool | None) -> Scope:
    """The scope of a listing from lightly's ``shared`` and ``getAssetsOfTeam`` flags (the
    client sends one of them per request and merges the three lists)."""
    if shared:
        return Scope.SHARED
    return Scope.TEAM if team else Scope.OWN


def list_owned(session: Session, user: User, page: Page, scope: Scope) -> list[DatasetView]:
    """One page of the caller's own datasets, or of those shared with the caller."""
    if scope == Scope.TEAM:
        return []
    rows = dataset_repo.list_owned(
        session, user.id, shared=scope == Scope.SHARED, offset=page.offset, limit=page.size
    )
    return [view(session, d) for d in rows]


def query_by_name(
    session: Session, user: User, page: Page, name: str, scope: Scope, *, exact: bool
) -> list[DatasetView]:
    """The datasets of ``scope`` named ``name`` (``exact``) or starting with it; ``[]`` if
    none."""
    problem = text_problem(name)
    if problem:
        raise InvalidInput(f"datasetName: {problem}")
    if scope == Scope.TEAM:
        return []
    rows = dataset_repo.list_owned_by_name(
        session,
        user.id,
        name,
        exact=exact,
        shared=scope == Scope.SHARED,
        offset=page.offset,
        limit=page.size,
    )
    return [view(session, d) for d in rows]


def delete(session: Session, user: User, dataset_id: str) -> None:
    """Delete a dataset with its datasources, runs, samples and tags (data in buckets stays).

    Only the owner may: a collaborator gets 403.
    """
    dataset_repo.delete(session, get_owned(session, user, dataset_id, "delete it"))
