"""An uploaded embeddings CSV: checked in lightly's ``save_embeddings`` format, stored as sent in
the platform store, and its file names added to the dataset's samples."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from winnow_common.db.models import Embedding, Sample
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import embeddings as embedding_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.embeddings_csv import read_embeddings_csv
from winnow_common.errors import BadRequest, DatasetNotFound
from winnow_common.ids import now_ms
from winnow_common.schemas.base import text_problem
from winnow_common.storage.platform import platform_store


def check_csv(data: bytes) -> list[str]:
    """The CSV's file names, or a 400 whose message starts with ``body:`` and names the problem.

    Header ``filenames,embedding_0,...,embedding_{D-1},labels``; one row per file, each with D
    finite numbers and an integer label; file names unique, non-empty, storable as text.
    """
    try:
        filenames, embeddings, _ = read_embeddings_csv(data)
    except UnicodeDecodeError as exc:
        raise BadRequest(f"body: the embeddings CSV is not UTF-8 ({exc.reason})") from exc
    except ValueError as exc:
        raise BadRequest(f"body: {exc}") from exc
    if not filenames:
        raise BadRequest("body: the embeddings CSV has a header but no rows")
    if embeddings.shape[1] == 0:
        raise BadRequest("body: the embeddings CSV has no embedding_0.. columns")
    finite = np.isfinite(embeddings).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise BadRequest(f"body: row {row + 1} ({filenames[row]!r}) holds NaN or infinity")
    seen: set[str] = set()
    for i, name in enumerate(filenames):
        problem = "is empty" if not name else text_problem(name)
        if problem:
            raise BadRequest(f"body: the file name of row {i + 1} {problem}")
        if name in seen:
            raise BadRequest(f"body: file name {name!r} appears more than once")
        seen.add(name)
    return filenames


def add_samples(session: Session, dataset_id: str, filenames: list[str]) -> int:
    """Add a sample for every file name the dataset lacks, at the next free bits; existing
    samples keep their ``idx``, so tags stay valid. Returns how many were added.

    The dataset row is locked, so a run or another upload cannot hand out the same bit.
    """
    if dataset_repo.lock(session, dataset_id) is None:
        raise DatasetNotFound(dataset_id)
    existing = sample_repo.index_by_name(session, dataset_id)
    next_idx = max(existing.values(), default=-1) + 1
    created = now_ms()
    new_samples = []
    for name in filenames:
        if name not in existing:
            new_samples.append(
                Sample(dataset_id=dataset_id, file_name=name, idx=next_idx, created_at=created)
            )
            existing[name] = next_idx
            next_idx += 1
    sample_repo.add_all(session, new_samples)
    return len(new_samples)


def store_and_register(session: Session, embedding: Embedding, data: bytes) -> None:
    """Check, store (exact bytes, deterministic key), add samples, mark processed."""
    filenames = check_csv(data)
    platform_store().write(embedding.storage_key, data, "text/csv")
    add_samples(session, embedding.dataset_id, filenames)
    embedding_repo.mark_processed(session, embedding)
