"""Worker registry rules: workers are the caller's own; registering a name again updates it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from winnow_api.runs import service as run_service
from winnow_common.db.models import ComputeWorker, RunAttempt, User
from winnow_common.db.repositories import attempts as attempt_repo
from winnow_common.db.repositories import workers as worker_repo
from winnow_common.errors import ComputeWorkerNotFound
from winnow_common.schemas.workers import CreateWorkerRequest


def register(session: Session, user: User, body: CreateWorkerRequest) -> str:
    """Register a worker; the same name again answers the existing id with the new labels."""
    return worker_repo.register(
        session, user.id, body.name, body.worker_type, body.labels, body.docker_version
    )


def of_user(session: Session, user: User) -> Sequence[ComputeWorker]:
    """The caller's registered workers, oldest first."""
    return worker_repo.of_user(session, user.id)


def get_owned(session: Session, user: User, worker_id: str) -> ComputeWorker:
    """The caller's registered worker (404 otherwise)."""
    row = worker_repo.get_owned(session, worker_id, user.id)
    if row is None:
        raise ComputeWorkerNotFound(f"worker {worker_id} does not exist")
    return row


def delete(session: Session, user: User, worker_id: str) -> None:
    """Remove a registered worker; its past runs keep existing."""
    worker_repo.delete(session, get_owned(session, user, worker_id))


def status(session: Session, user: User, worker_id: str) -> tuple[ComputeWorker, str | None]:
    """A registered worker and the run it holds an open attempt on (None: it holds none)."""
    row = get_owned(session, user, worker_id)
    return row, attempt_repo.open_run_of_worker(session, row.id)


def run_attempts(session: Session, user: User, run_id: str) -> Sequence[RunAttempt]:
    """Every attempt of a run the caller may read (their own, or any run of a dataset they own
    or collaborate on), oldest first."""
    run = run_service.get_readable(session, user, run_id)
    return attempt_repo.of_run(session, run.id)
