"""Celery glue of platform jobs (``gpu.platform_job``): sampling on stored embeddings and 2-D
projections, lightly's ``/v1/jobs``.

Postgres decides: a message for a job that is FINISHED or FAILED does nothing, so a duplicate
(the reconciler re-publishing, a redelivery) is harmless. The job reads in one transaction,
computes without one, then writes its outputs while it holds the job's row lock: the bulk
output first (deterministic key, overwritten by a retry), then the tag and the job's result,
so two deliveries of one job cannot both record a result. Any error ends the job FAILED with a
message; nothing raises out of the task.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from winnow_common.db.models import Job, Tag
from winnow_common.db.repositories import embeddings as embedding_repo
from winnow_common.db.repositories import jobs as job_repo
from winnow_common.db.repositories import samples as sample_repo
from winnow_common.db.repositories import scores as score_repo
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.db.session import session_factory
from winnow_common.errors import WinnowError
from winnow_common.jobs import PlatformJobMessage, TaskName
from winnow_common.schemas.sampling_request import SamplingPlan, sampling_plan
from winnow_common.schemas.wire_sampling import (
    JobResultType,
    JobState,
    SampleScore,
    SamplingCreateRequest,
    SamplingScoresData,
)
from winnow_common.storage.embeddings import load_embedding
from winnow_common.storage.platform import (
    embedding_projection_key,
    platform_store,
    sampling_scores_key,
)
from winnow_common.tags import bitmask_to_indices, indices_to_bitmask
from winnow_gpu_worker.celery_app import app
from winnow_gpu_worker.platform_sampling import Ranking, SamplingInputs, pca_2d, rank

log = logging.getLogger(__name__)


class JobFailure(Exception):
    """A job that cannot succeed; the message is what the user reads in ``error``."""


@lru_cache
def _sessions() -> sessionmaker[Session]:
    return session_factory()


@dataclass
class _SamplingWork:
    """What the read transaction gathered for the ranking and the write."""

    dataset_id: str
    plan: SamplingPlan
    new_tag_name: str
    query_tag_id: str | None
    inputs: SamplingInputs
    samples: dict[int, tuple[str, str]]  # idx -> (sample id, file name)


def _load_embedding(session: Session, job: Job) -> tuple[list[str], Any]:
    embedding = embedding_repo.get(session, str(job.request["embeddingId"]))
    if embedding is None:
        raise JobFailure(f"embedding {job.request['embeddingId']} no longer exists")
    try:
        filenames, matrix, _ = load_embedding(session, embedding)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JobFailure(f"the embeddings CSV of {embedding.name!r} cannot be read: {exc}") from exc
    except WinnowError as exc:
        raise JobFailure(f"the embeddings CSV of {embedding.name!r}: {exc.message}") from exc
    return filenames, matrix


def _tag_indices(session: Session, tag_id: str | None, what: str) -> list[int] | None:
    if tag_id is None:
        return None
    tag = tag_repo.get(session, tag_id)
    if tag is None:
        raise JobFailure(f"the {what} tag {tag_id} was deleted")
    return bitmask_to_indices(tag.bit_mask_data)


def _read_sampling(session: Session, job: Job) -> _SamplingWork:
    request = job.request
    body = SamplingCreateRequest.model_validate(request["body"])
    plan = sampling_plan(
        body, random_seed=int(request["randomSeed"]), score_type=request.get("scoreType")
    )
    samples = {s.idx: (s.id, s.file_name) for s in sample_repo.page(session, job.dataset_id)}
    idx_of = {name: idx for idx, (_, name) in samples.items()}
    filenames, matrix = _load_embedding(session, job)
    row_of: dict[int, int] = {}
    for row, name in enumerate(filenames):
        idx = idx_of.get(name)
        if idx is not None:
            row_of.setdefault(idx, row)
    query_tag_id = request.get("queryTagId")
    query = _tag_indices(session, query_tag_id, "query")
    if query is None:
        query = sorted(samples)
    preselected = _tag_indices(session, body.preselected_tag_id, "preselected") or []
    scores = None
    if plan.uses_scores:
        stored = score_repo.get(session, str(query_tag_id), str(request["scoreType"]))
        if stored is None or len(stored.scores) != len(query):
            raise JobFailure(f"scoreType: the scores of {request['scoreType']!r} are gone")
        scores = dict(zip(query, stored.scores, strict=True))
    inputs = SamplingInputs(matrix, row_of, query, preselected, scores)
    return _SamplingWork(job.dataset_id, plan, body.new_tag_name, query_tag_id, inputs, samples)


def _scores_document(job_id: str, tag_id: str, work: _SamplingWork, ranking: Ranking) -> bytes:
    doc = SamplingScoresData(
        job_id=job_id,
        tag_id=tag_id,
        method=work.plan.method,
        selected_count=ranking.n_selected,
        preselected_count=len(work.inputs.preselected),
        samples=[
            SampleScore(sample_id=work.samples[i][0], file_name=work.samples[i][1], score=s)
            for i, s in zip(ranking.picks, ranking.importance, strict=True)
        ],
    )
    return json.dumps(doc.to_wire(), separators=(",", ":")).encode()


def _write_sampling(session: Session, job: Job, work: _SamplingWork, ranking: Ranking) -> None:
    if tag_repo.name_taken(session, work.dataset_id, work.new_tag_name):
        raise JobFailure(f"newTagName: a tag named {work.new_tag_name!r} was created meanwhile")
    members = sorted(set(work.inputs.preselected) | set(ranking.picks[: ranking.n_selected]))
    tag = Tag(
        dataset_id=work.dataset_id,
        prev_tag_id=work.query_tag_id,
        name=work.new_tag_name,
        bit_mask_data=indices_to_bitmask(members),
        tot_size=sample_repo.count(session, work.dataset_id),
    )
    tag_repo.add_plain(session, tag)
    key = sampling_scores_key(work.dataset_id, job.id)
    platform_store().write(key, _scores_document(job.id, tag.id, work, ranking), "application/json")
    job_repo.finish(
        session,
        job,
        {
            "data": tag.id,
            "scoresKey": key,
            "selectedCount": ranking.n_selected,
            "stopReason": ranking.result.stop_reason,
        },
    )


def _run_sampling(job_id: str) -> None:
    with _sessions().begin() as session:
        job = job_repo.get(session, job_id)
        assert job is not None
        work = _read_sampling(session, job)
    try:
        ranking = rank(work.plan, work.inputs)
    except ValueError as exc:
        raise JobFailure(f"selection: {exc}") from exc
    with _sessions().begin() as session:
        job = job_repo.lock(session, job_id)
        if job is None or job.state != JobState.RUNNING.value:
            return
        _write_sampling(session, job, work, ranking)
    log.info("sampling job %s: %d selected", job_id, ranking.n_selected)


def _run_projection(job_id: str) -> None:
    with _sessions().begin() as session:
        job = job_repo.get(session, job_id)
        assert job is not None
        filenames, matrix = _load_embedding(session, job)
        embedding_id = str(job.request["embeddingId"])
        dataset_id = job.dataset_id
    points = pca_2d(matrix)
    document = {
        "embeddingId": embedding_id,
        "method": "PCA",
        "fileNames": filenames,
        "points": [[round(float(x), 7), round(float(y), 7)] for x, y in points],
    }
    with _sessions().begin() as session:
        job = job_repo.lock(session, job_id)
        embedding = embedding_repo.get(session, embedding_id)
        if job is None or job.state != JobState.RUNNING.value or embedding is None:
            return
        key = embedding_projection_key(dataset_id, embedding_id)
        platform_store().write(key, json.dumps(document).encode(), "application/json")
        embedding.projection_key = key
        job_repo.finish(session, job, {"data": embedding_id, "projectionKey": key})


def _start(job_id: str) -> str | None:
    """WAITING/RUNNING -> RUNNING; the job's type, or None when there is nothing to do."""
    with _sessions().begin() as session:
        job = job_repo.lock(session, job_id)
        if job is None or job.state in (JobState.FINISHED.value, JobState.FAILED.value):
            return None
        job_repo.start(session, job)
        return job.type


def _fail(job_id: str, message: str) -> None:
    with _sessions().begin() as session:
        job = job_repo.lock(session, job_id)
        if job is not None and job.state != JobState.FINISHED.value:
            job_repo.fail(session, job, message)


def run_platform_job(job_id: str) -> None:
    """Run one platform job to FINISHED or FAILED (the body of ``gpu.platform_job``)."""
    kind = _start(job_id)
    if kind is None:
        log.info("platform job %s: nothing to do", job_id)
        return
    try:
        if kind == JobResultType.SAMPLING.value:
            _run_sampling(job_id)
        else:
            _run_projection(job_id)
    except JobFailure as exc:
        log.info("platform job %s FAILED: %s", job_id, exc)
        _fail(job_id, str(exc))
    except Exception as exc:
        log.exception("platform job %s FAILED", job_id)
        _fail(job_id, f"{type(exc).__name__}: {exc}")


@app.task(name=TaskName.PLATFORM_JOB.value)
def platform_job(job_id: str) -> None:
    """Celery entry point; the payload is the job's id only."""
    run_platform_job(PlatformJobMessage(job_id=job_id).job_id)
