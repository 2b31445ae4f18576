"""Datasources: one config per (dataset, purpose); INPUT_OUTPUT serves as INPUT and LIGHTLY."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import Datasource
from winnow_common.db.repositories._base import add_unique
from winnow_common.enums import DatasourcePurpose
from winnow_common.errors import DatasourceNotConfigured


def by_purpose(session: Session, dataset_id: str) -> dict[str, Datasource]:
    """The dataset's datasources keyed by their purpose (``INPUT``, ``LIGHTLY``, ...)."""
    rows = session.scalars(select(Datasource).where(Datasource.dataset_id == dataset_id))
    return {d.purpose: d for d in rows}


def get(session: Session, dataset_id: str, purpose: str) -> Datasource | None:
    """The dataset's datasource stored for exactly ``purpose``."""
    return session.scalar(
        select(Datasource).where(Datasource.dataset_id == dataset_id, Datasource.purpose == purpose)
    )


def for_purpose(session: Session, dataset_id: str, purpose: DatasourcePurpose) -> Datasource:
    """The datasource that serves ``purpose`` (INPUT_OUTPUT serves both), else
    ``DatasourceNotConfigured`` (the same message for the API and the workers)."""
    rows = by_purpose(session, dataset_id)
    found = rows.get(purpose.value) or rows.get(DatasourcePurpose.INPUT_OUTPUT.value)
    if found is None:
        raise DatasourceNotConfigured(
            f"dataset {dataset_id} has no {purpose.value} datasource; configure it with "
            f"PUT /v1/datasets/{dataset_id}/datasource"
        )
    return found


def ids(session: Session, dataset_id: str) -> list[str]:
    """The ids of the dataset's datasources, in id order."""
    return list(
        session.scalars(
            select(Datasource.id).where(Datasource.dataset_id == dataset_id).order_by(Datasource.id)
        )
    )


def add(session: Session, source: Datasource) -> None:
    """Insert a datasource; ``UniqueViolation`` when its purpose's row appeared meanwhile or
    the dataset is gone (foreign key)."""
    add_unique(session, source)


def delete(session: Session, source: Datasource) -> None:
    """Delete a datasource config."""
    session.delete(source)
    session.flush()
