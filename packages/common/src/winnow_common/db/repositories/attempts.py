"""Run attempts (the leases): the plain lookups the API and the lifecycle share.

The lease protocol itself (claim, renew, fence, hand back, expire) is in
``winnow_common.lifecycle``, whose functions are repository calls of the same kind.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import RunAttempt


def of_run(session: Session, run_id: str) -> Sequence[RunAttempt]:
    """The run's attempts, oldest first."""
    return session.scalars(
        select(RunAttempt).where(RunAttempt.run_id == run_id).order_by(RunAttempt.number)
    ).all()


def open_run_of_worker(session: Session, worker_id: str) -> str | None:
    """The run a registered worker holds an open attempt on (None: it holds none)."""
    return session.scalar(
        select(RunAttempt.run_id).where(
            RunAttempt.worker_id == worker_id, RunAttempt.ended_at.is_(None)
        )
    )
