"""Samples: ``idx`` is a sample's bit in tag bitmasks, so listings are in ``idx`` order."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from winnow_common.db.models import Sample
from winnow_common.db.repositories._base import paged


def get(session: Session, sample_id: str) -> Sample | None:
    """The sample, whichever dataset holds it."""
    return session.get(Sample, sample_id)


def count(session: Session, dataset_id: str) -> int:
    """How many samples the dataset holds."""
    n = session.scalar(
        select(func.count()).select_from(Sample).where(Sample.dataset_id == dataset_id)
    )
    return int(n or 0)


def page(
    session: Session, dataset_id: str, *, offset: int = 0, limit: int | None = None
) -> Sequence[Sample]:
    """One page of the dataset's samples in bit order."""
    stmt = select(Sample).where(Sample.dataset_id == dataset_id).order_by(Sample.idx)
    return session.scalars(paged(stmt, offset, limit)).all()


def mapping(
    session: Session,
    dataset_id: str,
    field: Literal["fileName", "_id"],
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[str]:
    """One page of the samples' file names (``fileName``) or ids (``_id``) in bit order."""
    column = Sample.file_name if field == "fileName" else Sample.id
    stmt = select(column).where(Sample.dataset_id == dataset_id).order_by(Sample.idx)
    return list(session.scalars(paged(stmt, offset, limit)))


def index_by_name(session: Session, dataset_id: str) -> dict[str, int]:
    """Every sample of the dataset: file name -> ``idx``."""
    rows = session.scalars(select(Sample).where(Sample.dataset_id == dataset_id))
    return {s.file_name: s.idx for s in rows}


def by_names(session: Session, dataset_id: str, names: Collection[str]) -> dict[str, Sample]:
    """The dataset's samples called one of ``names``: file name -> row (absent: none)."""
    if not names:
        return {}
    rows = session.scalars(
        select(Sample).where(Sample.dataset_id == dataset_id, Sample.file_name.in_(list(names)))
    )
    return {s.file_name: s for s in rows}


def next_idx(session: Session, dataset_id: str) -> int:
    """The ``idx`` the dataset's next sample gets (read under the dataset's lock)."""
    last = session.scalar(select(func.max(Sample.idx)).where(Sample.dataset_id == dataset_id))
    return 0 if last is None else int(last) + 1


def add_all(session: Session, samples: list[Sample]) -> None:
    """Insert new samples (the caller holds the dataset's lock, so indices cannot collide)."""
    session.add_all(samples)
    session.flush()


def set_custom_meta_data(session: Session, sample: Sample, custom: dict[str, Any]) -> None:
    """Store the sample's custom metadata entry as sent."""
    sample.custom_meta_data = custom
    session.flush()
