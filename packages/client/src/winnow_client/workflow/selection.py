"""``SelectionMixin``: sampling on a stored embedding and active-learning scores (lightly's
``_SelectionMixin``, with ``SelectionConfig`` from ``lightly.active_learning.config``)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import SupportsFloat

import httpx

from winnow_client.generated.api.sampling import (
    create_or_update_active_learning_score,
    get_job_status,
    trigger_sampling,
)
from winnow_client.generated.models import (
    ActiveLearningScoreCreateRequest,
    AsyncTaskData,
    CreateEntityResponse,
    JobState,
    JobStatusData,
    JobStatusDataResult,
    SamplingConfig,
    SamplingConfigStoppingCondition,
    SamplingCreateRequest,
    SamplingMethod,
    TagData,
)
from winnow_client.generated.types import UNSET
from winnow_client.workflow._base import WorkflowBase
from winnow_client.workflow._responses import ok, wire_value
from winnow_client.workflow.errors import WinnowApiError

RUNNING_STATES = {JobState.WAITING, JobState.RUNNING}
# Failed polls (a restarting API, a lost connection) tolerated in a row, as lightly does.
MAX_POLL_ERRORS = 20


@dataclass
class SelectionConfig:
    """lightly's ``SelectionConfig``: ``method`` (CORESET, RANDOM, CORAL, ACTIVE_LEARNING),
    ``n_samples`` (the tag's size, preselected samples included; -1: no limit),
    ``min_distance`` (-1: none) and ``name`` (the new tag's; a dated default)."""

    method: SamplingMethod | str = SamplingMethod.CORESET
    n_samples: int = 32
    min_distance: float = -1
    name: str = field(default="")

    def __post_init__(self) -> None:
        if not self.name:
            stamp = datetime.now().strftime("%m_%d_%Y__%H_%M_%S")
            self.name = f"{wire_value(self.method)}_{self.n_samples}_{self.min_distance}_{stamp}"


def sampling_request(
    config: SelectionConfig, preselected_tag_id: str | None, query_tag_id: str | None
) -> SamplingCreateRequest:
    """The wire request of a ``SelectionConfig`` (as lightly's ``selection`` builds it)."""
    stopping = SamplingConfigStoppingCondition(
        n_samples=config.n_samples, min_distance=config.min_distance
    )
    return SamplingCreateRequest(
        new_tag_name=config.name,
        method=SamplingMethod(wire_value(config.method)),
        config=SamplingConfig(stopping_condition=stopping),
        preselected_tag_id=UNSET if preselected_tag_id is None else preselected_tag_id,
        query_tag_id=UNSET if query_tag_id is None else query_tag_id,
    )


class SelectionMixin(WorkflowBase):
    """``selection`` (a sampling job on ``embedding_id``, awaited) and ``upload_scores``."""

    def upload_scores(
        self, al_scores: Mapping[str, Iterable[SupportsFloat]], query_tag_id: str
    ) -> None:
        """Upload one score array per score type for the tag's samples (one value per sample
        of the tag, in bitmask order; numpy arrays and lists alike)."""
        for score_type, values in al_scores.items():
            body = ActiveLearningScoreCreateRequest(
                score_type=score_type, scores=[float(v) for v in values]
            )
            response = create_or_update_active_learning_score.sync_detailed(
                self.dataset_id, query_tag_id, client=self.api, body=body
            )
            ok(response, CreateEntityResponse)

    def _await_job(self, job_id: str) -> JobStatusData:
        """Poll ``GET /v1/jobs/{jobId}`` (at the pace it asks for) until the job ends."""
        status: JobStatusData | None = None
        wait_s = float(getattr(self, "wait_time_till_next_poll", 1))
        errors = 0
        while status is None or status.status in RUNNING_STATES:
            time.sleep(wait_s)
            try:
                status = ok(get_job_status.sync_detailed(job_id, client=self.api), JobStatusData)
            except (WinnowApiError, httpx.TransportError) as exc:
                if isinstance(exc, WinnowApiError) and exc.status < 500:
                    raise
                errors += 1
                if errors == MAX_POLL_ERRORS:
                    raise
                continue
            errors = 0
            wait_s = max(0.1, float(status.wait_time_till_next_poll))
        return status

    def selection(
        self,
        selection_config: SelectionConfig,
        preselected_tag_id: str | None = None,
        query_tag_id: str | None = None,
    ) -> TagData:
        """Run a sampling job on ``embedding_id`` (the newest embedding when unset) and return
        its new tag, named ``selection_config.name``.

        ``query_tag_id``: the samples to choose from (``None``: ``initial-tag``); the tag of
        ``preselected_tag_id`` counts towards ``n_samples``. ``RuntimeError`` when the tag name
        is taken or the job fails.
        """
        warnings.warn(
            DeprecationWarning(
                "ApiWorkflowClient.selection() is deprecated in lightly and kept for compatibility."
            ),
            stacklevel=2,
        )
        tags = self.get_all_tags()
        if selection_config.name in {tag.name for tag in tags}:
            raise RuntimeError(f"There already exists a tag with tag_name {selection_config.name}.")
        if self.embedding_id is None:
            self.set_embedding_id_to_latest()
        assert self.embedding_id is not None
        body = sampling_request(selection_config, preselected_tag_id, query_tag_id)
        if tags:
            body.row_count = tags[0].tot_size
        response = trigger_sampling.sync_detailed(
            self.dataset_id, self.embedding_id, client=self.api, body=body
        )
        job_id = ok(response, AsyncTaskData).job_id
        status = self._await_job(job_id)
        if status.status == JobState.FAILED:
            raise RuntimeError(
                f"Selection job with job_id {job_id} failed with error {status.error}"
            )
        result = status.result
        tag_id = result.data if isinstance(result, JobStatusDataResult) else None
        if not isinstance(tag_id, str):
            raise RuntimeError(f"TagId returned by job with job_id {job_id} is None.")
        return self.get_tag_by_id(tag_id)
