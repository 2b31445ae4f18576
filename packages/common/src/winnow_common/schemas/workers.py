"""Wire models of the worker registry (Lightly's ``DockerWorkerRegistryEntry``), routes 11-13."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator

from winnow_common.enums import ComputeWorkerState, Creator
from winnow_common.jobs.names import LABEL_PATTERN, normalize_labels
from winnow_common.schemas.base import EntityName, ObjectId, Timestamp, WireRequest, WireResponse
from winnow_common.schemas.wire import columns_of

if TYPE_CHECKING:
    from winnow_common.db.models import ComputeWorker, RunAttempt

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

    @classmethod
    def from_row(cls, row: ComputeWorker) -> WorkerData:
        """The wire form of a registered worker (only the keys the lightly model knows)."""
        return cls(
            id=row.id,
            user_id=row.user_id,
            name=row.name,
            worker_type="FULL",
            state=ComputeWorkerState(row.state),
            created_at=row.created_at,
            last_modified_at=row.last_modified_at,
            labels=list(row.labels),
            docker_version=row.docker_version,
        )


class WorkerStatusData(WireResponse):
    """Winnow's liveness view of a registered worker (not a lightly model, so it may grow).

    ``lastSeen`` is the worker's last heartbeat (epoch ms; ``None`` before its first one); a
    worker silent for a lease timeout is OFFLINE. ``runId`` is the run it works on, if any.
    """

    id: ObjectId
    name: str
    state: ComputeWorkerState
    last_seen: Timestamp | None = None
    last_modified_at: Timestamp
    run_id: str | None = None

    @classmethod
    def from_row(cls, row: ComputeWorker, run_id: str | None) -> WorkerStatusData:
        """A worker's liveness, with the run it holds an open attempt on."""
        return cls(
            id=row.id,
            name=row.name,
            state=ComputeWorkerState(row.state),
            last_seen=row.last_seen_at,
            last_modified_at=row.last_modified_at,
            run_id=run_id,
        )


class RunAttemptData(WireResponse):
    """One attempt of a run's stage (``gpu.process_run`` or ``reports.render_report``).

    ``outcome`` is ``None`` while the attempt runs, then DONE, FAILED, HANDED_BACK (graceful
    shutdown), LOST (its lease expired: the process died or lost the database) or ABANDONED (an
    outage outlasted the retries); ``stage`` is the run state it ended in.
    """

    number: int
    task: str
    holder: str
    worker_id: str | None = None
    started_at: Timestamp
    heartbeat_at: Timestamp
    expires_at: Timestamp
    ended_at: Timestamp | None = None
    outcome: str | None = None
    stage: str | None = None
    detail: str | None = None

    @classmethod
    def from_row(cls, row: RunAttempt) -> RunAttemptData:
        """The wire form of a run attempt."""
        return cls(**columns_of(row, cls))
