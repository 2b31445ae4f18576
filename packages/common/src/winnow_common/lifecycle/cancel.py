"""Canceling a run: a scheduled run no worker picked up yet, or a run that is under way.

A scheduled run still OPEN without a run record becomes CANCELED (a worker that later gets its
message finds nothing to claim). A run under way ends ABORTED: its open attempt, if any, is
closed here (outcome ABORTED), so its holder's next lease renewal fails and it stops at its
next safe point without writing anything (every write of results is fenced). The scheduled run
is locked first, as a claim locks it, so a cancel and a claim cannot interleave.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from winnow_common.db.models import Run, RunAttempt, ScheduledRun
from winnow_common.db.repositories import runs as run_repo
from winnow_common.enums import AttemptOutcome, RunState, ScheduledRunState
from winnow_common.lifecycle.attempts import end_attempt


class Canceled(StrEnum):
    """What a cancel did."""

    SCHEDULED = "SCHEDULED"  # the scheduled run was canceled before any worker picked it up
    ABORTED = "ABORTED"  # the run was under way and ended ABORTED
    ALREADY_ENDED = "ALREADY_ENDED"  # nothing to do: it had ended (or was canceled) before


def lock_scheduled(session: Session, scheduled_id: str) -> ScheduledRun | None:
    """The scheduled run, locked against a concurrent claim (None: it does not exist)."""
    return session.scalar(
        select(ScheduledRun).where(ScheduledRun.id == scheduled_id).with_for_update()
    )


def cancel(session: Session, scheduled: ScheduledRun, reason: str) -> Canceled:
    """Cancel the (locked) scheduled run or abort its run; see the module docstring."""
    run = session.scalar(select(Run).where(Run.scheduled_id == scheduled.id).with_for_update())
    if run is None:
        if scheduled.state in (ScheduledRunState.DONE.value, ScheduledRunState.CANCELED.value):
            return Canceled.ALREADY_ENDED
        scheduled.state = ScheduledRunState.CANCELED.value
        session.flush()
        return Canceled.SCHEDULED
    if RunState(run.state).is_terminal:
        return Canceled.ALREADY_ENDED
    attempt = session.scalar(
        select(RunAttempt)
        .where(RunAttempt.run_id == run.id, RunAttempt.ended_at.is_(None))
        .with_for_update()
    )
    if attempt is not None:
        end_attempt(session, attempt, AttemptOutcome.ABORTED, reason)
    run_repo.end(session, run.id, RunState.ABORTED, f"Aborted in {run.state}: {reason}")
    return Canceled.ABORTED
