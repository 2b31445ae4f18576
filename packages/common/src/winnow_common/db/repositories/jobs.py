"""Platform jobs (lightly's ``/v1/jobs``): sampling on stored embeddings, 2-D projections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from winnow_common.db.models import Job
from winnow_common.ids import now_ms


def get(session: Session, job_id: str) -> Job | None:
    """The job, whoever started it."""
    return session.get(Job, job_id)


def lock(session: Session, job_id: str) -> Job | None:
    """The job, its row locked until the caller's transaction ends (one runner at a time)."""
    return session.scalar(select(Job).where(Job.id == job_id).with_for_update())


def add(session: Session, job: Job) -> None:
    """Insert a job (WAITING) inside the caller's transaction."""
    session.add(job)
    session.flush()


def projection_of(session: Session, embedding_id: str) -> Job | None:
    """The newest EMBEDDINGS2D job of an embedding that did not fail (one projection each)."""
    return session.scalar(
        select(Job)
        .where(
            Job.type == "EMBEDDINGS2D",
            Job.request["embeddingId"].astext == embedding_id,
            Job.state != "FAILED",
        )
        .order_by(Job.id.desc())
        .limit(1)
    )


def mark_published(session: Session, job_ids: Sequence[str], at: int | None = None) -> None:
    """Record that the jobs' messages are (about to be) sent."""
    when = at if at is not None else now_ms()
    for job in session.scalars(select(Job).where(Job.id.in_(list(job_ids)))):
        job.published_at = when
    session.flush()


def waiting(session: Session, published_before: int) -> Sequence[Job]:
    """WAITING jobs whose message was never sent or last sent before ``published_before``."""
    return session.scalars(
        select(Job)
        .where(
            Job.state == "WAITING",
            or_(Job.published_at.is_(None), Job.published_at < published_before),
        )
        .order_by(Job.id)
    ).all()


def start(session: Session, job: Job) -> None:
    """WAITING -> RUNNING (a RUNNING job taken again after a crash stays RUNNING)."""
    job.state = "RUNNING"
    session.flush()


def finish(session: Session, job: Job, result: dict[str, Any]) -> None:
    """RUNNING -> FINISHED with its result (lightly's ``JobStatusDataResult.data`` is
    ``result["data"]``)."""
    job.state = "FINISHED"
    job.result = result
    job.error = None
    job.finished_at = now_ms()
    session.flush()


def fail(session: Session, job: Job, error: str) -> None:
    """-> FAILED with a message for the user."""
    job.state = "FAILED"
    job.error = error
    job.finished_at = now_ms()
    session.flush()
