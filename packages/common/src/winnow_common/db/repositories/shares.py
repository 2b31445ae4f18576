"""Share configs (``SharedAccessConfig``): who a dataset is shared with, one per access type."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import SharedAccessConfig
from winnow_common.db.repositories._base import add_unique


def get(session: Session, dataset_id: str, access_type: str) -> SharedAccessConfig | None:
    """The dataset's share config of ``access_type``."""
    return session.scalar(
        select(SharedAccessConfig).where(
            SharedAccessConfig.dataset_id == dataset_id,
            SharedAccessConfig.access_type == access_type,
        )
    )


def of_dataset(session: Session, dataset_id: str) -> Sequence[SharedAccessConfig]:
    """The dataset's share configs in id order."""
    return session.scalars(
        select(SharedAccessConfig)
        .where(SharedAccessConfig.dataset_id == dataset_id)
        .order_by(SharedAccessConfig.id)
    ).all()


def save(session: Session, config: SharedAccessConfig) -> None:
    """Insert or update a share config; ``UniqueViolation`` when a first share of the same
    dataset was inserted concurrently."""
    add_unique(session, config)
