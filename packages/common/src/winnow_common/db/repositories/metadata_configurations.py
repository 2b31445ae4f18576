"""Custom metadata configurations of a dataset (lightly's Configurator entries)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import MetadataConfiguration
from winnow_common.db.repositories._base import add_unique


def of_dataset(session: Session, dataset_id: str) -> Sequence[MetadataConfiguration]:
    """The dataset's configurations, oldest first (the id breaks ties of one millisecond)."""
    stmt = (
        select(MetadataConfiguration)
        .where(MetadataConfiguration.dataset_id == dataset_id)
        .order_by(MetadataConfiguration.created_at, MetadataConfiguration.id)
    )
    return session.scalars(stmt).all()


def add(session: Session, configuration: MetadataConfiguration) -> None:
    """Insert a configuration; ``UniqueViolation`` when the dataset is gone."""
    add_unique(session, configuration)
