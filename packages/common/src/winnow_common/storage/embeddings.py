"""Where an embedding's CSV lies, and reading it back, whichever store holds it.

An uploaded CSV (``storage_location`` PLATFORM) lies in the cluster's store
(:func:`~winnow_common.storage.platform.platform_store`); a run's CSV (LIGHTLY) lies in the
dataset's LIGHTLY datasource. The API's read URL, ``append_embeddings`` and sampling on stored
embeddings all read through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.enums import DatasourcePurpose
from winnow_common.storage.datasource import DatasourceStore
from winnow_common.storage.platform import LIGHTLY, PLATFORM, platform_store
from winnow_common.storage.rows import open_datasource_row

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from winnow_common.db.models import Embedding


def embedding_store(session: Session, embedding: Embedding) -> DatasourceStore:
    """The store that holds the embedding's CSV (under ``embedding.storage_key``).

    LIGHTLY raises ``DatasourceNotConfigured`` when the dataset has no LIGHTLY datasource.
    """
    if embedding.storage_location == PLATFORM:
        return platform_store()
    if embedding.storage_location == LIGHTLY:
        source = datasource_repo.for_purpose(
            session, embedding.dataset_id, DatasourcePurpose.LIGHTLY
        )
        return open_datasource_row(source)
    raise ValueError(
        f"embedding {embedding.id}: unknown storage_location {embedding.storage_location!r}"
    )


def open_embedding_csv(session: Session, embedding: Embedding) -> Iterator[bytes]:
    """The CSV's bytes as a stream of chunks (``ObjectNotFound`` when the file is missing)."""
    return embedding_store(session, embedding).iter_chunks(embedding.storage_key)


def read_embedding_csv_bytes(session: Session, embedding: Embedding) -> bytes:
    """The whole CSV, exactly as stored."""
    return embedding_store(session, embedding).read(embedding.storage_key)


def load_embedding(
    session: Session, embedding: Embedding
) -> tuple[list[str], np.ndarray, list[int]]:
    """The parsed CSV: ``(filenames, float32 (N, D), labels)`` (``ValueError`` when malformed)."""
    return read_embeddings_csv(read_embedding_csv_bytes(session, embedding))
