"""Run rules: configs are validated, a run is scheduled only on a dataset with both
datasources, and its job is routed by its labels and priority (published after commit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from winnow_api.datasets import service as dataset_service
from winnow_api.enqueue import JobQueue
from winnow_api.pagination import Page
from winnow_common.db.models import (
    ComputeWorker,
    Datasource,
    Run,
    RunArtifact,
    RunAttempt,
    ScheduledRun,
    Tag,
    User,
    WorkerConfig,
)
from winnow_common.db.repositories import artifacts as artifact_repo
from winnow_common.db.repositories import attempts as attempt_repo
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories import datasources as datasource_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import scheduled_runs as scheduled_run_repo
from winnow_common.db.repositories import tags as tag_repo
from winnow_common.db.repositories import workers as worker_repo
from winnow_common.enums import DatasourcePurpose, ScheduledRunState
from winnow_common.errors import (
    ArtifactNotFound,
    BadRequest,
    DatasourceNotConfigured,
    InvalidInput,
    RunNotFound,
    ScheduledRunNotFound,
    WorkerConfigNotFound,
)
from winnow_common.jobs import (
    InvalidLabels,
    ProcessRunJob,
    TaskName,
    gpu_queue_for,
    message_priority,
    normalize_labels,
)
from winnow_common.lifecycle import cancel as cancel_lifecycle
from winnow_common.lifecycle.cancel import Canceled
from winnow_common.schemas.wire import ScheduledRunCreateRequest, WorkerConfigCreateRequest
from winnow_common.schemas.worker_config import parse_worker_config
from winnow_common.storage.support import unreadable_reason

_NOT_ENDED = (ScheduledRunState.OPEN.value, ScheduledRunState.LOCKED.value)


@dataclass(frozen=True)
class RunView:
    """A run with its artifacts (its wire form lists them)."""

    run: Run
    artifacts: Sequence[RunArtifact]


def create_config(session: Session, user: User, body: WorkerConfigCreateRequest) -> WorkerConfig:
    """Validate and store a V4 worker config (422 names unknown keys and the closest one)."""
    parse_worker_config(body.config)
    config = WorkerConfig(user_id=user.id, version=body.version, config=body.config)
    scheduled_run_repo.add_config(session, config)
    return config


def schedule(
    session: Session,
    user: User,
    dataset_id: str,
    body: ScheduledRunCreateRequest,
    jobs: JobQueue,
) -> ScheduledRun:
    """Schedule a run of a stored config on a dataset; its job is published after commit.

    The job goes to the queue of the ``runsOn`` label set, which only workers holding all those
    labels consume, with the Redis message priority of ``priority``.
    """
    try:
        runs_on = normalize_labels(body.runs_on)
    except InvalidLabels as exc:
        raise InvalidInput(f"runsOn: {exc}") from None
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    config = scheduled_run_repo.get_config(session, body.config_id)
    if config is None or config.user_id != user.id:
        raise WorkerConfigNotFound(f"configId: worker config {body.config_id} does not exist")
    parse_worker_config(config.config)
    for purpose in (DatasourcePurpose.INPUT, DatasourcePurpose.LIGHTLY):
        source = datasource_repo.for_purpose(session, dataset.id, purpose)
        if (why := unreadable_reason(source.type)) is not None:
            # Refused now rather than accepted and failed by the worker later.
            raise BadRequest(f"datasource: the dataset's {purpose.value} datasource: {why}")
    scheduled = ScheduledRun(
        dataset_id=dataset.id,
        user_id=user.id,
        config_id=config.id,
        priority=body.priority,
        runs_on=body.runs_on,
        state=ScheduledRunState.OPEN.value,
    )
    scheduled_run_repo.add(session, scheduled)
    jobs.enqueue(
        TaskName.PROCESS_RUN,
        ProcessRunJob(scheduled_run_id=scheduled.id),
        queue=gpu_queue_for(runs_on),
        priority=message_priority(body.priority),
    )
    return scheduled


def scheduled_of_dataset(
    session: Session, user: User, dataset_id: str, state: ScheduledRunState | None
) -> Sequence[ScheduledRun]:
    """Scheduled runs of a dataset; without ``state`` those not DONE or CANCELED."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    states = (state.value,) if state else _NOT_ENDED
    return scheduled_run_repo.of_dataset(session, dataset.id, states)


def get_owned(session: Session, user: User, run_id: str) -> Run:
    """The caller's run (404 otherwise)."""
    run = run_repo.get_owned(session, run_id, user.id)
    if run is None:
        raise RunNotFound(f"runId: run {run_id} does not exist")
    return run


def get_readable(session: Session, user: User, run_id: str) -> Run:
    """A run the caller started, or any run of a dataset the caller owns or collaborates on
    (404 otherwise, also for another user's unshared dataset's run)."""
    run = run_repo.get_readable(session, run_id, user.id)
    if run is None:
        raise RunNotFound(f"runId: run {run_id} does not exist")
    return run


def view(session: Session, run: Run) -> RunView:
    """The run with its artifacts."""
    return RunView(run, artifact_repo.of_run(session, run.id))


def of_user(session: Session, user: User, page: Page) -> list[RunView]:
    """One page of the runs the caller started, oldest first (runs of shared datasets that
    others started are listed by the dataset-scoped route, ``of_dataset``)."""
    rows = run_repo.list_of_user(session, user.id, offset=page.offset, limit=page.size)
    return [view(session, r) for r in rows]


def of_dataset(session: Session, user: User, dataset_id: str, page: Page) -> list[RunView]:
    """One page of the runs of a dataset the caller owns or collaborates on (whoever started
    them), oldest first."""
    dataset = dataset_service.get_accessible(session, user, dataset_id)
    rows = run_repo.list_of_dataset(session, dataset.id, offset=page.offset, limit=page.size)
    return [view(session, r) for r in rows]


def of_scheduled(session: Session, user: User, scheduled_id: str) -> RunView:
    """The run a worker created for a scheduled run; 404 until a worker picked it up.

    Readable by whoever may read the run (its starter, the dataset's owner, collaborators).
    """
    run = run_repo.of_scheduled(session, scheduled_id)
    if run is None or run_repo.get_readable(session, run.id, user.id) is None:
        raise ScheduledRunNotFound(
            f"scheduledId: no run has started for scheduled run {scheduled_id} yet"
        )
    return view(session, run)


def tags(session: Session, user: User, run_id: str) -> Sequence[Tag]:
    """Tags naming the run, newest first."""
    run = get_readable(session, user, run_id)
    return tag_repo.of_run(session, run.id)


def artifact(session: Session, user: User, run_id: str, artifact_id: str) -> RunArtifact:
    """One artifact of a run the caller may read (404 otherwise)."""
    run = get_readable(session, user, run_id)
    found = artifact_repo.get(session, artifact_id)
    if found is None or found.run_id != run.id:
        raise ArtifactNotFound(f"artifactId: artifact {artifact_id} of run {run_id} does not exist")
    return found


@dataclass(frozen=True)
class RunSnapshot:
    """What the run page shows live: the run, its scheduled run (priority), its attempts, the
    worker that picked it up and its LIGHTLY datasource (where its logs are)."""

    run: Run
    scheduled: ScheduledRun | None
    attempts: Sequence[RunAttempt]
    worker: ComputeWorker | None
    lightly: Datasource | None


def snapshot(session: Session, run_id: str) -> RunSnapshot | None:
    """The run's live view (None when the run is gone); the caller checked access first."""
    run = run_repo.get(session, run_id)
    if run is None:
        return None
    try:
        lightly = datasource_repo.for_purpose(session, run.dataset_id, DatasourcePurpose.LIGHTLY)
    except DatasourceNotConfigured:  # removed since: the page shows no log
        lightly = None
    return RunSnapshot(
        run=run,
        scheduled=scheduled_run_repo.get(session, run.scheduled_id),
        attempts=attempt_repo.of_run(session, run.id),
        worker=worker_repo.get(session, run.worker_id) if run.worker_id else None,
        lightly=lightly,
    )


def cancel_scheduled(session: Session, user: User, scheduled_id: str) -> Canceled:
    """Cancel a scheduled run not picked up yet, or abort its run under way (the starter, the
    dataset's owner or a collaborator; 404 otherwise)."""
    scheduled = cancel_lifecycle.lock_scheduled(session, scheduled_id)
    if scheduled is None or (
        scheduled.user_id != user.id
        and dataset_repo.get_accessible(session, scheduled.dataset_id, user.id) is None
    ):
        raise ScheduledRunNotFound(f"scheduledId: scheduled run {scheduled_id} does not exist")
    return cancel_lifecycle.cancel(session, scheduled, f"canceled by {user.email}")


def cancel_run(session: Session, user: User, run_id: str) -> Canceled:
    """Abort a run under way (see :func:`cancel_scheduled`)."""
    run = get_readable(session, user, run_id)
    return cancel_scheduled(session, user, run.scheduled_id)
