"""Wire models of the worker registry (Lightly's ``DockerWorkerRegistryEntry``), routes 11-13."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from winnow_common.enums import ComputeWorkerState, Creator
from winnow_common.jobs.names import LABEL_PATTERN, normalize_labels
from winnow_common.schemas.base import EntityName, ObjectId, Timestamp, WireRequest, WireResponse

WorkerLabel = Annotated[str, Field(pattern=LABEL_PATTERN)]


class CreateWorkerRequest(WireRequest):
    """``CreateDockerWorkerRegistryEntryRequest``: register a worker (idempotent by name)."""

    name: EntityName
    worker_type: Literal["FULL"]
    labels: list[WorkerLabel] = Field(default_factory=list)
    creator: Creator | None = None
    docker_version: str | None = Field(default=None, max_length=32)

    @field_validator("labels")
    @classmethod
    def _routable(cls, labels: list[str]) -> list[str]:
        # Sorted and de-duplicated, capped at MAX_WORKER_LABELS (ValueError -> 422 on labels).
        return list(normalize_labels(labels))


class WorkerData(WireResponse):
    """``DockerWorkerRegistryEntryData``: exactly the keys of the lightly model."""

    id: ObjectId
    user_id: str
    name: str
    worker_type: Literal["FULL"]
    state: ComputeWorkerState
    created_at: Timestamp
    last_modified_at: Timestamp
    labels: list[str]
    is_default: bool | None = None
    docker_version: str | None = None
