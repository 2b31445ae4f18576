"""The embedding view's data: an embedding's stored 2-D projection joined to the dataset's
samples (id, file name, bit index), as compact column arrays for a canvas scatter.

The projection is a GPU-worker job (``trigger2dEmbeddingsJob``); until it is stored this
answers 404 (no job: none was started, or it failed) or 409 (a job is waiting or running).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from winnow_api.embeddings import service as embedding_service
from winnow_common.db.models import User
from winnow_common.db.repositories import jobs as job_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.errors import Conflict, NotFound, ObjectNotFound
from winnow_common.storage.platform import platform_store


@dataclass
class Projection:
    """One point per sample the embedding names, in the CSV's row order."""

    embedding_id: str
    method: str
    sample_ids: list[str] = field(default_factory=list)
    file_names: list[str] = field(default_factory=list)
    idx: list[int] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)


def _stored(session: Session, user: User, dataset_id: str, embedding_id: str) -> dict[str, Any]:
    embedding = embedding_service.get(session, user, dataset_id, embedding_id)
    if not embedding.projection_key:
        job = job_repo.projection_of(session, embedding.id)
        if job is None:
            raise NotFound(
                f"embeddingId: embedding {embedding_id} has no 2-D projection and no job "
                "computing one (none was started, or it failed): POST trigger2dEmbeddingsJob"
            )
        raise Conflict(
            f"embeddingId: the 2-D projection of embedding {embedding_id} is not computed yet "
            f"(job {job.id} is {job.state})"
        )
    try:
        document: dict[str, Any] = json.loads(platform_store().read(embedding.projection_key))
    except ObjectNotFound as exc:
        raise NotFound(
            f"embeddingId: the 2-D projection of embedding {embedding_id} is gone from storage"
        ) from exc
    return document


def projection(session: Session, user: User, dataset_id: str, embedding_id: str) -> Projection:
    """The embedding's 2-D points joined to the dataset's samples by file name; rows naming
    no sample are left out and a sample named twice keeps its first row."""
    document = _stored(session, user, dataset_id, embedding_id)
    samples = {s.file_name: (s.id, s.idx) for s in sample_repo.page(session, dataset_id)}
    out = Projection(embedding_id=embedding_id, method=str(document.get("method", "PCA")))
    seen: set[int] = set()
    for name, point in zip(document["fileNames"], document["points"], strict=True):
        sample = samples.get(name)
        if sample is None or sample[1] in seen:
            continue
        seen.add(sample[1])
        out.sample_ids.append(sample[0])
        out.file_names.append(name)
        out.idx.append(sample[1])
        out.x.append(float(point[0]))
        out.y.append(float(point[1]))
    return out
