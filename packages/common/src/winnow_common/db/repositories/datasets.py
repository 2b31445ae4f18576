"""Datasets: lookups by id, owner and name; creation and deletion."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import Dataset
from winnow_common.db.repositories._base import add_unique, paged


def get(session: Session, dataset_id: str) -> Dataset | None:
    """The dataset, whoever owns it."""
    return session.get(Dataset, dataset_id)


def get_accessible(session: Session, dataset_id: str, user_id: str) -> Dataset | None:
    """The dataset when ``user_id`` may use it, else ``None`` (missing or someone else's).

    Only the owner may: a share config (``shared_access_config``) records who a dataset is
    shared with, but grants no access yet (shared-dataset listings are empty too), so another
    user's dataset is indistinguishable from a missing one.
    """
    dataset = session.get(Dataset, dataset_id)
    if dataset is None or dataset.user_id != user_id:
        return None
    return dataset


def lock(session: Session, dataset_id: str) -> Dataset | None:
    """The dataset, locked until the transaction ends (``SELECT ... FOR UPDATE``)."""
    return session.scalar(select(Dataset).where(Dataset.id == dataset_id).with_for_update())


def name_taken(session: Session, user_id: str, name: str) -> bool:
    """Whether the user already has a dataset called ``name``."""
    found = session.scalar(
        select(Dataset.id).where(Dataset.user_id == user_id, Dataset.name == name)
    )
    return bool(found)


def add(session: Session, dataset: Dataset) -> None:
    """Insert a dataset; ``UniqueViolation`` when the user's name was taken meanwhile."""
    add_unique(session, dataset)


def list_owned(
    session: Session, user_id: str, *, offset: int = 0, limit: int | None = None
) -> Sequence[Dataset]:
    """The user's datasets, oldest first, one page of them."""
    stmt = select(Dataset).where(Dataset.user_id == user_id).order_by(Dataset.id)
    return session.scalars(paged(stmt, offset, limit)).all()


def list_owned_by_name(
    session: Session,
    user_id: str,
    name: str,
    *,
    exact: bool,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Dataset]:
    """The user's datasets named ``name`` (``exact``) or starting with it, oldest first."""
    condition = Dataset.name == name if exact else Dataset.name.startswith(name, autoescape=True)
    stmt = select(Dataset).where(Dataset.user_id == user_id, condition).order_by(Dataset.id)
    return session.scalars(paged(stmt, offset, limit)).all()


def delete(session: Session, dataset: Dataset) -> None:
    """Delete a dataset; its datasources, runs, samples, tags and shares go with it (cascade)."""
    session.delete(dataset)
    session.flush()
