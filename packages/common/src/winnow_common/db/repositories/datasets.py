"""Datasets: lookups by id, owner and name; creation and deletion."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import ColumnElement, Text, cast, exists, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from winnow_common.db.models import Dataset, SharedAccessConfig, User
from winnow_common.db.repositories._base import add_unique, paged


class DatasetRole(StrEnum):
    """What a user is to a dataset: its owner, or a collaborator it is shared with.

    Lightly's only access type is WRITE: a collaborator reads the dataset and writes its
    contents; only the owner deletes it, changes its datasources or its sharing.
    """

    OWNER = "owner"
    COLLABORATOR = "collaborator"


def get(session: Session, dataset_id: str) -> Dataset | None:
    """The dataset, whoever owns it."""
    return session.get(Dataset, dataset_id)


def _shared_with(user_id: str) -> ColumnElement[bool]:
    """Whether a share config of ``Dataset`` lists the user's email (case-insensitively).

    Evaluated per request, so a revoked share (the email removed) denies the next request.
    """
    email = select(func.lower(User.email)).where(User.id == user_id).scalar_subquery()
    users = cast(func.lower(cast(SharedAccessConfig.users, Text)), JSONB)
    return exists().where(
        SharedAccessConfig.dataset_id == Dataset.id,
        users.contains(func.jsonb_build_array(email)),
    )


def access_of(
    session: Session, dataset_id: str, user_id: str
) -> tuple[Dataset, DatasetRole] | None:
    """The dataset and the user's role in it; ``None`` when the user may not see it (missing,
    or someone else's and not shared with the user: indistinguishable)."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        return None
    if dataset.user_id == user_id:
        return dataset, DatasetRole.OWNER
    shared = session.scalar(
        select(Dataset.id).where(Dataset.id == dataset_id, _shared_with(user_id))
    )
    return (dataset, DatasetRole.COLLABORATOR) if shared else None


def get_accessible(session: Session, dataset_id: str, user_id: str) -> Dataset | None:
    """The dataset when ``user_id`` may use it (its owner or a collaborator), else ``None``."""
    found = access_of(session, dataset_id, user_id)
    return found[0] if found else None


def lock(session: Session, dataset_id: str) -> Dataset | None:
    """The dataset, locked until the transaction ends (``SELECT ... FOR UPDATE``)."""
    return session.scalar(select(Dataset).where(Dataset.id == dataset_id).with_for_update())


def name_taken(session: Session, user_id: str, name: str) -> bool:
    """Whether the user already has a dataset called ``name``."""
    found = session.scalar(
        select(Dataset.id).where(Dataset.user_id == user_id, Dataset.name == name)
    )
    return bool(found)


def by_name(session: Session, user_id: str, name: str) -> Dataset | None:
    """The user's dataset called ``name`` (names are unique per owner)."""
    return session.scalar(select(Dataset).where(Dataset.user_id == user_id, Dataset.name == name))


def add(session: Session, dataset: Dataset) -> None:
    """Insert a dataset; ``UniqueViolation`` when the user's name was taken meanwhile."""
    add_unique(session, dataset)


def _listed(user_id: str, shared: bool) -> ColumnElement[bool]:
    """The user's own datasets, or (``shared``) those shared with the user by others."""
    if shared:
        return (Dataset.user_id != user_id) & _shared_with(user_id)
    return Dataset.user_id == user_id


def list_owned(
    session: Session,
    user_id: str,
    *,
    shared: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Dataset]:
    """The user's datasets (``shared``: those shared with the user), oldest first, one page."""
    stmt = select(Dataset).where(_listed(user_id, shared)).order_by(Dataset.id)
    return session.scalars(paged(stmt, offset, limit)).all()


def list_owned_by_name(
    session: Session,
    user_id: str,
    name: str,
    *,
    exact: bool,
    shared: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Dataset]:
    """The user's datasets (``shared``: those shared with the user) named ``name`` (``exact``)
    or starting with it, oldest first."""
    condition = Dataset.name == name if exact else Dataset.name.startswith(name, autoescape=True)
    stmt = select(Dataset).where(_listed(user_id, shared), condition).order_by(Dataset.id)
    return session.scalars(paged(stmt, offset, limit)).all()


def delete(session: Session, dataset: Dataset) -> None:
    """Delete a dataset; its datasources, runs, samples, tags and shares go with it (cascade)."""
    session.delete(dataset)
    session.flush()
