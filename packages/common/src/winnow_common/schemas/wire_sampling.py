"""Wire models of sampling on stored embeddings, platform jobs (``/v1/jobs``), active-learning
scores and the 2-D projection trigger (lightly 1.5.26's ``SamplingCreateRequest``,
``AsyncTaskData``, ``JobStatusData``, ``ActiveLearningScoreCreateRequest``,
``Trigger2dEmbeddingJobRequest``), plus ``SamplingScoresData``, Winnow's own answer of
``GET /v1/jobs/{jobId}/scores`` (the importance score of every ranked sample)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, StrictFloat, StrictInt

from winnow_common.schemas.base import ObjectId, TagName, Timestamp, WireRequest, WireResponse

if TYPE_CHECKING:
    from winnow_common.db import models


class SamplingMethod(StrEnum):
    """lightly's ``SamplingMethod``."""

    ACTIVE_LEARNING = "ACTIVE_LEARNING"
    CORAL = "CORAL"
    CORESET = "CORESET"
    RANDOM = "RANDOM"


class JobState(StrEnum):
    """lightly's ``JobState`` (``UNKNOWN`` is never answered)."""

    WAITING = "WAITING"
    RUNNING = "RUNNING"
    FAILED = "FAILED"
    FINISHED = "FINISHED"


class JobResultType(StrEnum):
    """lightly's ``JobResultType``: the kinds of platform job Winnow runs."""

    SAMPLING = "SAMPLING"
    EMBEDDINGS2D = "EMBEDDINGS2D"


class DimensionalityReductionMethod(StrEnum):
    """lightly's ``DimensionalityReductionMethod``."""

    PCA = "PCA"
    TSNE = "TSNE"
    UMAP = "UMAP"


ScoreType = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[a-zA-Z0-9_+=,.@:/-]*$")]


class SamplingConfigStoppingCondition(WireRequest):
    """``nSamples``: a count (1..N), or a fraction (0..1] of the query set; ``-1`` or absent:
    no count. ``minDistance``: CORESET/CORAL stop before a sample closer than it to the
    selection (on L2-normalised embeddings); negative or absent: no distance condition."""

    n_samples: StrictInt | StrictFloat | None = None
    min_distance: StrictInt | StrictFloat | None = None


class SamplingConfig(WireRequest):
    stopping_condition: SamplingConfigStoppingCondition | None = None


class SamplingCreateRequest(WireRequest):
    """``POST .../embeddings/{embeddingId}/sampling`` (``client.selection``)."""

    new_tag_name: TagName
    method: SamplingMethod
    config: SamplingConfig
    preselected_tag_id: ObjectId | None = None
    query_tag_id: ObjectId | None = None
    score_type: ScoreType | None = None
    # "temporary rowCount until the API/DB is aware how many they are": informational only.
    row_count: StrictInt | StrictFloat | None = None


class AsyncTaskData(WireResponse):
    job_id: str


class JobStatusDataResult(WireResponse):
    type: JobResultType
    # SAMPLING: the new tag's id; EMBEDDINGS2D: the embedding's id.
    data: Any | None = None


class JobStatusData(WireResponse):
    """``GET /v1/jobs/{jobId}``; lightly polls it every ``waitTimeTillNextPoll`` seconds."""

    id: ObjectId
    dataset_id: ObjectId | None = None
    status: JobState
    wait_time_till_next_poll: int
    created_at: Timestamp
    last_modified_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    error: str | None = None
    result: JobStatusDataResult | None = None

    @classmethod
    def from_row(cls, row: models.Job) -> JobStatusData:
        """The wire form of a job: its result only once FINISHED, its error once FAILED."""
        finished = row.state == JobState.FINISHED.value
        result = None
        if finished and isinstance(row.result, dict):
            result = JobStatusDataResult(type=JobResultType(row.type), data=row.result.get("data"))
        return cls(
            id=row.id,
            dataset_id=row.dataset_id,
            status=JobState(row.state),
            # Seconds; a waiting or running job is polled again soon, a finished one never.
            wait_time_till_next_poll=1 if not finished else 0,
            created_at=row.created_at,
            last_modified_at=row.last_modified_at,
            finished_at=row.finished_at,
            error=row.error if row.state == JobState.FAILED.value else None,
            result=result,
        )


class ActiveLearningScoreCreateRequest(WireRequest):
    """Scores of a tag's samples, in the tag's sample (bit) order (``upload_scores``)."""

    score_type: ScoreType
    scores: list[float] = Field(min_length=1)


class Trigger2dEmbeddingJobRequest(WireRequest):
    dimensionality_reduction_method: DimensionalityReductionMethod


class SampleScore(WireResponse):
    """One ranked sample: its rank order is its position in ``SamplingScoresData.samples``."""

    sample_id: ObjectId
    file_name: str
    score: float


class SamplingScoresData(WireResponse):
    """The importance score of every ranked sample of a finished sampling job, best first.

    Keeping the first ``k`` entries is what the engine selects for ``k`` (the job's tag holds
    the first ``selectedCount``, plus the preselected samples). ``score`` is the sampler's own
    quantity normalised to [0, 1] (CORESET: distance to the samples ranked before it; RANDOM:
    the random draw; ACTIVE_LEARNING: the uploaded score; CORAL: their product).
    """

    job_id: ObjectId
    tag_id: ObjectId
    method: SamplingMethod
    selected_count: int
    preselected_count: int
    samples: list[SampleScore]
