"""Attempts and leases: who may work on a run, and what happens when an attempt ends.

Every function here is a repository call: it flushes and never commits (the caller owns the
transaction). Times come from the database clock, so leases mean the same to every process
whatever their own clocks say.

A run has at most one open attempt (``ended_at IS NULL``; a partial unique index enforces it).
That attempt is the lease: its holder renews ``expires_at`` from a heartbeat, and writes to the
run go through :func:`fence`, so an attempt whose lease was taken away writes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, func, select, update
from sqlalchemy.orm import Session

from winnow_common import __version__
from winnow_common.config import RunSettings
from winnow_common.db.models import Run, RunAttempt, ScheduledRun
from winnow_common.db.repositories import attempts as attempt_repo
from winnow_common.db.repositories import runs as run_repo
from winnow_common.db.repositories import workers as worker_repo
from winnow_common.enums import AttemptOutcome, RunState, ScheduledRunState
from winnow_common.errors import LeaseLost
from winnow_common.jobs.messages import JobMessage
from winnow_common.jobs.names import Queue, TaskName, gpu_queue_for, message_priority


def db_now_ms(session: Session) -> int:
    """The database server's clock in epoch milliseconds."""
    now = func.floor(func.extract("epoch", func.clock_timestamp()) * 1000).cast(BigInteger)
    return int(session.execute(select(now)).scalar_one())


@dataclass(frozen=True)
class AttemptInfo:
    """An attempt as the run's log and messages describe it."""

    number: int
    task: str
    holder: str
    started_at: int
    ended_at: int | None
    outcome: str | None
    stage: str | None
    detail: str | None

    @classmethod
    def of(cls, row: RunAttempt) -> AttemptInfo:
        return cls(
            row.number,
            row.task,
            row.holder,
            row.started_at,
            row.ended_at,
            row.outcome,
            row.stage,
            row.detail,
        )

    def describe(self) -> str:
        """``attempt 2 (gpu.process_run on gpu-1@host): LOST in EMBEDDING: lease expired``."""
        head = f"attempt {self.number} ({self.task} on {self.holder})"
        if self.outcome is None:
            return f"{head}: running"
        where = f" in {self.stage}" if self.stage else ""
        why = f": {self.detail}" if self.detail else ""
        return f"{head}: {self.outcome}{where}{why}"


@dataclass(frozen=True)
class Claim:
    """A granted lease: the run, the open attempt, and the attempts before it."""

    run_id: str
    scheduled_run_id: str
    attempt_id: str
    number: int
    task: TaskName
    holder: str
    previous: tuple[AttemptInfo, ...]

    @property
    def redone_stages(self) -> list[str]:
        """The stages earlier attempts of this task were interrupted in (they are redone)."""
        return [
            a.stage
            for a in self.previous
            if a.task == self.task.value and a.stage and a.outcome != AttemptOutcome.DONE.value
        ]


def history(session: Session, run_id: str) -> list[AttemptInfo]:
    """The run's attempts, oldest first."""
    return [AttemptInfo.of(r) for r in attempt_repo.of_run(session, run_id)]


def describe_history(attempts: list[AttemptInfo]) -> str:
    """Every attempt on one line each, for a FAILED message."""
    return "; ".join(a.describe() for a in attempts)


def _open_attempt(session: Session, run_id: str) -> RunAttempt | None:
    return session.scalar(
        select(RunAttempt)
        .where(RunAttempt.run_id == run_id, RunAttempt.ended_at.is_(None))
        .with_for_update()
    )


def crash_count(session: Session, run_id: str) -> int:
    """Attempts of the run that crashed (lease expired or outage): bounded by max_attempts."""
    crashed = [o.value for o in AttemptOutcome if o.counts_as_crash]
    return int(
        session.scalar(
            select(func.count())
            .select_from(RunAttempt)
            .where(RunAttempt.run_id == run_id, RunAttempt.outcome.in_(crashed))
        )
        or 0
    )


def end_attempt(
    session: Session,
    attempt: RunAttempt,
    outcome: AttemptOutcome,
    detail: str | None,
    now: int | None = None,
) -> None:
    """Close an attempt (its lease ends with it), noting the run state it ended in."""
    run = session.get(Run, attempt.run_id)
    attempt.ended_at = now if now is not None else db_now_ms(session)
    attempt.outcome = outcome.value
    attempt.stage = run.state if run is not None else None
    attempt.detail = detail
    session.flush()


def _new_attempt(
    session: Session,
    run: Run,
    task: TaskName,
    holder: str,
    worker_id: str | None,
    settings: RunSettings,
) -> RunAttempt:
    now = db_now_ms(session)
    number = int(
        session.scalar(select(func.max(RunAttempt.number)).where(RunAttempt.run_id == run.id)) or 0
    )
    attempt = RunAttempt(
        run_id=run.id,
        number=number + 1,
        task=task.value,
        holder=holder[:256],
        worker_id=worker_id,
        started_at=now,
        heartbeat_at=now,
        expires_at=now + int(settings.lease_timeout_s * 1000),
    )
    session.add(attempt)
    session.flush()
    return attempt


def _take_over_expired(session: Session, run: Run) -> bool:
    """End an expired open attempt as LOST. False when a live attempt holds the run."""
    current = _open_attempt(session, run.id)
    if current is None:
        return True
    now = db_now_ms(session)
    if current.expires_at > now:
        return False
    silent = (now - current.heartbeat_at) / 1000
    end_attempt(
        session,
        current,
        AttemptOutcome.LOST,
        f"lease expired: no heartbeat from {current.holder} for {silent:.0f}s",
        now,
    )
    mark_offline_if_idle(session, current.worker_id)
    return True


def attempts_left(session: Session, run: Run, settings: RunSettings) -> bool:
    """False (and the run FAILED, with its history) when its crashes used up every attempt."""
    crashes = crash_count(session, run.id)
    if crashes < settings.max_attempts:
        return True
    attempts = history(session, run.id)
    run_repo.end(
        session,
        run.id,
        RunState.FAILED,
        f"Run failed after {crashes} crashed attempts (RUN_MAX_ATTEMPTS={settings.max_attempts}): "
        f"{describe_history(attempts)}",
    )
    run.error_type = "AttemptsExhausted"
    run.error_detail = describe_history(attempts)
    session.flush()
    return False


def _stage_done(session: Session, run_id: str, task: TaskName) -> bool:
    return (
        session.scalar(
            select(RunAttempt.id).where(
                RunAttempt.run_id == run_id,
                RunAttempt.task == task.value,
                RunAttempt.outcome == AttemptOutcome.DONE.value,
            )
        )
        is not None
    )


def _claim(
    session: Session,
    run: Run,
    scheduled_id: str,
    task: TaskName,
    holder: str,
    worker_id: str | None,
    settings: RunSettings,
) -> Claim:
    previous = tuple(history(session, run.id))
    attempt = _new_attempt(session, run, task, holder, worker_id, settings)
    return Claim(run.id, scheduled_id, attempt.id, attempt.number, task, holder, previous)


def claim_process_run(
    session: Session,
    scheduled_run_id: str,
    holder: str,
    worker_id: str | None,
    settings: RunSettings,
) -> Claim | None:
    """Lease the GPU stage of a scheduled run; None when there is nothing to do.

    Nothing to do: the scheduled run is unknown, ended, or another process holds a live lease
    (a duplicate message). An expired lease is taken over (its attempt ends LOST). The first
    claim creates the run record; a run whose crashes used up its attempts ends FAILED here.
    """
    scheduled = session.scalar(
        select(ScheduledRun).where(ScheduledRun.id == scheduled_run_id).with_for_update()
    )
    if scheduled is None or scheduled.state in (
        ScheduledRunState.DONE.value,
        ScheduledRunState.CANCELED.value,
    ):
        return None
    run = session.scalar(select(Run).where(Run.scheduled_id == scheduled.id).with_for_update())
    if run is None:
        run = Run(
            user_id=scheduled.user_id,
            dataset_id=scheduled.dataset_id,
            config_id=scheduled.config_id,
            scheduled_id=scheduled.id,
            docker_version=__version__,
            state=RunState.STARTED.value,
            message="Picked up by a worker",
            processing_started_at=db_now_ms(session),
        )
        session.add(run)
        session.flush()
    else:
        if RunState(run.state).is_terminal or not _take_over_expired(session, run):
            return None
        if _stage_done(session, run.id, TaskName.PROCESS_RUN):
            return None  # the report stage's business now
        if not attempts_left(session, run, settings):
            return None
    scheduled.state = ScheduledRunState.LOCKED.value
    run.worker_id = worker_id
    claim = _claim(session, run, scheduled.id, TaskName.PROCESS_RUN, holder, worker_id, settings)
    if claim.previous:
        run.message = f"Attempt {claim.number} picked up by {holder}"
    session.flush()
    return claim


def claim_report(session: Session, run_id: str, holder: str, settings: RunSettings) -> Claim | None:
    """Lease the report stage of a run waiting in GENERATING_REPORT; None when nothing to do."""
    run = session.scalar(select(Run).where(Run.id == run_id).with_for_update())
    if run is None or run.state != RunState.GENERATING_REPORT.value:
        return None
    if not _take_over_expired(session, run) or not attempts_left(session, run, settings):
        return None
    return _claim(session, run, run.scheduled_id, TaskName.RENDER_REPORT, holder, None, settings)


def renew(
    session: Session,
    attempt_id: str,
    settings: RunSettings,
    state: tuple[RunState, str] | None = None,
) -> bool:
    """Extend the lease of an open attempt (and record the run's latest state with it).

    False when the attempt was ended by someone else: its holder must stop working on the run.
    """
    now = db_now_ms(session)
    run_id = session.scalar(
        update(RunAttempt)
        .where(RunAttempt.id == attempt_id, RunAttempt.ended_at.is_(None))
        .values(heartbeat_at=now, expires_at=now + int(settings.lease_timeout_s * 1000))
        .returning(RunAttempt.run_id)
    )
    if run_id is None:
        return False
    if state is not None:
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(state=state[0].value, message=state[1], last_modified_at=now)
        )
    return True


def fence(session: Session, attempt_id: str) -> RunAttempt:
    """Lock the attempt and prove it is still open; raises ``LeaseLost`` otherwise.

    Called first in every transaction that records an attempt's results, so an attempt whose
    lease expired (and was perhaps taken over) can never write over its successor.
    """
    attempt = session.scalar(
        select(RunAttempt).where(RunAttempt.id == attempt_id).with_for_update()
    )
    if attempt is None or attempt.ended_at is not None:
        outcome = attempt.outcome if attempt is not None else "deleted"
        raise LeaseLost(f"attempt {attempt_id} is no longer open ({outcome})")
    return attempt


def finish(
    session: Session, attempt_id: str, outcome: AttemptOutcome, detail: str | None = None
) -> RunAttempt:
    """Fence, then end the caller's attempt with ``outcome``."""
    attempt = fence(session, attempt_id)
    end_attempt(session, attempt, outcome, detail)
    return attempt


def requeue(session: Session, run: Run, attempt: RunAttempt) -> JobMessage:
    """Make the stage ``attempt`` ran available again and say so on the run."""
    now = db_now_ms(session)
    scheduled = session.get(ScheduledRun, run.scheduled_id)
    assert scheduled is not None
    task = TaskName(attempt.task)
    what = AttemptInfo.of(attempt).describe()
    if task is TaskName.PROCESS_RUN:
        scheduled.state = ScheduledRunState.OPEN.value
        scheduled.published_at = now
        run.message = f"Waiting for a worker after {what}"
        out = JobMessage(
            task,
            scheduled.id,
            gpu_queue_for(scheduled.runs_on),
            message_priority(scheduled.priority),
        )
    else:
        run.report_published_at = now
        run.message = f"Waiting for the reporter after {what}"
        out = JobMessage(task, run.id, Queue.REPORTS.value, None)
    session.flush()
    return out


def hand_back(session: Session, attempt_id: str, reason: str) -> JobMessage:
    """End the caller's attempt as HANDED_BACK (graceful) and queue its stage again."""
    attempt = finish(session, attempt_id, AttemptOutcome.HANDED_BACK, reason)
    run = session.get(Run, attempt.run_id)
    assert run is not None
    return requeue(session, run, attempt)


def abandon(
    session: Session, attempt_id: str, reason: str, settings: RunSettings
) -> JobMessage | None:
    """End the caller's attempt as ABANDONED (an outage outlasted the retries); retry or fail."""
    attempt = finish(session, attempt_id, AttemptOutcome.ABANDONED, reason)
    run = session.get(Run, attempt.run_id)
    assert run is not None
    if not attempts_left(session, run, settings):
        return None
    return requeue(session, run, attempt)


def mark_offline_if_idle(session: Session, worker_id: str | None) -> None:
    """A registered worker whose lease expired is gone: OFFLINE unless it holds another run."""
    if worker_id is None:
        return
    if attempt_repo.open_run_of_worker(session, worker_id) is None:
        worker_repo.set_offline(session, worker_id)
