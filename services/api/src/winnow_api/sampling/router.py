"""Sampling on stored embeddings, platform jobs (``/v1/jobs``) and active-learning scores."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from winnow_api.deps import CurrentUser, JobsDep, SessionDep
from winnow_api.params import DatasetId
from winnow_api.sampling import service as sampling_service
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.wire import CreateEntityResponse
from winnow_common.schemas.wire_sampling import (
    ActiveLearningScoreCreateRequest,
    AsyncTaskData,
    JobStatusData,
    SamplingCreateRequest,
    SamplingScoresData,
    Trigger2dEmbeddingJobRequest,
)

router = APIRouter(tags=["sampling"])

EmbeddingId = Annotated[str, Path(alias="embeddingId", pattern=OBJECT_ID_PATTERN)]
JobId = Annotated[str, Path(alias="jobId", pattern=OBJECT_ID_PATTERN)]
TagId = Annotated[str, Path(alias="tagId", pattern=OBJECT_ID_PATTERN)]


@router.post(
    "/v1/datasets/{datasetId}/embeddings/{embeddingId}/trigger2dEmbeddingsJob",
    status_code=204,
    response_class=Response,
)
def trigger_2d_embeddings_job(
    dataset_id: DatasetId,
    embedding_id: EmbeddingId,
    body: Trigger2dEmbeddingJobRequest,
    user: CurrentUser,
    session: SessionDep,
    jobs: JobsDep,
) -> Response:
    """Compute the embedding's 2-D projection (PCA) in the background; no body.

    One projection per embedding: a trigger while one is waiting, running or done starts
    nothing. When it is done the embedding lists ``is2d: true``.
    """
    sampling_service.trigger_projection(session, jobs, user, dataset_id, embedding_id, body)
    return Response(status_code=204)


@router.post(
    "/v1/datasets/{datasetId}/embeddings/{embeddingId}/sampling",
    status_code=200,
    response_model=AsyncTaskData,
)
def trigger_sampling(
    dataset_id: DatasetId,
    embedding_id: EmbeddingId,
    body: SamplingCreateRequest,
    user: CurrentUser,
    session: SessionDep,
    jobs: JobsDep,
) -> AsyncTaskData:
    """Start a sampling job on the embedding (``client.selection``); poll ``/v1/jobs/{jobId}``.

    CORESET (DIVERSITY), RANDOM, ACTIVE_LEARNING (uploaded scores) and CORAL (both) run on
    Winnow's selection engine; the result is a new tag named ``newTagName``.
    """
    job = sampling_service.create_sampling(session, jobs, user, dataset_id, embedding_id, body)
    return AsyncTaskData(job_id=job.id)


@router.get("/v1/jobs/{jobId}", response_model=JobStatusData, response_model_exclude_none=True)
def get_job_status(job_id: JobId, user: CurrentUser, session: SessionDep) -> JobStatusData:
    """A platform job's state; ``result.data`` is the new tag's id once a sampling FINISHED."""
    return JobStatusData.from_row(sampling_service.get_job(session, user, job_id))


@router.get(
    "/v1/jobs/{jobId}/scores",
    response_model=SamplingScoresData,
    response_model_exclude_none=True,
)
def get_sampling_scores(
    job_id: JobId, user: CurrentUser, session: SessionDep
) -> SamplingScoresData:
    """Winnow's own route: a finished sampling's importance score per ranked sample, best
    first (keep the first ``k`` for a selection of ``k``; the dashboard's size slider)."""
    return sampling_service.sampling_scores(session, user, job_id)


@router.post(
    "/v1/datasets/{datasetId}/tags/{tagId}/scores",
    status_code=201,
    response_model=CreateEntityResponse,
)
def create_or_update_active_learning_score(
    dataset_id: DatasetId,
    tag_id: TagId,
    body: ActiveLearningScoreCreateRequest,
    user: CurrentUser,
    session: SessionDep,
) -> CreateEntityResponse:
    """Create or replace the tag's scores of ``scoreType`` (``upload_scores``): one value per
    sample of the tag, in its bit order."""
    score_id = sampling_service.upload_scores(session, user, dataset_id, tag_id, body)
    return CreateEntityResponse(id=score_id)
