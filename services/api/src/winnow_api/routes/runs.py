"""Worker configs, scheduled runs, runs, run artifacts and run tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_api.deps import CurrentUser, JobsDep, SessionDep
from winnow_api.pagination import PageDep
from winnow_api.routes.datasets import DatasetId, get_owned_dataset
from winnow_api.routes.tags import to_tag_data
from winnow_api.signing import signed_url
from winnow_common.db.models import Run, RunArtifact, ScheduledRun, Tag, User, WorkerConfig
from winnow_common.enums import DatasourcePurpose, ScheduledRunState
from winnow_common.errors import (
    ArtifactNotFound,
    InvalidInput,
    RunNotFound,
    ScheduledRunNotFound,
    WorkerConfigNotFound,
)
from winnow_common.ids import OBJECT_ID_PATTERN
from winnow_common.jobs import (
    InvalidLabels,
    ProcessRunJob,
    TaskName,
    gpu_queue_for,
    message_priority,
    normalize_labels,
)
from winnow_common.runs import datasource_for
from winnow_common.schemas.wire import (
    CreateEntityResponse,
    RunArtifactData,
    RunData,
    ScheduledRunCreateRequest,
    ScheduledRunData,
    TagData,
    WorkerConfigCreateRequest,
)
from winnow_common.schemas.worker_config import parse_worker_config

router = APIRouter(tags=["runs"])

RunId = Annotated[str, Path(alias="runId", pattern=OBJECT_ID_PATTERN)]

_NOT_ENDED = (ScheduledRunState.OPEN.value, ScheduledRunState.LOCKED.value)


@router.post("/v1/docker/worker/config/vX", status_code=201, response_model=CreateEntityResponse)
def create_worker_config(
    body: WorkerConfigCreateRequest, user: CurrentUser, session: SessionDep
) -> CreateEntityResponse:
    """Validate and store a V4 worker config (422 names unknown keys and the closest valid one)."""
    parse_worker_config(body.config)
    config = WorkerConfig(user_id=user.id, version=body.version, config=body.config)
    session.add(config)
    session.flush()
    return CreateEntityResponse(id=config.id)


def to_scheduled_run_data(row: ScheduledRun) -> ScheduledRunData:
    return ScheduledRunData(
        id=row.id,
        dataset_id=row.dataset_id,
        user_id=row.user_id,
        config_id=row.config_id,
        priority=row.priority,
        runs_on=row.runs_on,
        state=row.state,
        created_at=row.created_at,
        last_modified_at=row.last_modified_at,
    )


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
    try:
        runs_on = normalize_labels(body.runs_on)
    except InvalidLabels as exc:
        raise InvalidInput(f"runsOn: {exc}") from None
    dataset = get_owned_dataset(session, user, dataset_id)
    config = session.get(WorkerConfig, body.config_id)
    if config is None or config.user_id != user.id:
        raise WorkerConfigNotFound(f"configId: worker config {body.config_id} does not exist")
    parse_worker_config(config.config)
    for purpose in (DatasourcePurpose.INPUT, DatasourcePurpose.LIGHTLY):
        datasource_for(session, dataset.id, purpose)
    scheduled = ScheduledRun(
        dataset_id=dataset.id,
        user_id=user.id,
        config_id=config.id,
        priority=body.priority,
        runs_on=body.runs_on,
        state=ScheduledRunState.OPEN.value,
    )
    session.add(scheduled)
    session.flush()
    jobs.enqueue(
        TaskName.PROCESS_RUN,
        ProcessRunJob(scheduled_run_id=scheduled.id),
        queue=gpu_queue_for(runs_on),
        priority=message_priority(body.priority),
    )
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
    dataset = get_owned_dataset(session, user, dataset_id)
    states = (state.value,) if state else _NOT_ENDED
    rows = session.scalars(
        select(ScheduledRun)
        .where(ScheduledRun.dataset_id == dataset.id, ScheduledRun.state.in_(states))
        .order_by(ScheduledRun.id)
    )
    return [to_scheduled_run_data(r) for r in rows]


def to_run_data(session: Session, run: Run) -> RunData:
    artifacts = session.scalars(
        select(RunArtifact).where(RunArtifact.run_id == run.id).order_by(RunArtifact.id)
    )
    return RunData(
        id=run.id,
        user_id=run.user_id,
        docker_version=run.docker_version,
        state=run.state,
        dataset_id=run.dataset_id,
        config_id=run.config_id,
        scheduled_id=run.scheduled_id,
        created_at=run.created_at,
        last_modified_at=run.last_modified_at,
        message=run.message,
        artifacts=[
            RunArtifactData(
                id=a.id,
                type=a.type,
                file_name=a.file_name,
                storage_location=a.storage_location,
                created_at=a.created_at,
            )
            for a in artifacts
        ],
    )


def get_owned_run(session: Session, user: User, run_id: str) -> Run:
    run = session.get(Run, run_id)
    if run is None or run.user_id != user.id:
        raise RunNotFound(f"runId: run {run_id} does not exist")
    return run


@router.get("/v1/docker/runs", response_model=list[RunData], response_model_exclude_none=True)
def list_runs(user: CurrentUser, session: SessionDep, page: PageDep) -> list[RunData]:
    """All of the caller's runs, oldest first."""
    stmt = select(Run).where(Run.user_id == user.id).order_by(Run.id)
    return [to_run_data(session, r) for r in session.scalars(page.apply(stmt))]


@router.get(
    "/v1/docker/runs/query/datasetId/{datasetId}",
    response_model=list[RunData],
    response_model_exclude_none=True,
)
def list_runs_of_dataset(
    dataset_id: DatasetId, user: CurrentUser, session: SessionDep, page: PageDep
) -> list[RunData]:
    """The runs of one dataset, oldest first."""
    dataset = get_owned_dataset(session, user, dataset_id)
    stmt = select(Run).where(Run.dataset_id == dataset.id).order_by(Run.id)
    return [to_run_data(session, r) for r in session.scalars(page.apply(stmt))]


@router.get(
    "/v1/docker/runs/schedule/{scheduledId}",
    response_model=RunData,
    response_model_exclude_none=True,
)
def get_run_of_scheduled_run(
    scheduled_id: Annotated[str, Path(alias="scheduledId", pattern=OBJECT_ID_PATTERN)],
    user: CurrentUser,
    session: SessionDep,
) -> RunData:
    """The run a worker created for a scheduled run; 404 until a worker picked it up."""
    run = session.scalar(select(Run).where(Run.scheduled_id == scheduled_id))
    if run is None or run.user_id != user.id:
        raise ScheduledRunNotFound(
            f"scheduledId: no run has started for scheduled run {scheduled_id} yet"
        )
    return to_run_data(session, run)


@router.get("/v1/docker/runs/{runId}", response_model=RunData, response_model_exclude_none=True)
def get_run(run_id: RunId, user: CurrentUser, session: SessionDep) -> RunData:
    """One run with its artifacts."""
    return to_run_data(session, get_owned_run(session, user, run_id))


@router.get(
    "/v1/docker/runs/{runId}/tags", response_model=list[TagData], response_model_exclude_none=True
)
def list_run_tags(run_id: RunId, user: CurrentUser, session: SessionDep) -> list[TagData]:
    """Tags a run created, newest first."""
    run = get_owned_run(session, user, run_id)
    rows = session.scalars(select(Tag).where(Tag.run_id == run.id).order_by(Tag.id.desc()))
    return [to_tag_data(t) for t in rows]


@router.get("/v1/docker/runs/{runId}/artifacts/{artifactId}/readurl", response_model=str)
def get_artifact_read_url(
    run_id: RunId,
    artifact_id: Annotated[str, Path(alias="artifactId", pattern=OBJECT_ID_PATTERN)],
    user: CurrentUser,
    session: SessionDep,
) -> str:
    """A signed, expiring URL that downloads the artifact with a plain GET (no token)."""
    run = get_owned_run(session, user, run_id)
    artifact = session.get(RunArtifact, artifact_id)
    if artifact is None or artifact.run_id != run.id:
        raise ArtifactNotFound(f"artifactId: artifact {artifact_id} of run {run_id} does not exist")
    return signed_url(f"/v1/files/runs/{run.id}/artifacts/{artifact.id}")
