"""Embeddings of a dataset (lightly's ``DatasetEmbeddingData``): uploaded CSVs and runs' CSVs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import Embedding
from winnow_common.db.repositories._base import add_unique


def get(session: Session, embedding_id: str) -> Embedding | None:
    """The embedding, whichever dataset holds it."""
    return session.get(Embedding, embedding_id)


def of_dataset(session: Session, dataset_id: str) -> Sequence[Embedding]:
    """The dataset's embeddings, newest first (lightly's ``set_embedding_id_to_latest`` takes
    the first entry); the id breaks ties of one millisecond."""
    stmt = (
        select(Embedding)
        .where(Embedding.dataset_id == dataset_id)
        .order_by(Embedding.created_at.desc(), Embedding.id.desc())
    )
    return session.scalars(stmt).all()


def by_name(session: Session, dataset_id: str, name: str) -> Embedding | None:
    """The dataset's embedding called ``name`` (names are unique per dataset)."""
    return session.scalar(
        select(Embedding).where(Embedding.dataset_id == dataset_id, Embedding.name == name)
    )


def of_run(session: Session, run_id: str) -> Embedding | None:
    """The embedding a run registered (at most one per run)."""
    return session.scalar(
        select(Embedding).where(Embedding.run_id == run_id).order_by(Embedding.id).limit(1)
    )


def add(session: Session, embedding: Embedding) -> None:
    """Insert an embedding; ``UniqueViolation`` when its name was taken meanwhile or the
    dataset is gone."""
    add_unique(session, embedding)


def mark_processed(session: Session, embedding: Embedding) -> None:
    """Its CSV arrived and was read."""
    embedding.is_processed = True
    session.flush()
