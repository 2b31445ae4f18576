"""Worker configs, scheduled runs, runs, run artifacts and run tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from winnow_api.deps import CurrentUser, JobsDep, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.params import ArtifactId, DatasetId, RunId
from winnow_api.runs import service as run_service
from winnow_api.runs.events import run_events
from winnow_api.runs.service import RunView
from winnow_api.signing import signed_url
from winnow_common.enums import ScheduledRunState
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.schemas.base import WireResponse
from winnow_common.schemas.wire import (
    CreateEntityResponse,
    RunData,
    ScheduledRunCreateRequest,
    ScheduledRunData,
    TagData,
    WorkerConfigCreateRequest,
)

router = APIRouter(tags=["runs"])

ScheduledId = Annotated[str, Path(alias="scheduledId", pattern=OBJECT_ID_PATTERN)]


class CancelData(WireResponse):
    """What a cancel did: SCHEDULED (canceled before pickup), ABORTED or ALREADY_ENDED."""

    result: str


def _wire(view: RunView) -> RunData:
    return RunData.from_row(view.run, view.artifacts)


@router.post("/v1/docker/worker/config/vX", status_code=201, response_model=CreateEntityResponse)
def create_worker_config(
    body: WorkerConfigCreateRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Validate and store a V4 worker config (422 names unknown keys and the closest valid one)."""
    return CreateEntityResponse(id=run_service.create_config(session, user, body).id)


@router.post(
    "/v1/datasets/{datasetId}/docker/worker/schedule",
    status_code=201,
    response_model=CreateEntityResponse,
)
def schedule_run(
    dataset_id: DatasetId,
    body: ScheduledRunCreateRequest,
    user: CurrentUser,
    session: SessionDep,
    jobs: JobsDep,
) -> CreateEntityResponse:
    """Schedule a run of a stored config on a dataset; its job is published after commit.

    The job goes to the queue of the ``runsOn`` label set, which only workers holding all those
    labels consume, with the Redis message priority of ``priority``.
    """
    scheduled = run_service.schedule(session, user, dataset_id, body, jobs)
    return CreateEntityResponse(id=scheduled.id)


@router.get(
    "/v1/datasets/{datasetId}/docker/worker/schedule",
    response_model=list[ScheduledRunData],
    response_model_exclude_none=True,
)
def list_scheduled_runs(
    dataset_id: DatasetId,
    user: CurrentUser,
    session: SessionDep,
    state: Annotated[ScheduledRunState | None, Query()] = None,
) -> list[ScheduledRunData]:
    """Scheduled runs of a dataset; without ``state`` those not DONE or CANCELED."""
    rows = run_service.scheduled_of_dataset(session, user, dataset_id, state)
    return [ScheduledRunData.from_row(r) for r in rows]


@router.get("/v1/docker/runs", response_model=list[RunData], response_model_exclude_none=True)
def list_runs(user: CurrentUser, session: SessionDep, page: PageDep) -> list[RunData]:
    """The runs the caller started, oldest first (a shared dataset's runs: by dataset)."""
    return [_wire(v) for v in run_service.of_user(session, user, page)]


@router.get(
    "/v1/docker/runs/query/datasetId/{datasetId}",
    response_model=list[RunData],
    response_model_exclude_none=True,
)
def list_runs_of_dataset(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, page: PageDep
) -> list[RunData]:
    """The runs of one dataset, oldest first."""
    return [_wire(v) for v in run_service.of_dataset(session, user, dataset_id, page)]


@router.get(
    "/v1/docker/runs/schedule/{scheduledId}",
    response_model=RunData,
    response_model_exclude_none=True,
)
def get_run_of_scheduled_run(
    scheduled_id: ScheduledId,
    user: CurrentUser,
    session: SessionDep,
) -> RunData:
    """The run a worker created for a scheduled run; 404 until a worker picked it up."""
    return _wire(run_service.of_scheduled(session, user, scheduled_id))


@router.get("/v1/docker/runs/{runId}", response_model=RunData, response_model_exclude_none=True)
def get_run(run_id: RunId, user: CurrentUser, session: SessionDep) -> RunData:
    """One run with its artifacts (its starter, the dataset's owner and collaborators)."""
    return _wire(run_service.view(session, run_service.get_readable(session, user, run_id)))


@router.get(
    "/v1/docker/runs/{runId}/tags", response_model=list[TagData], response_model_exclude_none=True
)
def list_run_tags(run_id: RunId, user: CurrentUser, session: SessionDep) -> list[TagData]:
    """Tags a run created, newest first."""
    return [TagData.from_row(t) for t in run_service.tags(session, user, run_id)]


@router.get("/v1/docker/runs/{runId}/artifacts/{artifactId}/readurl", response_model=str)
def get_artifact_read_url(
    run_id: RunId,
    artifact_id: ArtifactId,
    user: CurrentUser,
    session: SessionDep,
) -> str:
    """A signed, expiring URL that downloads the artifact with a plain GET (no token)."""
    artifact = run_service.artifact(session, user, run_id, artifact_id)
    return signed_url(f"/v1/files/runs/{artifact.run_id}/artifacts/{artifact.id}")


@router.get("/v1/docker/runs/{runId}/events", include_in_schema=False)
def run_events_stream(run_id: RunId, user: CurrentUser, session: SessionDep) -> StreamingResponse:
    """Server-Sent Events of a run for the dashboard (``run`` on each change, then ``end``).

    Access is checked here (404 otherwise); the request's transaction ends when this returns,
    and the stream reads each tick in a short session of its own.
    """
    run = run_service.get_readable(session, user, run_id)
    return StreamingResponse(
        run_events(run.id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/v1/docker/runs/{runId}/cancel", include_in_schema=False, response_model=CancelData)
def cancel_run(run_id: RunId, user: CurrentUser, session: SessionDep) -> CancelData:
    """Abort a run under way: it ends ABORTED and its worker stops at its next safe point."""
    return CancelData(result=run_service.cancel_run(session, user, run_id).value)


@router.post(
    "/v1/docker/runs/schedule/{scheduledId}/cancel",
    include_in_schema=False,
    response_model=CancelData,
)
def cancel_scheduled_run(
    scheduled_id: ScheduledId, user: CurrentUser, session: SessionDep
) -> CancelData:
    """Cancel a scheduled run no worker picked up yet (CANCELED), or abort its run."""
    return CancelData(result=run_service.cancel_scheduled(session, user, scheduled_id).value)
