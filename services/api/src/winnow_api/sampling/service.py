"""Sampling rules: a request is checked and translated when posted (an unsupported method or
stopping condition, a missing tag or missing scores are 4xx, never a FAILED job); the job runs
on a GPU worker (``gpu.platform_job``, published after commit) and its result is a tag.

The query set is ``queryTagId``'s samples, else those of ``initial-tag`` (lightly: "None
resolves to initial-tag"), else of the dataset's oldest tag, else every sample. Scores are
read from the query tag: ``scoreType``, else the type uploaded last.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.enqueue import JobQueue
from winnow_api.tags import service as tag_service
from winnow_common.db.models import Dataset, Embedding, Job, Tag, User
from winnow_common.db.repositories import embeddings as embedding_repo
from winnow_common.db.repositories import jobs as job_repo
from winnow_common.db.repositories import scores as score_repo
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.errors import BadRequest, Conflict, NotFound, ObjectNotFound, TagNameExists
from winnow_common.ids import now_ms
from winnow_common.jobs import PlatformJobMessage, TaskName
from winnow_common.schemas.sampling_request import needs_scores, sampling_plan
from winnow_common.schemas.wire_sampling import (
    ActiveLearningScoreCreateRequest,
    JobResultType,
    JobState,
    SamplingCreateRequest,
    SamplingScoresData,
    Trigger2dEmbeddingJobRequest,
)
from winnow_common.storage.platform import platform_store

INITIAL_TAG = "initial-tag"
# Platform jobs are short: they go before waiting runs in the ``gpu`` queue (Redis: 0 first).
JOB_PRIORITY = 0


def _embedding(session: Session, dataset: Dataset, embedding_id: str) -> Embedding:
    embedding = embedding_repo.get(session, embedding_id)
    if embedding is None or embedding.dataset_id != dataset.id:
        raise NotFound(
            f"embeddingId: embedding {embedding_id} does not exist in dataset {dataset.id}"
        )
    if not embedding.is_processed:
        raise BadRequest(
            f"embeddingId: the CSV of embedding {embedding_id} has not been uploaded yet"
        )
    return embedding


def _query_tag(session: Session, dataset: Dataset, query_tag_id: str | None) -> Tag | None:
    if query_tag_id is not None:
        return tag_service.get_in_dataset(session, dataset, query_tag_id, "queryTagId")
    initial = tag_repo.by_name(session, dataset.id, INITIAL_TAG)
    if initial is not None:
        return initial
    tags = tag_repo.of_dataset(session, dataset.id)
    return tags[0] if tags else None


def _score_type(session: Session, body: SamplingCreateRequest, query: Tag | None) -> str | None:
    """The score type the job reads, checked to exist on the query tag."""
    if not needs_scores(body):
        return None
    if query is None:
        raise BadRequest("queryTagId: the dataset has no tag whose uploaded scores could be used")
    score_type = body.score_type or score_repo.latest_type(session, query.id)
    if score_type is None or score_repo.get(session, query.id, score_type) is None:
        what = f"of type {body.score_type!r} " if body.score_type else ""
        raise BadRequest(
            f"scoreType: no scores {what}were uploaded for tag {query.id} ({query.name}); "
            "upload them with upload_scores first"
        )
    return score_type


def _publish(session: Session, jobs: JobQueue, job: Job) -> None:
    job.published_at = now_ms()
    job_repo.add(session, job)
    jobs.enqueue(TaskName.PLATFORM_JOB, PlatformJobMessage(job_id=job.id), priority=JOB_PRIORITY)


def create_sampling(
    session: Session,
    jobs: JobQueue,
    user: User,
    dataset_id: str,
    embedding_id: str,
    body: SamplingCreateRequest,
) -> Job:
    """Check the request and start a SAMPLING job (WAITING) on the embedding."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    embedding = _embedding(session, dataset, embedding_id)
    if tag_repo.name_taken(session, dataset.id, body.new_tag_name):
        raise TagNameExists(
            f"newTagName: a tag named {body.new_tag_name!r} already exists in this dataset"
        )
    query = _query_tag(session, dataset, body.query_tag_id)
    if body.preselected_tag_id is not None:
        tag_service.get_in_dataset(session, dataset, body.preselected_tag_id, "preselectedTagId")
    score_type = _score_type(session, body, query)
    seed = secrets.randbelow(2**31)
    sampling_plan(body, random_seed=seed, score_type=score_type)  # BadRequest naming the field
    job = Job(
        dataset_id=dataset.id,
        user_id=user.id,
        type=JobResultType.SAMPLING.value,
        state=JobState.WAITING.value,
        request={
            "embeddingId": embedding.id,
            "body": body.model_dump(
                mode="json", by_alias=True, exclude_none=True, exclude={"row_count"}
            ),
            "queryTagId": query.id if query is not None else None,
            "scoreType": score_type,
            "randomSeed": seed,
        },
    )
    _publish(session, jobs, job)
    return job


def trigger_projection(
    session: Session,
    jobs: JobQueue,
    user: User,
    dataset_id: str,
    embedding_id: str,
    body: Trigger2dEmbeddingJobRequest,
) -> Job:
    """Start the embedding's 2-D projection job, unless one is waiting, running or done.

    lightly triggers PCA, TSNE and UMAP in turn; Winnow computes one projection (PCA) per
    embedding, so the later triggers find it and start nothing.
    """
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    embedding = _embedding(session, dataset, embedding_id)
    existing = job_repo.projection_of(session, embedding.id)
    if existing is not None:
        return existing
    job = Job(
        dataset_id=dataset.id,
        user_id=user.id,
        type=JobResultType.EMBEDDINGS2D.value,
        state=JobState.WAITING.value,
        request={"embeddingId": embedding.id, "method": body.dimensionality_reduction_method},
    )
    _publish(session, jobs, job)
    return job


def get_job(session: Session, user: User, job_id: str) -> Job:
    """A job of a dataset the caller may read (404 otherwise, as for a missing one)."""
    job = job_repo.get(session, job_id)
    if job is not None:
        try:
            dataset_service.get_accessible(session, user, job.dataset_id)
        except NotFound:
            job = None
    if job is None:
        raise NotFound(f"jobId: job {job_id} does not exist")
    return job


def sampling_scores(session: Session, user: User, job_id: str) -> SamplingScoresData:
    """The ranked importance scores of a FINISHED sampling job."""
    job = get_job(session, user, job_id)
    if job.type != JobResultType.SAMPLING.value:
        raise NotFound(f"jobId: job {job_id} is a {job.type} job, not a sampling")
    if job.state != JobState.FINISHED.value or not isinstance(job.result, dict):
        raise Conflict(f"jobId: job {job_id} is {job.state}; its scores come once it FINISHED")
    try:
        document: dict[str, Any] = json.loads(platform_store().read(job.result["scoresKey"]))
    except ObjectNotFound as exc:
        raise NotFound(f"jobId: the scores of job {job_id} are gone from storage") from exc
    return SamplingScoresData.model_validate(document)


def upload_scores(
    session: Session,
    user: User,
    dataset_id: str,
    tag_id: str,
    body: ActiveLearningScoreCreateRequest,
) -> str:
    """Create or replace the tag's scores of one type: one value per tag sample, bit order."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    tag = tag_service.get_in_dataset(session, dataset, tag_id)
    size = int(tag.bit_mask_data, 16).bit_count()
    if len(body.scores) != size:
        raise BadRequest(
            f"scores: {len(body.scores)} values, but tag {tag.id} ({tag.name}) holds {size} "
            "samples (one score per sample, in the tag's order)"
        )
    return score_repo.upsert(session, tag.id, body.score_type, [float(v) for v in body.scores])
