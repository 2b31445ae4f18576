"""Tags: a bitmask over a dataset's samples (bit i = the sample with ``idx == i``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import Sample, Tag
from winnow_common.db.repositories._base import add_unique, paged


def get(session: Session, tag_id: str) -> Tag | None:
    """The tag, whichever dataset holds it."""
    return session.get(Tag, tag_id)


def get_locked(session: Session, tag_id: str, *, shared: bool = False) -> Tag | None:
    """The tag, locked until the transaction ends: ``FOR UPDATE`` to delete it, ``FOR SHARE``
    (``shared``) to name it as a new tag's parent, so a child cannot be added to a tag that
    is being deleted (nor a tag deleted under a new child)."""
    stmt = select(Tag).where(Tag.id == tag_id).execution_options(populate_existing=True)
    return session.scalar(stmt.with_for_update(read=shared))


def children(session: Session, dataset_id: str, tag_id: str, limit: int = 5) -> list[str]:
    """Names of up to ``limit`` tags whose parent (``prevTagId``) is the tag, oldest first."""
    stmt = (
        select(Tag.name)
        .where(Tag.dataset_id == dataset_id, Tag.prev_tag_id == tag_id)
        .order_by(Tag.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def samples_in(
    session: Session,
    dataset_id: str,
    indices: list[int],
    *,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Sample]:
    """One page of the samples whose ``idx`` is in ``indices`` (a tag's bits), in bit order."""
    stmt = (
        select(Sample)
        .where(Sample.dataset_id == dataset_id, Sample.idx.in_(indices))
        .order_by(Sample.idx)
    )
    return session.scalars(paged(stmt, offset, limit)).all()


def by_name(session: Session, dataset_id: str, name: str) -> Tag | None:
    """The dataset's tag called ``name``."""
    return session.scalar(select(Tag).where(Tag.dataset_id == dataset_id, Tag.name == name))


def name_taken(session: Session, dataset_id: str, name: str) -> bool:
    """Whether the dataset already has a tag called ``name``."""
    found = session.scalar(select(Tag.id).where(Tag.dataset_id == dataset_id, Tag.name == name))
    return bool(found)


def of_dataset(session: Session, dataset_id: str) -> Sequence[Tag]:
    """The dataset's tags, oldest first."""
    return session.scalars(select(Tag).where(Tag.dataset_id == dataset_id).order_by(Tag.id)).all()


def of_run(session: Session, run_id: str) -> Sequence[Tag]:
    """The tags naming the run, newest first."""
    return session.scalars(select(Tag).where(Tag.run_id == run_id).order_by(Tag.id.desc())).all()


def selection_of_run(session: Session, run_id: str, dataset_id: str) -> Tag | None:
    """The tag the run recorded its selection in, in ``dataset_id`` (the run's own dataset or
    its crops dataset; at most one per dataset: a partial unique index)."""
    return session.scalar(
        select(Tag).where(Tag.run_id == run_id, Tag.dataset_id == dataset_id, Tag.run_selection)
    )


def add(session: Session, tag: Tag) -> None:
    """Insert a tag; ``UniqueViolation`` when its name was taken meanwhile."""
    add_unique(session, tag)


def add_plain(session: Session, tag: Tag) -> None:
    """Insert a tag inside the caller's transaction (the caller holds the dataset's lock)."""
    session.add(tag)
    session.flush()


def delete(session: Session, tag: Tag) -> None:
    """Delete a tag."""
    session.delete(tag)
    session.flush()
