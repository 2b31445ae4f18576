"""Routes 11-13: the worker registry (register idempotently by name, list, delete).

Plus two Winnow routes that the lightly client does not know: a worker's liveness
(``lastSeen``) and a run's attempts (who worked on it, how each attempt ended).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from winnow_api.deps import CurrentUser, SessionDep
from winnow_api.params import RunId
from winnow_api.workers import service as worker_service
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.wire import CreateEntityResponse
from winnow_common.schemas.workers import (
    CreateWorkerRequest,
    RunAttemptData,
    WorkerData,
    WorkerStatusData,
)

router = APIRouter(tags=["workers"])

WorkerId = Annotated[str, Path(alias="workerId", pattern=OBJECT_ID_PATTERN)]


@router.post("/v1/docker/worker", status_code=201, response_model=CreateEntityResponse)
def register_worker(
    body: CreateWorkerRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Register a worker; the same name again answers the existing id (201) with the new labels.

    One ``INSERT ... ON CONFLICT (user_id, name) DO UPDATE`` so that two concurrent
    registrations of one name cannot both insert or fail on the unique constraint.
    """
    return CreateEntityResponse(id=worker_service.register(session, user, body))


@router.get("/v1/docker/worker", response_model=list[WorkerData], response_model_exclude_none=True)
def list_workers(user: CurrentUser, session: SessionDep) -> list[WorkerData]:
    """The caller's registered workers, oldest first (not paginated, like Lightly's)."""
    return [WorkerData.from_row(r) for r in worker_service.of_user(session, user)]


@router.delete("/v1/docker/worker/{workerId}", status_code=200, response_class=Response)
def delete_worker(worker_id: WorkerId, user: CurrentUser, session: SessionDep) -> Response:
    """Remove a registered worker; its past runs keep existing (their ``worker_id`` is nulled)."""
    worker_service.delete(session, user, worker_id)
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
    row, run_id = worker_service.status(session, user, worker_id)
    return WorkerStatusData.from_row(row, run_id)


@router.get(
    "/v1/docker/runs/{runId}/attempts",
    response_model=list[RunAttemptData],
    response_model_exclude_none=True,
)
def list_run_attempts(
    run_id: RunId, user: CurrentUser, session: SessionDep
) -> list[RunAttemptData]:
    """Every attempt of the run, oldest first (Winnow only): holder, times, outcome, stage."""
    return [RunAttemptData.from_row(r) for r in worker_service.run_attempts(session, user, run_id)]
