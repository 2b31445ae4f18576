"""Routes 11-13: the worker registry (register idempotently by name, list, delete).

Plus two Winnow routes that the lightly client does not know: a worker's liveness
(``lastSeen``) and a run's attempts (who worked on it, how each attempt ended).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.routes.runs import RunId, get_owned_run
from winnow_common.db.models import ComputeWorker, RunAttempt
from winnow_common.enums import ComputeWorkerState
from winnow_common.errors import ComputeWorkerNotFound
from winnow_common.ids import OBJECT_ID_PATTERN, now_ms
from winnow_common.schemas.wire import CreateEntityResponse
from winnow_common.schemas.workers import (
    CreateWorkerRequest,
    RunAttemptData,
    WorkerData,
    WorkerStatusData,
)

router = APIRouter(tags=["workers"])

WorkerId = Annotated[str, Path(alias="workerId", pattern=OBJECT_ID_PATTERN)]


def to_worker_data(row: ComputeWorker) -> WorkerData:
    """The wire form of a registered worker (only the keys the lightly model knows)."""
    return WorkerData(
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


@router.post("/v1/docker/worker", status_code=201, response_model=CreateEntityResponse)
def register_worker(
    body: CreateWorkerRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Register a worker; the same name again answers the existing id (201) with the new labels.

    One ``INSERT ... ON CONFLICT (user_id, name) DO UPDATE`` so that two concurrent
    registrations of one name cannot both insert or fail on the unique constraint.
    """
    now = now_ms()
    values = insert(ComputeWorker).values(
        user_id=user.id,
        name=body.name,
        worker_type=body.worker_type,
        state=ComputeWorkerState.OFFLINE.value,
        labels=body.labels,
        docker_version=body.docker_version,
        created_at=now,
        last_modified_at=now,
    )
    upsert = values.on_conflict_do_update(
        index_elements=[ComputeWorker.user_id, ComputeWorker.name],
        set_={
            "labels": values.excluded.labels,
            # Keep the recorded version when a re-registration does not send one.
            "docker_version": values.excluded.docker_version
            if body.docker_version is not None
            else ComputeWorker.docker_version,
            "last_modified_at": now,
        },
    ).returning(ComputeWorker.id)
    worker_id = session.execute(upsert).scalar_one()
    return CreateEntityResponse(id=worker_id)


@router.get("/v1/docker/worker", response_model=list[WorkerData], response_model_exclude_none=True)
def list_workers(user: CurrentUser, session: SessionDep) -> list[WorkerData]:
    """The caller's registered workers, oldest first (not paginated, like Lightly's)."""
    rows = session.scalars(
        select(ComputeWorker).where(ComputeWorker.user_id == user.id).order_by(ComputeWorker.id)
    )
    return [to_worker_data(r) for r in rows]


@router.delete("/v1/docker/worker/{workerId}", status_code=200, response_class=Response)
def delete_worker(worker_id: WorkerId, user: CurrentUser, session: SessionDep) -> Response:
    """Remove a registered worker; its past runs keep existing (their ``worker_id`` is nulled)."""
    row = session.get(ComputeWorker, worker_id)
    if row is None or row.user_id != user.id:
        raise ComputeWorkerNotFound(f"worker {worker_id} does not exist")
    session.delete(row)
    session.flush()
    return Response(status_code=200)


@router.get(
    "/v1/docker/worker/{workerId}/status",
    response_model=WorkerStatusData,
    response_model_exclude_none=True,
)
def get_worker_status(
    worker_id: WorkerId, user: CurrentUser, session: SessionDep
) -> WorkerStatusData:
    """A registered worker's state, last heartbeat and current run (Winnow only)."""
    row = session.get(ComputeWorker, worker_id)
    if row is None or row.user_id != user.id:
        raise ComputeWorkerNotFound(f"worker {worker_id} does not exist")
    run_id = session.scalar(
        select(RunAttempt.run_id).where(
            RunAttempt.worker_id == row.id, RunAttempt.ended_at.is_(None)
        )
    )
    return WorkerStatusData(
        id=row.id,
        name=row.name,
        state=ComputeWorkerState(row.state),
        last_seen=row.last_seen_at,
        last_modified_at=row.last_modified_at,
        run_id=run_id,
    )


@router.get(
    "/v1/docker/runs/{runId}/attempts",
    response_model=list[RunAttemptData],
    response_model_exclude_none=True,
)
def list_run_attempts(
    run_id: RunId, user: CurrentUser, session: SessionDep
) -> list[RunAttemptData]:
    """Every attempt of the run, oldest first (Winnow only): holder, times, outcome, stage."""
    run = get_owned_run(session, user, run_id)
    rows = session.scalars(
        select(RunAttempt).where(RunAttempt.run_id == run.id).order_by(RunAttempt.number)
    )
    return [
        RunAttemptData(
            number=r.number,
            task=r.task,
            holder=r.holder,
            worker_id=r.worker_id,
            started_at=r.started_at,
            heartbeat_at=r.heartbeat_at,
            expires_at=r.expires_at,
            ended_at=r.ended_at,
            outcome=r.outcome,
            stage=r.stage,
            detail=r.detail,
        )
        for r in rows
    ]
