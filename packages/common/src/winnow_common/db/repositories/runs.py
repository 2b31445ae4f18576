"""Runs: lookups and the state changes the GPU worker and the reporter make."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import Run, ScheduledRun
from winnow_common.db.repositories import datasets as dataset_repo
from winnow_common.db.repositories._base import paged
from winnow_common.enums import RunState, ScheduledRunState
from winnow_common.errors import RunNotFound
from winnow_common.ids import now_ms


def get(session: Session, run_id: str) -> Run | None:
    """The run, whoever owns it."""
    return session.get(Run, run_id)


def require(session: Session, run_id: str) -> Run:
    """The run, or ``RunNotFound`` (for the workers: the id came from their own claim)."""
    run = session.get(Run, run_id)
    if run is None:
        raise RunNotFound(f"run {run_id} does not exist")
    return run


def get_owned(session: Session, run_id: str, user_id: str) -> Run | None:
    """The run when ``user_id`` owns it."""
    run = session.get(Run, run_id)
    if run is None or run.user_id != user_id:
        return None
    return run


def get_readable(session: Session, run_id: str, user_id: str) -> Run | None:
    """The run when ``user_id`` started it or may use its dataset (owner or collaborator):
    a collaborator reads every run of a shared dataset, whoever started it."""
    run = session.get(Run, run_id)
    if run is None:
        return None
    if run.user_id == user_id or dataset_repo.get_accessible(session, run.dataset_id, user_id):
        return run
    return None


def of_scheduled(session: Session, scheduled_id: str) -> Run | None:
    """The run a worker created for a scheduled run (None until one picked it up)."""
    return session.scalar(select(Run).where(Run.scheduled_id == scheduled_id))


def list_of_user(
    session: Session, user_id: str, *, offset: int = 0, limit: int | None = None
) -> Sequence[Run]:
    """One page of the user's runs, oldest first."""
    stmt = select(Run).where(Run.user_id == user_id).order_by(Run.id)
    return session.scalars(paged(stmt, offset, limit)).all()


def list_of_dataset(
    session: Session, dataset_id: str, *, offset: int = 0, limit: int | None = None
) -> Sequence[Run]:
    """One page of the dataset's runs, oldest first."""
    stmt = select(Run).where(Run.dataset_id == dataset_id).order_by(Run.id)
    return session.scalars(paged(stmt, offset, limit)).all()


def set_state(session: Session, run_id: str, state: RunState, message: str) -> None:
    """Move a run to ``state`` with a human-readable message."""
    run = require(session, run_id)
    run.state = state.value
    run.message = message
    session.flush()


def end(session: Session, run_id: str, state: RunState, message: str) -> None:
    """Put a run in a terminal state and close its scheduled run."""
    if not state.is_terminal:
        raise ValueError(f"{state} is not a terminal state")
    run = require(session, run_id)
    run.state = state.value
    run.message = message
    run.processing_ended_at = run.processing_ended_at or now_ms()
    scheduled = session.get(ScheduledRun, run.scheduled_id)
    if scheduled is not None:
        scheduled.state = ScheduledRunState.DONE.value
    session.flush()


def fail(session: Session, run_id: str, exc: BaseException) -> None:
    """Mark a run FAILED, keeping the error type and reason on the row."""
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    run = require(session, run_id)
    run.error_type = type(exc).__name__
    run.error_detail = reason
    end(session, run_id, RunState.FAILED, f"Run failed in {run.state}: {reason}")
